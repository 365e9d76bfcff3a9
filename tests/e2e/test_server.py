"""The service as it runs: `complaints serve` in a real uvicorn process on SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.projections.read_models import PROJECTIONS
from complaints.settings import Settings
from tests.e2e.conftest import free_port
from tests.scenario import Scenario


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "complaints", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"server did not start: {process.communicate()[0]}")
    yield base, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_healthz_answers_that_the_process_is_alive(server: tuple[str, object]) -> None:
    base, _ = server
    response = httpx.get(f"{base}/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_reads_the_head_of_the_event_log(server: tuple[str, object]) -> None:
    base, _ = server
    body = httpx.get(f"{base}/readyz").json()
    assert (body["status"], body["store"], body["head"]) == ("ready", "sqlite", 0)
    assert set(body["lag"]) == {p.name for p in PROJECTIONS} | {"transparency-log"}


def test_the_server_feeds_the_read_models_written_by_another_process(
    server: tuple[str, object], tmp_path: Path
) -> None:
    base, _ = server
    writer = ComplaintsApp(Settings(database_url=f"sqlite:///{tmp_path / 'serve.db'}"))
    try:
        Scenario(writer, ManualClock()).closed()
        head = writer.recorder.max_notification_id()
    finally:
        writer.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = httpx.get(f"{base}/readyz").json()
        if body["head"] == head and set(body["lag"].values()) == {0}:
            break
        time.sleep(0.2)
    assert body["head"] == head
    assert set(body["lag"].values()) == {0}, body


def test_an_unknown_path_is_a_404_not_a_500(server: tuple[str, object]) -> None:
    base, _ = server
    assert httpx.get(f"{base}/nope").status_code == 404


def test_the_server_stops_cleanly_on_sigterm(
    server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    _, process = server
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal it was stopped with.
    assert process.returncode in {0, -signal.SIGTERM}, output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output
    assert (tmp_path / "serve.db").exists()
