"""Pending deadlines: every open deadline, for the worker that enforces them and for supervision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import Role
from complaints.projections.base import Projection, View, from_moment, moment, on
from complaints.projections.database import Tx

COLUMNS = "complaint_id, deadline_id, kind, due_at, party, ref, overdue, reference, shop_id"


class PendingDeadlines(Projection):
    name = "deadlines"
    tables = {  # noqa: RUF012 - read-only class data
        "cases": "complaint_id TEXT PRIMARY KEY, reference TEXT NOT NULL, shop_id TEXT NOT NULL",
        "open": (
            "complaint_id TEXT NOT NULL, deadline_id BIGINT NOT NULL, kind TEXT NOT NULL,"
            " due_at TEXT NOT NULL, party TEXT, ref TEXT, overdue BIGINT NOT NULL,"
            " reference TEXT NOT NULL, shop_id TEXT NOT NULL,"
            " PRIMARY KEY (complaint_id, deadline_id)"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {open} (overdue, due_at)",)

    @on(Complaint.Filed)
    def filed(self, tx: Tx, e: Complaint.Filed, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['cases']} (complaint_id, reference, shop_id) VALUES (?, ?, ?)",
            (str(e.originator_id), e.reference, e.shop_id),
        )

    @on(Complaint.DeadlineSet)
    def set(self, tx: Tx, e: Complaint.DeadlineSet, position: int) -> None:
        case = tx.one(
            f"SELECT reference, shop_id FROM {self.t['cases']} WHERE complaint_id = ?",
            (str(e.originator_id),),
        )
        assert case is not None
        tx.execute(
            f"INSERT INTO {self.t['open']} ({COLUMNS}) VALUES (?,?,?,?,?,?,0,?,?)",
            (
                str(e.originator_id),
                e.originator_version,
                e.kind.value,
                moment(e.due_at),
                e.party.value if e.party else None,
                e.ref,
                case[0],
                case[1],
            ),
        )

    @on(Complaint.DeadlineCleared, Complaint.DeadlineLapsed)
    def closed(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            f"DELETE FROM {self.t['open']} WHERE complaint_id = ? AND deadline_id = ?",
            (str(e.originator_id), e.deadline_id),
        )

    @on(Complaint.DeadlineOverdue)
    def overdue(self, tx: Tx, e: Complaint.DeadlineOverdue, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['open']} SET overdue = 1 WHERE complaint_id = ? AND deadline_id = ?",
            (str(e.originator_id), e.deadline_id),
        )


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


def _deadline(row: tuple[Any, ...]) -> PendingDeadline:
    return PendingDeadline(
        UUID(row[0]),
        int(row[1]),
        DeadlineKind(row[2]),
        from_moment(row[3]),
        Role(row[4]) if row[4] else None,
        row[5],
        bool(row[6]),
        row[7],
        row[8],
    )


class PendingDeadlinesView(View):
    projection = PendingDeadlines

    def due(self, now: datetime, *, limit: int = 100) -> list[PendingDeadline]:
        """Deadlines that have passed and not yet been enforced, the oldest first."""

        def query(tx: Tx, t: dict[str, str]) -> list[PendingDeadline]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['open']} WHERE overdue = 0 AND due_at <= ?"
                " ORDER BY due_at, complaint_id, deadline_id LIMIT ?",
                (moment(now), limit),
            )
            return [_deadline(r) for r in rows]

        return self.read(query)

    def past_due(self, now: datetime, *, limit: int = 100) -> list[PendingDeadline]:
        """Every open deadline whose due time has passed, flagged overdue or not."""

        def query(tx: Tx, t: dict[str, str]) -> list[PendingDeadline]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['open']} WHERE due_at <= ?"
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
