"""PostgreSQL helpers: creating tables once when many processes start together, and checking
pooled connections without a round trip per use.

**Creating tables.** `complaints serve --workers N` starts N processes at once; on a fresh
database each ran `CREATE TABLE IF NOT EXISTS` for the same tables, and PostgreSQL refused all
but one (`duplicate key value violates unique constraint "pg_type_typname_nsp_index"`): the
server did not start. `creating_tables(store)` holds an advisory lock while a process creates
its tables, so they take turns.

**Checking connections.**

A connection left dead by a database restart must be replaced before a request gets it
(tests/reliability/test_faults.py found requests failing once per dead connection).
psycopg_pool's `check_connection` does that with a `SELECT`-like round trip on every checkout,
which under load was a fifth of the read models' time. A connection handed back less than
`RECENT_SECONDS` ago was working then; only one idle for longer is checked. After a restart
every connection has been idle at least as long as the database was down, or was used during
the outage, failed and was discarded by the pool. The key store's and the event store's pools
check connections this way (the event store's in place of eventsourcing's pre-ping, which made
the same round trip on every command).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from psycopg_pool import ConnectionPool

from complaints.compat import set_pool_callbacks

if TYPE_CHECKING:
    from complaints.settings import Store

#: The advisory lock taken while tables are created ("complain" in ASCII).
SCHEMA_LOCK = 0x636F6D706C61696E
RECENT_SECONDS = 1.0
_returned: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


def mark_returned(conn: Any) -> None:
    """The pool's `reset` callback: remember when the connection came back in working order."""
    _returned[conn] = time.monotonic()


def check_unless_recent(conn: Any) -> None:
    """The pool's `check` callback: a round trip only for a connection idle for a while."""
    if time.monotonic() - _returned.get(conn, 0.0) < RECENT_SECONDS:
        return
    ConnectionPool.check_connection(conn)


def check_when_idle(pool: ConnectionPool[Any]) -> None:
    """Make a pool (the event store's) check a connection only after it was idle a while,
    instead of on every checkout (eventsourcing's POSTGRES_PRE_PING). psycopg_pool takes the
    two callbacks only when it is built, and eventsourcing builds the event store's pool itself,
    so they are set on it by `complaints.compat` (tests/reliability/test_faults.py restarts the
    database under load to hold this)."""
    set_pool_callbacks(pool, check=check_unless_recent, reset=mark_returned)


@contextmanager
def creating_tables(store: Store) -> Iterator[None]:
    """Hold the schema lock (PostgreSQL; elsewhere nothing to do) while tables are created."""
    if store.kind != "postgres":
        yield
        return
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    with psycopg.connect(store.conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
