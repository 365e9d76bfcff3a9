"""Replay of a 1,000-event case, and `complaintAsOf`, on PostgreSQL, against the library's
default reconstruction from every event, in one run.

    .venv/bin/python -m bench.replay                 # 1,000 events, 50 repetitions
    .venv/bin/python -m bench.replay --events 200 --repeat 5

One case is taken to 1,000 events (filed, accepted, then messages back and forth). The
baseline rebuilds it the way `eventsourcing` does by default: select every stored event, decode
each and apply it in turn. Ours loads it through the repository, which starts from the latest
snapshot (`ComplaintsApp.snapshotting_intervals`). Each figure is the median of the repetitions.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate

from bench.common import DEFAULT_URL, figures, fresh_schema, goal, ms, record_order
from complaints.application import ComplaintsApp
from complaints.domain.complaint import Complaint
from complaints.domain.values import Actor, Category, Money, Remedy, RemedyType, Role
from complaints.settings import Settings

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
CONSUMER = Actor(Role.CONSUMER, "u-1")
SELLER = Actor(Role.SELLER, "staff-1", "acme")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))


def long_case(app: ComplaintsApp, events: int) -> UUID:
    app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("1000"), "CNY"))
    complaint = app.file_complaint(
        CONSUMER,
        "acme",
        record_order(app, CONSUMER.id, "order-1"),
        Category.DAMAGED,
        "The lamp arrived broken.",
        REFUND,
    )
    app.accept_complaint(AGENT, complaint.id)
    n = 0
    while app.get_complaint(complaint.id).version < events:
        who = CONSUMER if n % 2 else SELLER
        app.post_message(who, complaint.id, f"Message {n}: could you tell me where it is?")
        n += 1
    return complaint.id


def median(repeat: int, load: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        load()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


#: How long replaying a 1,000-event case may take (issue 7).
REPLAY_GOAL_SECONDS = 0.005


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    with fresh_schema(args.database_url) as schema:
        app = ComplaintsApp(Settings(database_url=schema.url))
        try:
            case = long_case(app, args.events)
            current = app.get_complaint(case)
            middle = current.version // 2
            at = next(e.timestamp for e in app.history(case) if e.originator_version == middle)

            def from_every_event(version: int | None = None) -> Complaint:
                stored = app.recorder.select_events(case, lte=version)
                events = (app.mapper.to_domain_event(s) for s in stored)
                complaint = project_aggregate(None, events)
                assert isinstance(complaint, Complaint)
                return complaint

            assert from_every_event().version == current.version
            baseline = median(args.repeat, from_every_event)
            half = median(args.repeat, lambda: from_every_event(middle))
            rows = [
                ["baseline: decode and apply every event", ms(baseline), "1.00"],
                [f"complaint (repository, snapshots), v{current.version}", "", ""],
                [f"baseline as of v{middle}: every event up to it", ms(half), "1.00"],
            ]
            ours = median(args.repeat, lambda: app.get_complaint(case))
            rows[1][1:] = [ms(ours), f"{baseline / ours:.1f}x faster"]
            as_of_version = median(args.repeat, lambda: app.complaint_as_of(case, version=middle))
            as_of_at = median(args.repeat, lambda: app.complaint_as_of(case, at=at))
            rows += [
                [
                    f"complaintAsOf(version: {middle})",
                    ms(as_of_version),
                    f"{half / as_of_version:.1f}x faster",
                ],
                [
                    f"complaintAsOf(at: moment of v{middle})",
                    ms(as_of_at),
                    f"{half / as_of_at:.1f}x faster",
                ],
            ]
            goal(
                "replay",
                f"a {current.version}-event case from its snapshots (a bound, not a ratio)",
                ours=f"{ms(ours)} ms",
                baseline=f"{ms(REPLAY_GOAL_SECONDS)} ms (the goal)",
                ratio=ours / REPLAY_GOAL_SECONDS,
                at_most=1.0,
            )
            snapshots = list(app.snapshots.get(case)) if app.snapshots else []
            figures(
                f"replay of a {current.version}-event case on PostgreSQL,"
                f" {len(snapshots)} snapshots (median of {args.repeat})",
                ["what", "ms", "vs baseline"],
                rows,
            )
        finally:
            app.close()


if __name__ == "__main__":
    main()
