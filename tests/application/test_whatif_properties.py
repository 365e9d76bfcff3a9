"""Properties of the what-if over random histories (seeded walks of every path, at random hours):
under the recorded policy nothing changes and the figures match; a shorter seller deadline never
lowers the rulings by default; a wider strike window never lowers a strike's number."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.application import ComplaintsApp
from complaints.application.whatif import WhatIf, replay, to_json
from complaints.clock import ManualClock
from complaints.domain.whatif import PolicyProposal
from complaints.settings import Settings
from tests.profiles import examples
from tests.scenario import Scenario
from tests.whatif_history import History

PROPERTY = settings(
    max_examples=examples(thorough=25, ci=8),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def history(seed: int, cases: int, tmp_path: Path) -> tuple[ComplaintsApp, ManualClock]:
    clock = ManualClock()
    app = ComplaintsApp(
        Settings(database_url="memory://", upload_dir=tmp_path / "uploads"), clock=clock
    )
    History(Scenario(app, clock), seed=seed).run(cases)
    return app, clock


def whatif(app: ComplaintsApp, clock: ManualClock, *proposal: str) -> WhatIf:
    now = clock.now()
    return replay(
        app, PolicyProposal.parse(proposal), now - timedelta(days=800), now + timedelta(days=1)
    )


@PROPERTY
@given(seed=st.integers(0, 10_000), cases=st.integers(1, 20))
def test_under_the_recorded_policy_nothing_changes(seed: int, cases: int, tmp_path: Path) -> None:
    app, clock = history(seed, cases, tmp_path)
    result = whatif(app, clock)
    assert result.divergences == []
    assert {c.tag for c in result.cases} == {"unchanged"}
    report = to_json(result)
    assert report["before"] == report["after"]
    app.close()


@PROPERTY
@given(seed=st.integers(0, 10_000), hours=st.integers(1, 47))
def test_a_shorter_seller_deadline_never_lowers_the_rulings_by_default(
    seed: int, hours: int, tmp_path: Path
) -> None:
    app, clock = history(seed, 12, tmp_path)
    report = to_json(whatif(app, clock, f"DEADLINES=seller_response={hours}h"))
    assert report["identity"]["ok"]
    assert report["after"]["defaultRulings"] >= report["before"]["defaultRulings"]
    app.close()


def numbers(result: WhatIf) -> dict[object, int]:
    return {
        (shop, strike.at): strike.number
        for shop, strikes in result.timelines.items()
        for strike in strikes
        if strike.number is not None
    }


@PROPERTY
@given(seed=st.integers(0, 10_000), days=st.integers(1, 60), more=st.integers(1, 60))
def test_a_wider_strike_window_never_lowers_a_strikes_number(
    seed: int, days: int, more: int, tmp_path: Path
) -> None:
    app, clock = history(seed, 18, tmp_path)
    narrow = whatif(app, clock, f"SANCTION_WINDOW={days}d")
    wide = whatif(app, clock, f"SANCTION_WINDOW={days + more}d")
    assert narrow.divergences == wide.divergences == []
    narrower, wider = numbers(narrow), numbers(wide)
    for key in narrower.keys() & wider.keys():
        assert wider[key] >= narrower[key], key
    app.close()
