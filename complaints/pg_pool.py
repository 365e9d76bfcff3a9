"""Checking pooled PostgreSQL connections without a round trip per use.

A connection left dead by a database restart must be replaced before a request gets it
(tests/reliability/test_faults.py found requests failing once per dead connection).
psycopg_pool's `check_connection` does that with a `SELECT`-like round trip on every checkout,
which under load was a fifth of the read models' time. A connection handed back less than
`RECENT_SECONDS` ago was working then; only one idle for longer is checked. After a restart
every connection has been idle at least as long as the database was down, or was used during
the outage, failed and was discarded by the pool.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from psycopg_pool import ConnectionPool

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
