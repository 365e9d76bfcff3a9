"""`sellerStanding`: what the marketplace asks before it lists a product or takes an order."""

from __future__ import annotations

from typing import Any

from complaints.domain.values import SanctionKind
from tests.api.conftest import GraphQL
from tests.scenario import SUPERVISOR, Scenario

STANDING = """query($shop: String!) { sellerStanding(shopId: $shop) { shopId status canTakeOrders
  canListProducts restrictedUntil activeSanctions { id kind reason until } } }"""


def standing(gql: GraphQL, shop_id: str = "acme") -> Any:
    gql.read_models.catch_up()
    return gql.data(STANDING, {"shop": shop_id})["sellerStanding"]


def test_an_open_shop_may_do_everything(gql: GraphQL, world: Scenario) -> None:
    world.seller()
    assert standing(gql) == {
        "shopId": "acme",
        "status": "OPEN",
        "canTakeOrders": True,
        "canListProducts": True,
        "restrictedUntil": None,
        "activeSanctions": [],
    }


def test_a_restricted_shop_lists_nothing_until_its_restriction_ends(
    gql: GraphQL, world: Scenario
) -> None:
    world.seller()
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Fakes.")
    found = standing(gql)
    restriction = found["activeSanctions"][1]
    assert (found["status"], found["canTakeOrders"], found["canListProducts"]) == (
        "TRADING_RESTRICTED",
        True,
        False,
    )
    assert found["restrictedUntil"] == restriction["until"]
    assert [s["kind"] for s in found["activeSanctions"]] == ["WARNING", "TRADING_RESTRICTED"]


def test_a_closed_shop_takes_no_orders(gql: GraphQL, world: Scenario) -> None:
    world.seller()
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud.")
    found = standing(gql)
    assert (found["status"], found["canTakeOrders"], found["canListProducts"]) == (
        "CLOSED",
        False,
        False,
    )
    assert found["restrictedUntil"] is None  # until a supervisor lifts it


def test_an_unknown_shop_has_no_standing(gql: GraphQL, world: Scenario) -> None:
    assert standing(gql, "nobody") is None
