"""Deployment shapes: two servers on one PostgreSQL, and the production switches."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from complaints.compat import spread_workers
from complaints.domain.values import Actor, Role
from complaints.ops.cli import tcp_socket, tcp_sockets
from tests.e2e.conftest import PROTOCOL, SECRET, SUPERVISOR, Server, Subscriber, free_port
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
        first.record_order("o-2", shop="two-shop", consumer=consumer)
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
        assert httpx.get(f"{server.url}/graphiql/graphiql.min.js").status_code == 404
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


def test_several_workers_start_together_on_a_fresh_database(
    shared_postgres: str, tmp_path: Path
) -> None:
    """`serve --workers 2` on an empty schema: both processes create their tables and serve."""
    port = free_port()
    log = (tmp_path / "workers.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "complaints", "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": shared_postgres, "JWT_SECRET": SECRET},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ready = None
        for _ in range(150):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert ready is not None, (tmp_path / "workers.log").read_text()
        assert ready.status_code == 200, (tmp_path / "workers.log").read_text()
        with httpx.Client() as client:  # one keep-alive connection, served by either worker
            for _ in range(20):
                answer = client.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}
                )
                assert answer.json() == {"data": {"__typename": "Query"}}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert "Traceback" not in (tmp_path / "workers.log").read_text()


def test_connections_to_several_workers_are_not_delayed_by_nagle() -> None:
    """Accepted connections get TCP_NODELAY, as asyncio gives them on a socket named TCP."""

    async def scenario() -> int:
        listening = tcp_socket("127.0.0.1", 0)
        listening.listen()
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
        nodelay = await asyncio.wait_for(accepted, 5)
        writer.close()
        server.close()
        return nodelay

    assert asyncio.run(scenario()) != 0


def test_each_worker_listens_on_a_socket_of_its_own_and_the_kernel_spreads_connections() -> None:
    """With one shared socket, the first idle worker took every connection of a burst."""
    sockets = tcp_sockets("127.0.0.1", 0, 2)
    try:
        assert len({s.getsockname() for s in sockets}) == 1
        for s in sockets:
            s.listen(128)
            s.setblocking(False)
        clients = [socket.create_connection(sockets[0].getsockname()) for _ in range(64)]
        time.sleep(0.2)
        accepted = [0, 0]
        for n, s in enumerate(sockets):
            while True:
                try:
                    conn, _ = s.accept()
                except BlockingIOError:
                    break
                accepted[n] += 1
                conn.close()
        for client in clients:
            client.close()
    finally:
        for s in sockets:
            s.close()
    assert sum(accepted) == 64
    assert min(accepted) > 0, accepted


def test_a_worker_and_its_replacement_serve_the_same_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn
    from uvicorn.supervisors import multiprocess

    started: list[tuple[int, list[socket.socket]]] = []

    class FakeProcess:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            self.sockets, self.alive, self.exitcode, self.pid = sockets, True, 1, len(started)

        def start(self) -> None:
            started.append((self.pid, self.sockets))

        def is_alive(self, timeout: float) -> bool:
            return self.alive

        def kill(self) -> None:
            self.alive = False

        def join(self) -> None:
            pass

    monkeypatch.setattr(multiprocess, "Process", FakeProcess)
    sockets = tcp_sockets("127.0.0.1", 0, 3)
    try:
        config = uvicorn.Config("complaints.web.server:create_app_from_env", workers=3)
        supervisor = spread_workers(config, sockets)
        supervisor.init_processes()
        assert [s for _, s in started] == [[sockets[0]], [sockets[1]], [sockets[2]]]
        supervisor.processes[1].alive = False  # type: ignore[attr-defined]
        supervisor.keep_subprocess_alive()
        assert started[-1][1] == [sockets[1]]
        assert supervisor.processes[1].pid == 3
    finally:
        for s in sockets:
            s.close()


def test_each_server_process_sets_its_collector_for_many_long_held_connections(
    tmp_path: Path,
) -> None:
    """What `complaints serve` builds in each worker (see `steady_collector`): young
    collections every 10,000 objects, and what starting built frozen out of full ones."""
    probe = (
        "import gc, json\n"
        "from complaints.web.server import GC_YOUNG, create_app_from_env\n"
        "before = gc.get_threshold()\n"
        "create_app_from_env()\n"
        "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count(), GC_YOUNG]))\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'complaints.db'}"}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    before, after, frozen, young = json.loads(out.strip().splitlines()[-1])
    assert before[0] == 700  # CPython's default
    assert after == [young, before[1], before[2]]
    assert frozen > 10_000  # modules, classes, the schema
