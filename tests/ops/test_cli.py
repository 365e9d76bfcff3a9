"""The `complaints` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.values import Actor, Role
from complaints.ops.cli import main
from complaints.projections.read_models import ReadModels
from complaints.projections.transparency import log_signer
from complaints.settings import DEV_JWT_SECRET, Settings
from complaints.store.notes import Signer
from complaints.tokens import verify_token
from complaints.workers.transparency import LogBuilder
from tests.scenario import Scenario


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complaints", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "token", "worker", "rebuild", "status", "settings"):
        assert command in result.stdout


def test_token_prints_a_token_the_service_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--role", "seller", "--sub", "staff-1", "--shop", "acme"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify_token(DEV_JWT_SECRET, token) == Actor(Role.SELLER, "staff-1", "acme")


def test_token_refuses_a_seller_without_a_shop(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--role", "seller", "--sub", "staff-1"]) == 2
    assert "shop" in capsys.readouterr().err


def test_token_refuses_an_unknown_role() -> None:
    result = run("token", "--role", "overlord", "--sub", "x")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_bad_setting_stops_the_command_with_its_name() -> None:
    result = run("settings", env={"DEADLINES": "seller_response=later"})
    assert result.returncode == 2
    assert "DEADLINES" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_shown_with_secrets_masked() -> None:
    secret = "a-production-grade-signing-secret-0123456789"
    result = run("settings", env={"JWT_SECRET": secret})
    assert result.returncode == 0
    assert "DATABASE_URL=" in result.stdout
    assert secret not in result.stdout


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = ComplaintsApp(Settings(database_url=url))
    try:
        Scenario(app, ManualClock()).closed()
    finally:
        app.close()
    return url


def test_status_shows_each_read_model_with_head_and_lag(database: str) -> None:
    result = run("status", env={"DATABASE_URL": database, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for name in ("complaint_list", "timeline", "deadlines", "sellers", "statistics", "supervision"):
        assert name in result.stdout
    assert "lag" in result.stdout
    assert "transparency log" in result.stdout


def test_rebuild_reports_its_speed_and_switches_generation(database: str) -> None:
    result = run("rebuild", "timeline", env={"DATABASE_URL": database, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "events/s" in result.stdout
    assert "generation 2" in result.stdout


def test_rebuild_refuses_an_unknown_read_model(database: str) -> None:
    result = run("rebuild", "nonsense", env={"DATABASE_URL": database})
    assert result.returncode == 2
    assert "no read model named 'nonsense'" in result.stdout + result.stderr


def test_the_worker_catches_up_and_stops_cleanly_on_sigterm(database: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "complaints", "worker", "--poll", "0.1"],
        env={**os.environ, "DATABASE_URL": database},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    app = ComplaintsApp(Settings(database_url=database))
    models = ReadModels(app)
    try:
        assert models.wait_for(models.head(), timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        models.close()
        app.close()
    assert process.returncode == 0, output
    assert "Traceback" not in output


def worker_for(database: str, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "complaints", "worker", "--poll", "0.1", *flags],
        env={**os.environ, "DATABASE_URL": database, "DEADLINE_POLL_SECONDS": "0.1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def windows_open(app: ComplaintsApp, complaint_id: UUID) -> int:
    return len(app.get_complaint(complaint_id).open_deadlines)


@pytest.fixture
def closed_in_january(tmp_path: Path) -> tuple[str, UUID]:
    """A case closed in January 2026: its survey window is long past."""
    url = f"sqlite:///{tmp_path / 'january.db'}"
    clock = ManualClock()
    app = ComplaintsApp(Settings(database_url=url), clock=clock)
    try:
        complaint = Scenario(app, clock).closed()
    finally:
        app.close()
    return url, complaint.id


@pytest.mark.parametrize(("flags", "enforced"), [((), True), (("--no-deadlines",), False)])
def test_the_worker_enforces_deadlines_unless_told_not_to(
    closed_in_january: tuple[str, UUID], flags: tuple[str, ...], enforced: bool
) -> None:
    database, complaint_id = closed_in_january
    process = worker_for(database, *flags)
    app = ComplaintsApp(Settings(database_url=database))
    models = ReadModels(app)
    try:
        assert windows_open(app, complaint_id) == 1
        assert models.wait_for(models.head(), timeout=30)
        deadline = time.monotonic() + (30 if enforced else 2)
        while windows_open(app, complaint_id) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert windows_open(app, complaint_id) == (0 if enforced else 1)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        models.close()
        app.close()
    assert process.returncode == 0, output
    assert f"deadlines: {'on' if enforced else 'off'}" in output


def test_log_keygen_prints_a_key_the_settings_accept(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", "keygen", "complaints.example.org"]) == 0
    printed = capsys.readouterr()
    name, key = printed.out.strip().split("=", 1)
    assert name == "LOG_SIGNING_KEY"
    settings = Settings.from_env({"LOG_SIGNING_KEY": key})
    assert Signer.parse(settings.log_signing_key).verifier_key in printed.err
    assert main(["log", "keygen", "two words"]) == 2


def test_log_checkpoint_prints_the_latest_signed_note(database: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database}
    assert run("log", "checkpoint", env=env).returncode == 1, "none is signed yet"
    app = ComplaintsApp(Settings(database_url=database))
    models = ReadModels(app)
    builder = LogBuilder(app, models.log, log_signer(app.settings))
    try:
        builder.catch_up()
        signed = builder.checkpoint(force=True)
    finally:
        builder.leadership.close()
        models.close()
        app.close()
    assert signed is not None
    printed = run("log", "checkpoint", env=env)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == signed.note
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(printed.stdout)
    verified = run("log", "verify", "--checkpoint", str(saved), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "every stored event is the leaf it was" in verified.stdout
    missing = run("log", "verify", "--checkpoint", str(tmp_path / "none.txt"), env=env)
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    bad_key = run("log", "verify", "--checkpoint", str(saved), "--key", "x+y+z", env=env)
    assert bad_key.returncode == 2
    assert "--key" in bad_key.stderr
