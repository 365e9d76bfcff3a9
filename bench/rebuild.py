"""Rebuild speed of every read model, against reading the log itself, in one run.

    .venv/bin/python -m bench.rebuild --events 100000            # PostgreSQL (default)
    .venv/bin/python -m bench.rebuild --database-url sqlite:///var/bench.db

It fills a fresh PostgreSQL schema (or the given store) with complaints taken through their whole
life, then measures two things on the same log:
- the baseline: reading and decoding every notification in batches, with nothing written;
- each read model rebuilt from position 0 into fresh tables.
The ratio says how close a rebuild comes to the cost of merely reading the log.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from decimal import Decimal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.common import DEFAULT_URL, goal, record_order, store_url
from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.values import (
    Actor,
    Category,
    Money,
    Outcome,
    Remedy,
    RemedyType,
    Role,
)
from complaints.projections.read_models import PROJECTIONS, ReadModels
from complaints.settings import Settings

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
ARBITER = Actor(Role.ARBITER, "arb-1")
SELLER = Actor(Role.SELLER, "staff-1", "acme")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))


def one_case(app: ComplaintsApp, clock: ManualClock, n: int) -> None:
    consumer = Actor(Role.CONSUMER, f"u-{n % 500}")
    complaint = app.file_complaint(
        consumer,
        "acme",
        record_order(app, consumer.id, f"order-{n}"),
        Category.DAMAGED,
        f"Case {n}: the parcel arrived damaged and the item does not work.",
        REFUND,
    )
    cid = complaint.id
    app.accept_complaint(AGENT, cid)
    app.post_message(consumer, cid, "Photos are attached to the order.")
    if n % 2:
        app.accept_offer(SELLER, cid, "o1")
        app.confirm_refund(SELLER, cid)
        app.confirm_remedy_received(consumer, cid)
        app.rate_handling(consumer, cid, 1 + n % 5)
    else:
        app.request_intervention(consumer, cid)
        app.assign_complaint(SUPERVISOR, cid, ARBITER.id)
        app.record_finding(ARBITER, cid, "Damage confirmed.")
        app.issue_ruling(ARBITER, cid, Outcome.CONSUMER_FAVOUR_FULL, "Damaged.", REFUND, ["R-3.2"])
    clock.advance(timedelta(minutes=7))


def fill(app: ComplaintsApp, clock: ManualClock, events: int, console: Console) -> None:
    app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("100000"), "CNY"))
    with Progress(
        TextColumn("filling the log"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("fill", total=events)
        n = 0
        while (head := app.recorder.max_notification_id() or 0) < events:
            one_case(app, clock, n)
            n += 1
            progress.update(task, completed=min(head, events))


def read_log(app: ComplaintsApp) -> tuple[int, float]:
    """The baseline: read and decode every notification, writing nothing."""
    started = time.monotonic()
    position, count = 0, 0
    while batch := app.recorder.select_notifications(start=position + 1, limit=500):
        for notification in batch:
            app.mapper.to_domain_event(notification)
        count += len(batch)
        position = batch[-1].id
    return count, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()
    with store_url(args.database_url, args.keep) as url:
        run(url, args.events, Console())


#: Event applications per second a rebuild must reach (issue 7).
REBUILD_GOAL = 20_000


def run(url: str, events: int, console: Console) -> None:
    clock = ManualClock()
    app = ComplaintsApp(Settings(database_url=url), clock=clock)
    models = ReadModels(app)
    try:
        fill(app, clock, events, console)
        count, seconds = read_log(app)
        baseline = count / seconds
        table = Table(title=f"rebuild of {count:,} events ({app.settings.store.kind})")
        for column in ("what", "events", "seconds", "events/s", "vs reading the log"):
            table.add_column(column, justify="right" if column != "what" else "left")
        table.add_row(
            "baseline: read + decode the log",
            f"{count:,}",
            f"{seconds:.2f}",
            f"{baseline:,.0f}",
            "1.00",
        )
        total_seconds = 0.0
        for projection in PROJECTIONS:
            result = models.rebuild(projection.name)
            total_seconds += result.seconds
            table.add_row(
                f"rebuild {projection.name}",
                f"{result.events:,}",
                f"{result.seconds:.2f}",
                f"{result.events_per_second:,.0f}",
                f"{result.events_per_second / baseline:.2f}",
            )
        table.add_row(
            f"all {len(PROJECTIONS)}, one after another",
            f"{count * len(PROJECTIONS):,}",
            f"{total_seconds:.2f}",
            f"{count * len(PROJECTIONS) / total_seconds:,.0f}",
            f"{count * len(PROJECTIONS) / total_seconds / baseline:.2f}",
        )
        console.print(table)
        applied = count * len(PROJECTIONS) / total_seconds
        goal(
            "rebuild",
            f"event applications/s over the {len(PROJECTIONS)} read models (a bound, not a ratio)",
            ours=f"{applied:,.0f}/s",
            baseline=f"{REBUILD_GOAL:,}/s (the goal)",
            ratio=applied / REBUILD_GOAL,
            at_least=1.0,
        )
    finally:
        models.close()
        app.close()


if __name__ == "__main__":
    main()
