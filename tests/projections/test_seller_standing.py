"""A shop's standing as the sellers read model serves it (SQLite and PostgreSQL): the same as the
shop's own after each kind of sanction, after an expiry and a lift; none for an unknown shop;
and where each shop's standing last changed, which the response cache follows."""

from __future__ import annotations

from datetime import timedelta

from complaints.domain.seller import Standing
from complaints.domain.values import SYSTEM, SanctionKind
from complaints.projections.read_models import ReadModels
from tests.scenario import SUPERVISOR, Scenario, cny


def served(world: Scenario, models: ReadModels, shop_id: str = "acme") -> Standing:
    models.catch_up()
    record = models.sellers.standing(shop_id)
    assert record is not None
    seller = world.app.get_seller(shop_id)
    assert record.standing == seller.standing
    assert [s.sanction_id for s in record.active_sanctions] == [
        s.id for s in seller.active_sanctions
    ]
    return record.standing


def test_the_read_model_serves_the_shops_own_standing_at_every_step(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    world, models, app = stored_world, stored_read_models, stored_world.app
    world.seller()
    opened = served(world, models)
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    assert served(world, models) == opened
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.FINE, "Late again.", fine=cny("20"))
    assert served(world, models) == opened
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Fakes.")
    restricted = served(world, models)
    assert restricted.can_list_products is False
    assert restricted.restricted_until == world.clock.now() + timedelta(days=30)
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud.")
    closed = served(world, models)
    assert (closed.can_take_orders, closed.restricted_until) == (False, None)
    app.lift_sanction(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Cleared on review.")
    assert served(world, models) == restricted
    world.clock.advance(timedelta(days=30))
    for sanction_id in ("s1", "s2", "s3"):  # the warning (s1) lasts 90 days: not yet
        app.expire_sanction(SYSTEM, "acme", sanction_id)
    assert served(world, models) == opened
    assert models.sellers.standing("nobody") is None


def test_each_shops_last_change_is_where_its_standing_changed(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    world, models, app = stored_world, stored_read_models, stored_world.app
    world.seller("acme")
    world.seller("globex")
    models.catch_up()
    head = models.sellers.standing_head()
    assert [shop for _, shop in models.sellers.standing_changes(0)] == ["acme", "globex"]
    assert models.sellers.standing_changes(head) == []
    world.file()  # a complaint changes no standing
    app.top_up_deposit(SUPERVISOR, "acme", cny("10"))  # nor does the deposit
    models.catch_up()
    assert models.sellers.standing_changes(head) == []
    app.sanction_seller(SUPERVISOR, "globex", SanctionKind.WARNING, "Late replies.")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud.")
    models.catch_up()
    changes = models.sellers.standing_changes(head)
    assert [shop for _, shop in changes] == ["globex", "acme"]
    assert changes[-1][0] == models.sellers.standing_head() > changes[0][0] > head
