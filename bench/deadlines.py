"""How fast the deadline worker enforces due deadlines, against calling the lapse command directly.

    .venv/bin/python -m bench.deadlines --cases 2000             # PostgreSQL (default)
    .venv/bin/python -m bench.deadlines --database-url sqlite:///var/bench.db

It fills a fresh store with refund cases whose seller never pays, spread over 20 shops, and moves
a manual clock past their remedy deadlines. Each lapse is the heaviest kind there is: the platform
advances the refund, closes the case, charges the deposit and strikes the shop, in one save.
- the baseline: half the cases lapsed by a plain loop over `lapse_deadline`, ids known beforehand;
- the worker: the other half found in the pending-deadlines read model and lapsed by
  `DeadlineWorker.run_once`, while a projection worker keeps the read models up to date.
The ratio says what finding deadlines in the read model, and waiting for it to catch up, costs.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.common import DEFAULT_URL, record_order, store_url
from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import SYSTEM, Actor, Category, Money, Remedy, RemedyType, Role
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.workers.deadlines import DeadlineWorker

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
SHOPS = 20
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))


def fill(app: ComplaintsApp, clock: ManualClock, cases: int, console: Console) -> list[uuid.UUID]:
    for shop in range(SHOPS):
        app.register_seller(SUPERVISOR, f"shop-{shop}", "Shop", Money(Decimal("100000"), "CNY"))
    ids = []
    with Progress(
        TextColumn("filling"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("fill", total=cases)
        for n in range(cases):
            shop = f"shop-{n % SHOPS}"
            consumer = Actor(Role.CONSUMER, f"u-{n}")
            order = record_order(app, consumer.id, f"order-{n}", shop)
            complaint = app.file_complaint(
                consumer, shop, order, Category.DAMAGED, f"Case {n}: it broke.", REFUND
            )
            app.accept_complaint(AGENT, complaint.id)
            app.accept_offer(Actor(Role.SELLER, "staff", shop), complaint.id, "o1")
            ids.append(complaint.id)
            progress.advance(task)
    clock.advance(timedelta(days=3))
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    with store_url(args.database_url) as url:
        run(url, args.cases, Console())


def run(url: str, cases: int, console: Console) -> None:
    clock = ManualClock()
    app = ComplaintsApp(Settings(database_url=url), clock=clock)
    models = ReadModels(app)
    projections = models.worker(poll=0.05)
    try:
        ids = fill(app, clock, cases, console)
        projections.start()
        assert models.wait_for(models.head(), timeout=600)
        direct, by_worker = ids[::2], ids[1::2]

        started = time.monotonic()
        for complaint_id in direct:
            deadline = app.get_complaint(complaint_id).deadline_of(DeadlineKind.REMEDY)
            assert deadline is not None
            app.lapse_deadline(SYSTEM, complaint_id, deadline.id)
        baseline_seconds = time.monotonic() - started
        assert models.wait_for(models.head(), timeout=600)

        worker = DeadlineWorker(app, models)
        started = time.monotonic()
        sweep = worker.run_once()
        worker_seconds = time.monotonic() - started
        assert sweep.fired == len(by_worker), sweep
        assert all(app.get_complaint(c).advanced_refund for c in ids)

        baseline = len(direct) / baseline_seconds
        rate = sweep.fired / worker_seconds
        table = Table(title=f"enforcing {len(ids):,} missed refunds ({app.settings.store.kind})")
        for column in ("what", "deadlines", "seconds", "deadlines/s", "vs direct"):
            table.add_column(column, justify="left" if column == "what" else "right")
        table.add_row(
            "baseline: lapse_deadline in a loop",
            f"{len(direct):,}",
            f"{baseline_seconds:.2f}",
            f"{baseline:,.0f}",
            "1.00",
        )
        table.add_row(
            "DeadlineWorker.run_once",
            f"{sweep.fired:,}",
            f"{worker_seconds:.2f}",
            f"{rate:,.0f}",
            f"{rate / baseline:.2f}",
        )
        console.print(table)
    finally:
        projections.stop()
        models.close()
        app.close()


if __name__ == "__main__":
    main()
