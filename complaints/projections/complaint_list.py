"""Complaint summary and search: one row per complaint, for lists and filters.

Searchable text includes the complaint's description, which is personal data. It is kept only
while the subject's key lives: an erasure empties it, and a rebuild after erasure never sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from complaints.domain.access import can_view, list_scope
from complaints.domain.complaint import Complaint
from complaints.domain.erasure import SubjectErasure
from complaints.domain.values import (
    Actor,
    Category,
    Money,
    Outcome,
    PersonalText,
    Remedy,
    RemedyType,
    Status,
)
from complaints.projections.base import (
    Page,
    Projection,
    RowCache,
    View,
    check_page_size,
    dumps,
    from_moment,
    moment,
    on,
)
from complaints.projections.database import Row, Tx

ITEM_COLUMNS = (
    "id",
    "seq",
    "reference",
    "status",
    "category",
    "consumer_id",
    "shop_id",
    "order_id",
    "requested_remedy",
    "outcome",
    "remedy",
    "decided_by_default",
    "arbiter_id",
    "filed_at",
    "updated_at",
    "closed_at",
    "version",
    "deadlines",
    "next_due_at",
    "search_text",
    "paused",
    "paused_seconds",
    "escalated",
    "mediator_id",
)
#: What a summary reads: every item column but the working ones (deadlines, search text).
COLUMNS = ", ".join(c for c in ITEM_COLUMNS if c not in {"deadlines", "search_text"})


def escalates(event: object) -> bool:
    """The event takes the case to platform review: a party asked, a deadline passed, or intake
    referred it straight there."""
    if isinstance(event, Complaint.Accepted):
        return event.status is Status.UNDER_REVIEW
    return isinstance(event, Complaint.InterventionRequested | Complaint.Escalated)


def remedy_json(remedy: Remedy | None) -> str | None:
    if remedy is None:
        return None
    amount = remedy.amount
    return dumps(
        {
            "type": remedy.type.value,
            "amount": None if amount is None else str(amount.amount),
            "currency": None if amount is None else amount.currency,
        }
    )


def remedy_from_json(text: str | None) -> Remedy | None:
    if text is None:
        return None
    data = json.loads(text)
    amount = None if data["amount"] is None else Money(Decimal(data["amount"]), data["currency"])
    return Remedy(RemedyType(data["type"]), amount)


def searchable(*parts: str | PersonalText | None) -> str:
    words = []
    for part in parts:
        text = part.text if isinstance(part, PersonalText) else part
        if text:
            words.append(" ".join(text.split()))
    return " ".join(words).lower()


class ComplaintList(Projection):
    name = "complaint_list"
    # v2: paused clocks; v3: escalated (the case went to platform review); v4: the files cited;
    # v5: the mediator assigned
    version = 5
    readable_from = 5
    tables = {  # noqa: RUF012 - read-only class data
        "items": (
            "id TEXT PRIMARY KEY, seq BIGINT NOT NULL, reference TEXT NOT NULL,"
            " status TEXT NOT NULL, category TEXT NOT NULL, consumer_id TEXT NOT NULL,"
            " shop_id TEXT NOT NULL, order_id TEXT NOT NULL, requested_remedy TEXT NOT NULL,"
            " outcome TEXT, remedy TEXT, decided_by_default BIGINT NOT NULL,"
            " arbiter_id TEXT, filed_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
            " closed_at TEXT, version BIGINT NOT NULL, deadlines TEXT NOT NULL,"
            " next_due_at TEXT, search_text TEXT NOT NULL, paused BIGINT NOT NULL,"
            " paused_seconds DOUBLE PRECISION NOT NULL, escalated BIGINT NOT NULL,"
            " mediator_id TEXT"
        ),
        # Each evidence file a complaint cites, and whose upload (under whose key) it is.
        "files": (
            "sha256 TEXT NOT NULL, complaint_id TEXT NOT NULL, owner TEXT NOT NULL,"
            " PRIMARY KEY (sha256, complaint_id, owner)"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (consumer_id, seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (shop_id, seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (status, seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (next_due_at)",
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (arbiter_id, seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {items} (mediator_id, seq)",
    )

    def __init__(self, generation: int) -> None:
        super().__init__(generation)
        self.rows = RowCache(self.t["items"], ITEM_COLUMNS, ("id",))

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        super().apply(tx, event, position)
        if isinstance(event, Complaint.Event) and not isinstance(event, Complaint.Filed):
            self._set(
                tx, event, version=event.originator_version, updated_at=moment(event.timestamp)
            )

    def flush(self, tx: Tx) -> None:
        self.rows.flush(tx)

    def _row(self, tx: Tx, event: Any) -> dict[str, Any]:
        row = self.rows.get(tx, (str(event.originator_id),))
        assert row is not None, f"no complaint {event.originator_id}"
        return row

    def _set(self, tx: Tx, event: Any, **values: Any) -> None:
        self._row(tx, event).update(values)

    @on(Complaint.Filed)
    def filed(self, tx: Tx, e: Complaint.Filed, position: int) -> None:
        at = moment(e.timestamp)
        self.rows.put(
            {
                "id": str(e.originator_id),
                "seq": position,
                "reference": e.reference,
                "status": Status.SUBMITTED.value,
                "category": e.category.value,
                "consumer_id": e.consumer_id,
                "shop_id": e.shop_id,
                "order_id": e.order_id,
                "requested_remedy": remedy_json(e.requested_remedy),
                "outcome": None,
                "remedy": None,
                "decided_by_default": 0,
                "arbiter_id": None,
                "filed_at": at,
                "updated_at": at,
                "closed_at": None,
                "version": 1,
                "deadlines": "{}",
                "next_due_at": None,
                "search_text": searchable(e.reference, e.order_id, e.description),
                "paused": 0,
                "paused_seconds": 0.0,
                "escalated": 0,
                "mediator_id": None,
            },
            new=True,
        )

    @on(Complaint.EvidenceSubmitted)
    def evidence(self, tx: Tx, e: Complaint.EvidenceSubmitted, position: int) -> None:
        if e.sha256 is None:
            return
        tx.execute(
            f"INSERT INTO {self.t['files']} (sha256, complaint_id, owner) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (e.sha256, str(e.originator_id), e.actor.id),
        )

    @on(Complaint.Accepted)
    def accepted(self, tx: Tx, e: Complaint.Accepted, position: int) -> None:
        self._set(tx, e, status=e.status.value, escalated=int(escalates(e)))

    @on(Complaint.ReturnedForInfo)
    def returned(self, tx: Tx, e: Complaint.ReturnedForInfo, position: int) -> None:
        self._set(tx, e, status=Status.AWAITING_INFO.value)

    @on(Complaint.Rejected)
    def rejected(self, tx: Tx, e: Complaint.Rejected, position: int) -> None:
        self._set(
            tx,
            e,
            status=Status.REJECTED.value,
            outcome=Outcome.REJECTED_INVALID.value,
            closed_at=moment(e.timestamp),
        )

    @on(Complaint.Resubmitted)
    def resubmitted(self, tx: Tx, e: Complaint.Resubmitted, position: int) -> None:
        row = self._row(tx, e)
        self._set(
            tx,
            e,
            status=Status.SUBMITTED.value,
            search_text=searchable(row["reference"], row["order_id"], e.description),
        )

    @on(Complaint.Withdrawn)
    def withdrawn(self, tx: Tx, e: Complaint.Withdrawn, position: int) -> None:
        self._set(
            tx,
            e,
            status=Status.WITHDRAWN.value,
            outcome=Outcome.WITHDRAWN.value,
            closed_at=moment(e.timestamp),
        )

    @on(Complaint.InterventionRequested, Complaint.Escalated)
    def under_review(self, tx: Tx, e: Complaint.Event, position: int) -> None:
        self._set(tx, e, status=Status.UNDER_REVIEW.value, escalated=1)

    @on(Complaint.Assigned)
    def assigned(self, tx: Tx, e: Complaint.Assigned, position: int) -> None:
        self._set(tx, e, arbiter_id=e.arbiter_id)

    @on(Complaint.MediatorAssigned)
    def mediator_assigned(self, tx: Tx, e: Complaint.MediatorAssigned, position: int) -> None:
        self._set(tx, e, mediator_id=e.mediator_id)

    @on(Complaint.Settled)
    def settled(self, tx: Tx, e: Complaint.Settled, position: int) -> None:
        self._set(tx, e, outcome=Outcome.SETTLED_BY_AGREEMENT.value, remedy=remedy_json(e.remedy))

    @on(Complaint.DefaultRuled)
    def default_ruled(self, tx: Tx, e: Complaint.DefaultRuled, position: int) -> None:
        self._set(
            tx, e, outcome=e.outcome.value, remedy=remedy_json(e.remedy), decided_by_default=1
        )

    @on(Complaint.RulingIssued)
    def ruled(self, tx: Tx, e: Complaint.RulingIssued, position: int) -> None:
        self._set(
            tx, e, status=Status.RULED.value, outcome=e.outcome.value, remedy=remedy_json(e.remedy)
        )

    @on(Complaint.AppealFiled)
    def appealed(self, tx: Tx, e: Complaint.AppealFiled, position: int) -> None:
        self._set(tx, e, status=Status.APPEAL_REVIEW.value)

    @on(Complaint.AppealDecided, Complaint.RulingFinalised)
    def decided(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, outcome=e.outcome.value, remedy=remedy_json(e.remedy))

    @on(Complaint.FulfilmentStarted)
    def fulfilling(self, tx: Tx, e: Complaint.FulfilmentStarted, position: int) -> None:
        self._set(tx, e, status=Status.FULFILLING.value)

    @on(Complaint.Closed)
    def closed(self, tx: Tx, e: Complaint.Closed, position: int) -> None:
        self._set(
            tx,
            e,
            status=Status.CLOSED.value,
            outcome=e.outcome.value,
            closed_at=moment(e.timestamp),
        )

    @on(Complaint.DeadlineSet)
    def deadline_set(self, tx: Tx, e: Complaint.DeadlineSet, position: int) -> None:
        self._deadlines(tx, e, lambda d: {**d, str(e.originator_version): moment(e.due_at)})

    @on(Complaint.DeadlineCleared, Complaint.DeadlineLapsed)
    def deadline_closed(self, tx: Tx, e: Any, position: int) -> None:
        key = str(e.deadline_id)
        self._deadlines(tx, e, lambda d: {k: v for k, v in d.items() if k != key})

    def _deadlines(self, tx: Tx, e: Any, change: Any) -> None:
        deadlines: dict[str, str] = change(json.loads(self._row(tx, e)["deadlines"]))
        self._set(
            tx, e, deadlines=dumps(deadlines), next_due_at=min(deadlines.values(), default=None)
        )

    @on(Complaint.ClockPaused)
    def paused(self, tx: Tx, e: Complaint.ClockPaused, position: int) -> None:
        self._set(tx, e, paused=1)

    @on(Complaint.ClockResumed)
    def resumed(self, tx: Tx, e: Complaint.ClockResumed, position: int) -> None:
        row = self._row(tx, e)
        moved = {str(x.deadline_id): moment(x.due_at) for x in e.extended}
        self._deadlines(tx, e, lambda d: {k: moved.get(k, v) for k, v in d.items()})
        self._set(tx, e, paused=0, paused_seconds=row["paused_seconds"] + e.paused_seconds)

    @on(SubjectErasure.Erased)
    def erased(self, tx: Tx, e: SubjectErasure.Erased, position: int) -> None:
        self.rows.flush(tx)
        rows = tx.all(
            f"SELECT id, reference, order_id FROM {self.t['items']} WHERE consumer_id = ?",
            (e.subject_id,),
        )
        for row in rows:
            tx.execute(
                f"UPDATE {self.t['items']} SET search_text = ? WHERE id = ?",
                (searchable(row["reference"], row["order_id"]), row["id"]),
            )


@dataclass(frozen=True)
class ComplaintFilter:
    statuses: tuple[Status, ...] = ()
    shop_id: str | None = None
    consumer_id: str | None = None
    category: Category | None = None
    overdue: bool | None = None
    search: str | None = None
    arbiter_id: str | None = None
    mediator_id: str | None = None
    escalated: bool | None = None


@dataclass(frozen=True)
class ComplaintSummary:
    id: UUID
    seq: int
    reference: str
    status: Status
    category: Category
    consumer_id: str
    shop_id: str
    order_id: str
    requested_remedy: Remedy
    outcome: Outcome | None
    remedy: Remedy | None
    decided_by_default: bool
    arbiter_id: str | None
    filed_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    version: int
    next_due_at: datetime | None
    paused: bool
    paused_seconds: float
    escalated: bool
    mediator_id: str | None = None


def _summary(row: Row) -> ComplaintSummary:
    requested = remedy_from_json(row["requested_remedy"])
    assert requested is not None
    return ComplaintSummary(
        id=UUID(row["id"]),
        seq=int(row["seq"]),
        reference=row["reference"],
        status=Status(row["status"]),
        category=Category(row["category"]),
        consumer_id=row["consumer_id"],
        shop_id=row["shop_id"],
        order_id=row["order_id"],
        requested_remedy=requested,
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        remedy=remedy_from_json(row["remedy"]),
        decided_by_default=bool(row["decided_by_default"]),
        arbiter_id=row["arbiter_id"],
        filed_at=from_moment(row["filed_at"]),
        updated_at=from_moment(row["updated_at"]),
        closed_at=from_moment(row["closed_at"]) if row["closed_at"] else None,
        version=int(row["version"]),
        next_due_at=from_moment(row["next_due_at"]) if row["next_due_at"] else None,
        paused=bool(row["paused"]),
        paused_seconds=float(row["paused_seconds"]),
        escalated=bool(row["escalated"]),
        mediator_id=row["mediator_id"],
    )


#: The deadline order's sort key: 0 for a case whose clock runs toward a deadline, else 1.
WAITING = "CASE WHEN paused = 0 AND next_due_at IS NOT NULL THEN 0 ELSE 1 END"
DUE = "COALESCE(next_due_at, '')"


class DeadlineKey(NamedTuple):
    """Where a page in the deadline order ends: (WAITING, DUE, seq) of its last case."""

    waiting: int
    due: str
    seq: int

    @classmethod
    def of(cls, summary: ComplaintSummary) -> DeadlineKey:
        running = not summary.paused and summary.next_due_at is not None
        due = moment(summary.next_due_at) if summary.next_due_at is not None else ""
        return cls(0 if running else 1, due, summary.seq)


def ordering(after: int | DeadlineKey | None, *, by_deadline: bool) -> tuple[str, str, list[Any]]:
    """The ORDER BY, the keyset condition after the previous page, and its parameters."""
    if not (by_deadline or isinstance(after, DeadlineKey)):
        return "seq DESC", *(("", []) if after is None else (" AND seq < ?", [after]))
    order = f"{WAITING} ASC, {DUE} ASC, seq DESC"
    if not isinstance(after, DeadlineKey):
        return order, "", []
    keyset = (
        f" AND ({WAITING} > ? OR ({WAITING} = ? AND {DUE} > ?)"
        f" OR ({WAITING} = ? AND {DUE} = ? AND seq < ?))"
    )
    w, due, seq = after
    return order, keyset, [w, w, due, w, due, seq]


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ComplaintListView(View):
    projection = ComplaintList

    def search(
        self,
        viewer: Actor,
        where: ComplaintFilter,
        *,
        now: datetime,
        first: int = 20,
        after: int | DeadlineKey | None = None,
        by_deadline: bool = False,
    ) -> Page[ComplaintSummary]:
        """Newest first, `after` being the `seq` of the last item of the previous page; or, when
        `after` is a `DeadlineKey` or `by_deadline` is set, the soonest running deadline first
        (cases with none, or with the clock paused, after them, newest first)."""
        check_page_size(first)
        scope = list_scope(viewer)
        if scope.nothing:
            return Page([], has_next=False, total=0)
        conditions: list[str] = []
        params: list[Any] = []
        if scope.consumer_id is not None:
            conditions.append("consumer_id = ?")
            params.append(scope.consumer_id)
        if scope.shop_id is not None:
            conditions.append("shop_id = ?")
            params.append(scope.shop_id)
        if where.statuses:
            conditions.append(f"status IN ({', '.join('?' for _ in where.statuses)})")
            params.extend(s.value for s in where.statuses)
        equal = {
            "shop_id": where.shop_id,
            "consumer_id": where.consumer_id,
            "category": where.category.value if where.category is not None else None,
            "arbiter_id": where.arbiter_id,
            "mediator_id": where.mediator_id,
        }
        for column, value in equal.items():
            if value is not None:
                conditions.append(f"{column} = ?")
                params.append(value)
        if where.escalated is not None:
            conditions.append("escalated = ?")
            params.append(int(where.escalated))
        if where.overdue is True:
            conditions.append("paused = 0 AND next_due_at IS NOT NULL AND next_due_at <= ?")
            params.append(moment(now))
        elif where.overdue is False:
            conditions.append("(paused = 1 OR next_due_at IS NULL OR next_due_at > ?)")
            params.append(moment(now))
        for word in (where.search or "").lower().split()[:10]:
            conditions.append("search_text LIKE ? ESCAPE '\\'")
            params.append(like_pattern(word))
        clause = " AND ".join(conditions) or "1 = 1"

        order, keyset, keys = ordering(after, by_deadline=by_deadline)

        def query(tx: Tx, t: dict[str, str]) -> Page[ComplaintSummary]:
            total = tx.value(f"SELECT COUNT(*) AS n FROM {t['items']} WHERE {clause}", params)
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['items']} WHERE {clause}{keyset}"
                f" ORDER BY {order} LIMIT ?",
                [*params, *keys, first + 1],
            )
            return Page([_summary(r) for r in rows[:first]], len(rows) > first, int(total or 0))

        return self.read(query)

    def file_owners(self, viewer: Actor, sha256: str) -> list[str]:
        """Who uploaded the copies of the file `sha256` that cases the viewer may see cite."""

        def query(tx: Tx, t: dict[str, str]) -> list[Row]:
            return tx.all(
                f"SELECT f.owner, i.consumer_id, i.shop_id FROM {t['files']} f"
                f" JOIN {t['items']} i ON i.id = f.complaint_id WHERE f.sha256 = ?"
                " ORDER BY f.owner",
                (sha256,),
            )

        owners = [
            row["owner"]
            for row in self.read(query)
            if can_view(viewer, consumer_id=row["consumer_id"], shop_id=row["shop_id"])
        ]
        return list(dict.fromkeys(owners))

    def get(self, viewer: Actor, complaint_id: UUID) -> ComplaintSummary | None:
        """The complaint's summary, or None if it does not exist or the viewer may not see it."""

        def query(tx: Tx, t: dict[str, str]) -> ComplaintSummary | None:
            row = tx.one(f"SELECT {COLUMNS} FROM {t['items']} WHERE id = ?", (str(complaint_id),))
            return None if row is None else _summary(row)

        summary = self.read(query)
        if summary is None or not can_view(
            viewer, consumer_id=summary.consumer_id, shop_id=summary.shop_id
        ):
            return None
        return summary
