"""Security against one live server: forged and stale tokens over HTTP and WebSocket, shops that
try to see each other's cases, bombs, and the log, which must hold no secret.

The server runs on PostgreSQL with a password in its DATABASE_URL (trust authentication ignores
it), so that the log can be searched for it too.
"""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import websockets

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import PROTOCOL, SECRET, SUPERVISOR, Server, token

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]

PASSWORD = "db-pass-Zq8w1x"
ACME = Actor(Role.SELLER, "staff-1", "acme")
GLOBEX = Actor(Role.SELLER, "staff-9", "globex")
ALICE = Actor(Role.CONSUMER, "u-alice")
NOW = datetime.now(UTC)


def forged(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    base = {"iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(hours=1)).timestamp())}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns that our key is short for HS512
        return jwt.encode({**base, **claims}, key, algorithm=algorithm)


BAD_TOKENS = {
    "alg none": jwt.encode({"sub": "x", "role": "SUPERVISOR", "exp": 2**31}, "", algorithm="none"),
    "expired": token(SUPERVISOR, ttl=timedelta(seconds=-60)),
    "wrong key": forged({"sub": "x", "role": "SUPERVISOR"}, key="not-the-key-" * 4),
    "unknown role": forged({"sub": "x", "role": "OVERLORD"}),
    "system role": forged({"sub": "x", "role": "SYSTEM"}),
    "seller without a shop": forged({"sub": "x", "role": "SELLER"}),
    "HS512 with the right key": forged({"sub": "x", "role": "SUPERVISOR"}, algorithm="HS512"),
    "garbage": "a.b.c",
}


@pytest.fixture(scope="module")
def secured(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    import uuid

    import psycopg

    schema = f"sec_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = postgres_server.replace("postgres@", f"postgres:{PASSWORD}@", 1) + f"?schema={schema}"
    server = Server(url, tmp_path_factory.mktemp("security"), LOG_LEVEL="debug")
    for shop in ("acme", "globex"):
        server.data(
            'mutation($s: String!) { registerSeller(input: {shopId: $s, name: "Shop",'
            ' deposit: {amount: "100", currency: "CNY"}}) { __typename } }',
            {"s": shop},
            SUPERVISOR,
        )
    server.record_order("o-1", shop="acme", consumer=ALICE)
    filed = server.data(
        'mutation { fileComplaint(input: {shopId: "acme", orderId: "o-1", category: DAMAGED,'
        ' description: "Cracked screen on arrival.", requestedRemedy: {type: REFUND,'
        ' amount: {amount: "10", currency: "CNY"}}}) { ... on Complaint { id } } }',
        actor=ALICE,
    )["fileComplaint"]
    yield server, filed["id"]
    server.stop()
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_a_bad_token_is_refused_over_http(secured: tuple[Server, str], name: str) -> None:
    server, _ = secured
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ viewerRole complaints(first: 5) { totalCount } }"},
        headers={"Authorization": f"Bearer {BAD_TOKENS[name]}"},
        timeout=10,
    )
    assert response.status_code == 401, name
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.json() or response.json()["data"] is None


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_a_bad_token_is_refused_over_websocket(secured: tuple[Server, str], name: str) -> None:
    server, _ = secured

    async def handshake() -> int | None:
        async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
            payload = {"Authorization": f"Bearer {BAD_TOKENS[name]}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            try:
                await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
            return None

    assert asyncio.run(handshake()) == 4403


def test_one_shop_neither_reads_nor_follows_anothers_case(secured: tuple[Server, str]) -> None:
    server, complaint_id = secured
    query = "query($id: ID!) { complaint(id: $id) { reference description } }"
    assert server.data(query, {"id": complaint_id}, ACME)["complaint"] is not None
    assert server.data(query, {"id": complaint_id}, GLOBEX)["complaint"] is None
    listed = server.data("{ complaints(first: 50) { totalCount } }", actor=GLOBEX)
    assert listed["complaints"]["totalCount"] == 0
    node = server.data("query($id: ID!) { node(id: $id) { id } }", {"id": complaint_id}, GLOBEX)
    assert node["node"] is None

    async def follow() -> dict[str, Any]:
        async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
            init = {"Authorization": f"Bearer {token(GLOBEX)}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            await asyncio.wait_for(ws.recv(), 10)
            subscribe = {
                "query": "subscription($id: ID!) { complaintUpdates(complaintId: $id, after: 0)"
                " { position } }",
                "variables": {"id": complaint_id},
            }
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return message

    refused = asyncio.run(follow())
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "NOT_ALLOWED"


BOMBS = {
    "depth": "{ complaints { edges { node { "
    + "timeline { edges { node { " * 12
    + "type"
    + " } } }" * 12
    + " } } } }",
    "aliases": "{" + " ".join(f"a{i}: complaints {{ totalCount }}" for i in range(500)) + "}",
    "fragments": "query { ...F0 } "
    + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    + " fragment F30 on Query { viewerRole }",
    "tokens": "{ viewerRole " + "__typename " * 20000 + "}",
    "introspection": "{ __schema { types { "
    + "fields { type { " * 6
    + "name"
    + " } }" * 6
    + " } } }",
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bombs_are_refused_before_they_run(secured: tuple[Server, str], name: str) -> None:
    server, _ = secured
    started = time.monotonic()
    response = server.post(BOMBS[name], actor=SUPERVISOR)
    elapsed = time.monotonic() - started
    assert response.status_code in {200, 400, 413}
    body = response.json() if response.status_code != 413 else {"errors": [{}]}
    assert body.get("errors"), body
    assert not body.get("data")
    # A safety net against a blow-up, not a speed target (speed is measured in bench/).
    assert elapsed < 5, elapsed


def test_a_batch_of_requests_is_refused(secured: tuple[Server, str]) -> None:
    server, _ = secured
    batch = [{"query": "{ complaints { totalCount } }"}] * 100
    response = httpx.post(
        f"{server.url}/graphql",
        json=batch,
        headers={"Authorization": f"Bearer {token(SUPERVISOR)}"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500


def test_no_secret_reaches_the_log(secured: tuple[Server, str], tmp_path: Path) -> None:
    """After every kind of request above (and a few more), at debug level, the log holds neither
    the signing key, nor the database password, nor any bearer token."""
    server, _ = secured
    good = token(SUPERVISOR)
    server.post("{ viewerRole }", actor=SUPERVISOR)
    server.post('{ complaint(id: "nonsense") { reference } }', actor=SUPERVISOR)
    httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ viewerRole }"},
        headers={"Authorization": f"Bearer {good}x"},
        timeout=10,
    )
    log = server.output()
    assert log, "the server wrote no log at all"
    for secret in [SECRET, PASSWORD, good, *BAD_TOKENS.values()]:
        assert secret not in log
