"""The subscription hub's reader of the newest timeline rows (`complaints/projections/tail.py`):
on the event loop on PostgreSQL, in a worker thread elsewhere; both read what the view reads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.projections.base import ReadModelNotReady
from complaints.projections.read_models import ReadModels
from complaints.projections.tail import PostgresTail, ThreadedTail
from complaints.projections.timeline import Timeline
from complaints.settings import Settings
from tests.scenario import Scenario


@pytest.fixture
def models(stored_app: ComplaintsApp) -> Iterator[ReadModels]:
    read_models = ReadModels(stored_app)
    yield read_models
    read_models.close()


def test_the_tail_reads_what_the_view_reads(stored_world: Scenario, models: ReadModels) -> None:
    stored_world.negotiating()
    stored_world.file()
    models.catch_up()
    expected_head = models.timeline.head()
    expected = models.timeline.rows_after(0, 1000)
    expected_after_one = models.timeline.rows_after(expected[0].position, 2)
    tail = models.tail()
    kind = models.app.settings.store.kind
    assert isinstance(tail, PostgresTail if kind == "postgres" else ThreadedTail)

    async def run() -> None:
        try:
            assert await tail.head() == expected_head > 0
            assert await tail.rows_after(0, 1000) == expected
            assert await tail.rows_after(expected[0].position, 2) == expected_after_one
            assert await tail.rows_after(expected_head, 10) == []
        finally:
            await tail.aclose()

    asyncio.run(run())


@pytest.mark.postgres
def test_a_connection_closed_by_the_server_is_replaced_within_the_read(
    postgres_server: str, postgres_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    app = ComplaintsApp(
        Settings(database_url=postgres_url, upload_dir=tmp_path / "uploads"), clock=clock
    )
    models = ReadModels(app)
    Scenario(app, clock).file()
    tail = models.tail()
    assert isinstance(tail, PostgresTail)

    async def run() -> None:
        try:
            head = await tail.head()
            assert head > 0
            pid = tail._conn.info.backend_pid
            with psycopg.connect(postgres_server, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            # The read meets the dead connection, opens another, and answers.
            assert await tail.head() == head
            assert tail._conn.info.backend_pid != pid
        finally:
            await tail.aclose()

    try:
        asyncio.run(run())
    finally:
        models.close()
        app.close()


def test_a_generation_not_yet_readable_is_refused(
    stored_world: Scenario, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_world.file()
    models.catch_up()
    # As after an upgrade that changed the tables: the active generation is of an older
    # version than this code reads, until the rebuild switches over.
    monkeypatch.setattr(Timeline, "readable_from", Timeline.version + 1)
    tail = models.tail()

    async def run() -> None:
        try:
            with pytest.raises(ReadModelNotReady):
                await tail.rows_after(0, 10)
        finally:
            await tail.aclose()

    asyncio.run(run())
