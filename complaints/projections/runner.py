"""Feeding projections: the runner of one projection, the worker that runs them all, and rebuilds.

A runner reads the notification log after its projection's position, in batches, and applies each
batch in one transaction that first moves the position (compare-and-set, `tracking.advance`). Kill
it anywhere and it resumes from the last committed batch: nothing is lost, nothing applied twice.
Several projections can be fed together (`GroupRunner`): one read of the log, one decode, and one
transaction in which each moves its own position by compare-and-set and applies what is new to
it; if any position was moved by a rival, the whole batch rolls back.

The log is read with `select_notifications` after the tracked position. That is safe on both
stores: SQLite has a single writer, and the PostgreSQL recorder takes a table lock on insert, so
notification ids commit in order and a reader never skips one that commits later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.persistence import Notification

from complaints.application import ComplaintsApp
from complaints.domain.erasure import SubjectErasure
from complaints.projections import tracking
from complaints.projections.base import Projection
from complaints.projections.coordination import Leadership, open_leadership, projected_channel
from complaints.projections.database import ReadStore, Tx
from complaints.store.signal import Signal

log = logging.getLogger(__name__)

BATCH_SIZE = 500
#: How much later than the projections someone follows closely (those with a signal of their
#: own) the others step when events arrive.
FOLLOW_SECONDS = 0.003
#: How long a runner trusts the generation and position it last wrote, before reading them.
KNOWN_SECONDS = 1.0


class StalePosition(Exception):
    """Another runner moved the position first; this batch was rolled back."""


def ensure(db: ReadStore, projection: type[Projection]) -> tracking.Generation:
    """Create the projection's first generation if it has none; return the active one."""
    with db.transaction() as tx:
        for statement in tracking.DDL:
            tx.execute(statement)
        current = tracking.active(tx, projection.name)
        if current is None:
            generation = (
                max((g.generation for g in tracking.generations(tx, projection.name)), default=0)
                + 1
            )
            projection(generation).create(tx)
            tracking.add_generation(tx, projection.name, generation, projection.version)
            tracking.activate(tx, projection.name, generation)
            current = tracking.active(tx, projection.name)
        assert current is not None
        return current


class Decoded:
    """Events decoded once for every runner of a process: the six projections read the same
    notifications, and decoding (JSON, opening sealed personal data) is most of a batch's
    work. Bounded; emptied when an erasure passes, so that no decoded personal text outlives
    the erasure here."""

    def __init__(self, size: int = 4 * BATCH_SIZE) -> None:
        self.size = size
        self._events: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, app: ComplaintsApp, notifications: Sequence[Notification]) -> list[Any]:
        events = []
        for notification in notifications:
            with self._lock:
                event = self._events.get(notification.id)
            if event is None:
                event = app.mapper.to_domain_event(notification)
                with self._lock:
                    self._events[notification.id] = event
                    while len(self._events) > self.size:
                        self._events.popitem(last=False)
            events.append(event)
        if any(isinstance(e, SubjectErasure.Erased) for e in events):
            with self._lock:
                self._events.clear()
        return events


class ProjectionRunner:
    def __init__(
        self,
        app: ComplaintsApp,
        db: ReadStore,
        projection: type[Projection],
        *,
        advanced: Signal | None = None,
        batch_size: int = BATCH_SIZE,
        decoded: Decoded | None = None,
        named: dict[str, Signal] | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.projection = projection
        self.advanced = advanced
        self.batch_size = batch_size
        self.decoded = decoded
        #: Pulsed, besides `advanced`, after each batch of the projection it is named after
        #: (subscriptions and the response cache follow the timeline alone).
        self.own_signal = (named or {}).get(projection.name)
        #: The active generation and its position as this runner last left them: the
        #: position only moves when a runner commits, and the compare-and-set catches a rival.
        self._known: tracking.Generation | None = None
        self._known_at = 0.0
        store = app.settings.store
        self.notify_channel = projected_channel(store) if store.kind == "postgres" else None

    @property
    def name(self) -> str:
        return self.projection.name

    def _generation(self, generation: int | None) -> tracking.Generation | None:
        """The active (or the given) generation and its position."""
        fresh = time.monotonic() - self._known_at <= KNOWN_SECONDS
        if generation is None and self._known is not None and fresh:
            return self._known
        with self.db.read() as tx:
            if generation is not None:
                return next(
                    (g for g in tracking.generations(tx, self.name) if g.generation == generation),
                    None,
                )
            current = tracking.active(tx, self.name)
        if current is not None:
            self._known, self._known_at = current, time.monotonic()
        return current

    def current(self, generation: int | None = None) -> tracking.Generation:
        """The active (or the given) generation and its position; LookupError if none."""
        current = self._generation(generation)
        if current is None:
            raise LookupError(f"projection {self.name} has no generation {generation}")
        return current

    def step(self, generation: int | None = None) -> int:
        """Apply the next batch to the active (or the given) generation; return its size."""
        return apply_batch([(self, self.current(generation))], remember=generation is None)

    def forget(self) -> None:
        """Read the generation and position afresh next time (a rival moved it, or we failed)."""
        self._known = None

    def remember(self, current: tracking.Generation, position: int) -> None:
        """The position this runner just committed (trusted until KNOWN_SECONDS after the last
        read: a rebuild's switch-over is then seen within that time)."""
        self._known = replace(current, position=position)

    def catch_up(
        self, generation: int | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply batches until the log has nothing more; return how many events were applied."""
        applied = 0
        while (count := self.step(generation)) > 0:
            applied += count
            if progress is not None:
                progress(count)
        return applied


Applied = tuple[ProjectionRunner, tracking.Generation, Projection, list[Any]]


def apply_batch(
    members: Sequence[tuple[ProjectionRunner, tracking.Generation]], *, remember: bool
) -> int:
    """Read the log once after the furthest-behind member, decode it once, and apply to each
    member the events after its own position, all in one transaction that first moves every
    member's position by compare-and-set. Return the batch's size (0: nothing new, or a rival
    moved a position first and the whole batch was rolled back).

    `remember`: the runners keep the positions they wrote (not while building a generation
    that readers do not use yet)."""
    lead = members[0][0]
    app = lead.app
    start = min(current.position for _, current in members)
    notifications = app.recorder.select_notifications(start=start + 1, limit=lead.batch_size)
    if not notifications:
        return 0
    if lead.decoded is not None:
        events = lead.decoded.of(app, notifications)
    else:
        events = [app.mapper.to_domain_event(n) for n in notifications]
    batch = [(n.id, e) for n, e in zip(notifications, events, strict=True)]
    try:
        with lead.db.transaction() as tx:
            applied = [
                done
                for runner, current in members
                if (done := _apply(tx, runner, current, batch)) is not None
            ]
    except StalePosition as stale:
        log.debug("%s: another runner applied this batch first", stale)
        for runner, _ in members:
            runner.forget()
        return 0
    except BaseException:
        for runner, _ in members:
            runner.forget()
        raise
    _committed(applied, batch[-1][0], remember=remember)
    return len(batch)


def _apply(
    tx: Tx, runner: ProjectionRunner, current: tracking.Generation, batch: list[tuple[int, Any]]
) -> Applied | None:
    """Apply to one projection the events of the batch after its position (None: none were)."""
    pending = [(position, event) for position, event in batch if position > current.position]
    if not pending:
        return None
    # Claim the batch first: a rival that got here before us has moved the position, and we
    # stop before touching a row (its row lock also makes us wait our turn).
    if not tracking.advance(tx, runner.name, current.generation, current.position, batch[-1][0]):
        raise StalePosition(runner.name)
    projection = runner.projection(current.generation)
    for position, event in pending:
        projection.apply(tx, event, position)
    projection.flush(tx)
    if runner.notify_channel is not None:
        # Delivered on commit: wakes subscribers in every process.
        tx.execute(f"NOTIFY \"{runner.notify_channel}\", '{runner.name}'")
    return runner, current, projection, [event for _, event in pending]


def _committed(applied: list[Applied], last: int, *, remember: bool) -> None:
    """After a batch commits: purge what an erasure left behind, and wake the followers (each
    signal once, however many of its projections moved)."""
    signals: list[Signal] = []
    for runner, current, projection, events in applied:
        if remember:
            runner.remember(current, last)
        if any(isinstance(e, SubjectErasure.Erased) for e in events):
            runner.db.purge(list(projection.t.values()))
        for signal in (runner.advanced, runner.own_signal):
            if signal is not None and all(signal is not s for s in signals):
                signals.append(signal)
    for signal in signals:
        signal.pulse()


class GroupRunner:
    """Several projections fed together: one read of the log, one decode and one transaction
    per batch for all of them, where six runners each paid their own (under write load their
    batches are a few events, and those fixed costs were most of the read side's work)."""

    def __init__(self, runners: Sequence[ProjectionRunner]) -> None:
        self.runners = list(runners)

    def step(self) -> int:
        try:
            return apply_batch([(r, r.current()) for r in self.runners], remember=True)
        except Exception:
            if len(self.runners) == 1:
                raise
        # One model failing (a bug, a broken row) must not hold the others back: step each
        # alone; only the failing one stays behind, and the error is raised when nothing moved.
        log.exception("projections %s failed together; stepping each alone", self.names)
        moved, failure = 0, None
        for runner in self.runners:
            try:
                moved = max(moved, runner.step())
            except Exception as error:
                log.exception("projection %s failed", runner.name)
                failure = error
        if failure is not None and moved == 0:
            raise failure
        return moved

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.runners]


@dataclass(frozen=True)
class RebuildResult:
    name: str
    generation: int
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def build(
    app: ComplaintsApp,
    db: ReadStore,
    projection: type[Projection],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> RebuildResult:
    """Build the projection from position 0 into a new generation, without switching readers."""
    ensure(db, projection)
    with db.transaction() as tx:
        generation = max(g.generation for g in tracking.generations(tx, projection.name)) + 1
        projection(generation).create(tx)
        tracking.add_generation(tx, projection.name, generation, projection.version)
    runner = ProjectionRunner(app, db, projection, batch_size=batch_size)
    started = time.monotonic()
    events = runner.catch_up(generation, progress)
    return RebuildResult(projection.name, generation, events, time.monotonic() - started)


def switch(
    app: ComplaintsApp, db: ReadStore, projection: type[Projection], generation: int
) -> None:
    """Point readers at `generation`, then drop every other generation of the projection."""
    with db.transaction() as tx:
        stale = [
            g.generation
            for g in tracking.generations(tx, projection.name)
            if g.generation != generation
        ]
        tracking.activate(tx, projection.name, generation)
    discard(db, projection, stale)
    ProjectionRunner(app, db, projection).catch_up(generation)


def discard(db: ReadStore, projection: type[Projection], generations: Sequence[int]) -> None:
    for generation in generations:
        with db.transaction() as tx:
            projection(generation).drop(tx)
            tracking.forget(tx, projection.name, generation)


def rebuild(
    app: ComplaintsApp,
    db: ReadStore,
    projection: type[Projection],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> RebuildResult:
    """Rebuild from position 0 into fresh tables; switch readers over once they have caught up.

    Readers keep using the old generation throughout the build. The switch is one update of
    `rm_projections`; the old tables are dropped after it.
    """
    result = build(app, db, projection, progress=progress, batch_size=batch_size)
    switch(app, db, projection, result.generation)
    return result


class ProjectionWorker:
    """Runs the given projections, each only while this process leads it.

    A projection that someone follows closely (one with a signal of its own: the timeline,
    which subscriptions and the response cache wait on) runs in a thread of its own and steps
    first. The others run together in one thread, one transaction per batch for all of them
    (`GroupRunner`): under write load their batches are a few events each, and six runners
    each paying for their own read, decode and commit were most of the server's work.
    """

    def __init__(
        self,
        app: ComplaintsApp,
        db: ReadStore,
        projections: Sequence[type[Projection]],
        *,
        advanced: Signal | None = None,
        poll: float = 1.0,
        leadership: Leadership | None = None,
        named: dict[str, Signal] | None = None,
        inline: frozenset[str] = frozenset(),
        unapplied: Signal | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.projections = list(projections)
        self.advanced = advanced or Signal()
        self.named = named or {}
        self.inline = inline
        self.unapplied = unapplied or Signal()
        self.poll = poll
        store = app.settings.store
        self.leadership = leadership or open_leadership(store, app)
        self._stop = threading.Event()
        self._decoded = Decoded()
        self._threads: list[threading.Thread] = []

    def groups(self) -> list[list[type[Projection]]]:
        """Those applied inline together; each other followed projection alone; the rest
        together."""
        inline = [p for p in self.projections if p.name in self.inline]
        others = [p for p in self.projections if p.name not in self.inline]
        followed = [[p] for p in others if p.name in self.named]
        rest = [p for p in others if p.name not in self.named]
        return ([inline] if inline else []) + followed + ([rest] if rest else [])

    def start(self) -> None:
        for group in self.groups():
            thread = threading.Thread(
                target=self._run,
                args=(group,),
                name="projection-" + "+".join(p.name for p in group),
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.app.saved.pulse()
        self.unapplied.pulse()
        for thread in self._threads:
            thread.join(timeout=30)
        self.leadership.close()

    def _run(self, group: Sequence[type[Projection]]) -> None:
        runners = [
            ProjectionRunner(
                self.app,
                self.db,
                projection,
                advanced=self.advanced,
                decoded=self._decoded,
                named=self.named,
            )
            for projection in group
        ]
        while not self._stop.is_set():
            # Lead what nobody else leads; another process may run the rest.
            led = [r for r in runners if self.leadership.try_lead(r.name)]
            if not led:
                self._stop.wait(self.poll)
                continue
            try:
                self._lead(led, complete=len(led) == len(runners))
            except Exception:
                log.exception("projections %s failed; retrying", [r.name for r in led])
                self._stop.wait(self.poll)
            finally:
                for runner in led:
                    self.leadership.release(runner.name)

    def _lead(self, runners: Sequence[ProjectionRunner], *, complete: bool) -> None:
        for runner in runners:
            current = ensure(self.db, runner.projection)
            if current.version != runner.projection.version:
                log.info(
                    "projection %s changed (v%d -> v%d); rebuilding",
                    runner.name,
                    current.version,
                    runner.projection.version,
                )
                rebuild(self.app, self.db, runner.projection)
        step = GroupRunner(runners).step  # one runner alone is a group of one
        if all(r.name in self.inline for r in runners):
            self._back_up(runners, step, complete=complete)
            return
        # A followed projection (the timeline: subscribers wait on it) goes first; the others
        # would hold the GIL while it steps. They start a moment later, which also lets their
        # batches grow.
        followed = any(r.own_signal is not None for r in runners)
        delay = 0.0 if followed else FOLLOW_SECONDS
        while not self._stop.is_set():
            seen = self.app.saved.pulses
            if step() == 0:
                if self.app.saved.wait(seen, self.poll) != seen and delay:
                    self._stop.wait(delay)
                if not all(self.leadership.still_leading(r.name) for r in runners):
                    return
                if not complete:
                    return  # idle: try again to lead the whole group

    def _back_up(
        self, runners: Sequence[ProjectionRunner], step: Callable[[], int], *, complete: bool
    ) -> None:
        """Projections the writers apply inline: step only what they left behind, reading the
        positions afresh each time (the writers move them), and otherwise sleep a `poll`."""
        while not self._stop.is_set():
            seen = self.unapplied.pulses
            for runner in runners:
                runner.forget()
            if step() > 0:
                continue
            self.unapplied.wait(seen, self.poll)
            if not all(self.leadership.still_leading(r.name) for r in runners):
                return
            if not complete:
                return
