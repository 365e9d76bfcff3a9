"""The service as it runs: `complaints serve` in a real uvicorn process on SQLite."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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
    response = httpx.get(f"{base}/readyz")
    assert response.json() == {"status": "ready", "store": "sqlite", "head": 0}


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
