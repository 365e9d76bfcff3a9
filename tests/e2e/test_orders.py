"""Orders over HTTP, on SQLite and PostgreSQL: the marketplace records an order, its consumer
sees it among their orders and files about it; an order nobody recorded, or someone else's, is
refused with the same answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import MARKETPLACE, SUPERVISOR, Server

FILE = """mutation($shop: String!, $order: String!) {
  fileComplaint(input: {shopId: $shop, orderId: $order, category: DAMAGED,
    description: "The vase arrived in pieces; the box was crushed.",
    requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
    __typename ... on Complaint { id order { orderId deliveredAt } } ... on Error { code message }
  } }"""
DELIVER = """mutation($input: RecordDeliveryInput!) { recordDelivery(input: $input) {
  __typename ... on Order { deliveredAt complaintWindowEndsAt } ... on Error { code } } }"""
MY_ORDERS = "{ myOrders(first: 10) { edges { node { orderId shopId complaintWindowEndsAt } } } }"


def shop_and_consumer(server: Server) -> tuple[str, Actor]:
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    registered = server.data(
        'mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",'
        ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    assert registered["registerSeller"]["__typename"] == "Seller"
    return shop, Actor(Role.CONSUMER, f"u-{shop}")


def file(server: Server, shop: str, order: str, consumer: Actor) -> Any:
    return server.data(FILE, {"shop": shop, "order": order}, consumer)["fileComplaint"]


def test_a_recorded_order_is_listed_delivered_and_complained_about(server: Server) -> None:
    shop, consumer = shop_and_consumer(server)
    server.record_order("o-1", shop=shop, consumer=consumer)
    (edge,) = server.data(MY_ORDERS, actor=consumer)["myOrders"]["edges"]
    assert (edge["node"]["orderId"], edge["node"]["shopId"]) == ("o-1", shop)
    delivered_at = datetime.now(UTC) - timedelta(minutes=1)
    delivered = server.data(
        DELIVER,
        {"input": {"shopId": shop, "orderId": "o-1", "deliveredAt": delivered_at.isoformat()}},
        MARKETPLACE,
    )["recordDelivery"]
    assert delivered["__typename"] == "Order", delivered
    ends = datetime.fromisoformat(delivered["complaintWindowEndsAt"])
    assert ends == delivered_at + timedelta(days=15)
    filed = file(server, shop, "o-1", consumer)
    assert filed["__typename"] == "Complaint", filed
    assert filed["order"]["orderId"] == "o-1"


def test_an_unrecorded_order_and_someone_elses_get_the_same_answer(server: Server) -> None:
    shop, consumer = shop_and_consumer(server)
    server.record_order("o-theirs", shop=shop, consumer=Actor(Role.CONSUMER, "u-someone"))
    theirs = file(server, shop, "o-theirs", consumer)
    nobodys = file(server, shop, "o-nobodys", consumer)
    assert theirs["__typename"] == nobodys["__typename"] == "NotFound"
    assert theirs["code"] == nobodys["code"] == "ORDER_NOT_FOUND"
    assert theirs["message"].replace("o-theirs", "?") == nobodys["message"].replace(
        "o-nobodys", "?"
    )
    assert server.data(MY_ORDERS, actor=consumer)["myOrders"]["edges"] == []
