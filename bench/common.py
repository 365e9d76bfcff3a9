"""What the benchmarks share: a fresh PostgreSQL schema, a closed-loop driver for N concurrent
clients, a table that prints every figure beside its baseline's, and `goal`, which records a
goal's figure for the one table `make bench` ends with (bench/summary.py)."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from complaints.application import ComplaintsApp
from complaints.domain.order import OrderStatement
from complaints.domain.values import Actor, Money, Role

DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
console = Console(width=150)

#: The marketplace, which records the orders the benchmarks' complaints are about.
MARKETPLACE = Actor(Role.MARKETPLACE, "bench-marketplace")
#: What each of those orders cost: more than any remedy asked.
ORDER_AMOUNT = Money(Decimal("100000.00"), "CNY")
#: More filings per second than any run of ours makes (docs/performance.md): how many orders a
#: filing benchmark records ahead of its clients.
FILINGS_PER_SECOND_CAP = 1500
#: Orders recorded in one transaction when recording ahead.
ORDER_BATCH = 500


def record_order(app: ComplaintsApp, consumer_id: str, order_id: str, shop: str = "acme") -> str:
    """Record an order as the marketplace does when it is paid, so that a complaint may name
    it (ORDER_CHECK); its id."""
    app.record_order(MARKETPLACE, shop, order_id, consumer_id, ORDER_AMOUNT, app.clock.now())
    return order_id


def record_orders(app: ComplaintsApp, orders: list[tuple[str, str]], shop: str = "acme") -> None:
    """Record orders, (consumer id, order id) each, in batches of one transaction: ahead of a
    closed loop of filings, whose measured time they must not take."""
    now = app.clock.now()
    statements = [
        OrderStatement(shop, order_id, consumer_id, ORDER_AMOUNT, now)
        for consumer_id, order_id in orders
    ]
    for start in range(0, len(statements), ORDER_BATCH):
        app.record_orders(MARKETPLACE, statements[start : start + ORDER_BATCH])


def orders_ahead(clients: int, seconds: float, warmup: float = 0.5) -> int:
    """How many orders each of `clients` may file about in a run of `seconds`: more than it
    will (FILINGS_PER_SECOND_CAP)."""
    return int((warmup + seconds + 0.5) * FILINGS_PER_SECOND_CAP / clients) + 20


@dataclass(frozen=True)
class Schema:
    """A new, empty PostgreSQL schema: `url` for the application, `connect()` for psycopg."""

    base: str
    name: str

    @property
    def url(self) -> str:
        return f"{self.base}?schema={self.name}"

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.base, autocommit=True, options=f"-c search_path={self.name}")


@contextmanager
def fresh_schema(url: str = DEFAULT_URL, keep: bool = False) -> Iterator[Schema]:
    """A new PostgreSQL schema for the application's tables, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield Schema(url, schema)
    finally:
        if not keep:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def store_url(url: str = DEFAULT_URL, keep: bool = False) -> Iterator[str]:
    """The DATABASE_URL to benchmark on: a fresh schema on PostgreSQL, else the URL as given."""
    if not url.startswith("postgres"):
        yield url
        return
    with fresh_schema(url, keep) as schema:
        yield schema.url


@dataclass
class Run:
    """What N clients did in a closed loop: operations, seconds, and each operation's latency."""

    clients: int
    operations: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.operations / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]


def closed_loop(
    clients: int,
    seconds: float,
    make_client: Callable[[int], Callable[[int], object]],
    warmup: float = 0.5,
) -> Run:
    """Run `clients` threads, each calling its operation back to back for `seconds` (after a
    warm-up that is not counted). `make_client(n)` builds client n's operation, which receives
    a running count."""
    operations = [make_client(n) for n in range(clients)]
    counts = [0] * clients
    errors = [0] * clients
    shown = [False] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    phase = {"measuring": False, "stop": False}

    def work(n: int) -> None:
        operation = operations[n]
        i = 0
        start.wait()
        while not phase["stop"]:
            began = time.perf_counter()
            try:
                operation(i)
            except Exception:
                if not shown[n]:
                    shown[n] = True
                    console.print_exception(max_frames=3)
                i += 1
                if phase["measuring"]:
                    errors[n] += 1
                continue  # a failed operation is not counted as done
            i += 1
            if phase["measuring"]:
                counts[n] += 1
                latencies[n].append(time.perf_counter() - began)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(warmup)
    phase["measuring"] = True
    began = time.monotonic()
    time.sleep(seconds)
    phase["measuring"] = False
    elapsed = time.monotonic() - began
    phase["stop"] = True
    for thread in threads:
        thread.join()
    return Run(
        clients,
        sum(counts),
        elapsed,
        [latency for per_client in latencies for latency in per_client],
        sum(errors),
    )


def figures(title: str, columns: list[str], rows: list[list[str]]) -> None:
    table = Table(title=title)
    for n, column in enumerate(columns):
        table.add_column(column, justify="left" if n == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


#: Where each goal's figure is appended (JSON Lines) when set: `make bench` sets it, and
#: `python -m bench.summary` reads it.
RESULTS = "BENCH_RESULTS"


@dataclass(frozen=True)
class Goal:
    """One goal and the figure a run measured for it: `ratio` of ours against `baseline`
    measured in the same run, met when at least `at_least` (or at most `at_most`)."""

    bench: str
    what: str
    ours: str
    baseline: str
    ratio: float
    at_least: float | None = None
    at_most: float | None = None

    @property
    def met(self) -> bool:
        if self.at_least is not None:
            return self.ratio >= self.at_least
        assert self.at_most is not None
        return self.ratio <= self.at_most

    @property
    def target(self) -> str:
        return f">= {self.at_least:g}" if self.at_least is not None else f"<= {self.at_most:g}"


def goal(
    bench: str,
    what: str,
    *,
    ours: str,
    baseline: str,
    ratio: float,
    at_least: float | None = None,
    at_most: float | None = None,
) -> Goal:
    """Record a goal's figure for the summary (when `BENCH_RESULTS` names a file)."""
    assert (at_least is None) != (at_most is None), "a goal is a floor or a ceiling"
    recorded = Goal(bench, what, ours, baseline, ratio, at_least, at_most)
    path = os.environ.get(RESULTS)
    if path:
        with open(path, "a", encoding="utf-8") as results:
            results.write(json.dumps(recorded.__dict__) + "\n")
    return recorded


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"
