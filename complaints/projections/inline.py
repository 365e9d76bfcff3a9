"""Inline projections: the read models applied in the transaction that saves their events.

Where the read models live in the same database as the events (PostgreSQL with group commit,
SQLite), the recorder hands each batch it inserts to `InlineProjections.apply`, on its own
connection, inside its transaction and still holding the lock that orders every writer
(`complaints/store/inline.py`). Each read model's active generation is brought up to the batch
and its position set to the batch's last id, in that same transaction:

- **Read your writes by construction.** When a command returns, every read model already
  includes its events; a mutation waits for nothing.
- **Exactly once.** Rows and positions commit with the events or not at all. The position rows
  are locked first (`FOR UPDATE` on PostgreSQL; SQLite has one writer), so a runner that
  applies the same events meets a moved position and rolls back (its compare-and-set).
- **In order.** Writers hold the events table's lock until they commit, so positions move in
  notification-id order and subscribers read the timeline in the order of the log.
- **A read model cannot stop a write.** The models are applied under a savepoint: if one
  fails (a bug, a broken row), the savepoint is rolled back, the events still commit, and the
  read models' runner (still running, as a backstop that polls) applies them later.
- **Self-healing.** A model that is behind (events saved by a process without inline
  projections, a failure above, a rebuild's switch-over) is first caught up from the log on
  the same connection, up to `GAP_LIMIT` events; further behind, it is left to its runner.
- **Rebuilds unchanged.** A rebuild fills a new generation with a runner while writers keep
  the active one current; once switched, the writers carry the new one. A generation built by
  other code (a version this code does not have) is left to the runner that rebuilds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from complaints.application import ComplaintsApp
from complaints.domain.erasure import SubjectErasure
from complaints.projections import tracking
from complaints.projections.base import Projection
from complaints.projections.database import PostgresTx, ReadStore, Row, SqliteTx, Tx, sqlite_row
from complaints.store.inline import AfterCommit, Dialect, Positioned
from complaints.store.signal import Signal

log = logging.getLogger(__name__)

#: The most events a writer applies to catch a read model up before its own batch; further
#: behind, the model is left to its runner (a writer holds the lock that orders all writers).
GAP_LIMIT = 500

_ACTIVE = (
    "SELECT p.name, p.generation, p.position, p.version FROM rm_positions p"
    " JOIN rm_projections j ON j.name = p.name AND j.active = p.generation"
)


@dataclass(frozen=True)
class _Moved:
    projection: Projection
    events: list[Positioned]


def _nothing() -> None:
    return None


class InlineProjections:
    def __init__(
        self,
        app: ComplaintsApp,
        db: ReadStore,
        projections: Sequence[type[Projection]],
        *,
        advanced: Signal,
        named: dict[str, Signal],
        notify_channel: str | None,
        unapplied: Signal,
    ) -> None:
        self.app = app
        self.db = db
        self.projections = list(projections)
        self.advanced = advanced
        self.named = named
        self.notify_channel = notify_channel
        #: Pulsed when a batch's events were not applied here: the backstop runner wakes.
        self.unapplied = unapplied
        self._lock = threading.Lock()
        #: Each model's position as this process last committed it inline.
        self._positions: dict[str, int] = {}
        #: Batches whose read models failed and were left to the runner (tests, logs).
        self.failures = 0

    @property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.projections)

    def reached(self, names: Sequence[str], position: int) -> bool:
        """Whether this process has applied the log up to `position` to all these models."""
        with self._lock:
            return all(self._positions.get(name, -1) >= position for name in names)

    # ------------------------------------------------------------------ called by the recorder
    def prepare(self, stored: Sequence[StoredEvent]) -> list[Any]:
        return [self.app.mapper.to_domain_event(s) for s in stored]

    def apply(self, dialect: Dialect, connection: Any, batch: Sequence[Positioned]) -> AfterCommit:
        if not batch:
            return _nothing
        try:
            with _savepoint(dialect, connection) as tx:
                moved = self._apply(dialect, tx, list(batch))
        except Exception:
            self.failures += 1
            log.exception("inline read models failed; the events commit, their runner catches up")
            if dialect == "postgres":
                # The save's own NOTIFY said "applied inline"; this one wakes the backstop
                # runners of other processes (PostgreSQL delivers both on commit).
                channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
                connection.execute(f'NOTIFY "{channel}"')
            return self.unapplied.pulse
        last = batch[-1][0]
        return lambda: self._committed(moved, last)

    # ------------------------------------------------------------------ inside the transaction
    def _apply(self, dialect: Dialect, tx: Tx, batch: list[Positioned]) -> list[_Moved]:
        if isinstance(tx, PostgresTx):
            # The recorder's connection names its tables with their schema; the read models'
            # statements do not. (Pipelined: one round trip for both.)
            tx.execute(f'SET LOCAL search_path TO "{self.app.settings.store.schema}"')
            rows = tx.all(_ACTIVE + " ORDER BY p.name FOR UPDATE OF p")
        else:
            rows = tx.all(_ACTIVE)
        active = {
            str(r["name"]): (int(r["generation"]), int(r["position"]), int(r["version"]))
            for r in rows
        }
        first, last = batch[0][0], batch[-1][0]
        gaps: dict[int, list[Positioned] | None] = {}
        moved: list[_Moved] = []
        for projection_type in self.projections:
            current = active.get(projection_type.name)
            if current is None:
                continue
            generation, position, version = current
            if version != projection_type.version:
                continue  # being rebuilt by the runner for a new version
            events = [(i, e) for i, e in batch if i > position]
            if position < first - 1:
                if position not in gaps:
                    gaps[position] = self._gap(dialect, tx, position, first)
                gap = gaps[position]
                if gap is None:
                    continue  # too far behind: its runner catches it up
                events = gap + events
            if not events:
                continue
            projection = projection_type(generation)
            for notification_id, event in events:
                projection.apply(tx, event, notification_id)
            projection.flush(tx)
            moved.append(_Moved(projection, events))
        if moved:
            now = tracking.now()
            tx.many(
                "UPDATE rm_positions SET position = ?, updated_at = ?"
                " WHERE name = ? AND generation = ?",
                [(last, now, m.projection.name, m.projection.generation) for m in moved],
            )
            if self.notify_channel is not None:
                # Delivered on commit: wakes followers in every process. A payload that names
                # a followed model (the timeline) wakes its followers too.
                names = [m.projection.name for m in moved]
                payload = next((n for n in names if n in self.named), "inline")
                tx.execute(f"NOTIFY \"{self.notify_channel}\", '{payload}'")
        return moved

    def _gap(self, dialect: Dialect, tx: Tx, after: int, before: int) -> list[Positioned] | None:
        """The events after `after` and before `before`, decoded; None if more than GAP_LIMIT."""
        recorder: Any = self.app.recorder
        if dialect == "postgres":
            table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
            key = "notification_id"
        else:
            table, key = recorder.events_table_name, "rowid"
        where = f"FROM {table} WHERE {key} > ? AND {key} < ?"
        if before - after - 1 > GAP_LIMIT:
            # More ids than the limit between them; ids can be skipped (a rolled-back insert),
            # so count the events there are, up to the limit, before reading any.
            count = tx.value(
                f"SELECT COUNT(*) AS n FROM (SELECT 1 {where} LIMIT ?) AS behind",
                (after, before, GAP_LIMIT + 1),
            )
            if int(count or 0) > GAP_LIMIT:
                return None
        rows = tx.all(
            f"SELECT {key} AS position, originator_id, originator_version, topic, state {where}"
            f" ORDER BY {key}",
            (after, before),
        )
        return [(int(r["position"]), self.app.mapper.to_domain_event(_stored(r))) for r in rows]

    # ------------------------------------------------------------------ after the commit
    def _committed(self, moved: list[_Moved], last: int) -> None:
        if not moved:
            return
        with self._lock:
            for m in moved:
                name = m.projection.name
                self._positions[name] = max(self._positions.get(name, -1), last)
        if any(isinstance(e, SubjectErasure.Erased) for m in moved for _, e in m.events):
            # Dead row versions keep erased text until vacuumed (as the runner does).
            self.db.purge([t for m in moved for t in m.projection.t.values()])
        for m in moved:
            signal = self.named.get(m.projection.name)
            if signal is not None:
                signal.pulse()
        self.advanced.pulse()


def _stored(row: Row) -> StoredEvent:
    originator = row["originator_id"]
    originator_id = originator if isinstance(originator, UUID) else UUID(str(originator))
    return StoredEvent(
        originator_id=originator_id,
        originator_version=int(row["originator_version"]),
        topic=str(row["topic"]),
        state=bytes(row["state"]),
    )


@contextmanager
def _savepoint(dialect: Dialect, connection: Any) -> Iterator[Tx]:
    """A savepoint on the recorder's connection, and a cursor that returns rows as dicts."""
    if dialect == "postgres":
        from psycopg.rows import dict_row  # noqa: PLC0415 - PostgreSQL only

        # Pipeline mode: the handlers' writes go out without waiting for each other's round
        # trip (a read syncs). Nothing is prepared here, executemany's statements included: a
        # statement queued behind a failed one is skipped, and psycopg would take a skipped
        # PREPARE for done, breaking the connection for later use (see hash_chain.py).
        threshold = connection.prepare_threshold
        connection.prepare_threshold = None
        try:
            with (
                connection.transaction(),
                connection.pipeline(),
                connection.cursor(row_factory=dict_row) as cursor,
            ):
                yield PostgresTx(cursor, prepare=False)
        finally:
            connection.prepare_threshold = threshold
        return
    cursor = connection.cursor()
    cursor.row_factory = sqlite_row
    cursor.execute("SAVEPOINT inline_projections")
    try:
        yield SqliteTx(cursor)
    except BaseException:
        cursor.execute("ROLLBACK TO inline_projections")
        cursor.execute("RELEASE inline_projections")
        raise
    cursor.execute("RELEASE inline_projections")
