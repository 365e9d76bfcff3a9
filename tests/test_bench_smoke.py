"""The benchmarks still run: each once, with tiny sizes (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "arguments",
    [
        ["bench.commands", "--seconds", "0.3", "--clients", "1,4"],
        ["bench.replay", "--events", "120", "--repeat", "2"],
        ["bench.http", "--seconds", "0.5", "--connections", "2"],
        ["bench.access_log", "--seconds", "0.3", "--connections", "2", "--rounds", "1"],
        ["bench.subscriptions", "--subscribers", "5", "--events", "10"],
        ["bench.scale", "--seconds", "0.3", "--connections", "2", "--workers", "1,2"],
    ],
    ids=lambda a: a[0] if isinstance(a, list) else str(a),
)
def test_a_benchmark_runs_and_prints_its_ratios(arguments: list[str], postgres_server: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *arguments, "--database-url", postgres_server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "vs " in done.stdout, done.stdout
