"""`complaints whatif`: replay the cases of a period under a proposed policy and write what
would have changed, as Markdown, JSON and a PNG chart (like `complaints report`).

    complaints whatif --set DEADLINES=seller_response=24h --from 2026-01-01 --to 2026-03-31
    complaints whatif --from 2026-01-01 --to 2026-03-31        # the identity check alone

The store is only read. The command fails (exit 1) when replaying under the recorded policy does
not reproduce a recorded decision (each divergence is printed by case and version), and with 2
on a setting or period it cannot read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from complaints.application import ComplaintsApp
from complaints.application.whatif import replay, to_json
from complaints.domain.whatif import PolicyProposal, WhatIfRefused
from complaints.ops.report import parse_bound
from complaints.settings import Settings, SettingsError

TITLE = "Policy what-if"


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "whatif",
        help="replay a period's cases under a proposed policy and report what would change",
    )
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a proposed setting in the settings' own syntax, e.g. DEADLINES=seller_response=24h,"
        " SANCTION_LADDER=WARNING,FINE, FILING_WINDOW=10d (repeatable; none: the identity check)",
    )
    p.add_argument("--from", dest="from_", required=True, metavar="DATE", help="first day (UTC)")
    p.add_argument("--to", required=True, metavar="DATE", help="last day (UTC), included")
    p.add_argument("--out", default="reports", help="directory to write into (default: reports)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    try:
        proposal = PolicyProposal.parse(args.settings)
        start = parse_bound(args.from_, end=False)
        end = parse_bound(args.to, end=True)
    except (ValueError, WhatIfRefused) as error:
        print(f"complaints whatif: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"complaints: bad setting: {error}", file=sys.stderr)
        return 2
    app = ComplaintsApp(settings)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, Any] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], completed=done, total=total)

            try:
                result = replay(app, proposal, start, end, progress=progress)
            except WhatIfRefused as error:
                print(f"complaints whatif: {error.message}", file=sys.stderr)
                return 2
    finally:
        app.close()
    report = to_json(result)
    for path in write(report, Path(args.out)):
        print(path)
    for divergence in result.divergences:
        print(
            f"DIVERGED {divergence.name} ({divergence.aggregate_id}) at version"
            f" {divergence.version}: recorded {divergence.recorded}, replayed {divergence.replayed}"
        )
    print(
        f"{report['replayed']:,} cases, {report['events']:,} events in {report['seconds']:.2f} s"
        f" ({report['eventsPerSecond']:,} events/s): {report['changed']} changed,"
        f" {report['undetermined']} undetermined, identity "
        + ("reproduced" if report["identity"]["ok"] else "FAILED")
    )
    return 0 if report["identity"]["ok"] else 1


def stem(report: dict[str, Any]) -> str:
    period = report["period"]
    return f"whatif-{period['from'][:10]}-to-{period['to'][:10]}"


def write(report: dict[str, Any], directory: Path) -> list[Path]:
    """Write the Markdown, JSON and PNG into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    name = stem(report)
    md, data, png = (directory / f"{name}.{ext}" for ext in ("md", "json", "png"))
    to_png(report, png)
    md.write_text(to_markdown(report, chart=png.name), encoding="utf-8")
    data.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return [md, data, png]


# ---------------------------------------------------------------------- Markdown
def _rows(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    def money(totals: dict[str, str]) -> str:
        return ", ".join(f"{v} {k}" for k, v in totals.items()) or "0"

    rows = [
        ("Closed", str(before["closed"]), str(after["closed"])),
        ("Rulings by default", str(before["defaultRulings"]), str(after["defaultRulings"])),
        (
            "Refunds advanced from deposits",
            str(before["refundsAdvanced"]),
            str(after["refundsAdvanced"]),
        ),
        (
            "Sum advanced",
            money(before["refundsAdvancedTotal"]),
            money(after["refundsAdvancedTotal"]),
        ),
        (
            "Median days to close",
            _num(before["medianDaysToClose"]),
            _num(after["medianDaysToClose"]),
        ),
        ("Strikes", str(before["strikes"]), str(after["strikes"])),
        ("Fines", before["fines"], after["fines"]),
    ]
    for kind in sorted({*before["sanctions"], *after["sanctions"]}):
        rows.append(
            (
                f"Sanctions: {kind}",
                str(before["sanctions"].get(kind, 0)),
                str(after["sanctions"].get(kind, 0)),
            )
        )
    for outcome in sorted({*before["outcomes"], *after["outcomes"]}):
        rows.append(
            (
                f"Outcome: {outcome}",
                str(before["outcomes"].get(outcome, 0)),
                str(after["outcomes"].get(outcome, 0)),
            )
        )
    return rows


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def to_markdown(report: dict[str, Any], chart: str | None = None) -> str:
    period = report["period"]
    proposal = ", ".join(f"`{p['setting']}={p['value']}`" for p in report["proposal"])
    identity = report["identity"]
    lines = [
        f"# {TITLE}, {period['from'][:10]} to {period['to'][:10]}",
        "",
        f"Proposal: {proposal or 'none (the identity check: the recorded policy)'}. Cases filed"
        f" from {period['from']} up to, not including, {period['to']}, replayed as of"
        f" {report['asOf']}.",
        "",
        "| Cases | Count |",
        "|---|---:|",
        f"| Replayed | {report['replayed']} |",
        f"| Unchanged | {report['unchanged']} |",
        f"| Changed (the proposal decides them) | {report['changed']} |",
        f"| Undetermined (they depend on what people would have done) | {report['undetermined']} |",
        f"| Events replayed | {report['events']:,} ({report['eventsPerSecond']:,}/s) |",
        "",
        "Identity check: "
        + (
            "every recorded decision reproduced under the recorded policy."
            if identity["ok"]
            else f"**{len(identity['divergences'])} divergence(s)**; the figures below are not"
            " to be trusted."
        ),
        "",
    ]
    for d in identity["divergences"]:
        lines.append(
            f"- {d['name']} ({d['aggregateId']}) version {d['version']}: recorded"
            f" {d['recorded']}, replayed {d['replayed']}"
        )
    lines += [
        "",
        "## Before and after",
        "",
        f"Over the {report['replayed'] - report['undetermined']} determined cases (the"
        f" {report['undetermined']} undetermined ones are left out of both columns; so are"
        f" {report['undeterminedStrikes']} strikes whose happening or rung is unknown)."
        f" {report['endUnknown']} of them the proposal decides by default while their remedy"
        " was still to be carried out: they count in outcomes and rulings by default, but when"
        " they would have closed, what money would have moved and what strikes would have"
        " followed is unknown, so closing and money are over the other cases, in both columns.",
        "",
        "| Figure | Recorded | Proposed |",
        "|---|---:|---:|",
        *[f"| {a} | {b} | {c} |" for a, b, c in _rows(report["before"], report["after"])],
        "",
        "## Cases that differ",
        "",
    ]
    cases = report["cases"]
    if not cases:
        lines += ["None.", ""]
    else:
        lines += [
            "| Case | Shop | Tag | First event that differs | Before | After | Why |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in cases:
            first = c["firstDifference"]
            where = (
                "-"
                if first is None
                else f"v{first['version']} {first['at'][:16]}: {first['recorded'] or '(end)'}"
                f" → {', '.join(first['proposed']) or '-'}"
            )
            after = c["after"]["outcome"] if c["after"] else "unknown"
            lines.append(
                f"| {c['reference']} | {c['shop']} | {c['tag']} | {where} |"
                f" {c['before']['outcome']} | {after} | {c['reason'] or ''} |"
            )
        lines.append("")
    if chart is not None:
        lines += [f"![Before and after]({chart})", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------- the chart
def to_png(report: dict[str, Any], path: Path) -> None:
    """Three panels: the cases, the outcomes before and after, enforcement before and after."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - only the report draws

    figure = Figure(figsize=(13, 5), layout="constrained")
    period = report["period"]
    figure.suptitle(f"{TITLE}, {period['from'][:10]} to {period['to'][:10]}", fontsize=13)
    cases, outcomes, enforcement = figure.subplots(1, 3)
    names = ["unchanged", "changed", "undetermined"]
    counts = [report[n] for n in names]
    cases.bar(names, counts, color=["tab:gray", "tab:orange", "tab:purple"])
    cases.set_title(f"{report['replayed']} cases replayed")
    for x, n in enumerate(counts):
        cases.annotate(str(n), (x, n), ha="center", va="bottom")

    def paired(
        axes: Any, title: str, labels: list[str], before: list[float], after: list[float]
    ) -> None:
        positions = list(range(len(labels)))
        axes.barh([p - 0.2 for p in positions], before, 0.4, label="recorded")
        axes.barh([p + 0.2 for p in positions], after, 0.4, label="proposed")
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_title(title)
        axes.legend()

    b, a = report["before"], report["after"]
    kinds = sorted({*b["outcomes"], *a["outcomes"]}) or ["(none)"]
    paired(
        outcomes,
        "Outcomes (determined cases)",
        kinds,
        [b["outcomes"].get(k, 0) for k in kinds],
        [a["outcomes"].get(k, 0) for k in kinds],
    )
    measures = ["defaultRulings", "refundsAdvanced", "strikes"]
    sanctions = sorted({*b["sanctions"], *a["sanctions"]})
    paired(
        enforcement,
        "Enforcement",
        ["rulings by default", "refunds advanced", "strikes", *sanctions],
        [b[m] for m in measures] + [b["sanctions"].get(k, 0) for k in sanctions],
        [a[m] for m in measures] + [a["sanctions"].get(k, 0) for k in sanctions],
    )
    figure.savefig(path, format="png", dpi=100, metadata={"Software": None})
