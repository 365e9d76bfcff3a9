"""Pending deadlines: every open deadline, for the worker that enforces them and for supervision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import Deadline, DeadlineKind, reminder_due
from complaints.domain.values import Role
from complaints.projections.base import Projection, RowCache, View, from_moment, moment, on
from complaints.projections.database import Row, Tx

OPEN_COLUMNS = (
    "complaint_id",
    "deadline_id",
    "kind",
    "due_at",
    "party",
    "ref",
    "overdue",
    "reference",
    "shop_id",
    "paused",
    "set_at",
    "reminded",
)
COLUMNS = ", ".join(OPEN_COLUMNS)


class PendingDeadlines(Projection):
    name = "deadlines"
    # v2: paused clocks; v3: when each was set, and reminders given; v4: when a paused clock
    # began and resumes by itself
    version = 4
    readable_from = 4
    tables = {  # noqa: RUF012 - read-only class data
        "cases": (
            "complaint_id TEXT PRIMARY KEY, reference TEXT NOT NULL, shop_id TEXT NOT NULL,"
            " paused BIGINT NOT NULL, paused_since TEXT, resumes_at TEXT"
        ),
        "open": (
            "complaint_id TEXT NOT NULL, deadline_id BIGINT NOT NULL, kind TEXT NOT NULL,"
            " due_at TEXT NOT NULL, party TEXT, ref TEXT, overdue BIGINT NOT NULL,"
            " reference TEXT NOT NULL, shop_id TEXT NOT NULL, paused BIGINT NOT NULL,"
            " set_at TEXT NOT NULL, reminded BIGINT,"
            " PRIMARY KEY (complaint_id, deadline_id)"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {open} (overdue, paused, due_at)",)

    def __init__(self, generation: int) -> None:
        super().__init__(generation)
        self.cases = RowCache(
            self.t["cases"],
            ("complaint_id", "reference", "shop_id", "paused", "paused_since", "resumes_at"),
            ("complaint_id",),
        )
        self.open = RowCache(
            self.t["open"],
            OPEN_COLUMNS,
            ("complaint_id", "deadline_id"),
        )

    def flush(self, tx: Tx) -> None:
        self.cases.flush(tx)
        self.open.flush(tx)

    @on(Complaint.Filed)
    def filed(self, tx: Tx, e: Complaint.Filed, position: int) -> None:
        self.cases.put(
            {
                "complaint_id": str(e.originator_id),
                "reference": e.reference,
                "shop_id": e.shop_id,
                "paused": 0,
                "paused_since": None,
                "resumes_at": None,
            },
            new=True,
        )

    @on(Complaint.DeadlineSet)
    def set(self, tx: Tx, e: Complaint.DeadlineSet, position: int) -> None:
        case = self.cases.get(tx, (str(e.originator_id),), for_update=False)
        assert case is not None
        self.open.put(
            {
                "complaint_id": str(e.originator_id),
                "deadline_id": e.originator_version,
                "kind": e.kind.value,
                "due_at": moment(e.due_at),
                "party": e.party.value if e.party else None,
                "ref": e.ref,
                "overdue": 0,
                "reference": case["reference"],
                "shop_id": case["shop_id"],
                "paused": case["paused"],
                "set_at": moment(e.timestamp),
                "reminded": None,
            },
            new=True,  # a deadline's id is the version of the event that set it
        )

    @on(Complaint.DeadlineReminded)
    def reminded(self, tx: Tx, e: Complaint.DeadlineReminded, position: int) -> None:
        row = self.open.get(tx, (str(e.originator_id), e.deadline_id))
        if row is not None:
            row["reminded"] = e.lead_seconds

    @on(Complaint.DeadlineCleared, Complaint.DeadlineLapsed)
    def closed(self, tx: Tx, e: Any, position: int) -> None:
        self.open.delete((str(e.originator_id), e.deadline_id))

    @on(Complaint.DeadlineOverdue)
    def overdue(self, tx: Tx, e: Complaint.DeadlineOverdue, position: int) -> None:
        row = self.open.get(tx, (str(e.originator_id), e.deadline_id))
        if row is not None:
            row["overdue"] = 1

    @on(Complaint.ClockPaused)
    def paused(self, tx: Tx, e: Complaint.ClockPaused, position: int) -> None:
        case = self._pause(tx, e, 1)
        case["paused_since"] = moment(e.timestamp)
        case["resumes_at"] = moment(e.resumes_at) if e.resumes_at else None

    @on(Complaint.ClockResumed)
    def resumed(self, tx: Tx, e: Complaint.ClockResumed, position: int) -> None:
        case = self._pause(tx, e, 0)
        case["paused_since"] = case["resumes_at"] = None
        for extension in e.extended:
            row = self.open.get(tx, (str(e.originator_id), extension.deadline_id))
            if row is not None:
                row["due_at"] = moment(extension.due_at)
                row["reminded"] = None

    def _pause(self, tx: Tx, e: Any, paused: int) -> dict[str, Any]:
        case = self.cases.get(tx, (str(e.originator_id),))
        assert case is not None
        case["paused"] = paused
        self.open.flush(tx)
        tx.execute(
            f"UPDATE {self.t['open']} SET paused = ? WHERE complaint_id = ?",
            (paused, str(e.originator_id)),
        )
        return case


@dataclass(frozen=True)
class PendingDeadline:
    complaint_id: UUID
    deadline_id: int
    kind: DeadlineKind
    due_at: datetime
    party: Role | None
    ref: str | None
    overdue: bool
    reference: str
    shop_id: str
    paused: bool
    set_at: datetime
    reminded: int | None

    def as_deadline(self) -> Deadline:
        return Deadline(
            self.deadline_id,
            self.kind,
            self.due_at,
            self.party,
            self.ref,
            self.overdue,
            self.set_at,
            self.reminded,
        )


def _deadline(row: Row) -> PendingDeadline:
    return PendingDeadline(
        complaint_id=UUID(row["complaint_id"]),
        deadline_id=int(row["deadline_id"]),
        kind=DeadlineKind(row["kind"]),
        due_at=from_moment(row["due_at"]),
        party=Role(row["party"]) if row["party"] else None,
        ref=row["ref"],
        overdue=bool(row["overdue"]),
        reference=row["reference"],
        shop_id=row["shop_id"],
        paused=bool(row["paused"]),
        set_at=from_moment(row["set_at"]),
        reminded=None if row["reminded"] is None else int(row["reminded"]),
    )


class PendingDeadlinesView(View):
    projection = PendingDeadlines

    def due(self, now: datetime, *, limit: int = 100) -> list[PendingDeadline]:
        """Deadlines that have passed and not yet been enforced, the oldest first."""

        def query(tx: Tx, t: dict[str, str]) -> list[PendingDeadline]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['open']} WHERE overdue = 0 AND paused = 0"
                " AND due_at <= ?"
                " ORDER BY due_at, complaint_id, deadline_id LIMIT ?",
                (moment(now), limit),
            )
            return [_deadline(r) for r in rows]

        return self.read(query)

    def reminders_due(
        self, now: datetime, leads: tuple[timedelta, ...], *, limit: int = 100
    ) -> list[PendingDeadline]:
        """Open deadlines whose party is owed a reminder now (`reminder_due`), the soonest due
        first. The reminder command decides again on the case itself."""
        if not leads:
            return []

        def query(tx: Tx, t: dict[str, str]) -> list[PendingDeadline]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['open']} WHERE overdue = 0 AND paused = 0"
                " AND party IS NOT NULL AND due_at > ? AND due_at <= ?"
                " AND (reminded IS NULL OR reminded > ?)"
                " ORDER BY due_at, complaint_id, deadline_id",
                (moment(now), moment(now + max(leads)), min(leads).total_seconds()),
            )
            owed = [d for r in rows if reminder_due((d := _deadline(r)).as_deadline(), leads, now)]
            return owed[:limit]

        return self.read(query)

    def pauses_due(self, now: datetime, max_pause: timedelta, *, limit: int = 100) -> list[UUID]:
        """Cases whose clock has been paused as long as it may be: past the limit recorded
        when it was paused, or for a pause recorded without one, `max_pause` since it began.
        The command decides again on the case itself."""

        def query(tx: Tx, t: dict[str, str]) -> list[UUID]:
            rows = tx.all(
                f"SELECT complaint_id FROM {t['cases']} WHERE paused = 1 AND ("
                " (resumes_at IS NOT NULL AND resumes_at <= ?)"
                " OR (resumes_at IS NULL AND paused_since <= ?))"
                " ORDER BY complaint_id LIMIT ?",
                (moment(now), moment(now - max_pause), limit),
            )
            return [UUID(r["complaint_id"]) for r in rows]

        return self.read(query)

    def next_due(self) -> datetime | None:
        """When the next deadline falls due (paused and flagged ones aside)."""

        def query(tx: Tx, t: dict[str, str]) -> datetime | None:
            due = tx.value(
                f"SELECT MIN(due_at) AS due FROM {t['open']} WHERE overdue = 0 AND paused = 0"
            )
            return from_moment(due) if due else None

        return self.read(query)

    def past_due(self, now: datetime, *, limit: int = 100) -> list[PendingDeadline]:
        """Every open deadline whose due time has passed, flagged overdue or not."""

        def query(tx: Tx, t: dict[str, str]) -> list[PendingDeadline]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['open']} WHERE paused = 0 AND due_at <= ?"
                " ORDER BY due_at, complaint_id, deadline_id LIMIT ?",
                (moment(now), limit),
            )
            return [_deadline(r) for r in rows]

        return self.read(query)

    def of(self, complaint_id: UUID) -> list[PendingDeadline]:
        def query(tx: Tx, t: dict[str, str]) -> list[PendingDeadline]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['open']} WHERE complaint_id = ?"
                " ORDER BY due_at, deadline_id",
                (str(complaint_id),),
            )
            return [_deadline(r) for r in rows]

        return self.read(query)
