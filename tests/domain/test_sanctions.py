"""R4, R8, R10: the sanction ladder. Each offence takes the shop one rung further, in the same
save as the offence; the rungs, the fine and the window come from the settings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    NoPendingAppeal,
    NotAllowed,
    RoleNotAllowed,
    SameReviewer,
    SanctionAlreadyAppealed,
    SanctionNotActive,
    SanctionNotFound,
    ValidationFailed,
)
from complaints.domain.sanctions import Offence, SanctionLadder
from complaints.domain.seller import Seller, ShopStatus
from complaints.domain.values import (
    SYSTEM,
    Actor,
    Category,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    SanctionKind,
    ViolationKind,
    ViolationStatus,
)
from complaints.settings import Settings
from tests.scenario import (
    AGENT,
    ARBITER,
    CONSUMER,
    OTHER_SELLER,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)

OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")


def strikes(world: Scenario, shop_id: str = "acme") -> list[tuple[Offence, int, str | None]]:
    seller = world.app.get_seller(shop_id)
    return [
        (s.offence, s.number, s.sanction_kind.value if s.sanction_kind else None)
        for s in seller.strikes
    ]


def sanctions(world: Scenario, shop_id: str = "acme") -> list[SanctionKind]:
    return [s.kind for s in world.app.get_seller(shop_id).active_sanctions]


def miss_remedy(world: Scenario) -> UUID:
    complaint = world.fulfilling()
    world.lapse(complaint, DeadlineKind.REMEDY)
    return complaint.id


def confirmed(world: Scenario, kind: ViolationKind) -> UUID:
    world.seller()
    violation = world.app.report_violation(
        CONSUMER, "acme", kind, "The goods are not what was listed."
    )
    world.confirm_violation(violation.id)
    return violation.id


class TestTheLadder:
    def test_each_offence_climbs_one_rung(self, world: Scenario) -> None:
        world.seller()
        miss_remedy(world)
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        confirmed(world, ViolationKind.COUNTERFEIT)
        confirmed(world, ViolationKind.FRAUD)
        assert strikes(world) == [
            (Offence.REMEDY_MISSED, 1, "WARNING"),
            (Offence.SPOT_CHECK_FAILED, 2, "FINE"),
            (Offence.COUNTERFEIT, 3, "TRADING_RESTRICTED"),
            (Offence.FRAUD, 4, "SHOP_CLOSED"),
        ]
        assert sanctions(world) == [
            SanctionKind.WARNING,
            SanctionKind.FINE,
            SanctionKind.TRADING_RESTRICTED,
            SanctionKind.SHOP_CLOSED,
        ]
        seller = world.app.get_seller("acme")
        assert seller.status == ShopStatus.CLOSED
        # 1000 less the 199.00 advanced, less the 500.00 fine
        assert seller.deposit == cny("301.00")
        assert seller.ledger[-1].reason.startswith("fine: strike 2")

    def test_a_sanction_says_why_and_points_at_the_case(self, world: Scenario) -> None:
        complaint_id = miss_remedy(world)
        (warning,) = world.app.get_seller("acme").sanctions
        assert warning.complaint_id == complaint_id
        assert warning.reason.startswith("Strike 1: the shop missed the remedy deadline.")

    def test_past_the_top_the_shop_stays_closed_and_the_strike_still_counts(
        self, world: Scenario
    ) -> None:
        world.seller()
        for _ in range(5):
            world.app.record_spot_check(SUPERVISOR, "acme", False, "Still no labels.")
        assert strikes(world)[-1] == (Offence.SPOT_CHECK_FAILED, 5, None)
        assert sanctions(world).count(SanctionKind.SHOP_CLOSED) == 1

    def test_a_closed_shop_is_not_also_restricted(self, world: Scenario) -> None:
        world.seller()
        world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Closed by hand.")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "a")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "b")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "c")
        assert strikes(world)[-1] == (Offence.SPOT_CHECK_FAILED, 3, None)
        assert SanctionKind.TRADING_RESTRICTED not in sanctions(world)

    def test_a_fine_beyond_the_deposit_becomes_a_debt(self, world: Scenario) -> None:
        world.seller(deposit="120.00")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "a")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "b")
        seller = world.app.get_seller("acme")
        assert (seller.deposit, seller.outstanding_debt) == (cny("0.00"), cny("380.00"))

    def test_strikes_older_than_the_window_no_longer_count(self, world: Scenario) -> None:
        world.seller()
        world.app.record_spot_check(SUPERVISOR, "acme", False, "a")
        world.clock.advance(timedelta(days=366))
        world.app.record_spot_check(SUPERVISOR, "acme", False, "b")
        assert strikes(world) == [
            (Offence.SPOT_CHECK_FAILED, 1, "WARNING"),
            (Offence.SPOT_CHECK_FAILED, 1, "WARNING"),
        ]

    def test_the_ladder_comes_from_the_settings(self, clock: ManualClock) -> None:
        ladder = SanctionLadder(
            (SanctionKind.FINE, SanctionKind.SHOP_CLOSED), Decimal("75.00"), timedelta(days=30)
        )
        app = ComplaintsApp(Settings(database_url="memory://", sanctions=ladder), clock=clock)
        world = Scenario(app, clock)
        world.seller()
        app.record_spot_check(SUPERVISOR, "acme", False, "a")
        assert app.get_seller("acme").deposit == cny("925.00")
        app.record_spot_check(SUPERVISOR, "acme", False, "b")
        assert sanctions(world) == [SanctionKind.FINE, SanctionKind.SHOP_CLOSED]
        # Each strike, and each sanction a strike imposed, records the ladder it applied.
        policy = {
            "SANCTION_LADDER": "FINE,SHOP_CLOSED",
            "SANCTION_FINE": "75.00",
            "SANCTION_WINDOW": "30d",
            "SANCTION_DURATIONS": "WARNING=90d,FINE=0d,TRADING_RESTRICTED=30d",
        }
        history = list(app.events.get(app.get_seller("acme").id))
        struck = [e for e in history if isinstance(e, Seller.Struck)]
        imposed = [e for e in history if isinstance(e, Seller.SanctionImposed)]
        assert [e.policy for e in struck] == [policy, policy]
        assert [e.policy for e in imposed] == [policy, policy]
        app.close()

    def test_a_sanction_imposed_by_hand_names_no_ladder(self, world: Scenario) -> None:
        world.seller()
        seller = world.app.sanction_seller(
            SUPERVISOR, "acme", SanctionKind.WARNING, "Repeated late replies."
        )
        (imposed,) = [
            e for e in world.app.events.get(seller.id) if isinstance(e, Seller.SanctionImposed)
        ]
        assert imposed.policy is None


class TestOffences:
    def test_a_passed_spot_check_is_no_offence(self, world: Scenario) -> None:
        world.seller()
        world.app.record_spot_check(SUPERVISOR, "acme", True, "All as listed.")
        assert strikes(world) == []

    @pytest.mark.parametrize("kind", [ViolationKind.MISREPRESENTATION, ViolationKind.OTHER])
    def test_lesser_violations_count_on_the_scorecard_not_the_ladder(
        self, world: Scenario, kind: ViolationKind
    ) -> None:
        confirmed(world, kind)
        assert strikes(world) == []
        assert len(world.app.get_seller("acme").violations) == 1

    def test_a_dismissed_violation_is_no_offence(self, world: Scenario) -> None:
        world.seller()
        violation = world.app.report_violation(
            CONSUMER, "acme", ViolationKind.COUNTERFEIT, "Looks fake to me honestly."
        )
        world.app.dismiss_violation(SUPERVISOR, violation.id, "Authentic, per the brand.")
        assert strikes(world) == []

    def test_a_confirmed_counterfeit_names_the_violation(self, world: Scenario) -> None:
        violation_id = confirmed(world, ViolationKind.COUNTERFEIT)
        (strike,) = world.app.get_seller("acme").strikes
        assert strike.violation_id == violation_id

    def test_a_missed_replacement_is_an_offence_each_time(self, clock: ManualClock) -> None:
        settings = Settings(database_url="memory://", replacement_attempts=2)
        world = Scenario(ComplaintsApp(settings, clock=clock), clock)
        complaint = world.fulfilling(remedy=Remedy(RemedyType.RESHIP))
        complaint = world.lapse(complaint, DeadlineKind.REMEDY)
        world.lapse(complaint, DeadlineKind.REMEDY)
        assert [s[0:2] for s in strikes(world)] == [
            (Offence.REMEDY_MISSED, 1),
            (Offence.REMEDY_MISSED, 2),
        ]

    def test_the_advance_refund_and_the_strike_are_saved_with_the_lapse(
        self, world: Scenario
    ) -> None:
        complaint = world.fulfilling()
        seller_version = world.app.get_seller("acme").version
        world.lapse(complaint, DeadlineKind.REMEDY)
        seller = world.app.get_seller("acme")
        changes = [type(e).__name__ for e in seller.collect_events()]
        assert changes == []  # nothing left pending: all of it was saved
        new = [
            type(e).__name__
            for e in world.app.repository.event_store.get(seller.id, gt=seller_version)
        ]
        assert new == ["DepositDeducted", "Struck", "SanctionImposed"]

    def test_the_offence_counts_once_however_often_the_lapse_is_retried(
        self, world: Scenario
    ) -> None:
        complaint = world.fulfilling()
        deadline = complaint.deadline_of(DeadlineKind.REMEDY)
        assert deadline is not None
        world.lapse(complaint, DeadlineKind.REMEDY)
        for _ in range(3):
            world.app.lapse_deadline(SYSTEM, complaint.id, deadline.id)
        assert len(strikes(world)) == 1

    def test_only_the_platform_or_a_supervisor_strikes(self, world: Scenario) -> None:
        seller = world.seller()
        ctx = world.app.context(SELLER)
        with pytest.raises(RoleNotAllowed):
            seller.strike(ctx, SanctionLadder(), offence=Offence.FRAUD, reason="self-report")


def platform_ruled(
    world: Scenario,
    *,
    category: Category = Category.COUNTERFEIT,
    outcome: Outcome = Outcome.CONSUMER_FAVOUR_FULL,
) -> Complaint:
    """A serious complaint goes straight to the platform, and the arbiter rules on it."""
    complaint = world.file(category=category)
    world.app.accept_complaint(AGENT, complaint.id)
    world.app.assign_complaint(SUPERVISOR, complaint.id, ARBITER.id)
    world.app.record_finding(ARBITER, complaint.id, "The serial number belongs to no product.")
    favours_consumer = outcome is not Outcome.SELLER_FAVOUR_EXPLAINED
    return world.app.issue_ruling(
        ARBITER,
        complaint.id,
        outcome,
        "The goods are not genuine." if favours_consumer else "The goods are genuine.",
        REFUND if favours_consumer else None,
        ["R-3.2"],
    )


class TestRulingsFeedEnforcement:
    @pytest.mark.parametrize(
        ("category", "kind", "offence"),
        [
            (Category.COUNTERFEIT, ViolationKind.COUNTERFEIT, Offence.COUNTERFEIT),
            (Category.FRAUD, ViolationKind.FRAUD, Offence.FRAUD),
        ],
    )
    def test_a_final_ruling_for_the_consumer_is_a_confirmed_violation(
        self, world: Scenario, category: Category, kind: ViolationKind, offence: Offence
    ) -> None:
        complaint = platform_ruled(world, category=category)
        assert strikes(world) == []  # not while the ruling may still be appealed
        world.lapse(complaint, DeadlineKind.APPEAL_WINDOW)
        seller = world.app.get_seller("acme")
        (confirmed,) = seller.violations
        violation = world.app.get_violation(confirmed.violation_id)
        assert (violation.kind, violation.status) == (kind, ViolationStatus.CONFIRMED)
        assert violation.complaint_id == complaint.id
        assert complaint.reference in violation.description.reveal()
        assert strikes(world) == [(offence, 1, "WARNING")]
        assert seller.strikes[0].violation_id == violation.id
        assert seller.strikes[0].complaint_id == complaint.id

    def test_an_appeal_that_upholds_the_ruling_confirms_it_in_the_same_save(
        self, world: Scenario
    ) -> None:
        complaint = platform_ruled(world)
        world.app.file_appeal(SELLER, complaint.id, "Our supplier certified the goods genuine.")
        head = world.app.recorder.max_notification_id() or 0
        world.app.decide_appeal(SUPERVISOR, complaint.id, False, "The certificate is forged.")
        assert strikes(world) == [(Offence.COUNTERFEIT, 1, "WARNING")]
        saved = world.app.recorder.select_notifications(start=head + 1, limit=100)
        topics = [n.topic.rsplit(":", 1)[1] for n in saved]
        assert "Violation.Reported" in topics
        assert "Violation.Confirmed" in topics
        assert "Seller.Struck" in topics
        assert "Complaint.AppealDecided" in topics

    def test_a_granted_appeal_for_the_seller_records_nothing(self, world: Scenario) -> None:
        complaint = platform_ruled(world)
        world.app.file_appeal(SELLER, complaint.id, "Our supplier certified the goods genuine.")
        world.app.decide_appeal(
            SUPERVISOR,
            complaint.id,
            True,
            "The certificate checks out.",
            Outcome.SELLER_FAVOUR_EXPLAINED,
            None,
            ["R-4.1"],
        )
        assert world.app.get_seller("acme").violations == []
        assert strikes(world) == []

    def test_a_ruling_for_the_seller_or_on_a_lesser_complaint_records_nothing(
        self, world: Scenario
    ) -> None:
        for_seller = platform_ruled(world, outcome=Outcome.SELLER_FAVOUR_EXPLAINED)
        world.lapse(for_seller, DeadlineKind.APPEAL_WINDOW)
        damaged = world.ruled()
        world.lapse(damaged, DeadlineKind.APPEAL_WINDOW)
        assert world.app.get_seller("acme").violations == []
        assert strikes(world) == []


class TestSanctionsEnd:
    def test_each_sanction_lasts_as_the_policy_says(self, world: Scenario) -> None:
        world.seller()
        for _ in range(4):
            world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        now = world.clock.now()
        lasting = [(s.kind, s.until) for s in world.app.get_seller("acme").sanctions]
        assert lasting == [
            (SanctionKind.WARNING, now + timedelta(days=90)),
            (SanctionKind.FINE, now),
            (SanctionKind.TRADING_RESTRICTED, now + timedelta(days=30)),
            (SanctionKind.SHOP_CLOSED, None),
        ]

    def test_an_expired_sanction_ends_and_stays_in_the_history(self, world: Scenario) -> None:
        world.seller()
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        seller = world.app.expire_sanction(SYSTEM, "acme", "s1")
        assert seller.active_sanctions != []  # not yet due: nothing happens
        world.clock.advance(timedelta(days=90))
        seller = world.app.expire_sanction(SYSTEM, "acme", "s1")
        (warning,) = seller.sanctions
        assert (warning.expired, warning.lifted_at) == (True, world.clock.now())
        assert seller.active_sanctions == []
        version = seller.version
        assert world.app.expire_sanction(SYSTEM, "acme", "s1").version == version  # idempotent
        with pytest.raises(RoleNotAllowed):
            world.app.expire_sanction(SUPERVISOR, "acme", "s1")

    def test_the_durations_come_from_the_settings(self) -> None:
        ladder = SanctionLadder.parse(None, None, None, "warning=7d,shop_closed=1d")
        assert ladder.lasts(SanctionKind.WARNING) == timedelta(days=7)
        assert ladder.lasts(SanctionKind.SHOP_CLOSED) == timedelta(days=1)
        assert ladder.lasts(SanctionKind.FINE) is None
        with pytest.raises(ValueError, match="SANCTION_DURATIONS"):
            SanctionLadder.parse(None, None, None, "WARNING=soon")


class TestSanctionAppeals:
    def fined(self, world: Scenario) -> Seller:
        """A warning, then a fine of 500.00 from a deposit of 300.00: 200.00 of debt."""
        world.seller(deposit="300.00")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        return world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading again.")

    def test_a_granted_appeal_lifts_the_sanction_and_returns_the_fine(
        self, world: Scenario
    ) -> None:
        seller = self.fined(world)
        assert (seller.deposit, seller.outstanding_debt) == (cny("0.00"), cny("200.00"))
        world.app.appeal_sanction(SELLER, "acme", "s2", "The labels were the supplier's own.")
        seller = world.app.decide_sanction_appeal(
            OTHER_SUPERVISOR, "acme", "s2", True, "The supplier's labels were approved."
        )
        fine = next(s for s in seller.sanctions if s.id == "s2")
        assert fine.appeal is not None
        assert (fine.appeal.granted, fine.appeal.decided_by) == (True, OTHER_SUPERVISOR.id)
        # 500.00 returned: the 200.00 of debt is repaid first, the rest goes to the deposit.
        assert (seller.deposit, seller.outstanding_debt) == (cny("300.00"), cny("0.00"))
        assert seller.ledger[-1].reason == "fine returned: appeal of sanction s2 granted"

    def test_a_granted_appeal_of_a_standing_sanction_lifts_it(self, world: Scenario) -> None:
        world.seller()
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        world.app.appeal_sanction(SELLER, "acme", "s1", "The labels were the supplier's own.")
        seller = world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", True, "Agreed.")
        assert seller.active_sanctions == []
        assert seller.sanctions[0].lift_reason == "appeal granted: Agreed."

    def test_an_appeal_has_a_decision_deadline_that_decides_nothing(self, world: Scenario) -> None:
        world.seller()
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        filed = world.clock.now()
        seller = world.app.appeal_sanction(SELLER, "acme", "s1", "The supplier's own labels.")
        appeal = seller.sanctions[0].appeal
        assert appeal is not None
        assert appeal.decision_due_at == filed + timedelta(days=5)  # SANCTION_APPEAL_REVIEW
        world.clock.advance(timedelta(days=6))
        later = world.app.get_seller("acme")
        assert later.version == seller.version
        assert later.sanctions[0].appeal == appeal  # still waiting: staff must decide
        decided = world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", False, "No.")
        assert decided.sanctions[0].appeal is not None
        assert decided.sanctions[0].appeal.decision_due_at == appeal.decision_due_at

    def test_a_refused_appeal_leaves_the_sanction(self, world: Scenario) -> None:
        world.seller()
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        world.app.appeal_sanction(SELLER, "acme", "s1", "The labels were the supplier's own.")
        seller = world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", False, "No.")
        assert [s.kind for s in seller.active_sanctions] == [SanctionKind.WARNING]
        with pytest.raises(NoPendingAppeal):
            world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", True, "Again.")

    def test_refusals(self, world: Scenario) -> None:
        world.seller("acme")
        world.seller("globex")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        grounds = "The labels were the supplier's own."
        with pytest.raises(NotAllowed):
            world.app.appeal_sanction(OTHER_SELLER, "acme", "s1", grounds)
        with pytest.raises(RoleNotAllowed):
            world.app.appeal_sanction(CONSUMER, "acme", "s1", grounds)
        with pytest.raises(SanctionNotFound):
            world.app.appeal_sanction(SELLER, "acme", "s9", grounds)
        with pytest.raises(ValidationFailed):
            world.app.appeal_sanction(SELLER, "acme", "s1", "no")
        with pytest.raises(NoPendingAppeal):
            world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", True, "Yes.")
        world.app.appeal_sanction(SELLER, "acme", "s1", grounds)
        with pytest.raises(SanctionAlreadyAppealed):
            world.app.appeal_sanction(SELLER, "acme", "s1", grounds)
        with pytest.raises(SameReviewer):  # the supervisor whose spot check imposed it
            world.app.decide_sanction_appeal(SUPERVISOR, "acme", "s1", True, "Yes.")
        with pytest.raises(RoleNotAllowed):
            world.app.decide_sanction_appeal(AGENT, "acme", "s1", True, "Yes.")

    def test_an_ended_sanction_cannot_be_appealed_but_a_fine_can(self, world: Scenario) -> None:
        self.fined(world)
        world.clock.advance(timedelta(days=91))
        world.app.expire_sanction(SYSTEM, "acme", "s1")
        world.app.expire_sanction(SYSTEM, "acme", "s2")
        with pytest.raises(SanctionNotActive):
            world.app.appeal_sanction(SELLER, "acme", "s1", "The labels were the supplier's.")
        seller = world.app.appeal_sanction(SELLER, "acme", "s2", "The fine was out of proportion.")
        assert seller.sanctions[1].appeal is not None
