"""Shared fixtures: a manual clock, applications on each store, and the cast of actors."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import errors, sql

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.order import OrderCheck
from complaints.settings import Settings
from tests import profiles
from tests.scenario import Scenario

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_report_header(config: pytest.Config) -> str:
    """Which hypothesis profile runs (tests/profiles.py), and what the CI one may cost."""
    if profiles.PROFILE == profiles.CI:
        return (
            f"hypothesis profile: ci (fewer examples, the same each run: the property tests"
            f" take at most {profiles.BUDGET_SECONDS} s of test time on the 2-core CI machine;"
            f" HYPOTHESIS_PROFILE=thorough for their full figures)"
        )
    return "hypothesis profile: thorough (the property tests at their full figures)"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(clock: ManualClock, tmp_path: Path) -> Iterator[ComplaintsApp]:
    """The application on the in-memory store: fast, for domain behaviour."""
    settings = Settings(database_url="memory://", upload_dir=tmp_path / "uploads")
    application = ComplaintsApp(settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def world(app: ComplaintsApp, clock: ManualClock) -> Scenario:
    return Scenario(app, clock)


@pytest.fixture
def unchecked_app(clock: ManualClock, tmp_path: Path) -> Iterator[ComplaintsApp]:
    """The application on the in-memory store, not checking the orders complaints name
    (ORDER_CHECK=off): for what only a claimed order allows."""
    settings = Settings(
        database_url="memory://", upload_dir=tmp_path / "uploads", order_check=OrderCheck.OFF
    )
    application = ComplaintsApp(settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def unchecked_world(unchecked_app: ComplaintsApp, clock: ManualClock) -> Scenario:
    return Scenario(unchecked_app, clock)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server the tests may use. In CI a missing server fails; it never skips.

    A pytest-xdist worker (gw0, gw1, …) gets a database of its own beside TEST_DATABASE_URL's
    (`test_gw0`, …): what PostgreSQL shares across a database's schemas, NOTIFY channels and
    advisory locks, is then never shared between two workers."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    try:
        if worker:
            return worker_database(TEST_DATABASE_URL, worker)
        with psycopg.connect(TEST_DATABASE_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable at {TEST_DATABASE_URL}: {error}")
    return TEST_DATABASE_URL


def worker_database(url: str, worker: str) -> str:
    """The URL of the database named for `worker` beside `url`'s, created if missing (and kept
    for the next run, as `url`'s own is)."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        for attempt in range(20):
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                break
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except (errors.DuplicateDatabase, errors.UniqueViolation):
                break  # another run made it meanwhile
            except errors.ObjectInUse:  # the template is busy copying for another worker
                time.sleep(0.1 * (attempt + 1))
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A DATABASE_URL on a schema of its own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{postgres_server}?schema={schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'complaints.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """A DATABASE_URL for each real store in turn."""
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def stored_app(store_url: str, clock: ManualClock, tmp_path: Path) -> Iterator[ComplaintsApp]:
    settings = Settings(database_url=store_url, upload_dir=tmp_path / "uploads")
    application = ComplaintsApp(settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def stored_world(stored_app: ComplaintsApp, clock: ManualClock) -> Scenario:
    return Scenario(stored_app, clock)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; whatever is still running at the end is killed."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
