"""Group commit: concurrent commands share one PostgreSQL transaction.

The library serialises writers with a table lock, so that notification ids commit in the order
they are issued (the ordering guarantee every follower of the log relies on). That makes each
save one lock, one insert and one commit, back to back: about 850 saves/s, whatever the number
of clients. Here, saves that arrive while another is committing wait for it, then go in
together: one lock, one insert of all their events, their hashes, one commit.

- **No added wait.** A save that finds nobody committing commits at once, alone. Batches form
  only from saves that would have queued behind the lock anyway.
- **The ordering guarantee stays.** The batch takes the same table lock, and its ids are issued
  and committed inside it.
- **A conflict fails only its own save.** When the batch insert meets a version conflict (a
  rival saved the same aggregate), the batch is inserted again save by save, each under a
  savepoint: the saves that conflict get the IntegrityError, which the application retries as
  it always does, and the rest commit.
- **Everything or nothing per save.** A save's events and their hashes go in under one
  savepoint; a save is never split across transactions.

The leader (the thread whose save found nobody committing, or the first of those waiting when
a batch ends) runs one batch and then hands over, so no thread serves others' saves for long.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from complaints.store.hash_chain import HashedPostgresRecorder, chain
from complaints.store.inline import AfterCommit, Inline, InlineHost, Positioned

#: The most saves one transaction takes; more wait for the next.
MAX_BATCH = 64

Outcome = Sequence[int] | BaseException


@dataclass(eq=False)
class _Save:
    events: Sequence[StoredEvent]
    ready: threading.Event = field(default_factory=threading.Event)
    leads: bool = False
    outcome: Outcome | None = None


class GroupCommit:
    """Combines concurrent calls of `submit` into calls of `commit` on a batch.

    `commit(batch)` returns one outcome per save: its notification ids, or the exception that
    save alone must raise. If `commit` itself raises, every save in the batch raises it."""

    def __init__(
        self,
        commit: Callable[[list[Sequence[StoredEvent]]], list[Outcome]],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._commit = commit
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[_Save] = []
        self._leading = False
        #: Sizes of the batches committed so far (for benchmarks and tests).
        self.batches: list[int] = []

    def submit(self, events: Sequence[StoredEvent]) -> Sequence[int]:
        save = _Save(events)
        with self._lock:
            self._pending.append(save)
            if not self._leading:
                self._leading = save.leads = True
        if not save.leads:
            save.ready.wait()
        if save.outcome is None:
            # Woken as the next leader: its own save heads the next batch.
            assert save.leads
            self._run_batch()
        outcome = save.outcome
        assert outcome is not None
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _run_batch(self) -> None:
        with self._lock:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
        try:
            outcomes = self._commit([save.events for save in batch])
        except BaseException as error:  # every save of the batch raises what the batch raised
            outcomes = [error] * len(batch)
        for save, outcome in zip(batch, outcomes, strict=True):
            save.outcome = outcome
        following: _Save | None = None
        with self._lock:
            self.batches.append(len(batch))
            if self._pending:
                following = self._pending[0]
                following.leads = True
            else:
                self._leading = False
        for save in batch:
            save.ready.set()
        if following is not None:
            following.ready.set()


class _Prepared(list[StoredEvent]):
    """A save's events, with their decoded domain events for the inline projections."""

    prepared: list[Any]


class GroupCommitPostgresRecorder(HashedPostgresRecorder, InlineHost):
    """The hash-chained PostgreSQL recorder, committing concurrent saves together (and, when
    inline projections are attached, applying them to each batch in its transaction)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = GroupCommit(self._commit_batch)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        inline = self.inline
        if inline is not None:
            events = _Prepared(stored_events)
            events.prepared = inline.prepare(stored_events)
            stored_events = events
        return self.group.submit(stored_events)

    def notify_channel(self, curs: Any) -> None:
        # Followers of the log learn that these events need no runner: the readers' models
        # include them when this commits. Without the payload (no inline projections here, or
        # their savepoint failed: see inline.py), a backstop runner wakes for them.
        if self.inline is None:
            super().notify_channel(curs)
        else:
            curs.execute(SQL("NOTIFY {0}, 'inline'").format(Identifier(self.channel_name)))

    @retry(OperationalError, max_attempts=10, wait=0.2)
    def _commit_batch(self, batch: list[Sequence[StoredEvent]]) -> list[Outcome]:
        # Pipeline mode: two round trips a batch, not eight. The first carries BEGIN, the
        # read of the hashes the new events chain on, the lock, the notification and the
        # insert (its notification ids are what it waits for); the second the hashes, the
        # read models' statements and COMMIT. The hashes are read before the lock: each new
        # event's predecessor was committed before its command loaded the aggregate, so the
        # lock changes nothing of them, and a read cannot fail, so no statement is queued
        # behind it that could be skipped (see hash_chain.py on skipped PREPAREs).
        after: AfterCommit | None = None
        with (
            self.datastore.get_connection() as conn,
            conn.pipeline(),
            conn.transaction(),
            conn.cursor() as hashes,
        ):
            previous = self._previous_hashes(hashes, batch)
            with conn.cursor() as curs:
                self.lock_table(curs)
                self.notify_channel(curs)
            outcomes = self._insert_batch(conn, batch, previous)
            inline = self.inline
            if inline is not None:
                # Still under the table lock: the read models move in notification-id order.
                after = inline.apply("postgres", conn, _positioned(inline, batch, outcomes))
        if after is not None:
            after()
        return outcomes

    def _previous_hashes(self, curs: Any, saves: list[Sequence[StoredEvent]]) -> _Previous:
        """Queue the read of the recorded hashes that the saves' events chain on (those of
        version 1 chain on the genesis); its rows come with the next round trip."""
        # An event whose predecessor is in its own save chains on it. (Not merely in the
        # batch: a save of version 1 may fail, as a rival created the aggregate first, while
        # another save in the batch adds version 2 to the rival's.)
        needed = [
            (e.originator_id, e.originator_version - 1)
            for events in saves
            for own in [{(str(e.originator_id), e.originator_version) for e in events}]
            for e in events
            if e.originator_version > 1
            and (str(e.originator_id), e.originator_version - 1) not in own
        ]
        if not needed:
            return _Previous(None)
        curs.execute(
            SQL(
                "SELECT h.originator_id, h.originator_version, h.hash FROM {0} h"
                " JOIN unnest(%s::uuid[], %s::bigint[]) AS n(id, version)"
                " ON h.originator_id = n.id AND h.originator_version = n.version"
            ).format(self._table()),
            ([i for i, _ in needed], [v for _, v in needed]),
        )
        return _Previous(curs)

    def _insert_batch(
        self,
        conn: psycopg.Connection[Any],
        batch: list[Sequence[StoredEvent]],
        previous: _Previous,
    ) -> list[Outcome]:
        if len(batch) == 1:
            # Alone, it needs no savepoint: a conflict rolls the transaction back and
            # leaves as the library's IntegrityError, which the save alone raises.
            return [self._insert_saves(conn, batch[0], previous)]
        try:
            with conn.transaction():  # a savepoint: one insert for the whole batch
                ids = self._insert_saves(conn, [e for events in batch for e in events], previous)
        except psycopg.IntegrityError:
            return [self._insert_alone(conn, events, previous) for events in batch]
        outcomes: list[Outcome] = []
        start = 0
        for events in batch:
            outcomes.append(ids[start : start + len(events)])
            start += len(events)
        return outcomes

    def _insert_alone(
        self, conn: psycopg.Connection[Any], events: Sequence[StoredEvent], previous: _Previous
    ) -> Outcome:
        try:
            with conn.transaction():
                return self._insert_saves(conn, events, previous)
        except psycopg.IntegrityError as error:
            return IntegrityError(str(error))

    def _insert_saves(
        self, conn: psycopg.Connection[Any], events: Sequence[StoredEvent], previous: _Previous
    ) -> list[int]:
        with conn.cursor() as curs:
            self.insert_rows(curs, events)
            ids = [int(row["notification_id"]) for row in curs.fetchall()]
            if len(ids) != len(events):  # pragma: no cover - the insert returns a row per event
                msg = f"expected {len(events)} notification ids, got {len(ids)}"
                raise AssertionError(msg)
            hashed = chain(events, previous)
            curs.execute(
                SQL(
                    "INSERT INTO {0} (originator_id, originator_version, hash)"
                    " SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[])"
                ).format(self._table()),
                (
                    [s.originator_id for s, _ in hashed],
                    [s.originator_version for s, _ in hashed],
                    [h for _, h in hashed],
                ),
            )
        return ids


class _Previous:
    """The recorded hashes a batch's events chain on, read once from the cursor that queued
    their select (`previous(id, version)`, as `chain` asks)."""

    def __init__(self, curs: Any) -> None:
        self._curs = curs
        self._found: dict[tuple[str, int], str] | None = None if curs is not None else {}

    def __call__(self, originator_id: Any, version: int) -> str | None:
        if self._found is None:
            self._found = {
                (str(r["originator_id"]), int(r["originator_version"])): str(r["hash"])
                for r in self._curs.fetchall()
            }
        return self._found.get((str(originator_id), version))


def _positioned(
    inline: Inline, batch: list[Sequence[StoredEvent]], outcomes: list[Outcome]
) -> list[Positioned]:
    """The decoded events of the saves that went in, each with its notification id (a save
    submitted before the inline projections were attached is decoded now)."""
    positioned: list[Positioned] = []
    for events, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            continue
        prepared = getattr(events, "prepared", None)
        if prepared is None:
            prepared = inline.prepare(events)
        positioned.extend(zip(outcome, prepared, strict=True))
    return positioned
