"""The tamper-evident history: every stored event is chained by hash to the one before it.

For each aggregate (a complaint, a seller, ...), event n is hashed together with the hash of
event n-1, starting from a fixed genesis value:

    hash_n = SHA-256( "complaints/audit/v1\\n"
                      + hash_{n-1} + "\\n"          (64 lowercase hex; GENESIS for n = 1)
                      + originator_id + "\\n"       (the UUID, 36 characters with dashes)
                      + str(n) + "\\n"
                      + topic + "\\n"
                      + state )                     (the stored event's bytes, as stored)

The state is what the event store holds: JSON in which personal fields are already sealed, so
erasing a person (destroying a key) changes no byte that was hashed, and the chain still
verifies. Hashes are written in the same transaction as their events, by the recorders below.
docs/audit.md describes the format for people who verify an export on their own.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteCursor
from psycopg.sql import SQL, Identifier

from complaints.compat import POPORecorder, PostgresRecorder, SQLiteRecorder
from complaints.store.inline import InlineHost

PREFIX = b"complaints/audit/v1\n"
GENESIS = "0" * 64


def chain_hash(
    previous: str, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> str:
    digest = hashlib.sha256(PREFIX)
    digest.update(f"{previous}\n{UUID(str(originator_id))}\n{version}\n{topic}\n".encode())
    digest.update(state)
    return digest.hexdigest()


def chain(
    stored_events: Sequence[StoredEvent], previous_of: Callable[[UUID | str, int], str | None]
) -> list[tuple[StoredEvent, str]]:
    """Hash a batch of new events; `previous_of(id, version)` finds an earlier recorded hash."""
    hashed = []
    last: dict[str, str] = {}
    for stored in stored_events:
        key = str(stored.originator_id)
        version = stored.originator_version
        if key in last:
            previous = last[key]
        elif version == 1:
            previous = GENESIS
        else:
            previous = previous_of(stored.originator_id, version - 1) or GENESIS
        last[key] = chain_hash(previous, stored.originator_id, version, stored.topic, stored.state)
        hashed.append((stored, last[key]))
    return hashed


class HashedRecorder:
    """What every chained recorder offers readers: the recorded hashes of one aggregate, and
    every aggregate that has events or hashes (an aggregate whose events were all deleted still
    has its hashes)."""

    def select_hashes(self, originator_id: UUID) -> dict[int, str]:
        raise NotImplementedError

    def aggregate_ids(self) -> list[UUID]:
        raise NotImplementedError

    def select_event_hashes(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], str]:
        """The recorded hashes of these (aggregate id, version) pairs (the transparency log's
        builder reads a batch of notifications, then their hashes, in one query)."""
        raise NotImplementedError


class HashedSQLiteRecorder(SQLiteRecorder, HashedRecorder, InlineHost):
    hashes_table = "event_hashes"

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        inline = self.inline
        if inline is None or not stored_events:
            return super().insert_events(stored_events, **kwargs)
        prepared = inline.prepare(stored_events)
        with self.datastore.transaction(commit=True) as c:
            ids = self.insert_in_transaction(c, stored_events, **kwargs)
            assert ids is not None  # the application recorder returns the notification ids
            # The write lock is held until commit: read models move in notification-id order.
            connection = c.sqlite_cursor.connection
            after = inline.apply("sqlite", connection, list(zip(ids, prepared, strict=True)))
        after()
        return ids

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.hashes_table} (originator_id TEXT,"
            " originator_version INTEGER, hash TEXT NOT NULL,"
            " PRIMARY KEY (originator_id, originator_version))",
        ]

    def insert_in_transaction(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_in_transaction(c, stored_events, **kwargs)

        def previous_of(originator_id: UUID | str, version: int) -> str | None:
            c.execute(
                f"SELECT hash FROM {self.hashes_table}"
                " WHERE originator_id = ? AND originator_version = ?",
                (_sqlite_id(originator_id), version),
            )
            row = c.fetchone()
            return None if row is None else str(row[0])

        for stored, digest in chain(stored_events, previous_of):
            c.execute(
                f"INSERT INTO {self.hashes_table} (originator_id, originator_version, hash)"
                " VALUES (?, ?, ?)",
                (_sqlite_id(stored.originator_id), stored.originator_version, digest),
            )
        return ids

    def select_hashes(self, originator_id: UUID) -> dict[int, str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_version, hash FROM {self.hashes_table} WHERE originator_id = ?",
                (_sqlite_id(originator_id),),
            )
            return {int(v): str(h) for v, h in c.fetchall()}

    def aggregate_ids(self) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_id FROM {self.events_table_name}"
                f" UNION SELECT originator_id FROM {self.hashes_table}"
            )
            return sorted(UUID(row[0]) for row in c.fetchall())

    def select_event_hashes(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], str]:
        found: dict[tuple[UUID, int], str] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(keys), 400):
                chunk = keys[start : start + 400]
                pairs = ", ".join("(?, ?)" for _ in chunk)
                c.execute(
                    f"SELECT originator_id, originator_version, hash FROM {self.hashes_table}"
                    f" WHERE (originator_id, originator_version) IN (VALUES {pairs})",
                    [value for oid, v in chunk for value in (_sqlite_id(oid), v)],
                )
                for oid, version, digest in c.fetchall():
                    found[(UUID(oid), int(version))] = str(digest)
        return found


def _sqlite_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex


class HashedPostgresRecorder(PostgresRecorder, HashedRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hashes_table = f"{self.events_table_name}_hashes"
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} (originator_id uuid NOT NULL,"
                " originator_version bigint NOT NULL, hash text NOT NULL,"
                " PRIMARY KEY (originator_id, originator_version))"
            ).format(Identifier(self.datastore.schema), Identifier(self.hashes_table))
        )

    def _table(self) -> Any:
        return Identifier(self.datastore.schema, self.hashes_table)

    def insert_in_transaction(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # The application recorder takes the table lock, then inserts; the hashes follow in
        # the same transaction, so they commit with their events or not at all.
        #
        # The library runs this in pipeline mode. A nested pipeline syncs on exit, so a
        # conflicting insert (a concurrent command) raises its IntegrityError here, before our
        # statements are queued. Queued behind a failed statement, they would be skipped, and
        # psycopg would wrongly remember a skipped PREPARE as done: the connection then fails
        # every later use with 'prepared statement "_pg3_N" does not exist' (the load run in
        # tests/reliability meets such conflicts).
        with curs.connection.pipeline():
            super().insert_in_transaction(curs, stored_events, **kwargs)
        # A cursor of its own: the inserting cursor still holds the notification ids.
        with curs.connection.cursor() as own:

            def previous_of(originator_id: UUID | str, version: int) -> str | None:
                own.execute(
                    SQL(
                        "SELECT hash FROM {0} WHERE originator_id = %s AND originator_version = %s"
                    ).format(self._table()),
                    (originator_id, version),
                    prepare=False,
                )
                row = own.fetchone()
                return None if row is None else str(row["hash"])

            rows = [
                (s.originator_id, s.originator_version, h)
                for s, h in chain(stored_events, previous_of)
            ]
            own.executemany(
                SQL(
                    "INSERT INTO {0} (originator_id, originator_version, hash) VALUES (%s, %s, %s)"
                ).format(self._table()),
                rows,
            )

    def select_hashes(self, originator_id: UUID) -> dict[int, str]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT originator_version, hash FROM {0} WHERE originator_id = %s").format(
                    self._table()
                ),
                (originator_id,),
            )
            return {int(r["originator_version"]): str(r["hash"]) for r in curs.fetchall()}

    def aggregate_ids(self) -> list[UUID]:
        events = Identifier(self.datastore.schema, self.events_table_name)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT originator_id FROM {0} UNION SELECT originator_id FROM {1}").format(
                    events, self._table()
                )
            )
            return sorted(UUID(str(r["originator_id"])) for r in curs.fetchall())

    def select_event_hashes(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], str]:
        if not keys:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "SELECT h.originator_id, h.originator_version, h.hash FROM {0} h"
                    " JOIN unnest(%s::uuid[], %s::bigint[]) AS k(oid, v)"
                    " ON h.originator_id = k.oid AND h.originator_version = k.v"
                ).format(self._table()),
                ([k[0] for k in keys], [k[1] for k in keys]),
            )
            return {
                (UUID(str(r["originator_id"])), int(r["originator_version"])): str(r["hash"])
                for r in curs.fetchall()
            }


class HashedPOPORecorder(POPORecorder, HashedRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._hashes: dict[str, dict[int, str]] = defaultdict(dict)
        self._hash_lock = threading.Lock()

    def update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().update_table(stored_events, **kwargs)
        with self._hash_lock:
            for stored, digest in chain(
                stored_events, lambda oid, v: self._hashes[str(oid)].get(v)
            ):
                self._hashes[str(stored.originator_id)][stored.originator_version] = digest
        return ids

    def select_hashes(self, originator_id: UUID) -> dict[int, str]:
        with self._hash_lock:
            return dict(self._hashes[str(originator_id)])

    def aggregate_ids(self) -> list[UUID]:
        with self._hash_lock:
            return sorted(UUID(key) for key, hashes in self._hashes.items() if hashes)

    def select_event_hashes(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], str]:
        with self._hash_lock:
            return {
                (oid, v): self._hashes[str(oid)][v]
                for oid, v in keys
                if v in self._hashes.get(str(oid), {})
            }


@dataclass(frozen=True)
class CheckedEvent:
    stored: StoredEvent
    hash: str  # as recorded, or as computed when none was recorded
    previous_hash: str
    problem: str | None = None


@dataclass(frozen=True)
class Verification:
    events: list[CheckedEvent]
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.problems

    @property
    def first_broken_version(self) -> int | None:
        return min((v for v, _ in self.problems), default=None)


def verify(stored_events: Iterable[StoredEvent], recorded: dict[int, str]) -> Verification:
    """Recompute the chain over stored events and compare it with the recorded hashes.

    Reports each modified, deleted, inserted or reordered event by version. The chain goes on
    from the recorded hash of a broken link, so that one altered event is reported once.
    """
    checked: list[CheckedEvent] = []
    problems: list[tuple[int, str]] = []
    previous = GENESIS
    expected = 1
    for stored in sorted(stored_events, key=lambda s: s.originator_version):
        version = stored.originator_version
        if version > expected:
            missing = f"{expected}" if version == expected + 1 else f"{expected}-{version - 1}"
            problems.append((expected, f"version {missing} deleted"))
            previous = recorded.get(version - 1, previous)
        computed = chain_hash(previous, stored.originator_id, version, stored.topic, stored.state)
        have = recorded.get(version)
        problem = None
        if have is None:
            problem = f"version {version} inserted: no hash was recorded for it"
        elif have != computed:
            problem = f"version {version} modified or moved: its hash does not match"
        if problem:
            problems.append((version, problem))
        checked.append(CheckedEvent(stored, have or computed, previous, problem))
        previous = have or computed
        expected = version + 1
    for version in sorted(v for v in recorded if v >= expected):
        problems.append((version, f"version {version} deleted: its hash is recorded"))
    return Verification(checked, problems)
