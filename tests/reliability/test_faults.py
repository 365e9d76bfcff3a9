"""Faults against real processes: PostgreSQL restarted under load, and the server killed in the
middle of requests. Clients retry with the same idempotency key, as a real client would, until a
command is acknowledged; afterwards every acknowledged command is in the store exactly once, no
command is half applied, and a subscriber that reconnects with `after` has missed nothing.

(The projection worker killed with SIGKILL over and over is
tests/projections/test_runner.py::test_killed_workers_lose_nothing_and_repeat_nothing.)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from complaints.application import ComplaintsApp
from complaints.audit import verify_store
from complaints.domain.values import Actor, Role
from complaints.graphql.ids import parse_uuid
from complaints.settings import Settings
from tests.e2e.conftest import PROTOCOL, SUPERVISOR, Server, token
from tests.invariants import check_case, check_ledger

# Serial: it restarts the PostgreSQL server every test shares, and kills processes on a clock.
pytestmark = [pytest.mark.reliability, pytest.mark.serial]

#: The clients file about claimed orders, retrying each filing by its idempotency key; what is
#: measured is what a fault loses, not the orders' check (ORDER_CHECK=off).
UNCHECKED = {"ORDER_CHECK": "off"}
SELLER = Actor(Role.SELLER, "staff-1", "acme")
CONSUMERS = [Actor(Role.CONSUMER, f"u-{n}") for n in range(8)]
AGENT = Actor(Role.AGENT, "agent-1")
FILE = """mutation($input: FileComplaintInput!) { fileComplaint(input: $input) {
  __typename ... on Complaint { id version } ... on Error { code } } }"""
ACCEPT = """mutation($input: ComplaintActionInput!) { acceptComplaint(input: $input) {
  __typename ... on Complaint { id version } ... on Error { code } } }"""
FOLLOW = "subscription($after: Int) { myComplaintUpdates(after: $after) { position entry { type }"
FOLLOW += " complaint { id } } }"


class Acknowledged:
    """What the server said yes to, and how hard it was to get there."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.filed: dict[str, str] = {}  # idempotency key -> complaint id
        self.accepted: dict[str, int] = {}  # complaint id -> version
        self.retries = 0
        self.failures: list[str] = []


def attempt(
    client: httpx.Client, url: str, query: str, variables: dict[str, Any], actor: Actor
) -> dict[str, Any] | None:
    """One try: the result, or None if the server could not answer (to be retried)."""
    try:
        response = client.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token(actor)}"},
        )
    except httpx.TransportError:
        return None
    if response.status_code >= 500:
        return None
    body = response.json()
    if body.get("errors"):
        codes = {e.get("extensions", {}).get("code") for e in body["errors"]}
        assert codes <= {"INTERNAL_ERROR", "UNAVAILABLE"}, body
        return None  # the store was away: masked, and safe to retry
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


def until_acknowledged(
    url: Callable[[], str],
    query: str,
    variables: dict[str, Any],
    actor: Actor,
    acknowledged: Acknowledged,
    deadline: float,
) -> dict[str, Any] | None:
    with httpx.Client(timeout=15) as client:
        while time.monotonic() < deadline:
            result = attempt(client, url(), query, variables, actor)
            if result is not None:
                return result
            with acknowledged.lock:
                acknowledged.retries += 1
            time.sleep(0.1)
    return None


def load(url: Callable[[], str], acknowledged: Acknowledged, stop: threading.Event, n: int) -> None:
    """File complaints and accept them, each retried with its key until acknowledged."""
    consumer = CONSUMERS[n % len(CONSUMERS)]
    while not stop.is_set():
        key = f"load-{n}-{uuid.uuid4().hex[:8]}"
        filed = until_acknowledged(
            url,
            FILE,
            {
                "input": {
                    "shopId": "acme",
                    "orderId": key,
                    "category": "DAMAGED",
                    "description": "Broken on arrival.",
                    "requestedRemedy": {
                        "type": "REFUND",
                        "amount": {"amount": "50.00", "currency": "CNY"},
                    },
                    "idempotencyKey": key,
                }
            },
            consumer,
            acknowledged,
            time.monotonic() + 120,
        )
        if filed is None or filed.get("__typename") != "Complaint":
            acknowledged.failures.append(f"file {key}: {filed}")
            return
        with acknowledged.lock:
            acknowledged.filed[key] = filed["id"]
        accepted = until_acknowledged(
            url,
            ACCEPT,
            {"input": {"complaintId": filed["id"], "idempotencyKey": f"accept-{key}"}},
            AGENT,
            acknowledged,
            time.monotonic() + 120,
        )
        if accepted is None or accepted.get("__typename") != "Complaint":
            acknowledged.failures.append(f"accept {key}: {accepted}")
            return
        with acknowledged.lock:
            acknowledged.accepted[accepted["id"]] = accepted["version"]


class Follower(threading.Thread):
    """A seller following all its cases, reconnecting with `after` whenever the socket drops."""

    def __init__(self, url: Callable[[], str]) -> None:
        super().__init__(name="follower", daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.position = 0  # from the beginning of the log: everything of the seller's
        self.filed: set[str] = set()
        self.positions: list[int] = []
        self.reconnects = 0
        self.dropping = threading.Event()

    def drop(self) -> None:
        """Drop the socket, as a phone losing its network would; it reconnects with `after`."""
        self.dropping.set()

    def run(self) -> None:
        asyncio.run(self.follow())

    async def follow(self) -> None:
        while not self.stop.is_set():
            try:
                await self.session()
            except (OSError, websockets.WebSocketException, TimeoutError):
                self.reconnects += 1
                await asyncio.sleep(0.2)

    async def session(self) -> None:
        ws_url = self.url().replace("http://", "ws://") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=[PROTOCOL]) as ws:
            init = {"Authorization": f"Bearer {token(SELLER)}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            await asyncio.wait_for(ws.recv(), 10)
            variables = {"after": self.position}
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": FOLLOW, "variables": variables},
                    }
                )
            )
            while not self.stop.is_set():
                if self.dropping.is_set():
                    self.dropping.clear()
                    raise ConnectionResetError("dropped on purpose")
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except TimeoutError:
                    continue
                if message["type"] != "next" or message["payload"].get("errors"):
                    # The stream ended (the store was away): reconnect from our position.
                    raise websockets.WebSocketException(str(message))
                update = message["payload"]["data"]["myComplaintUpdates"]
                self.positions.append(update["position"])
                self.position = update["position"]
                if update["entry"]["type"] == "Filed":
                    self.filed.add(update["complaint"]["id"])


def check_store(url: str, acknowledged: Acknowledged) -> dict[str, int]:
    """Every acknowledged command is in the store exactly once; nothing is half applied."""
    app = ComplaintsApp(Settings(database_url=url))
    try:
        ids = {parse_uuid("Complaint", g, "complaintId") for g in acknowledged.filed.values()}
        assert len(ids) == len(acknowledged.filed)
        stored: set[str] = set()
        position = 0
        while batch := app.recorder.select_notifications(start=position + 1, limit=1000):
            stored.update(
                str(n.originator_id) for n in batch if n.topic.endswith("Complaint.Filed")
            )
            position = batch[-1].id
        # Each key made one complaint: none lost, none made twice by a retry.
        assert stored == {str(i) for i in ids}
        for global_id, version in acknowledged.accepted.items():
            complaint = app.get_complaint(parse_uuid("Complaint", global_id, "complaintId"))
            assert complaint.version >= version
            assert complaint.status.value == "NEGOTIATING"
        for complaint_id in ids:
            check_case(app.history(complaint_id))
        check_ledger(app.get_seller("acme"))
        report = verify_store(app)
        assert report.broken == {}
        return {"complaints": len(ids), "events": report.events}
    finally:
        app.close()


def register(server: Server) -> None:
    registered = server.data(
        'mutation { registerSeller(input: {shopId: "acme", name: "Acme",'
        ' deposit: {amount: "1000", currency: "CNY"}}) { __typename } }',
        actor=SUPERVISOR,
    )
    assert registered["registerSeller"]["__typename"] == "Seller"


def restart_postgres() -> float:
    if os.geteuid() != 0 or not Path("/usr/bin/pg_ctlcluster").exists():
        pytest.fail("restarting PostgreSQL needs root and pg_ctlcluster")
    (version,) = os.listdir("/etc/postgresql")
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "--force", version, "main", "restart"],
        check=True,
        timeout=120,
    )
    return time.monotonic() - started


@pytest.mark.postgres
def test_postgres_restarted_under_load_loses_nothing(postgres_url: str, tmp_path: Path) -> None:
    server = Server(postgres_url, tmp_path, **UNCHECKED)
    acknowledged = Acknowledged()
    stop = threading.Event()
    follower = Follower(lambda: server.url)
    try:
        register(server)
        follower.start()
        clients = [
            threading.Thread(target=load, args=(lambda: server.url, acknowledged, stop, n))
            for n in range(8)
        ]
        for client in clients:
            client.start()
        time.sleep(3)
        before = len(acknowledged.accepted)
        downtime = restart_postgres()
        follower.drop()
        time.sleep(4)
        stop.set()
        for client in clients:
            client.join(timeout=180)
        after = len(acknowledged.accepted)
        # The server recovered by itself: commands were acknowledged after the restart.
        assert after > before
        assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
        # The follower, reconnecting with `after` as it must, heard of every complaint.
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline and not set(acknowledged.filed.values()) <= follower.filed
        ):
            time.sleep(0.2)
        follower.stop.set()
        follower.join(timeout=10)
    finally:
        stop.set()
        follower.stop.set()
        server.stop()
    assert acknowledged.failures == []
    missed = set(acknowledged.filed.values()) - follower.filed
    assert not missed, (
        f"{len(missed)} of {len(acknowledged.filed)} missed; the follower reconnected"
        f" {follower.reconnects} times, last at position {follower.position}; server log:\n"
        f"{server.output()[-20000:]}"
    )
    assert follower.positions == sorted(set(follower.positions))  # nothing twice, in order
    assert follower.reconnects >= 1
    figures = check_store(postgres_url, acknowledged)
    print(
        f"postgres restart: {figures}, restart took {downtime:.1f} s, {acknowledged.retries}"
        f" retried requests, follower reconnected {follower.reconnects} times"
    )


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_the_server_killed_mid_request_loses_nothing_acknowledged(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if store == "postgres":
        request.applymarker(pytest.mark.postgres)
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'kill.db'}"
    servers = [Server(url, tmp_path, **UNCHECKED)]
    acknowledged = Acknowledged()
    stop = threading.Event()
    kills = 0
    try:
        register(servers[0])
        clients = [
            threading.Thread(target=load, args=(lambda: servers[-1].url, acknowledged, stop, n))
            for n in range(8)
        ]
        for client in clients:
            client.start()
        for _ in range(3):
            time.sleep(1.5)
            servers[-1].process.send_signal(signal.SIGKILL)
            servers[-1].process.wait()
            kills += 1
            servers.append(Server(url, tmp_path, **UNCHECKED))
        time.sleep(1.5)
        stop.set()
        for client in clients:
            client.join(timeout=180)
    finally:
        stop.set()
        for server in servers:
            server.stop()
    assert acknowledged.failures == []
    assert len(acknowledged.accepted) > 10
    figures = check_store(url, acknowledged)
    print(f"server killed on {store}: {figures}, {kills} kills, {acknowledged.retries} retries")
