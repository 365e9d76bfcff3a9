"""Real `complaints serve` processes, and small HTTP and WebSocket clients for them."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import websockets

from complaints.domain.values import Actor, Role
from complaints.tokens import mint_token
from tests.keys import LOG_SIGNING_KEY

ROOT = Path(__file__).resolve().parents[2]
SECRET = "end-to-end-test-signing-secret-0123456789"
#: The marketplace's own systems, which record the orders complaints are about.
MARKETPLACE = Actor(Role.MARKETPLACE, "marketplace")
#: When the orders the tests complain about were paid: before any of them began.
PAID_AT = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
RECORD_ORDER = """mutation($input: RecordOrderInput!) { recordOrder(input: $input) { __typename
  ... on Error { code message } } }"""


CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (which cannot download its own here)."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (.ci/run installs Debian's package)")
        pytest.skip("needs Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


#: Ports for the servers the tests start, handed out in turn from a block of this process's own:
#: one block per pytest-xdist worker (gw0, gw1, …), another for a run without workers. They lie
#: below the system's ephemeral range (32768 and up on Linux), from which `bind(("…", 0))` and
#: outgoing connections draw, so no other test and no client takes one between our probe and the
#: server's own bind; and no two workers of a run are ever handed the same port. Each process
#: starts at a random place in its block, so that runs from two checkouts at once seldom meet.
PORT_BLOCK = 400
PORT_BLOCKS = 12  # 20000-24799: clear of the ephemeral range and of 25672 (Erlang's)


def _port_block() -> list[int]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    slot = (int(worker[2:]) + 1) % PORT_BLOCKS if worker.startswith("gw") else 0
    block = list(range(20000 + slot * PORT_BLOCK, 20000 + (slot + 1) * PORT_BLOCK))
    start = random.SystemRandom().randrange(PORT_BLOCK)
    return block[start:] + block[:start]


_PORTS = itertools.cycle(_port_block())


def free_port() -> int:
    """A port of this process's block that nothing is bound to (nor lingering on) now."""
    for _ in range(PORT_BLOCK):
        port = next(_PORTS)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))  # without SO_REUSEADDR: TIME_WAIT counts as taken
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in this process's block of {PORT_BLOCK}")


def token(actor: Actor, ttl: timedelta = timedelta(hours=1)) -> str:
    return mint_token(
        SECRET, role=actor.role, sub=actor.id, shop_id=actor.shop_id, now=datetime.now(UTC), ttl=ttl
    )


class Server:
    """One `complaints serve` process."""

    def __init__(self, database_url: str, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.workdir = workdir
        settings = {
            "DATABASE_URL": database_url,
            "JWT_SECRET": SECRET,
            # Production requires one; development would make one beside the database.
            "LOG_SIGNING_KEY": LOG_SIGNING_KEY,
            "UPLOAD_DIR": str(workdir / "uploads"),
            "LOG_LEVEL": "warning",
            **env,
        }
        self.log = (workdir / f"server-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "complaints", "serve", "--port", str(self.port)],
            cwd=workdir,
            env={**os.environ, **settings},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"server did not start:\n{self.output()}")

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return (self.workdir / f"server-{self.port}.log").read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        actor: Actor | None = None,
        **kw: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
            timeout=30,
            **kw,
        )

    def data(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> Any:
        response = self.post(query, variables, actor)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def record_order(
        self, order_id: str, *, shop: str, consumer: Actor, amount: str = "10000.00"
    ) -> str:
        """Record an order as the marketplace does (paid when this test run began, so that
        recording it again changes nothing), so that the consumer may complain about it; its
        id."""
        recorded = self.data(
            RECORD_ORDER,
            {
                "input": {
                    "orderId": order_id,
                    "shopId": shop,
                    "consumerId": consumer.id,
                    "amount": {"amount": amount, "currency": "CNY"},
                    "paidAt": PAID_AT,
                }
            },
            MARKETPLACE,
        )["recordOrder"]
        assert recorded["__typename"] == "Order", recorded
        return order_id


class Subscriber:
    """A graphql-transport-ws client for one subscription."""

    def __init__(self, server: Server, actor: Actor | None) -> None:
        self.server = server
        self.actor = actor
        self.ws: Any = None

    async def connect(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        self.ws = await websockets.connect(self.server.ws_url, subprotocols=[PROTOCOL])
        if payload is None:
            payload = {"Authorization": f"Bearer {token(self.actor)}"} if self.actor else {}
        await self.ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        return json.loads(await asyncio.wait_for(self.ws.recv(), 10))  # type: ignore[no-any-return]

    async def subscribe(self, query: str, variables: dict[str, Any]) -> None:
        await self.ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))  # type: ignore[no-any-return]

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh database for the module's servers: a SQLite file, or a PostgreSQL schema."""
    with fresh_store(request.param, request, tmp_path_factory) as url:
        yield url


@contextmanager
def fresh_store(
    kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A new database of the kind named ("sqlite" or "postgres"): a SQLite file, or a
    PostgreSQL schema that is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'complaints.db'}"
        return
    base: str = request.getfixturevalue("postgres_server")
    schema = f"e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{base}?schema={schema}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def server(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store, tmp_path_factory.mktemp("server"), UPLOAD_MAX_BYTES="100000")
    yield running
    running.stop()


SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-1")
PROTOCOL = websockets.Subprotocol("graphql-transport-ws")


def until(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Ask `check` until it answers something true (which is returned), or fail after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
