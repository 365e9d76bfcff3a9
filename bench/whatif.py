"""Speed of the policy what-if (`complaints whatif`), against reading the log itself, in one run.

    .venv/bin/python -m bench.whatif --events 20000                # PostgreSQL (default)
    .venv/bin/python -m bench.whatif --database-url sqlite:///var/bench.db

It fills a fresh PostgreSQL schema (or the given store) with cases of three shops down the paths
a policy decides (sellers answering at any hour, sellers silent until the platform rules by
default and advances the refund with a strike, settlements confirmed or deemed), then measures
on the same log:
- the baseline: reading and decoding every notification in batches, with nothing written;
- the identity check (`complaints whatif` with no setting): every case replayed, every lapse and
  strike taken again;
- a proposal (DEADLINES=seller_response=24h,remedy=24h and SANCTION_WINDOW=90d).
The goal (issue 33): at least 20,000 events replayed per second, reading included.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta
from decimal import Decimal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.common import DEFAULT_URL, goal, record_order, store_url
from bench.rebuild import read_log
from complaints.application import ComplaintsApp
from complaints.application.whatif import WhatIf, replay
from complaints.clock import ManualClock
from complaints.domain.deadlines import STAFF_DEADLINES
from complaints.domain.values import (
    SYSTEM,
    TERMINAL,
    Actor,
    Category,
    Money,
    Remedy,
    RemedyType,
    Role,
)
from complaints.domain.whatif import PolicyProposal
from complaints.settings import Settings

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
SHOPS = ("acme", "globex", "initech")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))
PROPOSAL = ["DEADLINES=seller_response=24h,remedy=24h", "SANCTION_WINDOW=90d"]
#: Events replayed per second the what-if must reach, reading the log included (issue 33).
WHATIF_GOAL = 20_000


def lapse_all(app: ComplaintsApp, clock: ManualClock, complaint_id: object) -> None:
    """With no one acting, each party deadline lapses in turn, as the deadline worker would."""
    for _ in range(10):
        complaint = app.get_complaint(complaint_id)  # type: ignore[arg-type]
        party = [
            d
            for d in complaint.deadlines.values()
            if d.kind not in STAFF_DEADLINES and not d.overdue
        ]
        if complaint.status in TERMINAL or not party:
            return
        deadline = min(party, key=lambda d: d.due_at)
        if deadline.due_at > clock.now():
            clock.advance(deadline.due_at - clock.now() + timedelta(minutes=1))
        app.lapse_deadline(SYSTEM, complaint.id, deadline.id)


def one_case(app: ComplaintsApp, clock: ManualClock, n: int, rnd: random.Random) -> None:
    shop = SHOPS[n % len(SHOPS)]
    seller = Actor(Role.SELLER, f"staff-{shop}", shop)
    consumer = Actor(Role.CONSUMER, f"u-{n % 500}")
    order = record_order(app, consumer.id, f"order-{n}", shop)
    complaint = app.file_complaint(
        consumer, shop, order, Category.DAMAGED, f"Case {n}: it arrived broken.", REFUND
    )
    cid = complaint.id
    clock.advance(timedelta(hours=rnd.uniform(1, 20)))
    app.accept_complaint(AGENT, cid)
    path = (n // len(SHOPS) + n) % 3  # every shop down every path
    if path == 0:  # the seller stays silent: ruled by default, the refund advanced, a strike
        lapse_all(app, clock, cid)
    else:  # the seller answers at some hour, refunds at another
        clock.advance(timedelta(hours=rnd.uniform(2, 47)))
        app.accept_offer(seller, cid, "o1")
        clock.advance(timedelta(hours=rnd.uniform(2, 47)))
        app.confirm_refund(seller, cid)
        if path == 1:
            app.confirm_remedy_received(consumer, cid)
        lapse_all(app, clock, cid)
    clock.advance(timedelta(hours=rnd.uniform(0, 30)))


def fill(app: ComplaintsApp, clock: ManualClock, events: int, console: Console) -> None:
    for shop in SHOPS:
        # Deposits deep enough for every advance and fine of the run.
        app.register_seller(SUPERVISOR, shop, shop.title(), Money(Decimal("10000000"), "CNY"))
    rnd = random.Random(33)  # noqa: S311 - a reproducible fill, not a secret
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
            one_case(app, clock, n, rnd)
            n += 1
            progress.update(task, completed=min(head, events))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()
    with store_url(args.database_url, args.keep) as url:
        run(url, args.events, Console())


def run(url: str, events: int, console: Console) -> None:
    clock = ManualClock()
    start = clock.now() - timedelta(days=1)
    app = ComplaintsApp(Settings(database_url=url), clock=clock)
    try:
        fill(app, clock, events, console)
        end = clock.now() + timedelta(days=1)
        count, seconds = read_log(app)
        baseline = count / seconds
        table = Table(title=f"what-if over {count:,} events ({app.settings.store.kind})")
        for column in ("what", "cases", "events", "seconds", "events/s", "vs reading the log"):
            table.add_column(column, justify="right" if column != "what" else "left")
        table.add_row(
            "baseline: read + decode the log",
            "",
            f"{count:,}",
            f"{seconds:.2f}",
            f"{baseline:,.0f}",
            "1.00",
        )

        def row(name: str, result: WhatIf) -> None:
            table.add_row(
                name,
                f"{len(result.cases):,} ({result.count('changed')} changed,"
                f" {result.count('undetermined')} undetermined)",
                f"{result.events:,}",
                f"{result.seconds:.2f}",
                f"{result.events_per_second:,.0f}",
                f"{result.events_per_second / baseline:.2f}",
            )

        identity = replay(app, PolicyProposal(), start, end)
        assert not identity.divergences, identity.divergences
        row("identity check (no setting)", identity)
        proposed = replay(app, PolicyProposal.parse(PROPOSAL), start, end)
        row(" ".join(PROPOSAL), proposed)
        console.print(table)
        rate = min(identity.events_per_second, proposed.events_per_second)
        goal(
            "whatif",
            "events replayed/s, reading included, the slower of identity and proposal"
            " (a bound, not a ratio)",
            ours=f"{rate:,.0f}/s",
            baseline=f"{WHATIF_GOAL:,}/s (the goal)",
            ratio=rate / WHATIF_GOAL,
            at_least=1.0,
        )
    finally:
        app.close()


if __name__ == "__main__":
    main()
