"""The supervision queue: overdue staff deadlines, defaulted remedies, open execution issues and
appeals waiting for a decision (R4)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import STAFF_DEADLINES
from complaints.projections.base import (
    Page,
    Projection,
    View,
    check_page_size,
    from_moment,
    moment,
    on,
)
from complaints.projections.database import Tx
from complaints.projections.deadlines import PendingDeadlinesView

COLUMNS = "complaint_id, kind, ref, since, detail, reference, shop_id"


#: The most items a queue read gathers (the queue holds what waits for people: hundreds, not
#: millions); totalCount counts up to this.
QUEUE_CAP = 10_000


class Supervision(Projection):
    name = "supervision"
    version = 3  # v2: appeals waiting for a decision; v3: disputed remedies
    tables = {  # noqa: RUF012 - read-only class data
        "cases": "complaint_id TEXT PRIMARY KEY, reference TEXT NOT NULL, shop_id TEXT NOT NULL",
        "items": (
            "complaint_id TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,"
            " since TEXT NOT NULL, detail TEXT NOT NULL, reference TEXT NOT NULL,"
            " shop_id TEXT NOT NULL, PRIMARY KEY (complaint_id, kind, ref)"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {items} (since)",)

    def _open(self, tx: Tx, e: Any, kind: str, ref: str, detail: str) -> None:
        case = tx.one(
            f"SELECT reference, shop_id FROM {self.t['cases']} WHERE complaint_id = ?",
            (str(e.originator_id),),
        )
        assert case is not None
        tx.execute(
            f"INSERT INTO {self.t['items']} ({COLUMNS}) VALUES (?,?,?,?,?,?,?)",
            (
                str(e.originator_id),
                kind,
                ref,
                moment(e.timestamp),
                detail,
                case["reference"],
                case["shop_id"],
            ),
        )

    def _close(self, tx: Tx, e: Any, kind: str, ref: str | None = None) -> None:
        if ref is None:
            tx.execute(
                f"DELETE FROM {self.t['items']} WHERE complaint_id = ? AND kind = ?",
                (str(e.originator_id), kind),
            )
        else:
            tx.execute(
                f"DELETE FROM {self.t['items']} WHERE complaint_id = ? AND kind = ? AND ref = ?",
                (str(e.originator_id), kind, ref),
            )

    @on(Complaint.Filed)
    def filed(self, tx: Tx, e: Complaint.Filed, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['cases']} (complaint_id, reference, shop_id) VALUES (?, ?, ?)",
            (str(e.originator_id), e.reference, e.shop_id),
        )

    @on(Complaint.DeadlineOverdue)
    def overdue(self, tx: Tx, e: Complaint.DeadlineOverdue, position: int) -> None:
        self._open(tx, e, "overdue", str(e.deadline_id), f"{e.kind.value} overdue")

    @on(Complaint.DeadlineCleared)
    def cleared(self, tx: Tx, e: Complaint.DeadlineCleared, position: int) -> None:
        self._close(tx, e, "overdue", str(e.deadline_id))

    @on(Complaint.RemedyDefaulted)
    def remedy_defaulted(self, tx: Tx, e: Complaint.RemedyDefaulted, position: int) -> None:
        self._open(
            tx,
            e,
            "remedy_defaulted",
            str(e.enforced_deadline_id),
            f"seller missed the {e.step.value.lower()} deadline",
        )

    @on(
        Complaint.RefundConfirmed,
        Complaint.ReplacementShipped,
        Complaint.RefundAdvanced,
        Complaint.Closed,
    )
    def remedy_done(self, tx: Tx, e: Any, position: int) -> None:
        self._close(tx, e, "remedy_defaulted")

    @on(Complaint.ExecutionIssueRaised)
    def issue_raised(self, tx: Tx, e: Complaint.ExecutionIssueRaised, position: int) -> None:
        self._open(tx, e, "execution_issue", e.issue_id, f"raised by the {e.by.value.lower()}")

    @on(Complaint.RemedyDisputed)
    def remedy_disputed(self, tx: Tx, e: Complaint.RemedyDisputed, position: int) -> None:
        self._open(tx, e, "execution_issue", e.issue_id, "the consumer disputes the remedy")

    @on(Complaint.ExecutionIssueResolved)
    def issue_resolved(self, tx: Tx, e: Complaint.ExecutionIssueResolved, position: int) -> None:
        self._close(tx, e, "execution_issue", e.issue_id)

    @on(Complaint.AppealFiled)
    def appeal_filed(self, tx: Tx, e: Complaint.AppealFiled, position: int) -> None:
        self._open(tx, e, "appeal_waiting", e.by.value, f"appeal by the {e.by.value.lower()}")

    @on(Complaint.AppealDecided, Complaint.Closed)
    def appeal_decided(self, tx: Tx, e: Any, position: int) -> None:
        self._close(tx, e, "appeal_waiting")


@dataclass(frozen=True)
class QueueItem:
    complaint_id: UUID
    #: overdue, past_due (a staff deadline passed, not yet flagged), remedy_defaulted,
    #: execution_issue, appeal_waiting
    kind: str
    ref: str
    since: datetime
    detail: str
    reference: str
    shop_id: str
    due_at: datetime | None = None  # the deadline's, for overdue and past_due

    @property
    def key(self) -> tuple[datetime, str, str, str]:
        """The queue's order, the longest-waiting first; a page starts after a key."""
        return (self.since, str(self.complaint_id), self.kind, self.ref)


class SupervisionView(View):
    projection = Supervision

    def __init__(self, db: Any, deadlines: PendingDeadlinesView) -> None:
        super().__init__(db)
        self.deadlines = deadlines

    def queue(self, now: datetime, *, limit: int = 200) -> list[QueueItem]:
        """Everything that needs a supervisor's eye, the longest-waiting first."""

        def query(tx: Tx, t: dict[str, str]) -> list[QueueItem]:
            rows = tx.all(f"SELECT {COLUMNS} FROM {t['items']} ORDER BY since LIMIT ?", (limit,))
            return [
                QueueItem(
                    complaint_id=UUID(r["complaint_id"]),
                    kind=r["kind"],
                    ref=r["ref"],
                    since=from_moment(r["since"]),
                    detail=r["detail"],
                    reference=r["reference"],
                    shop_id=r["shop_id"],
                )
                for r in rows
            ]

        items = self.read(query)
        past_due = self.deadlines.past_due(now, limit=limit)
        due = {(d.complaint_id, str(d.deadline_id)): d.due_at for d in past_due}
        items = [
            replace(i, due_at=due.get((i.complaint_id, i.ref))) if i.kind == "overdue" else i
            for i in items
        ]
        flagged = {(i.complaint_id, i.ref) for i in items if i.kind == "overdue"}
        for d in past_due:
            # Parties' deadlines are enforced by the platform on its own; staff ones need people.
            if d.kind in STAFF_DEADLINES and (d.complaint_id, str(d.deadline_id)) not in flagged:
                items.append(
                    QueueItem(
                        d.complaint_id,
                        "past_due",
                        str(d.deadline_id),
                        d.due_at,
                        f"{d.kind.value} overdue",
                        d.reference,
                        d.shop_id,
                        d.due_at,
                    )
                )
        return sorted(items, key=lambda i: i.key)[:limit]

    def page(
        self,
        now: datetime,
        *,
        first: int,
        after: tuple[datetime, str, str, str] | None = None,
    ) -> Page[QueueItem]:
        """A page of the queue after a key, with the queue's size (counted up to QUEUE_CAP)."""
        check_page_size(first)
        everything = self.queue(now, limit=QUEUE_CAP)
        rest = [i for i in everything if after is None or i.key > after]
        return Page(rest[:first], has_next=len(rest) > first, total=len(everything))
