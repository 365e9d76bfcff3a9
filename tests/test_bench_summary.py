"""`make bench`'s last table: every goal the benchmarks recorded, met or not, kept as JSON and
compared with an earlier run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.common import RESULTS, Goal, goal
from bench.summary import main


def test_goals_are_recorded_only_where_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(RESULTS, raising=False)
    assert goal("http", "x", ours="1/s", baseline="2/s", ratio=0.5, at_least=0.7).met is False
    assert not list(tmp_path.iterdir())
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv(RESULTS, str(results))
    goal("http", "fileComplaint vs naive", ours="30/s", baseline="20/s", ratio=1.5, at_least=1.5)
    goal("replay", "a case", ours="0.5 ms", baseline="5 ms", ratio=0.1, at_most=1.0)
    recorded = [Goal(**json.loads(line)) for line in results.read_text().splitlines()]
    assert [(g.bench, g.met, g.target) for g in recorded] == [
        ("http", True, ">= 1.5"),
        ("replay", True, "<= 1"),
    ]


def test_a_goal_is_a_floor_or_a_ceiling() -> None:
    with pytest.raises(AssertionError):
        goal("http", "x", ours="", baseline="", ratio=1.0)
    with pytest.raises(AssertionError):
        goal("http", "x", ours="", baseline="", ratio=1.0, at_least=1.0, at_most=2.0)


def test_the_summary_prints_every_goal_and_compares_two_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv(RESULTS, str(results))
    goal("http", "fileComplaint vs naive", ours="18/s", baseline="20/s", ratio=0.9, at_least=1.5)
    goal("scale", "2 processes vs 1", ours="34/s", baseline="20/s", ratio=1.7, at_least=1.7)
    earlier = tmp_path / "earlier.json"
    assert main([str(results), "--json", str(earlier)]) == 0
    kept = json.loads(earlier.read_text())
    assert kept["met"] == 1
    assert [(g["what"], g["met"]) for g in kept["goals"]] == [
        ("fileComplaint vs naive", False),
        ("2 processes vs 1", True),
    ]
    printed = capsys.readouterr().out
    assert "fileComplaint vs naive" in printed
    assert "not met" in printed
    assert "1 of 2 goals met" in printed

    results.write_text("")
    goal("http", "fileComplaint vs naive", ours="32/s", baseline="20/s", ratio=1.6, at_least=1.5)
    assert main([str(results), "--compare", str(earlier)]) == 0
    printed = capsys.readouterr().out
    assert "earlier" in printed
    assert "0.90" in printed  # the earlier run's ratio, beside today's
    assert "1.60" in printed


def test_no_results_is_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "no results" in capsys.readouterr().err
