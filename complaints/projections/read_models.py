"""Every read model behind one object: queries, lag, read-your-writes, the worker, rebuilds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from complaints.application import ComplaintsApp
from complaints.projections import tracking
from complaints.projections.base import Projection
from complaints.projections.complaint_list import ComplaintList, ComplaintListView
from complaints.projections.coordination import NotifyListener, projected_channel
from complaints.projections.database import ReadStore, open_read_store
from complaints.projections.deadlines import PendingDeadlines, PendingDeadlinesView
from complaints.projections.deliveries import DeliveryLog
from complaints.projections.inline import InlineProjections
from complaints.projections.orders import Orders, OrdersView
from complaints.projections.runner import (
    ProjectionRunner,
    ProjectionWorker,
    RebuildResult,
    ensure,
    rebuild,
)
from complaints.projections.sellers import Sellers, SellersView
from complaints.projections.shop_decisions import ShopDecisions, ShopDecisionsView
from complaints.projections.statistics import Statistics, StatisticsView
from complaints.projections.supervision import Supervision, SupervisionView
from complaints.projections.tail import TimelineTail, open_tail
from complaints.projections.timeline import Timeline, TimelineView
from complaints.projections.transparency import LogStore
from complaints.projections.webhooks import Webhooks, WebhooksView
from complaints.projections.whatif_jobs import WhatIfJobs
from complaints.store.inline import InlineHost
from complaints.store.postgres import creating_tables
from complaints.store.signal import Signal

PROJECTIONS: tuple[type[Projection], ...] = (
    ComplaintList,
    Timeline,
    PendingDeadlines,
    Sellers,
    Statistics,
    Supervision,
    Webhooks,
    ShopDecisions,
    Orders,
)


def projection_named(name: str) -> type[Projection]:
    for projection in PROJECTIONS:
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in PROJECTIONS)
    raise KeyError(f"no read model named {name!r}; known: {known}")


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    generation: int
    position: int
    head: int
    version: int
    code_version: int
    other_generations: tuple[int, ...]

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class ReadModels:
    def __init__(
        self, app: ComplaintsApp, db: ReadStore | None = None, *, inline: bool | None = None
    ) -> None:
        """`inline`: apply the read models in each save's transaction where the store allows
        (default: the INLINE_PROJECTIONS setting); False leaves them to the runners alone."""
        self.app = app
        self.db = db or open_read_store(app.settings.store, app.settings)
        with creating_tables(app.settings.store):
            for projection in PROJECTIONS:
                ensure(self.db, projection)
            #: The webhook deliverer's own state (deliveries and attempts), beside the models.
            self.deliveries = DeliveryLog(self.db)
            #: The transparency log (its builder is complaints.workers.transparency).
            self.log = LogStore(self.db)
            self.log.create()
            #: Policy what-if jobs too large for a request (complaints.workers.whatif).
            self.whatif_jobs = WhatIfJobs(self.db)
            self.whatif_jobs.create()
        #: Pulsed after each batch a runner commits (in this process, or via NOTIFY).
        self.advanced = Signal()
        #: Pulsed after each batch of the timeline alone (subscriptions, the response cache).
        self.timeline_advanced = Signal()
        #: Pulsed when events were saved that no inline projection applied (another process
        #: without them, on PostgreSQL; a failed inline batch): the backstop runners wake.
        self.unapplied = Signal()
        self._listener: NotifyListener | None = None
        self.complaints = ComplaintListView(self.db)
        self.timeline = TimelineView(self.db)
        self.deadlines = PendingDeadlinesView(self.db)
        self.sellers = SellersView(self.db)
        self.statistics = StatisticsView(self.db)
        self.supervision = SupervisionView(self.db, self.deadlines)
        self.webhooks = WebhooksView(self.db)
        self.shop_decisions = ShopDecisionsView(self.db)
        self.orders = OrdersView(self.db)
        #: The positions last read, and the pulse count they were read after: waiters share
        #: one read per pulse instead of each reading on every pulse.
        self._known: dict[str, int] = {}
        self._known_after = -1
        self._known_at = 0.0
        self._known_lock = threading.Lock()
        #: Read models applied in the transaction of each save (see inline.py), where they
        #: live in the events' database and the recorder can; None: runners alone feed them.
        self.inline: InlineProjections | None = None
        store = app.settings.store
        recorder = app.recorder
        if (
            (app.settings.inline_projections if inline is None else inline)
            and store.kind != "memory"
            and isinstance(recorder, InlineHost)
        ):
            self.inline = InlineProjections(
                app,
                self.db,
                PROJECTIONS,
                advanced=self.advanced,
                named=self._named,
                notify_channel=projected_channel(store) if store.kind == "postgres" else None,
                unapplied=self.unapplied,
            )
            recorder.inline = self.inline

    def tail(self) -> TimelineTail:
        """A reader of the timeline's newest rows for the event loop (see tail.py)."""
        return open_tail(self.app.settings.store, self.timeline, self.app.settings, self.db.router)

    def listen(self) -> None:
        """On PostgreSQL, hear other processes: new events pulse `app.saved`, committed
        projection batches pulse `advanced`. Elsewhere there is no other process to hear
        but through polling."""
        store = self.app.settings.store
        if self._listener is None and store.kind == "postgres":
            events_channel = str(getattr(self.app.recorder, "channel_name", "complaints_events"))
            self._listener = NotifyListener(
                store,
                {events_channel: self.app.saved, projected_channel(store): self.advanced},
                # The event store's NOTIFY carries 'inline' from a writer that applied the
                # read models itself, and nothing from one that did not.
                payloads={**self._named, "": self.unapplied},
            )
            self._listener.start()
            listener, saved = self._listener, self.app.saved
            self.app.write_mark = lambda: saved.pulses if listener.connected else None

    def close(self) -> None:
        recorder = self.app.recorder
        if self.inline is not None and getattr(recorder, "inline", None) is self.inline:
            recorder.inline = None  # type: ignore[attr-defined]
        if self._listener is not None:
            self.app.write_mark = lambda: None
            self._listener.stop()
            self._listener = None
        self.db.close()

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        statuses = []
        with self.db.read() as tx:
            for projection in PROJECTIONS:
                generations = tracking.generations(tx, projection.name)
                active = next(g for g in generations if g.active)
                statuses.append(
                    ProjectionStatus(
                        projection.name,
                        active.generation,
                        active.position,
                        head,
                        active.version,
                        projection.version,
                        tuple(g.generation for g in generations if not g.active),
                    )
                )
        return statuses

    def positions(self, names: Sequence[str] | None = None) -> dict[str, int]:
        wanted = set(names or [p.name for p in PROJECTIONS])
        with self.db.read() as tx:
            return {
                name: current.position
                for name in wanted
                if (current := tracking.active(tx, name)) is not None
            }

    def applied(self, position: int, names: Sequence[str] | None = None) -> bool:
        """Whether this process applied the log up to `position` to these read models (all
        by default) in the transactions of its own saves: known without asking anyone."""
        wanted = list(names or [p.name for p in PROJECTIONS])
        return self.inline is not None and self.inline.reached(wanted, position)

    def wait_for(
        self, position: int, *, timeout: float, names: Sequence[str] | None = None
    ) -> bool:
        """Wait, at most `timeout` seconds, until the read models have applied the log up to
        `position`. True when they have; False when the time ran out first."""
        if self.applied(position, names):
            return True
        wanted = list(names or [p.name for p in PROJECTIONS])
        deadline = time.monotonic() + timeout
        while True:
            seen = self.advanced.pulses
            with self._known_lock:
                stale = time.monotonic() - self._known_at > 0.05  # a pulse may be lost
                if self._known_after != seen or stale:
                    self._known = self.positions()
                    self._known_after, self._known_at = seen, time.monotonic()
                known = self._known
            if all(known.get(name, -1) >= position for name in wanted):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.advanced.wait(seen, min(remaining, 0.05))

    def catch_up(self, names: Sequence[str] | None = None) -> int:
        """Apply everything in the log now, in this thread (tests, scripts); return the count."""
        projections = PROJECTIONS if names is None else [projection_named(n) for n in names]
        return sum(
            ProjectionRunner(
                self.app, self.db, p, advanced=self.advanced, named=self._named
            ).catch_up()
            for p in projections
        )

    def worker(self, names: Sequence[str] | None = None, *, poll: float = 1.0) -> ProjectionWorker:
        projections = PROJECTIONS if names is None else [projection_named(n) for n in names]
        self.listen()
        return ProjectionWorker(
            self.app,
            self.db,
            projections,
            advanced=self.advanced,
            poll=poll,
            named=self._named,
            inline=self.inline.names if self.inline is not None else frozenset(),
            unapplied=self.unapplied,
        )

    @property
    def _named(self) -> dict[str, Signal]:
        return {Timeline.name: self.timeline_advanced}

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> RebuildResult:
        return rebuild(self.app, self.db, projection_named(name), progress=progress)
