"""Waking projections up, and electing one leader per projection.

- `Signal`: waiters sleep until something may have changed. The application pulses it after each
  save in this process; on PostgreSQL a listener pulses it on every NOTIFY that the event store
  sends from any process (only a wake-up: readers then read the log after their own position);
  and every waiter also wakes after `poll` seconds, so nothing is missed for long.
- `Leadership`: one runner per projection does the work. PostgreSQL: a session advisory lock
  (released by the server if the process dies). SQLite: an flock on a lock file beside the
  database. In memory: a lock in this process. Correctness never depends on it: positions move
  by compare-and-set, so even two leaders could not apply an event twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from complaints.settings import Store
from complaints.store.signal import Signal

log = logging.getLogger(__name__)


class NotifyListener:
    """Pulses signals on PostgreSQL NOTIFYs (channel -> signal), reconnecting when it must.

    A NOTIFY is only ever a wake-up: whoever wakes reads what is new after its own position.
    After a reconnect every signal is pulsed once, to catch up with what happened meanwhile.
    """

    def __init__(
        self,
        store: Store,
        channels: dict[str, Signal],
        payloads: dict[str, Signal] | None = None,
    ) -> None:
        self.store = store
        self.channels = channels
        #: Pulsed, besides its channel's signal, by a NOTIFY carrying this payload.
        self.payloads = payloads or {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="notify-listener", daemon=True)
        #: Whether it is listening now: every NOTIFY sent from here on reaches its signals.
        self.connected = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.connected = False
        self._stop.set()
        self._thread.join(timeout=5)

    def _pulse_all(self) -> None:
        for signal in [*self.channels.values(), *self.payloads.values()]:
            signal.pulse()

    def _listen(self) -> None:
        import psycopg  # noqa: PLC0415 - PostgreSQL only
        from psycopg import sql  # noqa: PLC0415

        backoff = 0.1
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.store.conninfo, autocommit=True) as conn:
                    for channel in self.channels:
                        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    backoff = 0.1
                    self.connected = True
                    self._pulse_all()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.5, stop_after=1):
                            signal = self.channels.get(notify.channel)
                            if signal is not None:
                                signal.pulse()
                            named = self.payloads.get(notify.payload)
                            if named is not None:
                                named.pulse()
            except psycopg.Error as error:
                # Deaf until it listens again: say so first, then wake everyone up.
                self.connected = False
                self._pulse_all()
                log.warning("listening for changes failed (%s); retrying", error)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)


def projected_channel(store: Store) -> str:
    """The channel a runner NOTIFYs after each batch it commits (per schema)."""
    return f"rm_{store.schema}_projected".lower()


class Leadership(ABC):
    @abstractmethod
    def try_lead(self, name: str) -> bool:
        """Become the leader for `name` if nobody is; True if this process now leads it."""

    @abstractmethod
    def release(self, name: str) -> None: ...

    def still_leading(self, name: str) -> bool:
        return True

    @abstractmethod
    def close(self) -> None: ...


class PostgresLeadership(Leadership):
    """Advisory locks held on one dedicated connection, scoped by database schema."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn: Any = None
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def _key(self, name: str) -> int:
        digest = hashlib.sha256(f"complaints:{self.store.schema}:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _connection(self) -> Any:
        import psycopg  # noqa: PLC0415

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.store.conninfo, autocommit=True)
            self._held.clear()
        return self._conn

    def try_lead(self, name: str) -> bool:
        import psycopg  # noqa: PLC0415

        with self._lock:
            try:
                row = (
                    self._connection()
                    .execute("SELECT pg_try_advisory_lock(%s)", (self._key(name),))
                    .fetchone()
                )
            except psycopg.Error as error:
                log.warning("cannot reach PostgreSQL to lead %s: %s", name, error)
                self._conn = None
                return False
            if row and row[0]:
                self._held.add(name)
                return True
            return False

    def still_leading(self, name: str) -> bool:
        import psycopg  # noqa: PLC0415

        with self._lock:
            if name not in self._held or self._conn is None:
                return False
            try:
                self._conn.execute("SELECT 1")
            except psycopg.Error:
                self._conn = None
                self._held.clear()
                return False
            return True

    def release(self, name: str) -> None:
        with self._lock:
            if name in self._held and self._conn is not None and not self._conn.closed:
                with contextlib.suppress(Exception):
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._key(name),))
            self._held.discard(name)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                # Release before closing: the server drops a closed session's locks only when
                # its backend has exited, a moment later, and a successor asking at once would
                # be refused (seen in CI as a flaky hand-over).
                if not self._conn.closed:
                    with contextlib.suppress(Exception):
                        self._conn.execute("SELECT pg_advisory_unlock_all()")
                self._conn.close()
            self._held.clear()


class FileLeadership(Leadership):
    """An exclusive flock per projection on a file beside the SQLite database."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._files: dict[str, int] = {}
        self._lock = threading.Lock()

    def try_lead(self, name: str) -> bool:
        with self._lock:
            if name in self._files:
                return True
            path = self.database.with_name(f"{self.database.name}.{name}.lock")
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._files[name] = fd
            return True

    def release(self, name: str) -> None:
        with self._lock:
            fd = self._files.pop(name, None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def close(self) -> None:
        for name in list(self._files):
            self.release(name)


class LocalLeadership(Leadership):
    """For the in-memory store, whose events live in this process only."""

    _locks: ClassVar[dict[tuple[int, str], threading.Lock]] = {}
    _guard = threading.Lock()

    def __init__(self, owner: object) -> None:
        self.owner = id(owner)
        self._held: set[str] = set()

    def try_lead(self, name: str) -> bool:
        with self._guard:
            lock = self._locks.setdefault((self.owner, name), threading.Lock())
        if name in self._held:
            return True
        if lock.acquire(blocking=False):
            self._held.add(name)
            return True
        return False

    def release(self, name: str) -> None:
        if name in self._held:
            self._held.discard(name)
            self._locks[(self.owner, name)].release()

    def close(self) -> None:
        for name in list(self._held):
            self.release(name)


def open_leadership(store: Store, owner: object) -> Leadership:
    if store.kind == "postgres":
        return PostgresLeadership(store)
    if store.kind == "sqlite":
        assert store.path is not None
        return FileLeadership(store.path)
    return LocalLeadership(owner)
