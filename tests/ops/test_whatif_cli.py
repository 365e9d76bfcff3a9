"""`complaints whatif` on a store: it writes the three files and nothing else, fails on a
divergence, and refuses settings and periods it cannot read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.application.whatif import replay
from complaints.application.whatif.cases import Divergence
from complaints.clock import ManualClock
from complaints.ops.cli import main
from complaints.settings import Settings
from tests.scenario import Scenario
from tests.whatif_history import History

ARGS = ["whatif", "--from", "2026-01-01", "--to", "2026-12-31"]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'complaints.db'}"
    clock = ManualClock()
    app = ComplaintsApp(Settings(database_url=url), clock=clock)
    History(Scenario(app, clock)).run(18)
    app.close()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def head(url: str) -> int:
    app = ComplaintsApp(Settings(database_url=url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def test_it_writes_the_three_files_and_nothing_to_the_store(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = head(store)
    out = tmp_path / "reports"
    code = main([*ARGS, "--set", "DEADLINES=seller_response=24h", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert sorted(p.name for p in out.iterdir()) == [
        "whatif-2026-01-01-to-2027-01-01.json",
        "whatif-2026-01-01-to-2027-01-01.md",
        "whatif-2026-01-01-to-2027-01-01.png",
    ]
    report = json.loads((out / "whatif-2026-01-01-to-2027-01-01.json").read_text())
    assert report["replayed"] == 19
    assert report["changed"] > 0
    assert report["proposal"] == [{"setting": "DEADLINES", "value": "seller_response=24h"}]
    assert "identity reproduced" in printed
    markdown = (out / "whatif-2026-01-01-to-2027-01-01.md").read_text()
    assert "| Rulings by default |" in markdown
    assert "seller_response deadline would have lapsed" in markdown
    assert head(store) == before


def test_a_divergence_fails_the_command_and_names_the_case(
    store: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    def diverging(*args: Any, **kwargs: Any) -> Any:
        result = replay(*args, **kwargs)
        case = result.cases[0]
        case.divergence = Divergence(case.id, f"complaint {case.reference}", 4, "A", "B")
        return result

    monkeypatch.setattr("complaints.ops.whatif.replay", diverging)
    assert main([*ARGS, "--out", str(tmp_path / "reports")]) == 1
    assert "DIVERGED complaint C-" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        (["--set", "DEADLINES=seller_response=soon"], "cannot read deadline override"),
        (["--set", "WEBHOOK_RETRY_BASE=1s"], "a what-if can vary only"),
        (["--set", "FILING_WINDOW"], "expected KEY=VALUE"),
        (["--set", "SANCTION_LADDER=WARNING,JAIL"], "unknown: JAIL"),
        (["--to", "2025-01-01"], "must end after it starts"),
    ],
)
def test_what_it_cannot_read_is_refused_and_nothing_written(
    store: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    complaint: str,
) -> None:
    out = tmp_path / "reports"
    assert main([*ARGS, *extra, "--out", str(out)]) == 2
    assert complaint in capsys.readouterr().err
    assert not out.exists()
