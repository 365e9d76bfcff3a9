"""Every goal of every benchmark in one table: what was measured, against which baseline
measured in the same run, the goal, and met or not. `make bench` ends with it.

    .venv/bin/python -m bench.summary var/bench/results.jsonl --json var/bench/summary.json
    .venv/bin/python -m bench.summary var/bench/results.jsonl --compare var/bench/earlier.json

The input is what the benchmarks recorded with `bench.common.goal` while `BENCH_RESULTS` named
the file; `--json` writes the table as JSON, so that two runs can be compared with `--compare`
(the earlier run's ratio beside each of today's). Exits 0 whether or not goals are met: a
figure is information, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from bench.common import Goal, console


def read(path: Path) -> list[Goal]:
    return [Goal(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def key(goal: Goal | dict[str, Any]) -> tuple[str, str]:
    if isinstance(goal, Goal):
        return goal.bench, goal.what
    return goal["bench"], goal["what"]


def table(goals: list[Goal], earlier: dict[tuple[str, str], dict[str, Any]]) -> Table:
    shown = Table(title=f"Every goal, each against its baseline in the same run ({len(goals)})")
    columns = ["bench", "goal", "ours", "baseline", "ratio", "target", "met"]
    if earlier:
        columns.insert(5, "earlier")
    for n, column in enumerate(columns):
        shown.add_column(column, justify="left" if n < 2 else "right")
    for goal in goals:
        row = [
            goal.bench,
            goal.what,
            goal.ours,
            goal.baseline,
            f"{goal.ratio:.2f}",
            goal.target,
            "[green]met[/green]" if goal.met else "[red]not met[/red]",
        ]
        if earlier:
            before = earlier.get(key(goal))
            row.insert(5, f"{before['ratio']:.2f}" if before else "")
        shown.add_row(*row)
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, help="the JSON Lines the benchmarks recorded")
    parser.add_argument("--json", type=Path, help="also write the table here, as JSON")
    parser.add_argument("--compare", type=Path, help="an earlier run's --json, shown beside")
    args = parser.parse_args(argv)
    if not args.results.exists():
        print(f"bench.summary: no results at {args.results}", file=sys.stderr)
        return 2
    goals = read(args.results)
    earlier = (
        {key(g): g for g in json.loads(args.compare.read_text())["goals"]} if args.compare else {}
    )
    console.print(table(goals, earlier))
    met = sum(goal.met for goal in goals)
    console.print(f"{met} of {len(goals)} goals met")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"goals": [{**goal.__dict__, "met": goal.met} for goal in goals], "met": met}
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
