"""A shop's standing (R4, R8): what the marketplace may do for it now, from its active sanctions,
after each kind of sanction, after one expires and after one is lifted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from complaints.domain.seller import Standing, standing
from complaints.domain.seller.records import Sanction, ShopStatus
from complaints.domain.values import SYSTEM, SanctionKind
from tests.scenario import SUPERVISOR, Scenario, cny

OPEN = Standing(ShopStatus.OPEN, True, True, None)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def sanction(world: Scenario, kind: SanctionKind) -> Standing:
    fine = cny("50.00") if kind is SanctionKind.FINE else None
    seller = world.app.sanction_seller(SUPERVISOR, "acme", kind, "Late replies.", fine=fine)
    return seller.standing


class TestEachKind:
    def test_a_registered_shop_is_open(self, world: Scenario) -> None:
        assert world.seller().standing == OPEN

    def test_a_warning_binds_nothing(self, world: Scenario) -> None:
        world.seller()
        assert sanction(world, SanctionKind.WARNING) == OPEN

    def test_a_fine_binds_nothing(self, world: Scenario) -> None:
        world.seller()
        assert sanction(world, SanctionKind.FINE) == OPEN

    def test_a_trading_restriction_stops_listing_until_it_ends(self, world: Scenario) -> None:
        world.seller()
        ends = world.clock.now() + timedelta(days=30)  # SANCTION_DURATIONS' default
        assert sanction(world, SanctionKind.TRADING_RESTRICTED) == Standing(
            ShopStatus.TRADING_RESTRICTED, True, False, ends
        )

    def test_a_closure_stops_orders_and_listing_with_no_end(self, world: Scenario) -> None:
        world.seller()
        assert sanction(world, SanctionKind.SHOP_CLOSED) == Standing(
            ShopStatus.CLOSED, False, False, None
        )


class TestEnds:
    def test_after_a_restriction_expires_the_shop_is_open(self, world: Scenario) -> None:
        world.seller()
        sanction(world, SanctionKind.TRADING_RESTRICTED)
        world.clock.advance(timedelta(days=29))
        assert world.app.expire_sanction(SYSTEM, "acme", "s1").standing.can_list_products is False
        world.clock.advance(timedelta(days=1))
        assert world.app.expire_sanction(SYSTEM, "acme", "s1").standing == OPEN

    def test_after_a_closure_is_lifted_the_shop_is_open(self, world: Scenario) -> None:
        world.seller()
        sanction(world, SanctionKind.SHOP_CLOSED)
        seller = world.app.lift_sanction(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fixed.")
        assert seller.standing == OPEN

    def test_lifting_a_closure_leaves_a_restriction_binding(self, world: Scenario) -> None:
        world.seller()
        ends = world.clock.now() + timedelta(days=30)
        sanction(world, SanctionKind.TRADING_RESTRICTED)
        sanction(world, SanctionKind.SHOP_CLOSED)
        seller = world.app.lift_sanction(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fixed.")
        assert seller.standing == Standing(ShopStatus.TRADING_RESTRICTED, True, False, ends)


class TestTheRule:
    def at(self, kind: SanctionKind, days: int | None) -> Sanction:
        until = None if days is None else NOW + timedelta(days=days)
        return Sanction("s", kind, "r", None, NOW, until=until)

    def test_the_latest_end_of_the_restrictions_binds(self) -> None:
        found = standing(
            [
                self.at(SanctionKind.SHOP_CLOSED, 3),
                self.at(SanctionKind.TRADING_RESTRICTED, 10),
                self.at(SanctionKind.WARNING, 90),  # not a restriction: its end does not count
            ]
        )
        assert found.restricted_until == NOW + timedelta(days=10)
        assert (found.can_take_orders, found.can_list_products) == (False, False)

    def test_a_restriction_with_no_end_has_none(self) -> None:
        found = standing(
            [self.at(SanctionKind.TRADING_RESTRICTED, 10), self.at(SanctionKind.SHOP_CLOSED, None)]
        )
        assert found.restricted_until is None
        assert found.status == ShopStatus.CLOSED
