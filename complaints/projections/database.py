"""Connections to the database that holds the read models: the same one as the events.

Keeping read models beside the events lets each projection write its rows and its position in one
transaction. Queries are written once, with `?` placeholders and portable types (TEXT, BIGINT,
DOUBLE PRECISION); the PostgreSQL side translates the placeholders for psycopg. Rows come back as
dicts keyed by column name (or by the alias a query gives an expression), on both stores, so a
reader names the column it wants instead of counting its position in a SELECT list.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from complaints.settings import Settings, Store
from complaints.store.replicas import (
    READ_SCOPE,
    ActorTokens,
    Probe,
    Replica,
    ReplicaRouter,
    format_lsn,
    parse_lsn,
)

#: A row, keyed by column name (or by the query's alias for an expression).
Row = dict[str, Any]


def sqlite_row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Row:
    """sqlite3's row factory for `Row`: the same shape as psycopg's `dict_row`."""
    return dict(zip([d[0] for d in cursor.description], values, strict=True))


class Tx(ABC):
    """A cursor inside one transaction."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""

    @abstractmethod
    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (a count, a maximum), or None if there is no row."""
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))

    @abstractmethod
    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters, in as few round trips as possible."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None


class ReplicaFailed(Exception):
    """A replica failed a read: it is taken out, and the read is asked again (of another)."""


class ReadStore(ABC):
    dialect: str
    #: Raised by the driver when a table is missing (a reader raced a rebuild's switch-over).
    missing_table: tuple[type[BaseException], ...]
    #: Whether queries may be answered by read replicas (DATABASE_REPLICA_URLS).
    router: ReplicaRouter | None = None

    def wrote(self, actor: str) -> str | None:
        """After a commit: the token a client sends back to read its write from a replica (the
        primary's LSN), remembered for `actor` too; None where there are no replicas."""
        return None

    def token_of(self, actor: str) -> int | None:
        """The token `actor`'s reads wait for when its client sends none (its latest write)."""
        return None

    def erased(self) -> None:
        """After an erasure committed: no read of this process goes to a replica until it has
        replayed where the log stands now. Nothing to do where there are no replicas."""
        if self.router is not None:
            msg = f"{type(self).__name__} has replicas but cannot say where the log stands"
            raise NotImplementedError(msg)

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager yielding a `Tx` that commits on success, rolls back on error."""

    def read(self) -> Any:
        return self.transaction()

    @abstractmethod
    def purge(self, tables: Sequence[str]) -> None:
        """After an erasure: physically drop what updates left behind of these tables."""

    @abstractmethod
    def close(self) -> None: ...


class SqliteTx(Tx):
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.cursor.execute(sql, tuple(params)).rowcount

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.cursor.execute(sql, tuple(params)).fetchall())

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.cursor.executemany(sql, [tuple(r) for r in rows])


class SqliteReadStore(ReadStore):
    """One connection per thread; writes take the database lock up front (BEGIN IMMEDIATE)."""

    dialect = "sqlite"
    missing_table = (sqlite3.OperationalError,)

    def __init__(self, path: Path, *, temporary: bool = False) -> None:
        self.path = path
        self.temporary = temporary
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                str(self.path), timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite_row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Erased search text must not linger in freed pages of the file.
            conn.execute("PRAGMA secure_delete=ON")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield SqliteTx(conn.cursor())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield SqliteTx(conn.cursor())
        finally:
            conn.execute("ROLLBACK")

    def purge(self, tables: Sequence[str]) -> None:
        # secure_delete zeroed the old rows in the file; the write-ahead log still holds old
        # page images until a checkpoint moves them in and truncates it.
        self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
        if self.temporary:
            shutil.rmtree(self.path.parent, ignore_errors=True)


class PostgresTx(Tx):
    def __init__(self, cursor: Any, *, prepare: bool | None = None) -> None:
        self.cursor = cursor
        #: psycopg's choice (None: prepared once used often), or never (False).
        self.prepare = prepare

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.cursor.execute(sql.replace("?", "%s"), tuple(params), prepare=self.prepare)
        return int(self.cursor.rowcount)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.cursor.execute(sql.replace("?", "%s"), tuple(params), prepare=self.prepare)
        return list(self.cursor.fetchall())

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(sql.replace("?", "%s"), [tuple(r) for r in rows])


#: On a standby: where it has replayed to, and for how long the WAL it holds has waited to be
#: replayed (0 when it has replayed all it received). NULL replay position: not a standby.
PROBE = """
SELECT pg_last_wal_replay_lsn()::text AS replayed,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END::float8 AS lag
"""


class PostgresReadStore(ReadStore):
    dialect = "postgres"

    def __init__(
        self,
        store: Store,
        *,
        max_size: int = 8,
        replicas: Sequence[Store] = (),
        replica_wait: float = 0.3,
        replica_max_lag: float = 10.0,
    ) -> None:
        import psycopg  # noqa: PLC0415 - PostgreSQL only
        from psycopg.rows import dict_row  # noqa: PLC0415
        from psycopg_pool import ConnectionPool  # noqa: PLC0415

        from complaints.store.postgres import check_unless_recent, mark_returned  # noqa: PLC0415

        self.schema = store.schema
        self._rows = dict_row
        self.missing_table = (psycopg.errors.UndefinedTable,)
        self._driver_error = psycopg.Error
        self._pool = ConnectionPool(
            store.conninfo,
            min_size=1,
            max_size=max_size,
            open=True,
            timeout=30,
            name="read-models",
            # A connection left dead by a database restart is replaced before use, not
            # handed to a request (tests/reliability/test_faults.py restarts it).
            check=check_unless_recent,
            reset=mark_returned,
            kwargs={"options": f"-c search_path={store.schema}"},
        )
        self._operational = psycopg.OperationalError
        self._replicas: dict[str, Any] = {}
        for number, replica in enumerate(replicas, 1):
            name = f"replica{number}"
            self._replicas[name] = ConnectionPool(
                replica.conninfo,
                min_size=1,
                max_size=max_size,
                open=True,
                # A dead replica is noticed in a second, not after the primary's 30.
                timeout=1.0,
                name=f"read-models-{name}",
                check=check_unless_recent,
                reset=mark_returned,
                kwargs={"options": f"-c search_path={replica.schema}", "connect_timeout": 2},
            )
        if self._replicas:
            self.router = ReplicaRouter(
                list(self._replicas), max_lag=replica_max_lag, wait=replica_wait
            )
            self.tokens = ActorTokens()

    def _probe(self, replica: Replica) -> Probe:
        with self._replicas[replica.name].connection() as conn:
            conn.autocommit = True
            row = conn.execute(PROBE).fetchone()
        if row is None or row[0] is None:
            msg = f"{replica.name} is not a hot standby"
            raise RuntimeError(msg)
        return Probe(parse_lsn(row[0]), float(row[1]))

    def wrote(self, actor: str) -> str | None:
        if self.router is None:
            return None
        with self._pool.connection() as conn:
            conn.autocommit = True
            row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
            conn.autocommit = False
        assert row is not None
        lsn = parse_lsn(row[0])
        self.tokens.wrote(actor, lsn)
        return format_lsn(lsn)

    def token_of(self, actor: str) -> int | None:
        return None if self.router is None else self.tokens.get(actor)

    def erased(self) -> None:
        if self.router is None:
            return
        with self._pool.connection() as conn:
            conn.autocommit = True
            row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
            conn.autocommit = False
        assert row is not None
        self.router.erasure(parse_lsn(row[0]))

    def lags(self) -> dict[str, float]:
        """Each replica's replay lag when last probed (seconds), for /metrics."""
        return {} if self.router is None else {r.name: r.lag for r in self.router.replicas}

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with (
            self._pool.connection() as conn,
            conn.transaction(),
            conn.cursor(row_factory=self._rows) as cursor,
        ):
            yield PostgresTx(cursor)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """Statements in autocommit: under READ COMMITTED each statement of a transaction sees
        its own snapshot anyway, so BEGIN and COMMIT would only add two round trips.

        Inside an API request's `ReadScope`, a replica that has replayed the request's token
        answers when there is one (`ReplicaFailed` if it fails meanwhile)."""
        scope = READ_SCOPE.get()
        if self.router is not None and scope is not None and not scope.primary:
            chosen = self.router.choose(scope.token, self._probe)
            if chosen is not None:
                scope.served.add(chosen.name)
                try:
                    with self._connected(self._replicas[chosen.name]) as tx:
                        yield tx
                except self._operational as error:
                    self.router.failed(chosen)
                    raise ReplicaFailed(chosen.name) from error
                return
            scope.served.add("primary")
        with self._connected(self._pool) as tx:
            yield tx

    @contextmanager
    def _connected(self, pool: Any) -> Iterator[Tx]:
        with pool.connection() as conn:
            conn.autocommit = True
            try:
                with conn.cursor(row_factory=self._rows) as cursor:
                    yield PostgresTx(cursor)
            finally:
                # A connection lost meanwhile cannot be switched back; the pool discards it.
                with suppress(self._driver_error):
                    conn.autocommit = False

    def purge(self, tables: Sequence[str]) -> None:
        # Dead row versions keep the old text in the table files until vacuumed.
        with self._pool.connection() as conn:
            conn.autocommit = True
            for table in tables:
                conn.execute(f"VACUUM {table}")
            conn.autocommit = False

    def close(self) -> None:
        self._pool.close()
        for pool in self._replicas.values():
            pool.close()


def open_read_store(store: Store, settings: Settings | None = None) -> ReadStore:
    """The read models' store; with `settings`, its replicas too (DATABASE_REPLICA_URLS)."""
    if store.kind == "sqlite":
        assert store.path is not None
        return SqliteReadStore(store.path)
    if store.kind == "postgres":
        if settings is None or not settings.replica_stores:
            return PostgresReadStore(store)
        return PostgresReadStore(
            store,
            replicas=settings.replica_stores,
            replica_wait=settings.replica_wait_ms / 1000,
            replica_max_lag=settings.replica_max_lag_s,
        )
    # The in-memory event store keeps its read models in a throwaway SQLite file.
    directory = Path(tempfile.mkdtemp(prefix="complaints-read-models-"))
    return SqliteReadStore(directory / "read-models.db", temporary=True)
