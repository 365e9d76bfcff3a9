"""The supervision queue: every wait on staff (R4). Of cases: overdue staff deadlines, defaulted
remedies, open execution issues, appeals waiting for a decision, clocks that resumed by
themselves at their limit (MAX_PAUSE) and cases under intervention with no mediator. Of shops:
violation reports waiting for a decision and appeals of sanctions, each overdue once its
deadline has passed.

An item is about one subject, named by its aggregate's id: a complaint, a violation or a shop
(with the sanction its `ref` names)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import STAFF_DEADLINES
from complaints.domain.seller import Seller
from complaints.domain.violation import Violation
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

COLUMNS = "subject_id, kind, ref, since, detail, reference, shop_id, due_at"

#: Items about a violation report and a sanction's appeal; every other kind is about a case.
VIOLATION_KINDS = frozenset({"violation_waiting", "violation_overdue"})
SANCTION_KINDS = frozenset({"sanction_appeal", "sanction_appeal_overdue"})
#: What a waiting item becomes once its deadline has passed.
OVERDUE = {"violation_waiting": "violation_overdue", "sanction_appeal": "sanction_appeal_overdue"}


#: The most items a queue read gathers (the queue holds what waits for people: hundreds, not
#: millions); totalCount counts up to this.
QUEUE_CAP = 10_000


class Supervision(Projection):
    name = "supervision"
    # v2: appeals waiting for a decision; v3: disputed remedies; v4: violations and sanction
    # appeals, items about any subject, with their deadline
    version = 4
    readable_from = 4
    tables = {  # noqa: RUF012 - read-only class data
        "cases": "complaint_id TEXT PRIMARY KEY, reference TEXT NOT NULL, shop_id TEXT NOT NULL",
        "shops": "seller_id TEXT PRIMARY KEY, shop_id TEXT NOT NULL",
        "items": (
            "subject_id TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,"
            " since TEXT NOT NULL, detail TEXT NOT NULL, reference TEXT NOT NULL,"
            " shop_id TEXT NOT NULL, due_at TEXT, PRIMARY KEY (subject_id, kind, ref)"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {items} (since)",)

    def _open(self, tx: Tx, e: Any, kind: str, ref: str, detail: str) -> None:
        case = tx.one(
            f"SELECT reference, shop_id FROM {self.t['cases']} WHERE complaint_id = ?",
            (str(e.originator_id),),
        )
        assert case is not None
        self._insert(tx, e, kind, ref, detail, case["reference"], case["shop_id"], None)

    def _insert(
        self,
        tx: Tx,
        e: Any,
        kind: str,
        ref: str,
        detail: str,
        reference: str,
        shop_id: str,
        due_at: datetime | None,
    ) -> None:
        tx.execute(
            f"INSERT INTO {self.t['items']} ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (
                str(e.originator_id),
                kind,
                ref,
                moment(e.timestamp),
                detail,
                reference,
                shop_id,
                None if due_at is None else moment(due_at),
            ),
        )

    def _close(self, tx: Tx, e: Any, kind: str, ref: str | None = None) -> None:
        if ref is None:
            tx.execute(
                f"DELETE FROM {self.t['items']} WHERE subject_id = ? AND kind = ?",
                (str(e.originator_id), kind),
            )
        else:
            tx.execute(
                f"DELETE FROM {self.t['items']} WHERE subject_id = ? AND kind = ? AND ref = ?",
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

    @on(Complaint.InterventionRequested)
    def intervention_requested(
        self, tx: Tx, e: Complaint.InterventionRequested, position: int
    ) -> None:
        self._open(tx, e, "mediator_needed", "", f"the {e.by.value.lower()} asked for help")

    @on(
        Complaint.MediatorAssigned,
        Complaint.Settled,
        Complaint.RulingIssued,
        Complaint.Withdrawn,
        Complaint.Closed,
    )
    def mediator_found(self, tx: Tx, e: Any, position: int) -> None:
        """A mediator took the case, or it no longer needs one."""
        self._close(tx, e, "mediator_needed")

    @on(Complaint.ClockResumed)
    def clock_resumed(self, tx: Tx, e: Complaint.ClockResumed, position: int) -> None:
        """A clock that resumed by itself at its limit: what it waited on took too long, and
        supervision should know."""
        if e.limit is not None:
            self._open(tx, e, "pause_limit", "clock", f"the clock resumed by itself ({e.limit})")

    @on(Complaint.ClockPaused, Complaint.Closed, Complaint.Rejected, Complaint.Withdrawn)
    def clock_attended(self, tx: Tx, e: Any, position: int) -> None:
        """Staff paused the clock again, or the case ended: the limit has been seen to."""
        self._close(tx, e, "pause_limit")

    # ---------------------------------------------------------------- shops
    @on(Violation.Reported)
    def violation_reported(self, tx: Tx, e: Violation.Reported, position: int) -> None:
        detail = f"a {e.kind.value.lower()} report awaits a decision"
        self._insert(tx, e, "violation_waiting", "", detail, "", e.shop_id, e.decision_due_at)

    @on(Violation.Confirmed, Violation.Dismissed)
    def violation_decided(self, tx: Tx, e: Any, position: int) -> None:
        self._close(tx, e, "violation_waiting")

    @on(Seller.Registered)
    def registered(self, tx: Tx, e: Seller.Registered, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['shops']} (seller_id, shop_id) VALUES (?, ?)",
            (str(e.originator_id), e.shop_id),
        )

    @on(Seller.SanctionAppealed)
    def sanction_appealed(self, tx: Tx, e: Seller.SanctionAppealed, position: int) -> None:
        shop = tx.one(
            f"SELECT shop_id FROM {self.t['shops']} WHERE seller_id = ?", (str(e.originator_id),)
        )
        assert shop is not None
        detail = f"the shop appeals sanction {e.sanction_id}"
        self._insert(
            tx, e, "sanction_appeal", e.sanction_id, detail, "", shop["shop_id"], e.decision_due_at
        )

    @on(Seller.SanctionAppealDecided)
    def sanction_appeal_decided(
        self, tx: Tx, e: Seller.SanctionAppealDecided, position: int
    ) -> None:
        self._close(tx, e, "sanction_appeal", e.sanction_id)


@dataclass(frozen=True)
class QueueItem:
    #: The complaint's, violation's or shop's aggregate id, as its kind says.
    subject_id: UUID
    #: Of a case: overdue, past_due (a staff deadline passed, not yet flagged),
    #: remedy_defaulted, execution_issue, appeal_waiting, pause_limit (its clock resumed by
    #: itself at MAX_PAUSE, until staff pause it again or the case ends), mediator_needed (under
    #: intervention, no mediator assigned yet). Of a shop:
    #: violation_waiting and sanction_appeal, each ..._overdue once its deadline has passed.
    kind: str
    ref: str
    since: datetime
    detail: str
    reference: str  # the case's; empty for a shop's items
    shop_id: str
    #: The deadline's: for overdue and past_due, and a violation's or sanction appeal's.
    due_at: datetime | None = None

    @property
    def key(self) -> tuple[datetime, str, str, str]:
        """The queue's order, the longest-waiting first; a page starts after a key."""
        return (self.since, str(self.subject_id), self.kind, self.ref)

    @property
    def complaint_id(self) -> UUID | None:
        shops = VIOLATION_KINDS | SANCTION_KINDS
        return None if self.kind in shops else self.subject_id

    @property
    def violation_id(self) -> UUID | None:
        return self.subject_id if self.kind in VIOLATION_KINDS else None

    @property
    def sanction_id(self) -> str | None:
        return self.ref if self.kind in SANCTION_KINDS else None


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
                    subject_id=UUID(r["subject_id"]),
                    kind=r["kind"],
                    ref=r["ref"],
                    since=from_moment(r["since"]),
                    detail=r["detail"],
                    reference=r["reference"],
                    shop_id=r["shop_id"],
                    due_at=None if r["due_at"] is None else from_moment(r["due_at"]),
                )
                for r in rows
            ]

        items = [_as_of(i, now) for i in self.read(query)]
        past_due = self.deadlines.past_due(now, limit=limit)
        due = {(d.complaint_id, str(d.deadline_id)): d.due_at for d in past_due}
        items = [
            replace(i, due_at=due.get((i.subject_id, i.ref))) if i.kind == "overdue" else i
            for i in items
        ]
        flagged = {(i.subject_id, i.ref) for i in items if i.kind == "overdue"}
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


def _as_of(item: QueueItem, now: datetime) -> QueueItem:
    """A shop's item whose deadline has passed is overdue: it decides nothing, it waits on."""
    overdue = OVERDUE.get(item.kind)
    if overdue is None or item.due_at is None or now < item.due_at:
        return item
    return replace(item, kind=overdue, detail=f"{item.detail} (overdue)")
