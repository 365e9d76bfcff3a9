"""The enforcement chain over the API, on SQLite and PostgreSQL, with nobody pushing: a seller
misses its first answer, loses by default, misses the refund too; the platform pays the consumer
from the deposit, sanctions the shop up the ladder and lists it publicly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import SUPERVISOR, Server, until

CONSUMERS = [Actor(Role.CONSUMER, "u-lin"), Actor(Role.CONSUMER, "u-mei")]
AGENT = Actor(Role.AGENT, "agent-1")

REGISTER = """mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Crafts",
  deposit: {amount: "300", currency: "CNY"}}) { __typename } }"""
FILE = """mutation($order: String!, $shop: String! = "lantern") { fileComplaint(input: {
  shopId: $shop, orderId: $order,
  category: NOT_AS_DESCRIBED, description: "The lamp is plastic, not the brass listed.",
  requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
  __typename ... on Complaint { id } ... on Error { code message } } }"""
ACCEPT = """mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) {
  __typename ... on Complaint { status } } }"""
CASE = """query($id: ID!) { complaint(id: $id) { status outcome decidedByDefault
  timeline(first: 50) { edges { node { type summary at } } } } }"""
SELLER = """{ seller(shopId: "lantern") { status depositBalance { amount } depositDebt { amount }
  sanctions { kind reason complaintId } scorecard { strikes } } }"""
SANCTIONED = """{ sanctionedSellers(first: 10) { edges { node { shopId status depositBalance {
  amount } sanctions { kind } } } } }"""
STATISTICS = """query($from: DateTime!, $to: DateTime!) { statistics(from: $from, to: $to) {
  filed advanceRefunds advanced { amount currency } sanctionsImposed } }"""


@pytest.fixture
def enforcing(store: str, tmp_path: Path) -> Iterator[Server]:
    """A server whose deadlines run in seconds, and whose ladder starts with a warning and then
    restricts trading."""
    running = Server(
        store,
        tmp_path,
        DEADLINES="seller_response=2s,remedy=2s",
        DEADLINE_POLL_SECONDS="0.2",
        SANCTION_LADDER="WARNING,TRADING_RESTRICTED,SHOP_CLOSED",
    )
    yield running
    running.stop()


def closed(server: Server, complaint_id: str, viewer: Actor) -> dict[str, Any] | None:
    """The case once closed, as both its summary and its timeline (read models of their own,
    each at its own pace) show it."""
    case: dict[str, Any] = server.data(CASE, {"id": complaint_id}, viewer)["complaint"]
    return case if case["status"] == "CLOSED" and "Closed" in entries(case) else None


def entries(case: dict[str, Any]) -> list[str]:
    return [edge["node"]["type"] for edge in case["timeline"]["edges"]]


def test_the_chain_runs_by_itself(enforcing: Server) -> None:
    server = enforcing
    started = datetime.now(UTC)
    registered = server.data(REGISTER, {"shop": "lantern"}, SUPERVISOR)["registerSeller"]
    assert registered["__typename"] == "Seller"
    ids = []
    for n, consumer in enumerate(CONSUMERS):
        order = server.record_order(f"order-{n}", shop="lantern", consumer=consumer)
        filed = server.data(FILE, {"order": order}, consumer)["fileComplaint"]
        assert filed["__typename"] == "Complaint", filed
        accepted = server.data(ACCEPT, {"id": filed["id"]}, AGENT)["acceptComplaint"]
        assert accepted["status"] == "NEGOTIATING"
        ids.append(filed["id"])

    # 1. The seller says nothing for two seconds: the consumer wins by default.
    # 2. The seller does not refund in two more: the platform pays and closes the case.
    for complaint_id, consumer in zip(ids, CONSUMERS, strict=True):
        case = until(partial(closed, server, complaint_id, consumer), "the case to close by itself")
        assert case["outcome"] == "CONSUMER_FAVOUR_FULL"
        assert case["decidedByDefault"] is True
        seen = entries(case)
        assert seen.index("DefaultRuled") < seen.index("RefundAdvanced") < seen.index("Closed")
        ruling = next(
            e["node"]["summary"]
            for e in case["timeline"]["edges"]
            if e["node"]["type"] == "DefaultRuled"
        )
        assert "seller response deadline passed" in ruling
        assert "deadline #" in ruling

    # 3. Two strikes: a warning, then a trading restriction; the deposit ran dry into debt.
    seller = until(
        lambda: (
            (s := server.data(SELLER, actor=SUPERVISOR)["seller"])["scorecard"]["strikes"] == 2
            and s
        ),
        "the seller's read model to show both strikes",
    )
    assert seller["status"] == "TRADING_RESTRICTED"
    assert [s["kind"] for s in seller["sanctions"]] == ["WARNING", "TRADING_RESTRICTED"]
    assert all(s["complaintId"] in ids for s in seller["sanctions"])
    assert (seller["depositBalance"]["amount"], seller["depositDebt"]["amount"]) == (
        "0.00",
        "98.00",
    )

    # 4. Anyone can see the shop on the public list, and nothing of its money.
    listed = server.data(SANCTIONED)["sanctionedSellers"]["edges"]
    assert [e["node"]["shopId"] for e in listed] == ["lantern"]
    assert listed[0]["node"]["status"] == "TRADING_RESTRICTED"
    assert listed[0]["node"]["depositBalance"] is None

    # 5. And the public figures count what was enforced.
    figures = server.data(
        STATISTICS,
        {
            "from": (started - timedelta(minutes=1)).isoformat(),
            "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
        },
    )["statistics"]
    assert figures["advanceRefunds"] == 2
    assert figures["advanced"] == [{"amount": "398.00", "currency": "CNY"}]
    assert figures["sanctionsImposed"] == {"TRADING_RESTRICTED": 1, "WARNING": 1}


def test_a_restart_misses_no_deadline(store: str, tmp_path: Path) -> None:
    """The server is stopped before the deadline falls due and started again after it."""
    server = Server(store, tmp_path, DEADLINES="seller_response=3s", DEADLINE_POLL_SECONDS="0.2")
    try:
        registered = server.data(REGISTER, {"shop": "teapot"}, SUPERVISOR)["registerSeller"]
        assert registered["__typename"] == "Seller"
        server.record_order("order-9", shop="teapot", consumer=CONSUMERS[0])
        filed = server.data(FILE, {"order": "order-9", "shop": "teapot"}, CONSUMERS[0])
        complaint_id = filed["fileComplaint"]["id"]
        server.data(ACCEPT, {"id": complaint_id}, AGENT)
    finally:
        server.stop()
    stopped_at = datetime.now(UTC)
    time.sleep(3.5)  # the seller's three seconds pass while nothing is running
    again = Server(store, tmp_path, DEADLINES="seller_response=3s", DEADLINE_POLL_SECONDS="0.2")
    try:
        case = until(
            lambda: (
                (got := again.data(CASE, {"id": complaint_id}, CONSUMERS[0])["complaint"])[
                    "decidedByDefault"
                ]
                and got
            ),
            "the restarted server to enforce the missed deadline",
        )
        assert case["status"] == "FULFILLING"
        ruled = [
            e["node"] for e in case["timeline"]["edges"] if e["node"]["type"] == "DefaultRuled"
        ]
        assert len(ruled) == 1
        assert datetime.fromisoformat(ruled[0]["at"]) > stopped_at
    finally:
        again.stop()
