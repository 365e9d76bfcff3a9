"""The newest timeline rows, read from the event loop: what a process's subscription hub reads
after every batch (`complaints/graphql/subscriptions.py`).

On PostgreSQL the hub reads over an asynchronous connection of its own, on the event loop. A
read handed to a worker thread and back costs two turns at the GIL, and on a server busy with a
thousand WebSockets each turn waits for the others to let go (docs/performance.md has the
trace). Elsewhere (SQLite, the in-memory store) the read runs in a worker thread, as every other
read does.

Both read the timeline's active generation the way `View.read` does: a reader that meets a
generation not yet readable gets `ReadModelNotReady`; one that races a rebuild's switch-over
(the old tables dropped under it) asks again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

import anyio.to_thread

from complaints.projections import tracking
from complaints.projections.base import ReadModelNotReady
from complaints.projections.database import Row
from complaints.projections.timeline import (
    CaseRow,
    Timeline,
    TimelineView,
    case_rows,
    head_position,
    head_sql,
    rows_after_sql,
)
from complaints.store.replicas import POLL_EVERY, parse_lsn

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from complaints.settings import Settings, Store
    from complaints.store.replicas import ReplicaRouter


class TimelineTail(Protocol):
    async def head(self) -> int:
        """The log position of the newest entry (0 for none)."""

    async def rows_after(self, position: int, limit: int) -> list[CaseRow]:
        """Every entry after a log position, in log order, with its case's parties."""

    async def aclose(self) -> None: ...


class ThreadedTail:
    """The view's own reads, each in a worker thread."""

    def __init__(self, view: TimelineView) -> None:
        self.view = view

    async def head(self) -> int:
        return await anyio.to_thread.run_sync(self.view.head)

    async def rows_after(self, position: int, limit: int) -> list[CaseRow]:
        return await anyio.to_thread.run_sync(self.view.rows_after, position, limit)

    async def aclose(self) -> None:
        return None


class PostgresTail:
    """Reads over one asynchronous connection (autocommit), opened on first use. A connection
    found broken (closed by the server, or by a restart) is replaced at once, once per read;
    if the new one fails too, the caller gets the error, and its next read tries again."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn: Any = None

    async def _connection(self) -> Any:
        import psycopg  # noqa: PLC0415 - PostgreSQL only

        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self.store.conninfo,
                autocommit=True,
                options=f"-c search_path={self.store.schema}",
            )
        return self._conn

    async def _read(self, sql: Any, params: tuple[Any, ...]) -> list[Row]:
        """`sql(tables)` on the active generation's tables."""
        import psycopg  # noqa: PLC0415
        from psycopg.rows import dict_row  # noqa: PLC0415

        reconnected = False
        missing = 0
        while True:
            conn = await self._connection()
            try:
                async with conn.cursor(row_factory=dict_row) as cursor:
                    await cursor.execute(_pg(tracking.ACTIVE), (Timeline.name,))
                    current = tracking.active_from(Timeline.name, await cursor.fetchone())
                    if current is not None and current.version < Timeline.readable_from:
                        raise ReadModelNotReady(Timeline.name)
                    tables = Timeline(current.generation if current else 1).t
                    await cursor.execute(_pg(sql(tables)), params)
                    return list(await cursor.fetchall())
            except psycopg.errors.UndefinedTable:
                missing += 1  # raced a rebuild's switch-over: the new generation is there now
                if missing == 3:
                    raise
            except psycopg.Error:
                if not (conn.broken or conn.closed):
                    raise
                self._conn = None
                if reconnected:
                    raise
                reconnected = True

    async def head(self) -> int:
        rows = await self._read(head_sql, ())
        return head_position(rows[0] if rows else None)

    async def rows_after(self, position: int, limit: int) -> list[CaseRow]:
        return case_rows(await self._read(rows_after_sql, (position, limit)))

    async def lsn(self, function: str) -> int | None:
        """`pg_current_wal_insert_lsn` on a primary, `pg_last_wal_replay_lsn` on a standby."""
        conn = await self._connection()
        try:
            cursor = await conn.execute(f"SELECT {function}()::text")
            row = await cursor.fetchone()
        except Exception:
            if conn.broken or conn.closed:
                self._conn = None
            raise
        return None if row is None or row[0] is None else parse_lsn(row[0])

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


class ReplicaTail:
    """With read replicas: `LISTEN` stays on the primary (a standby refuses it) and only wakes
    the hub; each batch reads the primary's WAL position once, and then the new rows from a
    replica that has replayed up to it (so it holds every row the wake-up announced), waiting at
    most REPLICA_WAIT_MS; else from the primary (counted as a fallback). A replica that fails
    is taken out, as for queries."""

    def __init__(
        self, primary: PostgresTail, replicas: dict[str, PostgresTail], router: ReplicaRouter
    ) -> None:
        self.primary = primary
        self.replicas = replicas
        self.router = router

    async def head(self) -> int:
        return await self.primary.head()

    async def rows_after(self, position: int, limit: int) -> list[CaseRow]:
        wanted = await self.primary.lsn("pg_current_wal_insert_lsn")
        for replica in self.router.rotation():
            tail = self.replicas[replica.name]
            deadline = time.monotonic() + self.router.wait
            try:
                while True:
                    replayed = await tail.lsn("pg_last_wal_replay_lsn")
                    if replayed is None:
                        raise RuntimeError(f"{replica.name} is not a hot standby")
                    replica.replayed = max(replica.replayed, replayed)
                    if wanted is None or replayed >= wanted:
                        rows = await tail.rows_after(position, limit)
                        replica.served += 1
                        return rows
                    if time.monotonic() >= deadline:
                        break
                    await asyncio.sleep(POLL_EVERY)
            except Exception:
                log.warning("%s failed a timeline read", replica.name, exc_info=True)
                self.router.failed(replica)
                continue
            break  # the chosen replica is behind: the primary answers (never another guess)
        if self.replicas:
            self.router.fell_back()
        return await self.primary.rows_after(position, limit)

    async def aclose(self) -> None:
        await self.primary.aclose()
        for tail in self.replicas.values():
            await tail.aclose()


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


def open_tail(
    store: Store,
    view: TimelineView,
    settings: Settings | None = None,
    router: ReplicaRouter | None = None,
) -> TimelineTail:
    if store.kind != "postgres":
        return ThreadedTail(view)
    if settings is None or router is None or not settings.replica_stores:
        return PostgresTail(store)
    replicas = {
        replica.name: PostgresTail(standby)
        for replica, standby in zip(router.replicas, settings.replica_stores, strict=True)
    }
    return ReplicaTail(PostgresTail(store), replicas, router)
