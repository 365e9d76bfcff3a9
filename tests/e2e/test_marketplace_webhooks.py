"""The marketplace's webhook over the wire, on SQLite and PostgreSQL: the marketplace registers
its own endpoint through the API, its own server on loopback verifies every delivery with the
standardwebhooks library, and it hears of each shop's sanctions with the standing after each,
never of a case; it lists its endpoints and their deliveries, and shops may not touch them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import Server, until
from tests.webhook_receiver import Receiver

MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
SELLER = Actor(Role.SELLER, "staff-1", "lantern")
CONSUMER = Actor(Role.CONSUMER, "u-lin")
SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-1")

REGISTER_SELLER = """mutation($shop: String!) { registerSeller(input: {shopId: $shop,
  name: "Lanterns", deposit: {amount: "300", currency: "CNY"}}) { __typename } }"""
REGISTER = """mutation($url: String!, $events: [String!]) {
  registerMarketplaceWebhook(input: {url: $url, events: $events}) {
    __typename
    ... on MarketplaceWebhookCreated { endpointId url events secret }
    ... on ValidationFailed { code fields { field message } }
    ... on Error { code message } } }"""
ENDPOINTS = """{ marketplaceWebhookEndpoints { id shopId url marketplace status
  allowedActions } }"""
DELIVERIES = """query($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) {
  edges { node { position eventType status attempts } } } }"""
REMOVE = """mutation($id: ID!) { removeWebhook(input: {endpointId: $id}) {
  __typename ... on WebhookEndpoint { status } ... on Error { code } } }"""
SANCTION = """mutation($kind: SanctionKind!) { sanctionSeller(input: {shopId: "lantern",
  kind: $kind, reason: "Counterfeit listings."}) { __typename } }"""
FILE = """mutation { fileComplaint(input: { shopId: "lantern", orderId: "o-1",
  category: NOT_AS_DESCRIBED, description: "The lamp is plastic, not the brass listed.",
  requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
  __typename } }"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooked(store: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(store, tmp_path, WEBHOOK_ALLOW_PRIVATE="true", WEBHOOK_RETRY_BASE="1s")
    running.data(REGISTER_SELLER, {"shop": "lantern"}, SUPERVISOR)
    yield running
    running.stop()


def register(server: Server, receiver: Receiver, **variables: Any) -> str:
    created = server.data(REGISTER, {"url": receiver.url, **variables}, MARKETPLACE)[
        "registerMarketplaceWebhook"
    ]
    assert created["__typename"] == "MarketplaceWebhookCreated", created
    receiver.secret = created["secret"]
    endpoint_id: str = created["endpointId"]
    return endpoint_id


def test_the_marketplace_hears_each_sanction_signed_with_the_standing_and_no_case(
    hooked: Server, receiver: Receiver
) -> None:
    endpoint_id = register(hooked, receiver)
    hooked.record_order("o-1", shop="lantern", consumer=CONSUMER)
    assert hooked.data(FILE, {}, CONSUMER)["fileComplaint"]["__typename"] == "Complaint"
    hooked.data(SANCTION, {"kind": "TRADING_RESTRICTED"}, SUPERVISOR)
    hooked.data(SANCTION, {"kind": "SHOP_CLOSED"}, SUPERVISOR)
    receiver.wait_for(lambda got: len(got) >= 2)
    assert receiver.refused == []  # every signature verified
    kinds = [r.payload["data"]["sanction"]["kind"] for r in receiver.received]
    assert kinds == ["TRADING_RESTRICTED", "SHOP_CLOSED"]  # the shop's, in log order
    assert {r.payload["type"] for r in receiver.received} == {"seller.SanctionImposed"}
    closed = receiver.received[1].payload["data"]["standing"]
    assert (closed["status"], closed["canTakeOrders"], closed["canListProducts"]) == (
        "CLOSED",
        False,
        False,
    )
    listed = hooked.data(ENDPOINTS, {}, MARKETPLACE)["marketplaceWebhookEndpoints"]
    assert [(e["id"], e["shopId"], e["marketplace"]) for e in listed] == [(endpoint_id, "*", True)]
    assert listed[0]["allowedActions"] == ["removeWebhook", "redeliverWebhooks"]
    edges = until(
        lambda: [
            e
            for e in hooked.data(DELIVERIES, {"id": endpoint_id}, MARKETPLACE)["webhookDeliveries"][
                "edges"
            ]
            if e["node"]["status"] == "DELIVERED"
        ],
        "deliveries listed",
    )
    assert {e["node"]["eventType"] for e in edges} == {"seller.SanctionImposed"}
    assert len(receiver.received) == 2  # never the case's entries


def test_a_shop_neither_sees_nor_removes_the_marketplaces_endpoint(
    hooked: Server, receiver: Receiver
) -> None:
    endpoint_id = register(hooked, receiver)
    response = hooked.post(ENDPOINTS, {}, SELLER).json()
    assert response["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    response = hooked.post(DELIVERIES, {"id": endpoint_id}, SELLER).json()
    assert response["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    assert hooked.data(REMOVE, {"id": endpoint_id}, SELLER)["removeWebhook"]["code"] == (
        "NOT_A_PARTY"
    )
    refused = hooked.data(REGISTER, {"url": receiver.url}, SELLER)["registerMarketplaceWebhook"]
    assert refused["code"] == "ROLE_NOT_ALLOWED"
    removed = hooked.data(REMOVE, {"id": endpoint_id}, MARKETPLACE)["removeWebhook"]
    assert removed == {"__typename": "WebhookEndpoint", "status": "REMOVED"}
