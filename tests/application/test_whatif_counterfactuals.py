"""Honest counterfactuals: for each kind of policy, a case whose outcome the change decides by
itself (the expected result written here), and one it cannot decide (counted undetermined)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.application.whatif import WhatIf, replay, to_json
from complaints.clock import ManualClock
from complaints.domain.deadlines import DeadlinePolicy
from complaints.domain.values import SYSTEM, Category
from complaints.domain.whatif import BadProposal, PolicyProposal
from complaints.settings import Settings
from tests.scenario import (
    AGENT,
    CONSUMER,
    PARTIAL,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    record_order,
)
from tests.whatif_history import lapse_all

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def world72(clock: ManualClock, tmp_path: Path) -> Iterator[Scenario]:
    """A platform that gave sellers 72 hours to answer (the code's default is 48)."""
    settings = Settings(
        database_url="memory://",
        upload_dir=tmp_path / "uploads",
        deadlines=DeadlinePolicy.parse("seller_response=72h"),
    )
    app = ComplaintsApp(settings, clock=clock)
    yield Scenario(app, clock)
    app.close()


def whatif(world: Scenario, *settings: str) -> WhatIf:
    now = world.clock.now()
    return replay(world.app, PolicyProposal.parse(settings), now - timedelta(days=400), now + DAY)


def only(result: WhatIf) -> Any:
    assert result.divergences == []
    (case,) = result.cases
    return case


# ---------------------------------------------------------------------- DEADLINES
def test_a_seller_who_answered_at_60h_is_ruled_against_by_default_under_48h(
    world72: Scenario,
) -> None:
    complaint = world72.negotiating()
    accepted_at = world72.clock.now()
    world72.clock.advance(60 * HOUR)
    world72.app.accept_offer(SELLER, complaint.id, "o1")

    assert only(whatif(world72, "DEADLINES=seller_response=72h")).tag == "unchanged"
    case = only(whatif(world72, "DEADLINES=seller_response=48h"))

    assert case.tag == "changed"
    assert case.before.outcome == "SETTLED_BY_AGREEMENT"
    assert case.after.outcome == "CONSUMER_FAVOUR_FULL"
    assert case.after.by_default is True
    assert case.first.at == accepted_at + 48 * HOUR
    assert case.first.recorded == "OfferAccepted"
    # The refund was still to be made: when the case would have closed is not known.
    assert case.end_known is False
    assert case.after.closed_at is None
    assert case.first.proposed[0] == "DeadlineLapsed(seller_response)"
    assert "DefaultRuled(CONSUMER_FAVOUR_FULL)" in case.first.proposed


def test_a_shorter_remedy_deadline_advances_the_refund_and_strikes_the_shop(
    world: Scenario,
) -> None:
    complaint = world.fulfilling()
    world.clock.advance(30 * HOUR)
    world.app.confirm_refund(SELLER, complaint.id)
    world.app.confirm_remedy_received(CONSUMER, complaint.id)

    result = whatif(world, "DEADLINES=remedy=24h")
    case = only(result)

    assert (case.tag, case.after.outcome) == ("changed", "SETTLED_BY_AGREEMENT")
    assert [m.amount for m in case.after.advanced] == [Decimal("199.00")]
    report = to_json(result)
    assert (report["before"]["refundsAdvanced"], report["after"]["refundsAdvanced"]) == (0, 1)
    assert (report["before"]["strikes"], report["after"]["strikes"]) == (0, 1)
    assert report["after"]["sanctions"] == {"WARNING": 1}


def test_a_seller_who_let_72h_pass_might_have_answered_within_96h(world72: Scenario) -> None:
    complaint = world72.negotiating()
    lapse_all(world72, complaint.id)

    case = only(whatif(world72, "DEADLINES=seller_response=96h"))

    assert case.tag == "undetermined"
    assert case.after is None
    assert "whether the party would have acted by then is unknown" in (case.reason or "")
    assert case.first.recorded == "DeadlineLapsed(seller_response)"


def test_a_default_that_escalates_the_case_leaves_its_end_undetermined(world: Scenario) -> None:
    complaint = world.negotiating()
    world.app.make_offer(SELLER, complaint.id, PARTIAL)
    world.app.decline_offer(CONSUMER, complaint.id, "o2")
    world.clock.advance(60 * HOUR)  # the seller's turn, with no offer standing
    world.app.make_offer(SELLER, complaint.id, REFUND)

    case = only(whatif(world, "DEADLINES=negotiation_turn=24h"))

    assert case.tag == "undetermined"
    assert case.after is None
    assert case.first.proposed[0] == "DeadlineLapsed(negotiation_turn)"
    assert "Escalated" in case.first.proposed
    assert "gone on (UNDER_REVIEW)" in (case.reason or "")


# ---------------------------------------------------------------------- SANCTION_*
def strike_cases(world: Scenario, count: int, gap: timedelta) -> None:
    """`count` cases whose seller let the remedy pass, `gap` apart: a strike each."""
    for _ in range(count):
        complaint = world.negotiating()
        lapse_all(world, complaint.id)
        world.clock.advance(gap)


def test_three_strikes_in_200_days_land_lower_with_a_180_day_window(world: Scenario) -> None:
    strike_cases(world, 3, timedelta(days=100))

    result = whatif(world, "SANCTION_WINDOW=180d")
    report = to_json(result)

    assert result.divergences == []
    assert report["before"]["sanctions"] == {"FINE": 1, "TRADING_RESTRICTED": 1, "WARNING": 1}
    assert report["after"]["sanctions"] == {"FINE": 2, "WARNING": 1}
    assert (report["before"]["fines"], report["after"]["fines"]) == ("500.00", "1000.00")
    assert report["undetermined"] == 0


def test_a_shop_the_ladder_would_have_closed_leaves_its_later_cases_undetermined(
    world: Scenario,
) -> None:
    strike_cases(world, 2, timedelta(days=3))

    result = whatif(world, "SANCTION_LADDER=SHOP_CLOSED")

    first, second = sorted(result.cases, key=lambda c: c.filed_at)
    assert first.tag == "unchanged"
    assert second.tag == "undetermined"
    assert "SHOP_CLOSED" in (second.reason or "")
    report = to_json(result)
    assert report["after"]["sanctions"] == {"SHOP_CLOSED": 1}
    assert report["undeterminedStrikes"] == 1


# ---------------------------------------------------------------------- FILING_WINDOW
def file_delivered(world: Scenario, days_ago: int) -> None:
    world.seller("acme")
    now = world.clock.now()
    order = record_order(
        world.app,
        f"order-{days_ago}",
        paid_at=now - timedelta(days=days_ago + 2),
        delivered_at=now - timedelta(days=days_ago),
    )
    world.app.file_complaint(
        CONSUMER, "acme", order, Category.DAMAGED, "It broke on arrival.", REFUND
    )


def test_a_filing_12_days_after_delivery_is_refused_under_a_10_day_window(
    world: Scenario,
) -> None:
    file_delivered(world, 12)
    file_delivered(world, 5)

    result = whatif(world, "FILING_WINDOW=10d")

    assert len(result.cases) == 2
    assert {c.tag for c in result.cases} == {"changed", "unchanged"}
    refused: Any = next(c for c in result.cases if c.tag == "changed")
    assert refused.after.outcome == "REFUSED"
    assert refused.first.version == 1
    assert refused.first.proposed == ("refused: FILING_WINDOW_CLOSED",)
    assert to_json(result)["after"]["outcomes"] == {"OPEN": 1, "REFUSED": 1}


def test_a_filing_whose_order_was_never_checked_is_undetermined(
    unchecked_app: ComplaintsApp, clock: ManualClock
) -> None:
    world = Scenario(unchecked_app, clock)
    complaint = world.file()
    unchecked_app.accept_complaint(AGENT, complaint.id)

    case = only(whatif(world, "FILING_WINDOW=10d"))

    assert case.tag == "undetermined"
    assert "filed without an order check" in (case.reason or "")


# ---------------------------------------------------------------------- MAX_PAUSE
def test_a_seller_who_answered_after_a_long_pause_is_ruled_against_under_a_shorter_limit(
    world: Scenario,
) -> None:
    complaint = world.negotiating()  # the seller has 48 hours to answer
    accepted_at = world.clock.now()
    world.clock.advance(10 * HOUR)
    world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting for the courier's report.")
    world.clock.advance(10 * DAY)
    world.app.resume_clock(SUPERVISOR, complaint.id)
    world.clock.advance(30 * HOUR)  # 40 of the 48 hours on the clock
    world.app.accept_offer(SELLER, complaint.id, "o1")

    assert only(whatif(world, "MAX_PAUSE=14d")).tag == "unchanged"
    case = only(whatif(world, "MAX_PAUSE=3d"))

    # Resumed after 3 days, the clock would have run out 48 hours after acceptance plus 3 days.
    assert case.tag == "changed"
    assert case.before.outcome == "SETTLED_BY_AGREEMENT"
    assert (case.after.outcome, case.after.by_default) == ("CONSUMER_FAVOUR_FULL", True)
    assert case.first.at == accepted_at + 48 * HOUR + 3 * DAY
    assert case.first.proposed[0] == "DeadlineLapsed(seller_response)"


def test_a_pause_the_platform_ended_at_its_limit_might_have_lasted_longer(
    world: Scenario,
) -> None:
    complaint = world.negotiating()
    world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting for the courier's report.")
    world.clock.advance(15 * DAY)  # past the recorded limit (14 days)
    world.app.resume_clock_at_limit(SYSTEM, complaint.id)
    lapse_all(world, complaint.id)  # the seller never answered: ruled by default

    case = only(whatif(world, "MAX_PAUSE=30d"))

    # Paused 30 days, the seller's time would have run later: whether it would then have
    # answered is not known.
    assert case.tag == "undetermined"
    assert case.after is None
    assert case.first.recorded == "DeadlineLapsed(seller_response)"


# ---------------------------------------------------------------------- proposals
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["DEADLINES=nap=1h"], "unknown deadline kind 'nap'"),
        (["FILING_WINDOW=0d"], "must be longer than zero"),
        (["SANCTION_FINE=-3"], "SANCTION_FINE must be a positive amount"),
        (["DEADLINES=remedy=1h", "DEADLINES=remedy=2h"], "DEADLINES is set twice"),
        (["MAX_PAUSE=0s"], "MAX_PAUSE: must be longer than zero"),
        (["SETTLEMENT_LADDER=3d"], "a what-if can vary only"),
    ],
)
def test_a_proposal_it_cannot_read_is_refused(settings: list[str], message: str) -> None:
    with pytest.raises(BadProposal, match=message):
        PolicyProposal.parse(settings)
