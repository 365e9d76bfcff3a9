"""Commands per second through the application on PostgreSQL, against raw psycopg inserts, at
1, 4 and 16 concurrent clients, in one run.

    .venv/bin/python -m bench.commands                  # 5 s per figure
    .venv/bin/python -m bench.commands --seconds 1 --clients 1,4

- Baseline: each client has its own connection and inserts one event-sized row per statement,
  autocommit, into a table shaped like the event store's (serial id, unique aggregate+version).
- Application: each client files complaints through `ComplaintsApp.file_complaint` (the seller
  and the order are loaded, the description sealed, the event hash-chained and stored) — one
  command, one transaction of its own or a share of a group commit. The marketplace records
  the orders before the clients start, as it does when they are paid.
- Application with its read models: the same filings, each save also applying the eight read
  models in its transaction (inline projections, as `complaints serve` does).
- Application with its read models and the transparency log's builder: the same filings, with
  the builder following the log in a thread of the process (complaints.workers.transparency),
  between two runs of the same filings without it (their mean is the figure compared with), so
  that the figures sit side by side. The
  builder's lag is measured meanwhile: how long after its commit an event is a leaf of the tree
  (`LagProbe`: an upper bound, within 10 ms).
- Application, contended: clients post messages to 8 shared cases, so commands collide and are
  retried alone.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from bench.common import (
    DEFAULT_URL,
    Run,
    Schema,
    closed_loop,
    figures,
    fresh_schema,
    goal,
    ms,
    orders_ahead,
    record_order,
    record_orders,
)
from complaints.application import ComplaintsApp
from complaints.domain.values import Actor, Category, Money, Remedy, RemedyType, Role
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.store.notes import Signer
from complaints.workers.transparency import LogBuilder

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))
#: About the size of a stored Complaint.Filed event.
STATE = os.urandom(700)


def raw_inserts(schema: Schema, clients: int, seconds: float) -> Run:
    with schema.connect() as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (notification_id bigserial PRIMARY KEY,"
            " originator_id uuid NOT NULL, originator_version int NOT NULL, topic text NOT NULL,"
            " state bytea NOT NULL, UNIQUE (originator_id, originator_version))"
        )
    connections = [schema.connect() for _ in range(clients)]

    def client(n: int) -> Callable[[int], None]:
        conn = connections[n]

        def insert(_: int) -> None:
            conn.execute(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state)"
                " VALUES (%s, 1, 'complaints.domain.complaint:Complaint.Filed', %s)",
                (uuid.uuid4(), STATE),
                prepare=True,
            )

        return insert

    try:
        return closed_loop(clients, seconds, client)
    finally:
        for conn in connections:
            conn.close()


def filing(
    app: ComplaintsApp,
    clients: int,
    seconds: float,
    label: str,
    ready: Callable[[], object] | None = None,
) -> Run:
    """Each client files about orders of its own, new in every run: an order filed about twice
    is refused (DuplicateComplaint), which is not what this measures. The marketplace records
    the orders first, as it does when they are paid (outside the measured time)."""
    ahead = orders_ahead(clients, seconds)
    record_orders(
        app,
        [
            (f"bench-{clients}-{n}", f"order-{label}-{clients}-{n}-{i}")
            for n in range(clients)
            for i in range(ahead)
        ],
    )
    group = getattr(app.recorder, "group", None)
    if group is not None:
        group.batches.clear()  # the saves per transaction shown are the filings' own
    if ready is not None:
        ready()  # the orders are recorded: what follows is the filings alone

    def client(n: int) -> Callable[[int], None]:
        consumer = Actor(Role.CONSUMER, f"bench-{clients}-{n}")

        def file(i: int) -> None:
            app.file_complaint(
                consumer,
                "acme",
                f"order-{label}-{clients}-{n}-{i}",
                Category.DAMAGED,
                "The parcel arrived crushed and the lamp inside is broken.",
                REFUND,
            )

        return file

    return closed_loop(clients, seconds, client)


class LagProbe:
    """Samples the transparency log's lag while it runs: reads the head of the event log twice,
    10 ms apart; an event that appeared between the two reads was committed after the first.
    It then waits until the builder has appended that event, and keeps the time since the first
    read: at least the event's lag, and at most 10 ms more (no event is decoded: the probe
    costs the writers a few small queries a second)."""

    def __init__(self, app: ComplaintsApp, read_models: ReadModels) -> None:
        self.app = app
        self.log = read_models.log
        self.lags: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-probe", daemon=True)

    def _head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def _run(self) -> None:
        while not self._stop.is_set():
            before, first = time.monotonic(), self._head()
            self._stop.wait(0.01)
            head = self._head()
            if head == first:
                continue
            while self.log.state().position < head and not self._stop.is_set():
                time.sleep(0.005)
            if self.log.state().position >= head:
                self.lags.append(time.monotonic() - before)
            self._stop.wait(0.2)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0


class MeteredBuilder(LogBuilder):
    """The builder, counting its batches, the events it appended and the CPU time its thread
    spent appending them: what it costs the process, measured apart from the machine's noise."""

    batches = 0
    appended = 0
    cpu = 0.0

    def step(self) -> int:
        started = time.thread_time()
        count = super().step()
        self.cpu += time.thread_time() - started
        self.batches += count > 0
        self.appended += count
        return count


@contextmanager
def log_builder(
    app: ComplaintsApp, read_models: ReadModels
) -> Iterator[tuple[LagProbe, MeteredBuilder, Callable[[], None]]]:
    """The transparency log's builder following `app`'s log, with a lag probe, and what starts
    them: called once the run's orders are recorded, it appends what is there already (outside
    the measured time), then counts from zero."""
    builder = MeteredBuilder(app, read_models.log, Signer.generate("bench"), checkpoint_every=10)
    probe = LagProbe(app, read_models)

    def start() -> None:
        builder.catch_up()
        builder.batches = builder.appended = 0
        builder.cpu = 0.0
        builder.start()
        probe.start()

    try:
        yield probe, builder, start
    finally:
        probe.stop()
        builder.stop()


def contended(app: ComplaintsApp, clients: int, seconds: float) -> Run:
    consumer = Actor(Role.CONSUMER, f"bench-contended-{clients}")
    cases = []
    for n in range(8):
        filed = app.file_complaint(
            consumer,
            "acme",
            record_order(app, consumer.id, f"shared-{clients}-{n}"),
            Category.DAMAGED,
            "The lamp arrived broken.",
            REFUND,
        )
        app.accept_complaint(AGENT, filed.id)
        cases.append(filed.id)

    def client(n: int) -> Callable[[int], None]:
        def post(i: int) -> None:
            app.post_message(consumer, cases[(n + i) % len(cases)], "Any news?")

        return post

    return closed_loop(clients, seconds, client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    rows = []
    with (
        fresh_schema(args.database_url) as schema,
        fresh_schema(args.database_url) as models_schema,
    ):
        grouped = ComplaintsApp(Settings(database_url=schema.url, command_retries=50))
        alone = ComplaintsApp(
            Settings(database_url=schema.url, command_retries=50, group_commit=False)
        )
        # A schema of its own: every event in it is applied inline (the apps above write
        # without read models, and their events would leave the models behind).
        with_models = ComplaintsApp(Settings(database_url=models_schema.url, command_retries=50))
        read_models = ReadModels(with_models)  # applied inline in each save's transaction
        try:
            for app in (grouped, with_models):
                app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("1000000"), "CNY"))
            for clients in levels:
                raw = raw_inserts(schema, clients, args.seconds)
                rows.append(_row(f"raw psycopg inserts, {clients} clients", raw, raw))
                for app, how, label in (
                    (alone, "one transaction each", "alone"),
                    (grouped, "group commit", "grouped"),
                    (with_models, "group commit + 8 read models inline", "inline"),
                ):
                    run = filing(app, clients, args.seconds, label)
                    rows.append(_row(f"fileComplaint, {how}, {clients} clients", run, raw))
                    if label == "grouped" and clients == max(levels):
                        goal(
                            "commands",
                            f"fileComplaint, group commit, {clients} clients, vs raw inserts",
                            ours=f"{run.rate:,.0f}/s",
                            baseline=f"{raw.rate:,.0f}/s",
                            ratio=run.rate / raw.rate,
                            at_least=0.12,
                        )
                before = run
                with log_builder(with_models, read_models) as (probe, builder, start):
                    run = filing(with_models, clients, args.seconds, "logged", start)
                how = "group commit + 8 read models inline + transparency log builder"
                rows.append(_row(f"fileComplaint, {how}, {clients} clients", run, raw))
                after = filing(with_models, clients, args.seconds, "after")
                how = "group commit + 8 read models inline, again"
                rows.append(_row(f"fileComplaint, {how}, {clients} clients", after, raw))
                # Without the log just before and just after: their mean cancels a drift of
                # the machine's speed over the three runs.
                without = (before.rate + after.rate) / 2
                if clients == max(levels):
                    goal(
                        "commands",
                        f"fileComplaint with the transparency log builder vs without, {clients}"
                        " clients",
                        ours=f"{run.rate:,.0f}/s",
                        baseline=f"{without:,.0f}/s (mean of before and after)",
                        ratio=run.rate / without,
                        at_least=0.95,
                    )
                rows.append(
                    [
                        f"  with the log / without it (before and after), {clients} clients",
                        f"{run.rate / without:.2f}",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
                rows.append(
                    [
                        f"  log builder: {builder.appended} events in {builder.batches} batches,"
                        f" CPU per event (ms), {clients} clients",
                        f"{builder.cpu * 1000 / max(1, builder.appended):.3f}",
                        "",
                        "",
                        "",
                        f"CPU {builder.cpu / run.seconds:.1%} of the run",
                    ]
                )
                rows.append(
                    [
                        f"  transparency log lag after recording, {clients} clients"
                        f" ({len(probe.lags)} samples)",
                        "",
                        ms(probe.percentile(50)),
                        ms(probe.percentile(99)),
                        "",
                        f"max {ms(max(probe.lags, default=0.0))} ms",
                    ]
                )
                run = contended(grouped, clients, args.seconds)
                rows.append(
                    _row(
                        f"postMessage to 8 shared cases, group commit, {clients} clients", run, raw
                    )
                )
                sizes = grouped.recorder.group.batches  # type: ignore[attr-defined]
                rows.append(
                    [
                        f"  group commit: saves per transaction, {clients} clients",
                        f"{sum(sizes) / len(sizes):.1f}",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
                sizes.clear()
        finally:
            read_models.close()
            for app in (grouped, alone, with_models):
                app.close()
    figures(
        "commands per second on PostgreSQL (ratio: against raw inserts at the same concurrency)",
        ["what", "ops/s", "p50 ms", "p99 ms", "errors", "vs raw inserts"],
        rows,
    )


def _row(what: str, run: Run, raw: Run) -> list[str]:
    return [
        what,
        f"{run.rate:,.0f}",
        ms(run.percentile(50)),
        ms(run.percentile(99)),
        str(run.errors),
        f"{run.rate / raw.rate:.2f}",
    ]


if __name__ == "__main__":
    main()
