"""The read cache: aggregates as this process last read them, and the reads that go through it.

Queries and checks that change nothing read a case or a shop through here (`read_complaint`,
`read_seller`, `cached_complaint`); commands load afresh (`get_complaint`, `get_seller`).
"""

from __future__ import annotations

import copy
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from complaints.application.runner import CommandRunner
from complaints.clock import Clock
from complaints.domain.complaint import Complaint
from complaints.domain.seller import Seller, seller_id
from complaints.settings import Settings, Store
from complaints.store.personal_data import KeyStore
from complaints.store.signal import Signal

A = TypeVar("A", bound=Aggregate)


class ReadCache:
    """Aggregates as this process last read them, for reading (never for changing).

    Loading a case replays it from the store (select, decode, decrypt, apply), and every filing
    loads its shop. Here an aggregate read before is brought up to date with one indexed select
    of the events stored since (eventsourcing's fast-forward), and only when there are some is
    it copied and advanced: a cached aggregate is never changed in place, so a reader still
    holding the old one is not disturbed.

    An entry checked after the last write anyone made (`WriteMark`) is served without that
    select (`CachedReads.cached_complaint`).

    Personal text is decrypted when an aggregate is loaded, so an entry lives at most `ttl`
    seconds (KEY_CACHE_SECONDS, the bound the key cache already gives an erasure in another
    process); an erasure in this process clears the cache at once.
    """

    def __init__(self, maxsize: int, ttl: float) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        #: id -> (loaded at, the aggregate, the write mark it was checked against)
        self._entries: OrderedDict[UUID, tuple[float, Aggregate, int | None]] = OrderedDict()
        self._lock = threading.Lock()
        #: When the cache was last cleared: what was loaded before then is not taken back.
        self._cleared_at = 0.0

    def get(self, aggregate_id: UUID) -> tuple[Aggregate, int | None, float] | None:
        """The aggregate, the write mark it was last checked against, and when it was loaded
        (an advanced copy keeps its original's time: its older text was decrypted then)."""
        with self._lock:
            entry = self._entries.get(aggregate_id)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.ttl:
                del self._entries[aggregate_id]
                return None
            self._entries.move_to_end(aggregate_id)
            return entry[1], entry[2], entry[0]

    def put(self, aggregate: Aggregate, loaded_at: float, checked_at: int | None) -> None:
        with self._lock:
            if loaded_at < self._cleared_at:
                return  # read before an erasure cleared the cache: it may hold erased text
            current = self._entries.get(aggregate.id)
            if current is not None and current[1].version > aggregate.version:
                return  # a later read already stored a newer state
            self._entries[aggregate.id] = (
                loaded_at if current is None else min(loaded_at, current[0]),
                aggregate,
                checked_at,
            )
            self._entries.move_to_end(aggregate.id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._cleared_at = time.monotonic()


class WriteMark:
    """A number that changes whenever anything is written to the store, by any process: what
    lets a cached aggregate be served without asking the store whether it changed.

    - In memory: this process's saves (no other process shares the store).
    - SQLite: `PRAGMA data_version` on a connection of its own, which changes when any other
      connection, in this process or another, commits to the file (read models included).
    - PostgreSQL: the count of `saved` pulses while the read models' listener hears every
      NOTIFY the event store sends (`ReadModels.listen` installs it); None before and while
      it is reconnecting. A write by another process is seen once its NOTIFY arrives.
    """

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()

    def __call__(self) -> int | None:
        with self._lock:
            try:
                row = self._conn.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                return None
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @staticmethod
    def for_store(store: Store, saved: Signal) -> Callable[[], int | None]:
        if store.kind == "memory":
            return lambda: saved.pulses
        if store.kind == "sqlite":
            assert store.path is not None
            return WriteMark(store.path)
        return lambda: None


class CachedReads(CommandRunner):
    """The application's reads through its `ReadCache`, for queries and checks only."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        keys: KeyStore | None = None,
    ) -> None:
        super().__init__(settings, clock=clock, keys=keys)
        #: Aggregates as last read, for queries and checks (`read_complaint`).
        self.read_cache = ReadCache(10_000, self.settings.key_cache_seconds)
        #: A number that changes whenever anything is written by any process, or None while
        #: that cannot be known (then every read asks the store). See `WriteMark`.
        self.write_mark: Callable[[], int | None] = WriteMark.for_store(
            self.settings.store, self.saved
        )

    def close(self) -> None:
        super().close()
        if isinstance(self.write_mark, WriteMark):
            self.write_mark.close()

    def read_complaint(self, complaint_id_: UUID) -> Complaint:
        """The complaint as it stands now, for reading only (`ReadCache`). Never change what
        this returns; commands load with `get_complaint`."""
        return self._read(complaint_id_, lambda: self.get_complaint(complaint_id_))

    def cached_complaint(self, complaint_id_: UUID) -> Complaint | None:
        """The complaint without reading the store, when the read cache holds it and nothing
        was written anywhere since it was checked; None otherwise (then `read_complaint`). It
        takes microseconds, so the API may call it on its event loop."""
        mark = self.write_mark()
        if mark is None:
            return None
        cached = self.read_cache.get(complaint_id_)
        if cached is None or cached[1] != mark:
            return None
        return cast(Complaint, cached[0])

    def read_seller(self, shop_id: str) -> Seller:
        """The shop as it stands now, for reading only (`ReadCache`)."""
        return self._read(seller_id(shop_id), lambda: self.get_seller(shop_id))

    def _read(self, aggregate_id: UUID, load: Callable[[], A]) -> A:
        # Mark the writes before asking the store: one made meanwhile makes the next read ask.
        writes = self.write_mark()
        cached = self.read_cache.get(aggregate_id)
        loaded_at = time.monotonic()
        if cached is None:
            aggregate = load()
        else:
            loaded_at = cached[2]
            newer = list(self.events.get(aggregate_id, gt=cached[0].version))
            if not newer:
                self.read_cache.put(cached[0], loaded_at, writes)
                return cast(A, cached[0])
            advanced = project_aggregate(copy.deepcopy(cached[0]), newer)
            assert advanced is not None
            aggregate = cast(A, advanced)
        self.read_cache.put(aggregate, loaded_at, writes)
        return aggregate
