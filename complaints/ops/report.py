"""The periodic public report (R4, R5): how complaints were handled in a period.

`complaints report --from DATE --to DATE` writes it three ways, side by side:

- Markdown, to publish as it is;
- CSV (`section,name,value`), for anyone who wants to check or chart the figures themselves;
- a PNG chart of the same figures.

Every figure comes from the statistics read model, which holds no personal data (dates,
categories, outcomes, scores, amounts), so nothing in the report names a person, an order or a
complaint. Shops appear only as counts of sanctions; the public list of sanctioned shops is
served by the API.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from complaints.projections.read_models import ReadModels
from complaints.projections.statistics import PeriodStatistics

#: How finely the trend is cut, by the length of the period.
DAILY_UP_TO = timedelta(days=31)
WEEKLY_UP_TO = timedelta(days=26 * 7)


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime  # exclusive
    granularity: str  # day, week or month
    total: PeriodStatistics
    trend: list[PeriodStatistics]

    @property
    def title(self) -> str:
        last = (self.end - timedelta(microseconds=1)).date()
        return f"Complaint handling report, {self.start.date()} to {last}"

    @property
    def stem(self) -> str:
        last = (self.end - timedelta(microseconds=1)).date()
        return f"complaints-report-{self.start.date()}-to-{last}"


def parse_bound(text: str, *, end: bool) -> datetime:
    """A bound given on the command line: a date (the whole day, in UTC) or an ISO date-time
    with its offset. A date given as the end includes that day."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return moment + timedelta(days=1) if end else moment
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is neither a date (2026-01-31) nor a date-time (2026-01-31T12:00+08:00)"
        raise ValueError(msg) from None
    if moment.tzinfo is None:
        msg = f"{text!r} needs a time-zone offset, e.g. {text}+00:00"
        raise ValueError(msg)
    return moment


def buckets(start: datetime, end: datetime) -> tuple[str, list[tuple[datetime, datetime]]]:
    """Cut [start, end) into days, weeks (counted from `start`) or calendar months."""
    span = end - start
    cuts: list[tuple[datetime, datetime]] = []
    moment = start
    if span <= WEEKLY_UP_TO:
        name, step = ("day", timedelta(days=1)) if span <= DAILY_UP_TO else ("week", timedelta(7))
        while moment < end:
            cuts.append((moment, min(moment + step, end)))
            moment += step
        return name, cuts
    while moment < end:
        first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
        cuts.append((moment, min(following, end)))
        moment = following
    return "month", cuts


def build(read_models: ReadModels, start: datetime, end: datetime) -> Report:
    """The figures of [start, end), as the read models hold them now."""
    total = read_models.statistics.period(start, end)
    granularity, cuts = buckets(start, end)
    trend = [read_models.statistics.period(a, b) for a, b in cuts]
    return Report(start, end, granularity, total, trend)


# ---------------------------------------------------------------- the figures, as rows
def _number(value: float | Decimal | int | None, places: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return f"{value:.{places}f}"


def rows(report: Report) -> Iterator[tuple[str, str, str]]:
    """Every figure as (section, name, value). The CSV is exactly these rows."""
    t = report.total
    yield "period", "from", report.start.isoformat()
    yield "period", "to", report.end.isoformat()
    yield "summary", "filed", _number(t.filed)
    yield "summary", "closed", _number(t.closed)
    yield "summary", "median_resolution_hours", _number(t.median_resolution_hours)
    yield "summary", "median_active_resolution_hours", _number(t.median_active_resolution_hours)
    yield "summary", "paused_hours", _number(t.paused_hours)
    yield "summary", "default_ruling_rate", _number(t.default_ruling_rate, 3)
    yield "summary", "satisfaction_average", _number(t.satisfaction_average, 2)
    yield "summary", "satisfaction_responses", _number(t.satisfaction_responses)
    yield "summary", "escalations", _number(t.escalations)
    yield "summary", "advance_refunds", _number(t.advance_refunds)
    for currency, amount in t.advanced.items():
        yield "advanced", currency, _number(amount)
    for category, count in t.by_category.items():
        yield "filed_by_category", category, _number(count)
    for outcome, count in t.by_outcome.items():
        yield "closed_by_outcome", outcome, _number(count)
    for kind, count in t.overdue_staff_deadlines.items():
        yield "overdue_staff_deadlines", kind, _number(count)
    for kind, count in t.sanctions_imposed.items():
        yield "sanctions_imposed", kind, _number(count)
    for part in report.trend:
        yield f"filed_by_{report.granularity}", part.start.date().isoformat(), _number(part.filed)
    for part in report.trend:
        yield f"closed_by_{report.granularity}", part.start.date().isoformat(), _number(part.closed)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("section", "name", "value"))
    writer.writerows(rows(report))
    return out.getvalue()


# ---------------------------------------------------------------- Markdown
def words(code: str) -> str:
    return code.replace("_", " ").lower().capitalize()


def _table(header: tuple[str, str], items: list[tuple[str, str]]) -> list[str]:
    if not items:
        return ["None in this period.", ""]
    lines = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in items]
    return [*lines, ""]


def to_markdown(report: Report, chart: str | None = None) -> str:
    t = report.total
    hours = "{} h".format
    satisfaction = (
        f"{t.satisfaction_average:.2f} / 5 ({t.satisfaction_responses}"
        f" response{'s' * (t.satisfaction_responses != 1)})"
        if t.satisfaction_average is not None
        else "no responses"
    )
    summary = [
        ("Complaints filed", str(t.filed)),
        ("Complaints closed", str(t.closed)),
        ("Median time to close", hours(_number(t.median_resolution_hours)) if t.closed else "-"),
        (
            "Median time to close, paused clock left out",
            hours(_number(t.median_active_resolution_hours)) if t.closed else "-",
        ),
        ("Time on a paused clock (cases closed)", hours(_number(t.paused_hours))),
        (
            "Closed because a party let a deadline pass",
            f"{t.default_ruling_rate:.1%}" if t.default_ruling_rate is not None else "-",
        ),
        ("Escalated to the platform automatically", str(t.escalations)),
        ("Consumer satisfaction", satisfaction),
    ]
    advanced = ", ".join(f"{_number(a)} {c}" for c, a in t.advanced.items())
    enforcement = [
        (
            "Refunds paid first by the platform",
            f"{t.advance_refunds} ({advanced})" if advanced else str(t.advance_refunds),
        ),
        *[
            (f"Overdue staff deadline: {words(k)}", str(n))
            for k, n in t.overdue_staff_deadlines.items()
        ],
        *[(f"Sanction imposed: {words(k)}", str(n)) for k, n in t.sanctions_imposed.items()],
    ]
    last = (report.end - timedelta(microseconds=1)).date()
    lines = [
        f"# {report.title}",
        "",
        f"Cases filed or closed from {report.start.isoformat()} up to, not including,"
        f" {report.end.isoformat()} (through {last}). Figures are counts and durations only;"
        " no person, order or complaint is named.",
        "",
        "## Summary",
        "",
        *_table(("Figure", "Value"), summary),
        "## Complaints filed, by category",
        "",
        *_table(("Category", "Filed"), [(words(k), str(n)) for k, n in t.by_category.items()]),
        "## Complaints closed, by outcome",
        "",
        *_table(("Outcome", "Closed"), [(words(k), str(n)) for k, n in t.by_outcome.items()]),
        "## Enforcement",
        "",
        *_table(("Measure", "Count"), enforcement),
        f"## By {report.granularity}",
        "",
        f"| {report.granularity.capitalize()}{' from' * (report.granularity != 'day')}"
        " | Filed | Closed | Median hours to close |",
        "|---|---:|---:|---:|",
        *[
            f"| {p.start.date()} | {p.filed} | {p.closed} |"
            f" {_number(p.median_resolution_hours) or '-'} |"
            for p in report.trend
        ],
        "",
    ]
    if chart is not None:
        lines += [f"![The figures of this report]({chart})", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- the chart
def to_png(report: Report, path: Path) -> None:
    """Four panels: filed and closed over time, outcomes, categories, enforcement."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - only the report draws
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    t = report.total
    figure = Figure(figsize=(12, 8), layout="constrained")
    figure.suptitle(report.title, fontsize=14)
    (trend, outcomes), (categories, enforcement) = figure.subplots(2, 2)

    labels = [p.start.strftime("%m-%d") for p in report.trend]
    positions = list(range(len(labels)))
    width = 0.4
    trend.bar(
        [x - width / 2 for x in positions], [p.filed for p in report.trend], width, label="Filed"
    )
    trend.bar(
        [x + width / 2 for x in positions], [p.closed for p in report.trend], width, label="Closed"
    )
    step = max(1, len(labels) // 12)
    trend.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    trend.yaxis.set_major_locator(MaxNLocator(integer=True))
    trend.set_title(f"Complaints by {report.granularity}")
    trend.legend()

    def ranked(axes: object, title: str, figures: dict[str, int]) -> None:
        from matplotlib.axes import Axes  # noqa: PLC0415

        assert isinstance(axes, Axes)
        names = [words(k) for k in figures] or ["(none)"]
        counts = list(figures.values()) or [0]
        axes.barh(names, counts, height=0.6, color="tab:blue")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.invert_yaxis()
        axes.set_title(title)
        for y, count in enumerate(counts):
            axes.annotate(
                str(count), (count, y), xytext=(3, 0), textcoords="offset points", va="center"
            )

    ranked(outcomes, "Closed, by outcome", t.by_outcome)
    ranked(categories, "Filed, by category", t.by_category)
    ranked(
        enforcement,
        "Enforcement",
        {
            "Automatic escalations": t.escalations,
            "Advance refunds": t.advance_refunds,
            "Overdue staff deadlines": sum(t.overdue_staff_deadlines.values()),
            "Sanctions imposed": sum(t.sanctions_imposed.values()),
        },
    )
    figure.savefig(path, format="png", dpi=100, metadata={"Software": None})


def write(report: Report, directory: Path) -> list[Path]:
    """Write the Markdown, CSV and PNG into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    png = directory / f"{report.stem}.png"
    md = directory / f"{report.stem}.md"
    table = directory / f"{report.stem}.csv"
    to_png(report, png)
    md.write_text(to_markdown(report, chart=png.name), encoding="utf-8")
    table.write_text(to_csv(report), encoding="utf-8")
    return [md, table, png]
