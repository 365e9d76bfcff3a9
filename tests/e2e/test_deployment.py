"""Deployment shapes: two servers on one PostgreSQL, and the production switches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import PROTOCOL, SUPERVISOR, Server, Subscriber
from tests.e2e.test_graphql import ACCEPT, AGENT, FILE, MESSAGE, UPDATES


@pytest.fixture
def shared_postgres(postgres_server: str) -> Iterator[str]:
    schema = f"two_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{postgres_server}?schema={schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_a_mutation_on_one_server_reaches_a_seller_subscribed_on_another(
    shared_postgres: str, tmp_path: Path
) -> None:
    first = Server(shared_postgres, tmp_path)
    second = Server(shared_postgres, tmp_path)
    try:
        seller = Actor(Role.SELLER, "staff-two", "two-shop")
        consumer = Actor(Role.CONSUMER, "u-two")
        first.data(
            'mutation { registerSeller(input: {shopId: "two-shop", name: "Two",'
            ' deposit: {amount: "1", currency: "CNY"}}) { __typename } }',
            None,
            SUPERVISOR,
        )
        filed = first.data(FILE, {"shop": "two-shop", "order": "o-2"}, consumer)["fileComplaint"]

        async def scenario() -> list[dict[str, Any]]:
            subscriber = Subscriber(second, seller)
            await subscriber.connect()
            await subscriber.subscribe(UPDATES, {"id": filed["id"]})
            await asyncio.sleep(0.5)
            await asyncio.to_thread(first.data, ACCEPT, {"id": filed["id"]}, AGENT)
            await asyncio.to_thread(
                first.data, MESSAGE, {"id": filed["id"], "text": "hello"}, consumer
            )
            updates: list[dict[str, Any]] = []
            while not updates or updates[-1]["entry"]["type"] != "MessagePosted":
                message = await subscriber.next(timeout=15)
                updates.append(message["payload"]["data"]["complaintUpdates"])
            await subscriber.close()
            return updates

        updates = asyncio.run(scenario())
        assert next(u["entry"]["type"] for u in updates) == "Accepted"
        assert updates[-1]["entry"]["type"] == "MessagePosted"
    finally:
        first.stop()
        second.stop()


def test_introspection_and_graphiql_can_be_switched_off(tmp_path: Path) -> None:
    server = Server(
        f"sqlite:///{tmp_path / 'c.db'}", tmp_path, INTROSPECTION="false", GRAPHIQL="false"
    )
    try:
        body = server.post("{ __schema { types { name } } }").json()
        assert body["errors"], body
        assert server.data("{ viewerRole }") == {"viewerRole": "PUBLIC"}
        page = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 404
    finally:
        server.stop()


def test_graphiql_is_served_in_development(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path)
    try:
        page = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
    finally:
        server.stop()


def test_only_allowed_origins_may_open_a_socket(tmp_path: Path) -> None:
    server = Server(
        f"sqlite:///{tmp_path / 'c.db'}", tmp_path, ALLOWED_ORIGINS="https://app.example.com"
    )

    async def connect(origin: str) -> bool:
        import websockets

        try:
            ws = await websockets.connect(
                server.ws_url, subprotocols=[PROTOCOL], origin=websockets.Origin(origin)
            )
        except websockets.InvalidStatus:
            return False
        await ws.close()
        return True

    try:
        assert asyncio.run(connect("https://app.example.com"))
        assert not asyncio.run(connect("https://evil.example.net"))
        preflight = httpx.options(
            f"{server.url}/graphql",
            headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
    finally:
        server.stop()
