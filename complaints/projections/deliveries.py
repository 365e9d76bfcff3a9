"""The webhook deliverer's own state, kept beside the read models: how far it has followed the
timeline and the shop decisions for each endpoint, each delivery it owes, and each attempt it
made.

It is not a projection (it is not rebuilt from the log: attempts happened once), but it follows
the log like one. Each endpoint has its own position in each read model it follows (`FEEDS`:
the two move independently, each in log order). Entries after that position become deliveries,
and the position moves, in one transaction: a delivery is owed exactly once, however often the
deliverer is killed. A delivery is marked delivered only after the receiver answered 2xx, so a
kill in between sends it again, with the same `webhook-id` (at least once).

Deliveries are ordered within a stream: a case's timeline entries, or one shop's decisions (the
`complaint_id` column holds the case's id, or the shop's Seller id). Within one endpoint and one
stream, only the oldest undelivered entry is ever handed out (`due`): a failing delivery holds
back the later ones of its stream, and only those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from complaints.projections.base import Page, check_page_size, from_moment, moment
from complaints.projections.database import ReadStore, Row

CURSORS = "webhook_cursors"
#: The same, for the shop decisions read model.
SHOP_CURSORS = "webhook_shop_cursors"
DELIVERIES = "webhook_deliveries"
ATTEMPTS = "webhook_attempts"
#: What is kept of a receiver's answer.
RESPONSE_MAX = 1024

_CURSOR = (
    "endpoint_id TEXT PRIMARY KEY, position BIGINT NOT NULL, redeliver_version BIGINT NOT NULL"
)
TABLES = {
    CURSORS: _CURSOR,
    SHOP_CURSORS: _CURSOR,
    DELIVERIES: (
        "endpoint_id TEXT NOT NULL, position BIGINT NOT NULL, complaint_id TEXT NOT NULL,"
        " entry_type TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL,"
        " created_at TEXT NOT NULL, first_failed_at TEXT, last_status_code BIGINT,"
        " last_attempt_at TEXT, next_attempt_at TEXT, last_error TEXT,"
        " PRIMARY KEY (endpoint_id, position)"
    ),
    ATTEMPTS: (
        "endpoint_id TEXT NOT NULL, position BIGINT NOT NULL, attempt BIGINT NOT NULL,"
        " at TEXT NOT NULL, status_code BIGINT, error TEXT, response TEXT,"
        " duration_ms DOUBLE PRECISION NOT NULL,"
        " PRIMARY KEY (endpoint_id, position, attempt)"
    ),
}
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON {DELIVERIES} (status, next_attempt_at)",
    f"CREATE INDEX IF NOT EXISTS webhook_deliveries_case ON {DELIVERIES}"
    " (endpoint_id, complaint_id, status, position)",
)

#: The read models the deliverer follows, each with a position per endpoint: its table.
TIMELINE, SHOPS = "timeline", "shops"
FEEDS = {TIMELINE: CURSORS, SHOPS: SHOP_CURSORS}

PENDING = "PENDING"
DELIVERED = "DELIVERED"
FAILED = "FAILED"  # given up on when its endpoint was disabled; a redelivery sends it again
#: Of delivery `d`: no earlier one of its endpoint and stream is still pending (one parameter,
#: PENDING). A failing delivery holds back the later ones of its stream, and only those.
NOT_HELD_BACK = (
    f"NOT EXISTS (SELECT 1 FROM {DELIVERIES} e"
    " WHERE e.endpoint_id = d.endpoint_id AND e.complaint_id = d.complaint_id"
    " AND e.status = ? AND e.position < d.position)"
)
_DELIVERY = (
    "endpoint_id",
    "position",
    "complaint_id",
    "entry_type",
    "status",
    "attempts",
    "created_at",
    "first_failed_at",
    "last_status_code",
    "last_attempt_at",
    "next_attempt_at",
    "last_error",
)
DELIVERY_COLUMNS = ", ".join(_DELIVERY)


def message_id(endpoint_id: UUID, position: int) -> str:
    """The `webhook-id` of one entry to one endpoint: the same on every attempt."""
    return f"msg_{uuid5(endpoint_id, str(position)).hex}"


@dataclass(frozen=True)
class Owed:
    """One timeline entry (or shop decision) owed to one endpoint."""

    endpoint_id: UUID
    position: int
    complaint_id: str  # the stream: the case's id, or the shop's Seller id
    entry_type: str


@dataclass(frozen=True)
class Delivery:
    endpoint_id: UUID
    position: int
    complaint_id: UUID  # the stream it is ordered in: the case, or the shop's Seller id
    entry_type: str
    status: str
    attempts: int
    created_at: datetime
    first_failed_at: datetime | None
    last_status_code: int | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None

    @property
    def shown_status(self) -> str:
        """PENDING, RETRYING (it failed at least once), DELIVERED or FAILED."""
        if self.status == PENDING and self.attempts:
            return "RETRYING"
        return self.status


@dataclass(frozen=True)
class Attempt:
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    response: str | None
    duration_ms: float


@dataclass(frozen=True)
class Outcome:
    """What one attempt got back."""

    delivery: Delivery
    at: datetime
    status_code: int | None
    error: str | None
    response: str | None
    duration_ms: float
    retry_at: datetime | None  # None when delivered

    @property
    def delivered(self) -> bool:
        return self.retry_at is None


def _when(value: str | None) -> datetime | None:
    return None if value is None else from_moment(value)


def _delivery(row: Row) -> Delivery:
    code = row["last_status_code"]
    return Delivery(
        endpoint_id=UUID(row["endpoint_id"]),
        position=int(row["position"]),
        complaint_id=UUID(row["complaint_id"]),
        entry_type=row["entry_type"],
        status=row["status"],
        attempts=int(row["attempts"]),
        created_at=from_moment(row["created_at"]),
        first_failed_at=_when(row["first_failed_at"]),
        last_status_code=None if code is None else int(code),
        last_attempt_at=_when(row["last_attempt_at"]),
        next_attempt_at=_when(row["next_attempt_at"]),
        last_error=row["last_error"],
    )


class DeliveryLog:
    def __init__(self, db: ReadStore) -> None:
        self.db = db
        with db.transaction() as tx:
            for table, columns in TABLES.items():
                tx.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            for statement in INDEXES:
                tx.execute(statement)

    # ---------------------------------------------------------------- following the log
    def follow(
        self, endpoints: Iterable[tuple[UUID, int, int | None, int | None]], now: datetime
    ) -> dict[str, dict[UUID, int]]:
        """Start following new endpoints at their registration's position, and act on
        redelivery requests not yet acted on: the positions go back to `after`, and what was
        delivered after it is owed again. Takes (id, registered at, redeliver after, request's
        version); returns each endpoint's position in each feed (FEEDS)."""
        positions: dict[str, dict[UUID, int]] = {feed: {} for feed in FEEDS}
        endpoints = list(endpoints)
        if not endpoints:
            return positions  # no transaction for nothing (this runs on every batch)
        with self.db.transaction() as tx:
            for endpoint_id, registered_at, after, version in endpoints:
                key = str(endpoint_id)
                rows = {
                    feed: tx.one(
                        f"SELECT position, redeliver_version FROM {table} WHERE endpoint_id = ?",
                        (key,),
                    )
                    for feed, table in FEEDS.items()
                }
                # A feed followed later than the others (the shop decisions, for an endpoint
                # older than them) starts at the registration, with the redelivery requests
                # the endpoint's other feeds acted on counted as acted on.
                acted = max((int(r["redeliver_version"]) for r in rows.values() if r), default=0)
                redelivered = False
                for feed, table in FEEDS.items():
                    row = rows[feed]
                    if row is None:
                        tx.execute(
                            f"INSERT INTO {table} (endpoint_id, position, redeliver_version)"
                            " VALUES (?, ?, ?)",
                            (key, registered_at, acted),
                        )
                        position, acted_on = registered_at, acted
                    else:
                        position, acted_on = int(row["position"]), int(row["redeliver_version"])
                    if after is not None and version is not None and version > acted_on:
                        position = min(position, after)
                        tx.execute(
                            f"UPDATE {table} SET position = ?, redeliver_version = ?"
                            " WHERE endpoint_id = ?",
                            (position, version, key),
                        )
                        redelivered = True
                    positions[feed][endpoint_id] = position
                if redelivered:
                    assert after is not None
                    tx.execute(
                        f"UPDATE {DELIVERIES} SET status = ?, next_attempt_at = ?,"
                        " first_failed_at = NULL WHERE endpoint_id = ? AND position > ?",
                        (PENDING, moment(now), key, after),
                    )
        return positions

    def owe(
        self,
        owed: Sequence[Owed],
        positions: dict[UUID, int],
        now: datetime,
        feed: str = TIMELINE,
    ) -> None:
        """Record what is owed and move the endpoints' positions in `feed`, in one transaction.
        An entry owed already (a redelivery re-reads the log) is left as the redelivery set
        it."""
        with self.db.transaction() as tx:
            tx.many(
                f"INSERT INTO {DELIVERIES} ({DELIVERY_COLUMNS})"
                " VALUES (?,?,?,?,?,0,?,NULL,NULL,NULL,?,NULL)"
                " ON CONFLICT (endpoint_id, position) DO NOTHING",
                [
                    (
                        str(o.endpoint_id),
                        o.position,
                        o.complaint_id,
                        o.entry_type,
                        PENDING,
                        moment(now),
                        moment(now),
                    )
                    for o in owed
                ],
            )
            tx.many(
                f"UPDATE {FEEDS[feed]} SET position = ? WHERE endpoint_id = ? AND position < ?",
                [(p, str(e), p) for e, p in positions.items()],
            )

    # ---------------------------------------------------------------- sending
    def due(self, endpoint_ids: Sequence[UUID], now: datetime, limit: int) -> list[Delivery]:
        """Deliveries to send now: of each endpoint's streams (cases, shops), only the oldest
        undelivered one, and only once its retry time has come. Oldest first."""
        if not endpoint_ids:
            return []
        marks = ",".join("?" for _ in endpoint_ids)
        columns = ", ".join(f"d.{c}" for c in _DELIVERY)
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT {columns} FROM {DELIVERIES} d"
                f" WHERE d.status = ? AND d.next_attempt_at <= ? AND d.endpoint_id IN ({marks})"
                f" AND {NOT_HELD_BACK} ORDER BY d.position LIMIT ?",
                (PENDING, moment(now), *map(str, endpoint_ids), PENDING, limit),
            )
        return [_delivery(r) for r in rows]

    def record(self, outcomes: Sequence[Outcome]) -> None:
        """Each attempt, and what it means for its delivery, in one transaction."""
        if not outcomes:
            return
        with self.db.transaction() as tx:
            for o in outcomes:
                d = o.delivery
                key = (str(d.endpoint_id), d.position)
                attempt = d.attempts + 1
                tx.execute(
                    f"INSERT INTO {ATTEMPTS} (endpoint_id, position, attempt, at, status_code,"
                    " error, response, duration_ms) VALUES (?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (endpoint_id, position, attempt) DO NOTHING",
                    (
                        *key,
                        attempt,
                        moment(o.at),
                        o.status_code,
                        o.error,
                        o.response,
                        o.duration_ms,
                    ),
                )
                if o.delivered:
                    tx.execute(
                        f"UPDATE {DELIVERIES} SET status = ?, attempts = ?, last_status_code = ?,"
                        " last_attempt_at = ?, next_attempt_at = NULL, last_error = NULL"
                        " WHERE endpoint_id = ? AND position = ?",
                        (DELIVERED, attempt, o.status_code, moment(o.at), *key),
                    )
                else:
                    assert o.retry_at is not None
                    tx.execute(
                        f"UPDATE {DELIVERIES} SET attempts = ?, last_status_code = ?,"
                        " last_attempt_at = ?, next_attempt_at = ?, last_error = ?,"
                        " first_failed_at = COALESCE(first_failed_at, ?)"
                        " WHERE endpoint_id = ? AND position = ?",
                        (
                            attempt,
                            o.status_code,
                            moment(o.at),
                            moment(o.retry_at),
                            o.error,
                            moment(o.at),
                            *key,
                        ),
                    )

    def failing_since(self, endpoint_id: UUID) -> datetime | None:
        """When the endpoint's oldest undelivered delivery first failed (None: none fails)."""
        with self.db.read() as tx:
            since = tx.value(
                f"SELECT MIN(first_failed_at) AS since FROM {DELIVERIES}"
                " WHERE endpoint_id = ? AND status = ?",
                (str(endpoint_id), PENDING),
            )
        return _when(since)

    def give_up(self, endpoint_id: UUID) -> None:
        """The endpoint was disabled: what it still owed is marked failed (a redelivery sends
        it again)."""
        with self.db.transaction() as tx:
            tx.execute(
                f"UPDATE {DELIVERIES} SET status = ?, next_attempt_at = NULL"
                " WHERE endpoint_id = ? AND status = ?",
                (FAILED, str(endpoint_id), PENDING),
            )

    def next_attempt(self, endpoint_ids: Sequence[UUID]) -> datetime | None:
        """When the next delivery `due` would hand out falls due (one held back behind an
        earlier one of its stream does not count: its time is that of the one ahead)."""
        if not endpoint_ids:
            return None
        marks = ",".join("?" for _ in endpoint_ids)
        with self.db.read() as tx:
            due = tx.value(
                f"SELECT MIN(d.next_attempt_at) AS due FROM {DELIVERIES} d"
                f" WHERE d.status = ? AND d.endpoint_id IN ({marks})"
                f" AND {NOT_HELD_BACK}",
                (PENDING, *map(str, endpoint_ids), PENDING),
            )
        return _when(due)

    def backlog(self) -> dict[str, int]:
        """Deliveries still pending, per endpoint id (for /metrics)."""
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT endpoint_id, COUNT(*) AS pending FROM {DELIVERIES}"
                " WHERE status = ? GROUP BY endpoint_id",
                (PENDING,),
            )
        return {str(r["endpoint_id"]): int(r["pending"]) for r in rows}

    # ---------------------------------------------------------------- reading (the API)
    def page(self, endpoint_id: UUID, first: int, before: int | None) -> Page[Delivery]:
        """An endpoint's deliveries, newest first; `before` is a cursor's position."""
        check_page_size(first)
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT {DELIVERY_COLUMNS} FROM {DELIVERIES} WHERE endpoint_id = ?"
                " AND position < ? ORDER BY position DESC LIMIT ?",
                (str(endpoint_id), before if before is not None else 2**62, first + 1),
            )
        items = [_delivery(r) for r in rows]
        return Page(items[:first], len(items) > first)

    def attempts(self, endpoint_id: UUID, position: int) -> list[Attempt]:
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT attempt, at, status_code, error, response, duration_ms FROM {ATTEMPTS}"
                " WHERE endpoint_id = ? AND position = ? ORDER BY attempt",
                (str(endpoint_id), position),
            )
        return [
            Attempt(
                attempt=int(r["attempt"]),
                at=from_moment(r["at"]),
                status_code=None if r["status_code"] is None else int(r["status_code"]),
                error=r["error"],
                response=r["response"],
                duration_ms=float(r["duration_ms"]),
            )
            for r in rows
        ]


def backoff(attempt: int, base: timedelta, jitter: float) -> timedelta:
    """Exponential backoff with jitter: after the n-th failure wait base * 2^(n-1), at most an
    hour, scaled by `jitter` (drawn from 0.5 to 1: "equal jitter", so that endpoints that failed
    together do not all retry together)."""
    delay: timedelta = min(base * 2 ** min(attempt - 1, 20), timedelta(hours=1))
    return delay * jitter
