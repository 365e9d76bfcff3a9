"""The benchmarks still run: each once, with tiny sizes (no timing is asserted), and each records
its goals for `make bench`'s last table (bench/summary.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import RESULTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "arguments",
    [
        ["bench.commands", "--seconds", "0.3", "--clients", "1,4"],
        ["bench.replay", "--events", "120", "--repeat", "2"],
        ["bench.whatif", "--events", "300"],
        ["bench.http", "--seconds", "0.5", "--connections", "2"],
        ["bench.access_log", "--seconds", "0.3", "--connections", "2", "--rounds", "1"],
        ["bench.subscriptions", "--subscribers", "5", "--events", "10"],
        ["bench.scale", "--seconds", "0.3", "--connections", "2", "--workers", "1,2"],
    ],
    ids=lambda a: a[0] if isinstance(a, list) else str(a),
)
def test_a_benchmark_runs_and_prints_its_ratios(
    arguments: list[str], postgres_server: str, tmp_path: Path
) -> None:
    results = tmp_path / "results.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", *arguments, "--database-url", postgres_server],
        cwd=ROOT,
        env={**os.environ, RESULTS: str(results)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "vs " in done.stdout, done.stdout
    recorded = [json.loads(line) for line in results.read_text().splitlines()]
    assert recorded, "no goal recorded"
    assert {goal["bench"] for goal in recorded} == {arguments[0].removeprefix("bench.")}
