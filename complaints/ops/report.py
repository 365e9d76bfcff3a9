"""The periodic public report (R4, R5): how complaints were handled in a period.

`complaints report --from DATE --to DATE [--locale TAG]` writes it three ways, side by side:

- Markdown, to publish as it is;
- CSV (`section,name,value`), for anyone who wants to check or chart the figures themselves;
- a PNG chart of the same figures.

The Markdown and the chart are written in `--locale` (en, zh-Hans or zh-Hant; English by
default); the CSV keeps its machine-readable codes in every language.

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

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.labels import label
from complaints.domain.text import Text
from complaints.domain.values import Category, Outcome, SanctionKind
from complaints.language import DEFAULT, say
from complaints.projections.read_models import ReadModels
from complaints.projections.statistics import PeriodStatistics

#: Fonts the chart tries, in order, for each character: Latin first, then Chinese (the first
#: of these the machine has; `make browser-deps` installs WenQuanYi Micro Hei).
CHART_FONTS = [
    "DejaVu Sans",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans SC",
    "Source Han Sans SC",
]

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
    def title(self) -> Text:
        last = (self.end - timedelta(microseconds=1)).date()
        return Text(
            "Complaint handling report, {start} to {last}",
            start=str(self.start.date()),
            last=str(last),
        )

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
#: The enums whose codes the statistics count by, for their words in a language.
CODES: dict[str, type[Category | Outcome | DeadlineKind | SanctionKind]] = {
    "category": Category,
    "outcome": Outcome,
    "deadline": DeadlineKind,
    "sanction": SanctionKind,
}
#: The trend's rows, by the granularity: the heading and the first column.
BY = {
    "day": (Text("By day"), Text("Day")),
    "week": (Text("By week"), Text("Week from")),
    "month": (Text("By month"), Text("Month from")),
}


def words(code: str, kind: str = "category", locale: str = DEFAULT) -> str:
    """A statistic's code in words: `NOT_RECEIVED` -> `Not received` (or 未收到货)."""
    try:
        text: str = say(label(CODES[kind](code)), locale)
    except (KeyError, ValueError):  # a code this version does not know: said as it is
        text = code.replace("_", " ").lower()
    return text.capitalize() if locale == DEFAULT else text


def _table(header: tuple[str, str], items: list[tuple[str, str]], locale: str) -> list[str]:
    if not items:
        return [say(Text("None in this period."), locale), ""]
    lines = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in items]
    return [*lines, ""]


def to_markdown(report: Report, chart: str | None = None, locale: str = DEFAULT) -> str:
    t = report.total

    def _(text: Text) -> str:
        return str(say(text, locale))

    def hours(value: str) -> str:
        return _(Text("{hours} h", hours=value))

    satisfaction = (
        _(
            Text(
                "{average} / 5 ({responses} responses)",
                average=f"{t.satisfaction_average:.2f}",
                responses=t.satisfaction_responses,
            )
            if t.satisfaction_responses != 1
            else Text(
                "{average} / 5 ({responses} response)",
                average=f"{t.satisfaction_average:.2f}",
                responses=t.satisfaction_responses,
            )
        )
        if t.satisfaction_average is not None
        else _(Text("no responses"))
    )
    summary = [
        (_(Text("Complaints filed")), str(t.filed)),
        (_(Text("Complaints closed")), str(t.closed)),
        (
            _(Text("Median time to close")),
            hours(_number(t.median_resolution_hours)) if t.closed else "-",
        ),
        (
            _(Text("Median time to close, paused clock left out")),
            hours(_number(t.median_active_resolution_hours)) if t.closed else "-",
        ),
        (_(Text("Time on a paused clock (cases closed)")), hours(_number(t.paused_hours))),
        (
            _(Text("Closed because a party let a deadline pass")),
            f"{t.default_ruling_rate:.1%}" if t.default_ruling_rate is not None else "-",
        ),
        (_(Text("Escalated to the platform automatically")), str(t.escalations)),
        (_(Text("Consumer satisfaction")), satisfaction),
    ]
    advanced = ", ".join(f"{_number(a)} {c}" for c, a in t.advanced.items())
    enforcement = [
        (
            _(Text("Refunds paid first by the platform")),
            f"{t.advance_refunds} ({advanced})" if advanced else str(t.advance_refunds),
        ),
        *[
            (
                _(Text("Overdue staff deadline: {kind}", kind=words(k, "deadline", locale))),
                str(n),
            )
            for k, n in t.overdue_staff_deadlines.items()
        ],
        *[
            (_(Text("Sanction imposed: {kind}", kind=words(k, "sanction", locale))), str(n))
            for k, n in t.sanctions_imposed.items()
        ],
    ]
    last = (report.end - timedelta(microseconds=1)).date()
    heading, first_column = BY[report.granularity]
    median_hours = Text("Median hours to close")
    lines = [
        f"# {_(report.title)}",
        "",
        _(
            Text(
                "Cases filed or closed from {start} up to, not including, {end} (through"
                " {last}). Figures are counts and durations only; no person, order or"
                " complaint is named.",
                start=report.start.isoformat(),
                end=report.end.isoformat(),
                last=str(last),
            )
        ),
        "",
        "## " + _(Text("Summary")),
        "",
        *_table((_(Text("Figure")), _(Text("Value"))), summary, locale),
        "## " + _(Text("Complaints filed, by category")),
        "",
        *_table(
            (_(Text("Category")), _(Text("Filed"))),
            [(words(k, "category", locale), str(n)) for k, n in t.by_category.items()],
            locale,
        ),
        "## " + _(Text("Complaints closed, by outcome")),
        "",
        *_table(
            (_(Text("Outcome")), _(Text("Closed"))),
            [(words(k, "outcome", locale), str(n)) for k, n in t.by_outcome.items()],
            locale,
        ),
        "## " + _(Text("Enforcement")),
        "",
        *_table((_(Text("Measure")), _(Text("Count"))), enforcement, locale),
        f"## {_(heading)}",
        "",
        " | ".join(
            ["", _(first_column), _(Text("Filed")), _(Text("Closed")), _(median_hours), ""]
        ).strip(),
        "|---|---:|---:|---:|",
        *[
            f"| {p.start.date()} | {p.filed} | {p.closed} |"
            f" {_number(p.median_resolution_hours) or '-'} |"
            for p in report.trend
        ],
        "",
    ]
    if chart is not None:
        lines += ["![" + _(Text("The figures of this report")) + f"]({chart})", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- the chart
def to_png(report: Report, path: Path, locale: str = DEFAULT) -> None:
    """Four panels: filed and closed over time, outcomes, categories, enforcement."""
    from matplotlib import rc_context  # noqa: PLC0415 - only the report draws
    from matplotlib.font_manager import fontManager  # noqa: PLC0415

    installed = {font.name for font in fontManager.ttflist}
    fonts = [name for name in CHART_FONTS if name in installed] or ["sans-serif"]
    with rc_context({"font.family": fonts}):
        _draw(report, path, locale)


def _draw(report: Report, path: Path, locale: str) -> None:
    from matplotlib.figure import Figure  # noqa: PLC0415 - only the report draws
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    def _(text: Text) -> str:
        return str(say(text, locale))

    t = report.total
    figure = Figure(figsize=(12, 8), layout="constrained")
    figure.suptitle(_(report.title), fontsize=14)
    (trend, outcomes), (categories, enforcement) = figure.subplots(2, 2)

    labels = [p.start.strftime("%m-%d") for p in report.trend]
    positions = list(range(len(labels)))
    width = 0.4
    trend.bar(
        [x - width / 2 for x in positions],
        [p.filed for p in report.trend],
        width,
        label=_(Text("Filed")),
    )
    trend.bar(
        [x + width / 2 for x in positions],
        [p.closed for p in report.trend],
        width,
        label=_(Text("Closed")),
    )
    step = max(1, len(labels) // 12)
    trend.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    trend.yaxis.set_major_locator(MaxNLocator(integer=True))
    trend.set_title(_(BY[report.granularity][0]))
    trend.legend()

    def ranked(axes: object, title: str, figures: dict[str, int], kind: str) -> None:
        from matplotlib.axes import Axes  # noqa: PLC0415

        assert isinstance(axes, Axes)
        names = [words(k, kind, locale) if kind else k for k in figures] or [_(Text("(none)"))]
        counts = list(figures.values()) or [0]
        axes.barh(names, counts, height=0.6, color="tab:blue")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.invert_yaxis()
        axes.set_title(title)
        for y, count in enumerate(counts):
            axes.annotate(
                str(count), (count, y), xytext=(3, 0), textcoords="offset points", va="center"
            )

    ranked(outcomes, _(Text("Closed, by outcome")), t.by_outcome, "outcome")
    ranked(categories, _(Text("Filed, by category")), t.by_category, "category")
    ranked(
        enforcement,
        _(Text("Enforcement")),
        {
            _(Text("Automatic escalations")): t.escalations,
            _(Text("Advance refunds")): t.advance_refunds,
            _(Text("Overdue staff deadlines")): sum(t.overdue_staff_deadlines.values()),
            _(Text("Sanctions imposed")): sum(t.sanctions_imposed.values()),
        },
        "",
    )
    figure.savefig(path, format="png", dpi=100, metadata={"Software": None})


def write(report: Report, directory: Path, locale: str = DEFAULT) -> list[Path]:
    """Write the Markdown, CSV and PNG into `directory`; return their paths. A report in
    another language than English is named for it (`...-zh-Hans.md`)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = report.stem if locale == DEFAULT else f"{report.stem}-{locale}"
    png = directory / f"{stem}.png"
    md = directory / f"{stem}.md"
    table = directory / f"{stem}.csv"
    to_png(report, png, locale)
    md.write_text(to_markdown(report, chart=png.name, locale=locale), encoding="utf-8")
    table.write_text(to_csv(report), encoding="utf-8")
    return [md, table, png]
