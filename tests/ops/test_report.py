"""The periodic public report (R5): built from a known set of cases, its figures checked, and
nothing personal in any of its three files."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.deadlines import DeadlineKind
from complaints.ops.cli import main
from complaints.ops.report import buckets, build, parse_bound, to_csv, to_markdown, write
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.scenario import CONSUMER, DESCRIPTION, SELLER, SUPERVISOR, Scenario

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 1, tzinfo=UTC)


def known_cases(world: Scenario) -> list[str]:
    """Five cases in January 2026 and one in February; returns what must never be published."""
    clock = world.clock
    # Monday 5 January: settled, refunded, rated 4 by the consumer, 2 hours after filing.
    settled = world.fulfilling()
    clock.advance(timedelta(hours=2))
    world.app.confirm_refund(SELLER, settled.id)
    world.app.confirm_remedy_received(CONSUMER, settled.id)
    world.app.rate_handling(CONSUMER, settled.id, 4, "Quick and fair, thank you.")
    # The seller never refunds this one: the platform pays first, the shop is warned.
    unpaid = world.fulfilling()
    world.lapse(unpaid, DeadlineKind.REMEDY)
    # The consumer never sends the photos: closed by default after 7 days.
    silent = world.awaiting_info()
    world.lapse(silent, DeadlineKind.RESUBMISSION)
    # Nobody takes this one in: its intake runs overdue.
    waiting = world.file()
    world.lapse(waiting, DeadlineKind.INTAKE)
    # A fifth, paused for 10 hours and closed by the consumer's rating after a refund.
    paused = world.fulfilling()
    world.app.pause_clock(SUPERVISOR, paused.id, "Bank investigation")
    clock.advance(timedelta(hours=10))
    world.app.resume_clock(SUPERVISOR, paused.id)
    world.app.confirm_refund(SELLER, paused.id)
    world.app.confirm_remedy_received(CONSUMER, paused.id)
    # February: outside the period.
    clock.set(datetime(2026, 2, 3, 9, tzinfo=UTC))
    late = world.file()
    return [
        CONSUMER.id,
        "order-1001",
        DESCRIPTION[:20],
        "Quick and fair",
        "Bank investigation",
        "acme",
        "Acme",
        *[c.reference for c in (settled, unpaid, silent, waiting, paused, late)],
        *[str(c.id) for c in (settled, unpaid, silent, waiting, paused, late)],
    ]


@pytest.fixture
def secrets(world: Scenario) -> list[str]:
    return known_cases(world)


@pytest.fixture
def models(app: ComplaintsApp) -> ReadModels:
    read_models = ReadModels(app)
    read_models.catch_up()
    return read_models


def figures(text: str) -> dict[tuple[str, str], str]:
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["section", "name", "value"]
    return {(section, name): value for section, name, value in rows[1:]}


def test_the_figures_of_a_known_month(secrets: list[str], models: ReadModels) -> None:
    report = build(models, START, END)
    got = figures(to_csv(report))
    assert got[("summary", "filed")] == "5"
    assert got[("summary", "closed")] == "4"
    assert got[("filed_by_category", "DAMAGED")] == "5"
    assert got[("closed_by_outcome", "SETTLED_BY_AGREEMENT")] == "3"
    assert got[("closed_by_outcome", "EXPIRED_NO_INFO")] == "1"
    assert got[("summary", "default_ruling_rate")] == "0.250"
    assert got[("summary", "satisfaction_average")] == "4.00"
    assert got[("summary", "satisfaction_responses")] == "1"
    assert got[("summary", "paused_hours")] == "10.0"
    assert got[("summary", "advance_refunds")] == "1"
    assert got[("advanced", "CNY")] == "199.00"
    assert got[("overdue_staff_deadlines", "intake")] == "1"
    assert got[("sanctions_imposed", "WARNING")] == "1"
    # Thirty-one days, one row each; each lapse above moved the clock on.
    filed_by_day = {n: v for (s, n), v in got.items() if s == "filed_by_day"}
    assert len(filed_by_day) == 31
    assert {n: v for n, v in filed_by_day.items() if v != "0"} == {
        "2026-01-05": "2",
        "2026-01-07": "1",
        "2026-01-14": "1",
        "2026-01-15": "1",
    }


def test_the_median_leaves_paused_time_out(secrets: list[str], models: ReadModels) -> None:
    total = build(models, START, END).total
    assert total.median_resolution_hours is not None
    assert total.median_active_resolution_hours is not None
    assert total.median_active_resolution_hours <= total.median_resolution_hours


def test_the_three_files_name_nobody(
    secrets: list[str], models: ReadModels, tmp_path: Path
) -> None:
    md, table, png = write(build(models, START, END), tmp_path / "out")
    assert [p.suffix for p in (md, table, png)] == [".md", ".csv", ".png"]
    text = md.read_text() + table.read_text()
    for secret in secrets:
        assert secret not in text, secret
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 800)
    assert f"]({png.name})" in md.read_text()


def test_the_markdown_reads_as_a_report(secrets: list[str], models: ReadModels) -> None:
    text = to_markdown(build(models, START, END))
    assert text.startswith("# Complaint handling report, 2026-01-01 to 2026-01-31\n")
    assert "| Complaints filed | 5 |" in text
    assert "| Refunds paid first by the platform | 1 (199.00 CNY) |" in text
    assert "| Sanction imposed: Warning | 1 |" in text
    assert "| Settled by agreement | 3 |" in text


@pytest.mark.parametrize(
    ("locale", "lines"),
    [
        (
            "zh-Hans",
            [
                "# 投诉处理报告，2026-01-01 至 2026-01-31\n",
                "| 已提交的投诉 | 5 |",
                "| 平台先行垫付的退款 | 1 (199.00 CNY) |",
                "| 已实施的处罚：警告 | 1 |",
                "| 协商和解 | 3 |",
                "| 商品损坏 | 5 |",
            ],
        ),
        (
            "zh-Hant",
            [
                "# 投訴處理報告，2026-01-01 至 2026-01-31\n",
                "| 已提交的投訴 | 5 |",
                "| 平台先行墊付的退款 | 1 (199.00 CNY) |",
                "| 已實施的處罰：警告 | 1 |",
                "| 協商和解 | 3 |",
                "| 商品損壞 | 5 |",
            ],
        ),
    ],
)
def test_the_report_is_written_in_the_language_asked_and_its_csv_keeps_codes(
    secrets: list[str], models: ReadModels, tmp_path: Path, locale: str, lines: list[str]
) -> None:
    report = build(models, START, END)
    text = to_markdown(report, locale=locale)
    assert text.startswith(lines[0])
    for line in lines[1:]:
        assert line in text
    md, table, png = write(report, tmp_path, locale)
    assert md.name == f"complaints-report-2026-01-01-to-2026-01-31-{locale}.md"
    assert table.read_text() == to_csv(report)  # the same codes in every language
    with Image.open(png) as image:
        assert image.format == "PNG"


def test_an_empty_period_still_makes_a_report(models: ReadModels, tmp_path: Path) -> None:
    report = build(models, START, END)
    assert report.total.filed == 0
    md, _, png = write(report, tmp_path)
    assert "None in this period." in md.read_text()
    assert png.stat().st_size > 0


class TestPeriods:
    def test_a_date_is_a_whole_utc_day_and_the_last_is_included(self) -> None:
        assert parse_bound("2026-01-01", end=False) == START
        assert parse_bound("2026-01-31", end=True) == END

    def test_a_date_time_needs_its_offset(self) -> None:
        assert parse_bound("2026-01-01T08:00+08:00", end=False) == START
        with pytest.raises(ValueError, match="offset"):
            parse_bound("2026-01-01T08:00", end=False)
        with pytest.raises(ValueError, match="neither"):
            parse_bound("last tuesday", end=False)

    @pytest.mark.parametrize(
        ("days", "granularity", "count"),
        [(1, "day", 1), (31, "day", 31), (32, "week", 5), (182, "week", 26), (365, "month", 12)],
    )
    def test_the_trend_is_cut_to_fit_the_period(
        self, days: int, granularity: str, count: int
    ) -> None:
        name, cuts = buckets(START, START + timedelta(days=days))
        assert (name, len(cuts)) == (granularity, count)
        assert cuts[0][0] == START
        assert cuts[-1][1] == START + timedelta(days=days)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(cuts))


class TestTheCommand:
    def test_it_writes_the_three_files(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        url = f"sqlite:///{tmp_path / 'complaints.db'}"
        clock = ManualClock()
        app = ComplaintsApp(Settings(database_url=url), clock=clock)
        known_cases(Scenario(app, clock))
        app.close()
        monkeypatch.setenv("DATABASE_URL", url)
        out = tmp_path / "reports"
        assert (
            main(["report", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out)]) == 0
        )
        written = capsys.readouterr().out.split()
        assert sorted(Path(p).name for p in written) == [
            "complaints-report-2026-01-01-to-2026-01-31.csv",
            "complaints-report-2026-01-01-to-2026-01-31.md",
            "complaints-report-2026-01-01-to-2026-01-31.png",
        ]
        table = (out / "complaints-report-2026-01-01-to-2026-01-31.csv").read_text()
        assert figures(table)[("summary", "filed")] == "5"

    def test_a_language_the_platform_does_not_speak_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'complaints.db'}")
        out = tmp_path / "reports"
        argv = ["report", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out)]
        assert main([*argv, "--locale", "fr"]) == 2
        assert "--locale must be one of en, zh-Hans, zh-Hant" in capsys.readouterr().err
        assert not out.exists()

    @pytest.mark.parametrize(
        ("start", "end", "complaint"),
        [
            ("2026-13-01", "2026-01-31", "neither a date"),
            ("2026-02-01", "2026-01-01", "--to must not be before --from"),
            ("2026-01-01T00:00", "2026-01-31", "offset"),
        ],
    )
    def test_bad_dates_are_refused_and_write_nothing(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        start: str,
        end: str,
        complaint: str,
    ) -> None:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'complaints.db'}")
        out = tmp_path / "reports"
        assert main(["report", "--from", start, "--to", end, "--out", str(out)]) == 2
        assert complaint in capsys.readouterr().err
        assert not out.exists()
