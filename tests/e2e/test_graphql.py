"""The API over the wire: a real uvicorn process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import PROTOCOL, SUPERVISOR, Server, Subscriber, token

AGENT = Actor(Role.AGENT, "agent-1")

FILE = """mutation($shop: String!, $order: String!) {
  fileComplaint(input: {shopId: $shop, orderId: $order, category: DAMAGED,
    description: "The vase arrived in pieces; the box was crushed.",
    requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
    __typename ... on Complaint { id reference status } ... on Error { code message } } }"""
ACCEPT = """mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) {
  __typename ... on Complaint { status } ... on Error { code } } }"""
MESSAGE = """mutation($id: ID!, $text: String!) { postMessage(input: {complaintId: $id,
  text: $text}) { __typename ... on Error { code } } }"""
UPDATES = """subscription($id: ID!, $after: Int) { complaintUpdates(complaintId: $id,
  after: $after) { position entry { type summary } complaint { status } } }"""
MINE = "subscription { myComplaintUpdates { position entry { type } } }"


def parties() -> tuple[str, Actor, Actor]:
    """A shop of its own for each test, its staff, and a consumer."""
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    return shop, Actor(Role.SELLER, f"staff-{shop}", shop), Actor(Role.CONSUMER, f"u-{shop}")


def open_case(server: Server) -> tuple[str, Actor, Actor, dict[str, Any]]:
    shop, seller, consumer = parties()
    registered = server.data(
        'mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",'
        ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    assert registered["registerSeller"]["__typename"] == "Seller"
    server.record_order("order-1", shop=shop, consumer=consumer)
    filed = server.data(FILE, {"shop": shop, "order": "order-1"}, consumer)["fileComplaint"]
    assert filed["__typename"] == "Complaint", filed
    return shop, seller, consumer, filed


def test_filing_accepting_and_reading_the_timeline(server: Server) -> None:
    _shop, seller, _consumer, filed = open_case(server)
    assert server.data(ACCEPT, {"id": filed["id"]}, AGENT)["acceptComplaint"]["status"] == (
        "NEGOTIATING"
    )
    data = server.data(
        """query($id: ID!) { complaint(id: $id) { status description allowedActions
          timeline(first: 10) { edges { node { type summary } } } }
          complaints { totalCount edges { node { reference } } } }""",
        {"id": filed["id"]},
        seller,
    )
    complaint = data["complaint"]
    assert complaint["status"] == "NEGOTIATING"
    assert complaint["description"].startswith("The vase arrived")
    assert "acceptOffer" in complaint["allowedActions"]
    types = [e["node"]["type"] for e in complaint["timeline"]["edges"]]
    assert types[:2] == ["Filed", "Accepted"]
    # Read-your-writes: the list already shows the case the mutation just changed.
    assert data["complaints"]["totalCount"] == 1
    assert data["complaints"]["edges"][0]["node"]["reference"] == filed["reference"]


def test_an_invalid_token_is_refused_and_no_token_is_the_public(server: Server) -> None:
    bad = httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ viewerRole }"},
        headers={"Authorization": "Bearer nope"},
    )
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert server.data("{ viewerRole }") == {"viewerRole": "PUBLIC"}


async def collect(subscriber: Subscriber, count: int) -> list[dict[str, Any]]:
    updates: list[dict[str, Any]] = []
    while len(updates) < count:
        message = await subscriber.next()
        assert message["type"] == "next", message
        updates.append(message["payload"]["data"]["complaintUpdates"])
    return updates


def test_a_seller_hears_of_every_update_on_its_case(server: Server) -> None:
    _shop, seller, consumer, filed = open_case(server)

    async def scenario() -> list[dict[str, Any]]:
        subscriber = Subscriber(server, seller)
        ack = await subscriber.connect()
        assert ack == {"type": "connection_ack", "payload": {"role": "SELLER"}}
        await subscriber.subscribe(UPDATES, {"id": filed["id"], "after": 0})
        first = await collect(subscriber, 1)
        await asyncio.to_thread(server.data, ACCEPT, {"id": filed["id"]}, AGENT)
        await asyncio.to_thread(server.data, MESSAGE, {"id": filed["id"], "text": "hi"}, consumer)
        rest: list[dict[str, Any]] = []
        while not rest or rest[-1]["entry"]["type"] != "MessagePosted":
            rest += await collect(subscriber, 1)
        await subscriber.close()
        return first + rest

    updates = asyncio.run(scenario())
    assert updates[0]["entry"]["type"] == "Filed"
    assert updates[-1]["entry"]["type"] == "MessagePosted"
    assert updates[-1]["complaint"]["status"] == "NEGOTIATING"
    positions = [u["position"] for u in updates]
    assert positions == sorted(set(positions))


def test_reconnecting_with_after_misses_nothing_and_repeats_nothing(server: Server) -> None:
    _shop, seller, consumer, filed = open_case(server)
    server.data(ACCEPT, {"id": filed["id"]}, AGENT)

    async def scenario() -> tuple[list[int], list[int]]:
        subscriber = Subscriber(server, seller)
        await subscriber.connect()
        await subscriber.subscribe(UPDATES, {"id": filed["id"], "after": 0})
        seen = [u["position"] for u in await collect(subscriber, 3)]
        await subscriber.close()
        # While the seller is away, the consumer writes three times.
        for n in range(3):
            await asyncio.to_thread(
                server.data, MESSAGE, {"id": filed["id"], "text": f"message {n}"}, consumer
            )
        again = Subscriber(server, seller)
        await again.connect()
        await again.subscribe(UPDATES, {"id": filed["id"], "after": seen[-1]})
        everything = await asyncio.to_thread(
            server.data,
            "query($id: ID!) { complaint(id: $id) { timeline(first: 100)"
            " { edges { node { position } } } } }",
            {"id": filed["id"]},
            seller,
        )
        all_positions = [
            e["node"]["position"] for e in everything["complaint"]["timeline"]["edges"]
        ]
        missed = [p for p in all_positions if p > seen[-1]]
        resumed = [u["position"] for u in await collect(again, len(missed))]
        with pytest.raises(TimeoutError):
            await again.next(timeout=1.5)  # and nothing more: no repeats
        await again.close()
        return seen + resumed, all_positions

    received, all_positions = asyncio.run(scenario())
    assert received == all_positions


def test_a_bad_token_closes_the_socket_with_4403(server: Server) -> None:
    async def scenario() -> int | None:
        subscriber = Subscriber(server, None)
        subscriber.ws = None
        import websockets

        ws = await websockets.connect(server.ws_url, subprotocols=[PROTOCOL])
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}})
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(scenario()) == 4403


def test_a_seller_cannot_follow_another_shops_case(server: Server) -> None:
    _shop, _seller, consumer, filed = open_case(server)
    _, rival, _ = parties()

    async def scenario() -> tuple[dict[str, Any], list[Any]]:
        snoop = Subscriber(server, rival)
        await snoop.connect()
        await snoop.subscribe(UPDATES, {"id": filed["id"], "after": 0})
        refused = await snoop.next()
        await snoop.close()
        mine = Subscriber(server, rival)
        await mine.connect()
        await mine.subscribe(MINE, {})
        await asyncio.to_thread(server.data, MESSAGE, {"id": filed["id"], "text": "x"}, consumer)
        leaked = []
        try:
            while True:
                leaked.append(await mine.next(timeout=2))
        except TimeoutError:
            pass
        await mine.close()
        return refused, leaked

    refused, leaked = asyncio.run(scenario())
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "NOT_ALLOWED"
    assert not (
        refused["payload"] if refused["type"] == "error" else refused["payload"].get("data")
    )
    assert leaked == []


def test_a_seller_follows_all_its_cases(server: Server) -> None:
    _shop, seller, _consumer, filed = open_case(server)

    async def scenario() -> dict[str, Any]:
        mine = Subscriber(server, seller)
        await mine.connect()
        await mine.subscribe(MINE, {})
        await asyncio.to_thread(server.data, ACCEPT, {"id": filed["id"]}, AGENT)
        message = await mine.next()
        await mine.close()
        return message

    message = asyncio.run(scenario())
    assert message["payload"]["data"]["myComplaintUpdates"]["entry"]["type"] == "Accepted"


def test_a_subscription_ends_when_its_token_expires(server: Server) -> None:
    _shop, seller, _consumer, filed = open_case(server)

    async def scenario() -> tuple[list[dict[str, Any]], float]:
        subscriber = Subscriber(server, seller)
        short = token(seller, ttl=timedelta(seconds=3))
        await subscriber.connect({"Authorization": f"Bearer {short}"})
        await subscriber.subscribe(UPDATES, {"id": filed["id"]})
        began = time.monotonic()
        messages = [await subscriber.next(timeout=15)]
        while messages[-1]["type"] == "next":
            messages.append(await subscriber.next(timeout=15))
        await subscriber.close()
        return messages, time.monotonic() - began

    messages, waited = asyncio.run(scenario())
    assert messages[-1]["type"] == "complete", messages
    errors = [e for m in messages for e in m.get("payload", {}).get("errors", [])]
    assert [e["extensions"]["code"] for e in errors] == ["TOKEN_EXPIRED"], messages
    assert waited < 6  # it does not wait for a poll, let alone a minute


DEEP = (
    "{ complaints { edges { node { seller { sanctions { kind } } timeline { edges { node {"
    " type } } } } } } }"
)


def bomb_depth() -> str:
    nested = "type"
    for _ in range(12):
        nested = f"timeline {{ edges {{ node {{ {nested} }} }} }}"
    return f"{{ complaints {{ edges {{ node {{ {nested} }} }} }} }}"


HOSTILE: list[tuple[str, dict[str, Any]]] = [
    ("bad json", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("a json list", {"json": [{"query": "{ viewerRole }"}] * 5}),
    ("a json number", {"json": 42}),
    ("no query", {"json": {"variables": {}}}),
    ("wrong content type", {"content": b"query", "headers": {"content-type": "text/plain"}}),
    ("depth bomb", {"json": {"query": bomb_depth()}}),
    (
        "alias bomb",
        {"json": {"query": "{" + " ".join(f"a{i}: viewerRole" for i in range(50)) + "}"}},
    ),
    ("token bomb", {"json": {"query": "{ viewerRole " + "__typename " * 3000 + "}"}}),
    (
        "huge body",
        {
            "content": b'{"query": "' + b"x" * 2_000_000 + b'"}',
            "headers": {"content-type": "application/json"},
        },
    ),
    ("unknown field", {"json": {"query": "{ nonsense }"}}),
    ("syntax error", {"json": {"query": "{ complaints( }"}}),
    (
        "wrong variable type",
        {
            "json": {
                "query": "query($f: Int) { complaints(first: $f) { totalCount } }",
                "variables": {"f": "many"},
            }
        },
    ),
    ("first too large", {"json": {"query": "{ complaints(first: 100000) { totalCount } }"}}),
    ("forged cursor", {"json": {"query": '{ complaints(after: "zzz") { totalCount } }'}}),
    ("null input", {"json": {"query": "mutation { fileComplaint(input: null) { __typename } }"}}),
    (
        "garbage ids",
        {
            "json": {
                "query": '{ complaint(id: "\' OR 1=1 --") { reference } node(id: "%%%") { id } }'
            }
        },
    ),
    (
        "search injection",
        {"json": {"query": '{ complaints(filter: {search: "%\' OR 1=1; --"}) { totalCount } }'}},
    ),
    (
        "bad decimal",
        {
            "json": {
                "query": 'mutation { topUpDeposit(input: {shopId: "x", amount:'
                ' {amount: "1e999999", currency: "CNY"}}) {'
                " __typename } }"
            }
        },
    ),
    ("bad date", {"json": {"query": '{ statistics(from: "yesterday", to: "now") { filed } }'}}),
    (
        "mutation over GET",
        {
            "method": "GET",
            "params": {
                "query": 'mutation { eraseSubject(input: {subjectId: "x"}) { __typename } }'
            },
        },
    ),
]


@pytest.mark.parametrize(("name", "request_kw"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_never_gets_a_server_error(
    server: Server, name: str, request_kw: dict[str, Any]
) -> None:
    method = request_kw.pop("method", "POST")
    response = httpx.request(method, f"{server.url}/graphql", timeout=30, **request_kw)
    assert response.status_code < 500, (name, response.status_code, response.text[:300])
    if response.status_code == 200:
        body = response.json()
        for error in body.get("errors", []):
            assert error.get("extensions", {}).get("code") != "INTERNAL_ERROR", (name, error)
    assert "Traceback" not in response.text
