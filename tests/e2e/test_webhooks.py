"""Webhooks over the wire, on SQLite and PostgreSQL: a shop registers an endpoint through the
API and its own server, on loopback, verifies every delivery with the standardwebhooks library;
an endpoint that is down gets everything once it is back; reminders reach it before a deadline
lapses; private addresses are refused; another shop sees none of it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import Server, Subscriber, fresh_store, until
from tests.webhook_receiver import Receiver

SELLER = Actor(Role.SELLER, "staff-1", "lantern")
OTHER_SELLER = Actor(Role.SELLER, "staff-9", "globex")
CONSUMER = Actor(Role.CONSUMER, "u-lin")
AGENT = Actor(Role.AGENT, "agent-1")
SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-1")

REGISTER_SELLER = """mutation($shop: String!) { registerSeller(input: {shopId: $shop,
  name: "Lanterns", deposit: {amount: "300", currency: "CNY"}}) { __typename } }"""
REGISTER = """mutation($shop: String!, $url: String!, $events: [String!]) {
  registerWebhook(input: {shopId: $shop, url: $url, events: $events}) {
    __typename
    ... on WebhookEndpointCreated { secret endpoint { id shopId url events active status } }
    ... on ValidationFailed { code fields { field message } }
    ... on Error { code message } } }"""
ENDPOINTS = """query($shop: String!) { webhookEndpoints(shopId: $shop) {
  id url events active status createdAt disabledReason } }"""
DELIVERIES = """query($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) {
  edges { cursor node { id position eventType status attempts lastStatusCode lastAttemptAt
  nextAttemptAt attemptLog { attempt statusCode } } } pageInfo { hasNextPage } } }"""
REMOVE = """mutation($id: ID!) { removeWebhook(input: {endpointId: $id}) {
  __typename ... on WebhookEndpoint { status active } ... on Error { code } } }"""
REDELIVER = """mutation($id: ID!, $after: Int!) { redeliverWebhooks(input: {endpointId: $id,
  after: $after}) { __typename ... on WebhookEndpoint { status } ... on Error { code } } }"""
FILE = """mutation($order: String!) { fileComplaint(input: { shopId: "lantern", orderId: $order,
  category: NOT_AS_DESCRIBED, description: "The lamp is plastic, not the brass listed.",
  requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
  __typename ... on Complaint { id reference } } }"""
ACCEPT = """mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) { __typename } }"""
TIMELINE = """query($id: ID!) { complaint(id: $id) { timeline(first: 100) {
  edges { node { position type } } } } }"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooked(store: str, tmp_path: Path) -> Iterator[Server]:
    """A server that may send to loopback (tests only), retries after a second, and runs the
    seller's first answer on an eight-second deadline with reminders at five and two."""
    running = Server(
        store,
        tmp_path,
        WEBHOOK_ALLOW_PRIVATE="true",
        WEBHOOK_RETRY_BASE="1s",
        DEADLINES="seller_response=8s",
        REMINDERS="5s,2s",
        DEADLINE_POLL_SECONDS="0.2",
    )
    running.data(REGISTER_SELLER, {"shop": "lantern"}, SUPERVISOR)
    running.data(REGISTER_SELLER, {"shop": "globex"}, SUPERVISOR)
    yield running
    running.stop()


def register(server: Server, receiver: Receiver, **variables: Any) -> str:
    result = server.data(REGISTER, {"shop": "lantern", "url": receiver.url, **variables}, SELLER)[
        "registerWebhook"
    ]
    assert result["__typename"] == "WebhookEndpointCreated", result
    receiver.secret = result["secret"]
    assert receiver.secret.startswith("whsec_")
    endpoint_id: str = result["endpoint"]["id"]
    return endpoint_id


def file(server: Server, order: str) -> dict[str, str]:
    server.record_order(order, shop="lantern", consumer=CONSUMER)
    filed: dict[str, str] = server.data(FILE, {"order": order}, CONSUMER)["fileComplaint"]
    server.data(ACCEPT, {"id": filed["id"]}, AGENT)
    return filed


def seen_by_seller(server: Server, complaint_id: str) -> list[int]:
    edges = server.data(TIMELINE, {"id": complaint_id}, SELLER)["complaint"]["timeline"]["edges"]
    return [e["node"]["position"] for e in edges]


def timeline_of(server: Server, complaint_id: str) -> list[int]:
    """The positions of the case's entries the seller sees, once the read model has some."""
    positions: list[int] = until(lambda: seen_by_seller(server, complaint_id), "the timeline")
    return positions


def test_a_registered_endpoint_receives_each_update_signed_and_listed(
    hooked: Server, receiver: Receiver
) -> None:
    endpoint_id = register(hooked, receiver)
    listed = hooked.data(ENDPOINTS, {"shop": "lantern"}, SELLER)["webhookEndpoints"]
    assert (endpoint_id, receiver.url, True, "ACTIVE") in [
        (e["id"], e["url"], e["active"], e["status"]) for e in listed
    ]
    assert "secret" not in str(listed)
    filed = file(hooked, "o-1")
    expected = until(lambda: seen_by_seller(hooked, filed["id"]), "the timeline")
    receiver.wait_for(lambda got: {r.position for r in got} >= set(expected))
    assert receiver.refused == []  # every signature verified
    first = receiver.received[0]
    assert first.payload["type"] == "complaint.Filed"
    assert first.reference == filed["reference"]
    assert first.payload["data"]["complaint"]["id"] == filed["id"]

    edges = until(
        lambda: [
            e
            for e in hooked.data(DELIVERIES, {"id": endpoint_id}, SELLER)["webhookDeliveries"][
                "edges"
            ]
            if e["node"]["status"] == "DELIVERED"
        ],
        "deliveries listed",
    )
    node = edges[-1]["node"]
    assert node["id"] == first.webhook_id
    assert (node["attempts"], node["lastStatusCode"]) == (1, 204)
    assert node["attemptLog"] == [{"attempt": 1, "statusCode": 204}]


def test_another_shop_neither_sees_nor_manages_the_endpoint(
    hooked: Server, receiver: Receiver
) -> None:
    endpoint_id = register(hooked, receiver)
    response = hooked.post(ENDPOINTS, {"shop": "lantern"}, OTHER_SELLER).json()
    assert response["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    response = hooked.post(DELIVERIES, {"id": endpoint_id}, OTHER_SELLER).json()
    assert response["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    assert hooked.data(REMOVE, {"id": endpoint_id}, OTHER_SELLER)["removeWebhook"]["code"] == (
        "NOT_A_PARTY"
    )
    refused = hooked.data(REGISTER, {"shop": "lantern", "url": receiver.url}, CONSUMER)[
        "registerWebhook"
    ]
    assert refused["code"] == "ROLE_NOT_ALLOWED"
    # globex's own endpoint hears nothing of lantern's cases
    other = Receiver()
    try:
        created = hooked.data(REGISTER, {"shop": "globex", "url": other.url}, OTHER_SELLER)[
            "registerWebhook"
        ]
        other.secret = created["secret"]
        filed = file(hooked, "o-2")
        expected = until(lambda: seen_by_seller(hooked, filed["id"]), "the timeline")
        receiver.wait_for(lambda got: {r.position for r in got} >= set(expected))
        assert other.received == []
        assert other.refused == []
    finally:
        other.close()
    removed = hooked.data(REMOVE, {"id": endpoint_id}, SELLER)["removeWebhook"]
    assert removed == {"__typename": "WebhookEndpoint", "status": "REMOVED", "active": False}
    listed = hooked.data(ENDPOINTS, {"shop": "lantern"}, SELLER)["webhookEndpoints"]
    assert endpoint_id not in [e["id"] for e in listed]


def test_an_endpoint_that_is_down_for_a_while_gets_everything_once_back(
    hooked: Server, receiver: Receiver
) -> None:
    endpoint_id = register(hooked, receiver)
    back_at = time.monotonic() + 4
    receiver.answer = lambda r: 204 if time.monotonic() > back_at else 503
    cases = [file(hooked, f"o-down-{i}") for i in range(3)]
    expected = {p for c in cases for p in timeline_of(hooked, c["id"])}
    receiver.wait_for(lambda got: {r.position for r in got} >= expected, timeout=40)
    by_case: dict[str, list[int]] = {}
    for r in receiver.received:
        by_case.setdefault(r.reference, []).append(r.position)
    assert all(p == sorted(p) for p in by_case.values())  # in log order within each case
    edges = hooked.data(DELIVERIES, {"id": endpoint_id}, SELLER)["webhookDeliveries"]["edges"]
    retried = [e["node"] for e in edges if e["node"]["attempts"] > 1]
    assert retried
    assert all(n["attemptLog"][0]["statusCode"] == 503 for n in retried)


def test_reminders_reach_the_seller_by_webhook_and_subscription_before_the_lapse(
    hooked: Server, receiver: Receiver
) -> None:
    register(hooked, receiver, events=["DeadlineSet", "DeadlineReminded", "DeadlineLapsed"])

    filed: dict[str, str] = {}

    async def follow() -> list[dict[str, Any]]:
        subscriber = Subscriber(hooked, SELLER)
        await subscriber.connect()
        await subscriber.subscribe(
            "subscription { myComplaintUpdates { complaint { id } entry { type details } } }", {}
        )
        await asyncio.sleep(0.5)
        filed.update(await asyncio.to_thread(file, hooked, "o-remind"))
        frames = []
        while True:
            frame = await subscriber.next(timeout=20)
            update = frame["payload"]["data"]["myComplaintUpdates"]
            if update["complaint"]["id"] != filed.get("id"):
                continue  # another test's case, on the same database
            frames.append(update["entry"])
            if frames[-1]["type"] == "DeadlineLapsed":
                await subscriber.close()
                return frames

    frames = asyncio.run(follow())
    reminded = [f["details"]["leadSeconds"] for f in frames if f["type"] == "DeadlineReminded"]
    assert reminded == [5, 2]

    mine = filed["reference"]
    receiver.wait_for(
        lambda got: any(r.type == "DeadlineLapsed" and r.reference == mine for r in got)
    )
    hooks = [r for r in receiver.first_of_each() if r.reference == mine]
    due = next(
        datetime.fromisoformat(r.payload["data"]["entry"]["details"]["dueAt"])
        for r in hooks
        if r.type == "DeadlineSet"
        and r.payload["data"]["entry"]["details"]["kind"] == "seller_response"
    )
    reminders = [r for r in hooks if r.type == "DeadlineReminded"]
    assert [r.payload["data"]["entry"]["details"]["leadSeconds"] for r in reminders] == [5, 2]
    for r in reminders:
        at = datetime.fromisoformat(r.payload["data"]["entry"]["at"])
        lead = r.payload["data"]["entry"]["details"]["leadSeconds"]
        early = (due - at).total_seconds()
        assert lead - 1.5 <= early <= lead, (lead, early)  # at its moment, give or take a poll
    types = [r.type for r in hooks]
    assert types.index("DeadlineLapsed") > max(
        i for i, t in enumerate(types) if t == "DeadlineReminded"
    )


@pytest.fixture(scope="module")
def guarded(
    store: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server for the module's refusals (a refused registration changes nothing), on a
    database of the module's kind but not the module's own: while it runs, its webhook deliverer
    must not be the one leading the deliveries of the `hooked` servers."""
    kind = "sqlite" if store.startswith("sqlite") else "postgres"
    with fresh_store(kind, request, tmp_path_factory) as url:
        running = Server(url, tmp_path_factory.mktemp("guarded"))
        running.data(REGISTER_SELLER, {"shop": "lantern"}, SUPERVISOR)
        yield running
        running.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://localhost:8000/hook",
        "http://[::1]:8000/hook",
    ],
)
def test_server_side_request_forgery_is_refused(guarded: Server, url: str) -> None:
    result = guarded.data(REGISTER, {"shop": "lantern", "url": url}, SELLER)["registerWebhook"]
    assert result["code"] == "VALIDATION_FAILED"
    assert result["fields"][0]["field"] == "url"
    listed = guarded.data(ENDPOINTS, {"shop": "lantern"}, SELLER)["webhookEndpoints"]
    assert url not in [e["url"] for e in listed]


def test_redelivery_sends_again_after_a_position(hooked: Server, receiver: Receiver) -> None:
    endpoint_id = register(hooked, receiver)
    filed = file(hooked, "o-again")
    expected = until(lambda: seen_by_seller(hooked, filed["id"]), "the timeline")
    receiver.wait_for(lambda got: {r.position for r in got} >= set(expected))
    count = len(receiver.received)
    result = hooked.data(REDELIVER, {"id": endpoint_id, "after": expected[0]}, SELLER)
    assert result["redeliverWebhooks"]["status"] == "ACTIVE"
    receiver.wait_for(lambda got: len(got) >= count + len(expected) - 1)
    again = receiver.received[count:]
    originals = {r.position: r.webhook_id for r in receiver.received[:count]}
    assert sorted(r.position for r in again) == expected[1:]
    assert all(originals[r.position] == r.webhook_id for r in again)
