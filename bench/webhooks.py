"""Webhook deliveries per second to a local receiver, against plain httpx POST loops, in one run.

    .venv/bin/python -m bench.webhooks                 # 300 cases, SQLite in a temporary directory
    .venv/bin/python -m bench.webhooks --cases 50 --concurrency 4

One shop, one endpoint, N cases (each filed, accepted, and a message either way: 7 timeline
entries its staff see), the read models caught up before anything is timed. Then:
- the deliverer: `WebhookDeliverer.run_once` until all is delivered. A pass first owes the new
  entries to the endpoint, then sends them, signed, WEBHOOK_CONCURRENCY at once; both the sending
  alone and the whole pass are shown;
- the baselines: as many JSON bodies of the same mean size POSTed with a plain `httpx.Client`,
  one after another, and from WEBHOOK_CONCURRENCY threads sharing one client.
The receiver, the same for all, is a tiny Starlette app answering 204 in its own uvicorn process.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.common import figures, record_order, store_url
from bench.http import start
from complaints.application import ComplaintsApp
from complaints.domain.values import Actor, Category, Money, Remedy, RemedyType, Role
from complaints.projections.read_models import ReadModels
from complaints.projections.webhooks import EndpointRow
from complaints.settings import Settings
from complaints.workers.webhooks import WebhookDeliverer

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
SELLER = Actor(Role.SELLER, "staff-1", "acme")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))

# ---------------------------------------------------------------- the receiver (its own process)
_received = {"count": 0, "bytes": 0}
_ids: set[str] = set()


async def _hook(request: Request) -> Response:
    body = await request.body()
    _received["count"] += 1
    _received["bytes"] += len(body)
    if "webhook-id" in request.headers:
        _ids.add(request.headers["webhook-id"])
    return Response(status_code=204)


async def _stats(request: Request) -> Response:
    if request.method == "DELETE":
        _received.update(count=0, bytes=0)
        _ids.clear()
    return JSONResponse({**_received, "ids": len(_ids)})


receiver = Starlette(
    routes=[
        Route("/hook", _hook, methods=["POST"]),
        Route("/stats", _stats, methods=["GET", "DELETE"]),
        Route("/healthz", lambda _: Response(status_code=204)),
    ]
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def receiving() -> Iterator[str]:
    """The receiver in a uvicorn process of its own (one worker); its base URL."""
    port = free_port()
    root = Path(__file__).resolve().parents[1]
    process = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.webhooks:receiver",
            "--app-dir",
            str(root),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        {},
        port,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def received(base: str, *, reset: bool = False) -> dict[str, int]:
    answer = httpx.request("DELETE" if reset else "GET", f"{base}/stats", trust_env=False)
    counts: dict[str, int] = answer.raise_for_status().json()
    return counts


# ---------------------------------------------------------------- the deliverer
class TimedDeliverer(WebhookDeliverer):
    """The deliverer, noting when a pass has owed what is new and starts sending it."""

    owed_at = 0.0

    def _owe(
        self, active: dict[UUID, EndpointRow], positions: dict[UUID, int], now: datetime
    ) -> int:
        owed = super()._owe(active, positions, now)
        self.owed_at = time.perf_counter()
        return owed


def fill(app: ComplaintsApp, cases: int, console: Console, hook: str) -> None:
    """The shop and its endpoint first: an endpoint is owed what comes after its registration."""
    app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("1000000"), "CNY"))
    app.register_webhook(SELLER, "acme", hook)
    with Progress(
        TextColumn("filing cases"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("fill", total=cases)
        for n in range(cases):
            consumer = Actor(Role.CONSUMER, f"u-{n}")
            complaint = app.file_complaint(
                consumer,
                "acme",
                record_order(app, consumer.id, f"order-{n}"),
                Category.DAMAGED,
                f"Case {n}: the parcel arrived crushed and the lamp inside is broken.",
                REFUND,
            )
            app.accept_complaint(AGENT, complaint.id)
            app.post_message(consumer, complaint.id, "Photos of the box are attached to the order.")
            app.post_message(SELLER, complaint.id, "Sorry about that; we are looking into it.")
            progress.advance(task)


def deliver(deliverer: TimedDeliverer) -> tuple[int, float, float]:
    """`run_once` until all that is owed is delivered: (delivered, seconds owing, seconds sending).
    One pass should do: it sends until nothing is due."""
    started = time.perf_counter()
    done = deliverer.run_once()
    owing = deliverer.owed_at - started
    owed, delivered = done.owed, done.delivered
    while delivered < owed and done.delivered and not done.failed:
        done = deliverer.run_once()
        owed, delivered = owed + done.owed, delivered + done.delivered
    total = time.perf_counter() - started
    if done.failed or not delivered or delivered != owed:
        raise SystemExit(f"{owed} owed, {delivered} delivered; the last pass: {done}")
    return delivered, owing, total - owing


# ---------------------------------------------------------------- the baselines
def body_of(size: int) -> dict[str, object]:
    """A webhook-like JSON body of `size` bytes, as httpx encodes it (compact)."""
    body: dict[str, object] = {
        "type": "complaint.MessagePosted",
        "timestamp": "2026-01-05T09:00:00+00:00",
        "data": {"position": 1, "text": ""},
    }
    filler = max(size - len(json.dumps(body, separators=(",", ":"))), 0)
    body["data"] = {"position": 1, "text": "x" * filler}
    return body


def sequential(url: str, body: dict[str, object], requests: int) -> float:
    with httpx.Client(trust_env=False) as client:
        client.post(url, json=body).raise_for_status()  # connected before the clock starts
        started = time.perf_counter()
        for _ in range(requests):
            client.post(url, json=body).raise_for_status()
        return time.perf_counter() - started


def concurrent(url: str, body: dict[str, object], requests: int, threads: int) -> float:
    with (
        httpx.Client(trust_env=False) as client,
        ThreadPoolExecutor(threads) as pool,
    ):

        def post(_: int) -> None:
            client.post(url, json=body).raise_for_status()

        list(pool.map(post, range(threads)))  # connected before the clock starts
        started = time.perf_counter()
        list(pool.map(post, range(requests)))
        return time.perf_counter() - started


# ---------------------------------------------------------------- the run
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument(
        "--concurrency", type=int, default=None, help="WEBHOOK_CONCURRENCY (default: settings')"
    )
    parser.add_argument(
        "--database-url", default=None, help="default: SQLite in a temporary directory"
    )
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {"WEBHOOK_ALLOW_PRIVATE": "true", "UPLOAD_DIR": str(Path(tmp) / "uploads")}
        if args.concurrency is not None:
            env["WEBHOOK_CONCURRENCY"] = str(args.concurrency)
        with store_url(url) as store, receiving() as base:
            run(Settings.from_env({**env, "DATABASE_URL": store}), args.cases, base, console)


def run(settings: Settings, cases: int, base: str, console: Console) -> None:
    app = ComplaintsApp(settings)
    models = ReadModels(app)
    try:
        fill(app, cases, console, f"{base}/hook")
        models.catch_up()
        received(base, reset=True)
        deliverer = TimedDeliverer(app, models)
        try:
            delivered, owing, sending = deliver(deliverer)
        finally:
            deliverer.stop()
    finally:
        models.close()
        app.close()
    got = received(base)
    assert got["count"] == got["ids"] == delivered, (got, delivered)
    size = got["bytes"] // delivered
    threads = settings.webhook_concurrency
    body = body_of(size)
    plain = sequential(f"{base}/hook", body, delivered)
    plain_pooled = concurrent(f"{base}/hook", body, delivered, threads)
    one_by_one, pooled = delivered / plain, delivered / plain_pooled

    def row(what: str, seconds: float) -> list[str]:
        rate = delivered / seconds
        return [
            what,
            f"{seconds:.2f}",
            f"{rate:,.0f}",
            f"{rate / one_by_one:.2f}",
            f"{rate / pooled:.2f}",
        ]

    figures(
        f"webhook deliveries per second: {delivered:,} of ~{size:,} bytes ({cases:,} cases),"
        f" {threads} at once, to a uvicorn receiver on 127.0.0.1; {settings.store.kind} store",
        ["what", "seconds", "POSTs/s", "vs sequential loop", f"vs {threads} threads"],
        [
            row("baseline: httpx.Client POST loop, one at a time", plain),
            row(f"baseline: the same from {threads} threads sharing one client", plain_pooled),
            row("WebhookDeliverer.run_once: sending (after owing)", sending),
            row(f"WebhookDeliverer.run_once: owing ({owing:.2f} s) + sending", owing + sending),
        ],
    )


if __name__ == "__main__":
    main()
