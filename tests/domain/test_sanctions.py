"""R4, R8, R10: the sanction ladder. Each offence takes the shop one rung further, in the same
save as the offence; the rungs, the fine and the window come from the settings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import RoleNotAllowed
from complaints.domain.sanctions import Offence, SanctionLadder
from complaints.domain.seller import Seller, ShopStatus
from complaints.domain.values import SYSTEM, Remedy, RemedyType, SanctionKind, ViolationKind
from complaints.settings import Settings
from tests.scenario import CONSUMER, SELLER, SUPERVISOR, Scenario, cny


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
    world.app.confirm_violation(SUPERVISOR, violation.id)
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

    def test_a_missed_replacement_is_an_offence_each_time(self, world: Scenario) -> None:
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
