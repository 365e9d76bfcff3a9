"""The what-if's identity check: replayed under the policy each case was decided under, a
generated history of every path reproduces every recorded decision, on both stores; a history
that says otherwise is caught, by case and version."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.application.whatif import replay, to_json
from complaints.application.whatif.cases import CaseReplay
from complaints.application.whatif.ladder import read_shop
from complaints.domain.values import Outcome
from complaints.domain.whatif import BadPeriod, PolicyProposal, TooManyCases
from tests.scenario import Scenario
from tests.whatif_history import History

#: The decisions the platform takes by itself, and the paths people take, that the generated
#: history must hold for the identity check to mean something.
PATHS = {
    "DefaultRuled",
    "RefundAdvanced",
    "RemedyDefaulted",
    "ReturnForfeited",
    "RulingFinalised",
    "RemedyConfirmed",
    "ClockResumed",
    "Settled",
    "Withdrawn",
    "Struck",
    "SanctionImposed",
    "DepositDeducted",
}


def everything(app: ComplaintsApp) -> list[Any]:
    events: list[Any] = []
    position = 0
    while batch := app.recorder.select_notifications(start=position + 1, limit=1000):
        events += [app.mapper.to_domain_event(n) for n in batch]
        position = batch[-1].id
    return events


def period(world: Scenario) -> tuple[Any, Any]:
    return world.clock.now() - timedelta(days=400), world.clock.now() + timedelta(days=1)


def test_every_recorded_decision_is_reproduced_on_each_store(stored_world: Scenario) -> None:
    History(stored_world).run(40)
    app = stored_world.app
    names = {type(e).__name__ for e in everything(app)}
    assert names >= PATHS, f"the history lacks {PATHS - names}"
    outcomes = {getattr(e, "outcome", None) for e in everything(app)}
    assert {Outcome.EXPIRED_NO_INFO, Outcome.EXPIRED_NO_RESPONSE} <= outcomes
    head = app.recorder.max_notification_id()
    start, end = period(stored_world)

    result = replay(app, PolicyProposal(), start, end)

    assert result.divergences == []
    assert len(result.cases) == 41
    assert {c.tag for c in result.cases} == {"unchanged"}
    report = to_json(result)
    assert report["identity"] == {"ok": True, "divergences": []}
    assert report["before"] == report["after"]
    assert report["before"]["strikes"] > 3
    assert app.recorder.max_notification_id() == head  # nothing written


def test_a_decision_the_code_would_not_take_is_reported_by_case_and_version(
    world: Scenario,
) -> None:
    History(world).run(10)
    app = world.app
    by_case: dict[Any, list[Any]] = {}
    for event in everything(app):
        by_case.setdefault(event.originator_id, []).append(event)
    events = next(e for e in by_case.values() if any(type(x).__name__ == "DefaultRuled" for x in e))
    at = next(i for i, e in enumerate(events) if type(e).__name__ == "DefaultRuled")
    doctored = list(events)
    doctored[at] = replace(events[at], outcome=Outcome.CONSUMER_FAVOUR_PARTIAL)

    result = CaseReplay(doctored, PolicyProposal(), as_of=world.clock.now()).run()

    assert result.divergence is not None
    assert result.divergence.version == events[at].originator_version
    assert result.divergence.recorded == "DefaultRuled(CONSUMER_FAVOUR_PARTIAL)"
    assert result.divergence.replayed == "DefaultRuled(CONSUMER_FAVOUR_FULL)"
    assert CaseReplay(events, PolicyProposal(), as_of=world.clock.now()).run().divergence is None


def test_a_strike_on_a_rung_the_ladder_would_not_give_is_reported(world: Scenario) -> None:
    History(world).run(20)
    app = world.app
    sellers: dict[Any, list[Any]] = {}
    for event in everything(app):
        if type(event).__module__.startswith("complaints.domain.seller"):
            sellers.setdefault(event.originator_id, []).append(event)
    seller_id, events = next(
        (k, v) for k, v in sellers.items() if any(type(e).__name__ == "Struck" for e in v)
    )
    at = next(i for i, e in enumerate(events) if type(e).__name__ == "Struck")
    doctored = list(events)
    doctored[at] = replace(events[at], strike=7)

    assert read_shop(seller_id, "acme", events).divergence is None
    divergence = read_shop(seller_id, "acme", doctored).divergence
    assert divergence is not None
    assert divergence.version == events[at].originator_version


def test_a_period_that_ends_before_it_starts_is_refused(world: Scenario) -> None:
    now = world.clock.now()
    with pytest.raises(BadPeriod):
        replay(world.app, PolicyProposal(), now, now - timedelta(days=1))


def test_more_cases_than_the_limit_are_refused(world: Scenario) -> None:
    History(world).run(3)
    start, end = period(world)
    with pytest.raises(TooManyCases, match="4 cases"):
        replay(world.app, PolicyProposal(), start, end, limit=3)
