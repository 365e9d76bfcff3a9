"""Public statistics for any period: counts, outcomes, resolution times, satisfaction, defaults.

Only facts without personal data are kept (dates, category, outcome, score), so erasing a
person changes none of the figures.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from complaints.domain.complaint import Complaint
from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.seller import Seller
from complaints.domain.text import Text
from complaints.domain.values import Money, Outcome, Role
from complaints.projections.base import Projection, View, from_moment, moment, on
from complaints.projections.database import Tx

#: Outcomes a party's silence decided.
EXPIRED = {Outcome.EXPIRED_NO_INFO, Outcome.EXPIRED_NO_RESPONSE}


class Statistics(Projection):
    name = "statistics"
    version = 3  # v2: paused time, reported apart; v3: enforcement figures
    tables = {  # noqa: RUF012 - read-only class data
        "cases": (
            "complaint_id TEXT PRIMARY KEY, filed_at TEXT NOT NULL, category TEXT NOT NULL,"
            " closed_at TEXT, outcome TEXT, hours DOUBLE PRECISION, by_default BIGINT NOT NULL,"
            " paused_hours DOUBLE PRECISION NOT NULL"
        ),
        "ratings": (
            "complaint_id TEXT NOT NULL, by_role TEXT NOT NULL, score BIGINT NOT NULL,"
            " rated_at TEXT NOT NULL, PRIMARY KEY (complaint_id, by_role)"
        ),
        # One row per act of enforcement: an automatic escalation, an advance refund, a staff
        # deadline run overdue, a sanction. Amounts only; never who.
        "enforcement": (
            "position BIGINT PRIMARY KEY, action TEXT NOT NULL, at TEXT NOT NULL,"
            " amount TEXT, currency TEXT"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS {index} ON {cases} (filed_at)",
        "CREATE INDEX IF NOT EXISTS {index} ON {cases} (closed_at)",
        "CREATE INDEX IF NOT EXISTS {index} ON {ratings} (rated_at)",
        "CREATE INDEX IF NOT EXISTS {index} ON {enforcement} (at)",
    )

    @on(Complaint.Filed)
    def filed(self, tx: Tx, e: Complaint.Filed, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['cases']} (complaint_id, filed_at, category, closed_at, outcome,"
            " hours, by_default, paused_hours) VALUES (?, ?, ?, NULL, NULL, NULL, 0, 0)",
            (str(e.originator_id), moment(e.timestamp), e.category.value),
        )

    @on(Complaint.DefaultRuled)
    def default_ruled(self, tx: Tx, e: Complaint.DefaultRuled, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['cases']} SET by_default = 1 WHERE complaint_id = ?",
            (str(e.originator_id),),
        )

    @on(Complaint.Closed)
    def closed(self, tx: Tx, e: Complaint.Closed, position: int) -> None:
        self._end(tx, e, e.outcome, by_default=e.outcome in EXPIRED)

    @on(Complaint.Rejected)
    def rejected(self, tx: Tx, e: Complaint.Rejected, position: int) -> None:
        self._end(tx, e, Outcome.REJECTED_INVALID)

    @on(Complaint.Withdrawn)
    def withdrawn(self, tx: Tx, e: Complaint.Withdrawn, position: int) -> None:
        self._end(tx, e, Outcome.WITHDRAWN)

    def _end(self, tx: Tx, e: Any, outcome: Outcome, *, by_default: bool = False) -> None:
        row = tx.one(
            f"SELECT filed_at FROM {self.t['cases']} WHERE complaint_id = ?",
            (str(e.originator_id),),
        )
        assert row is not None
        hours = (e.timestamp - from_moment(row["filed_at"])).total_seconds() / 3600
        tx.execute(
            f"UPDATE {self.t['cases']} SET closed_at = ?, outcome = ?, hours = ?,"
            " by_default = CASE WHEN ? = 1 THEN 1 ELSE by_default END WHERE complaint_id = ?",
            (moment(e.timestamp), outcome.value, hours, int(by_default), str(e.originator_id)),
        )

    @on(Complaint.ClockResumed)
    def resumed(self, tx: Tx, e: Complaint.ClockResumed, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['cases']} SET paused_hours = paused_hours + ? WHERE complaint_id = ?",
            (e.paused_seconds / 3600, str(e.originator_id)),
        )

    def _enforced(
        self, tx: Tx, position: int, action: str, e: Any, amount: Money | None = None
    ) -> None:
        tx.execute(
            f"INSERT INTO {self.t['enforcement']} (position, action, at, amount, currency)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                position,
                action,
                moment(e.timestamp),
                None if amount is None else str(amount.amount),
                None if amount is None else amount.currency,
            ),
        )

    @on(Complaint.Escalated)
    def escalated(self, tx: Tx, e: Complaint.Escalated, position: int) -> None:
        self._enforced(tx, position, "escalated", e)

    @on(Complaint.RefundAdvanced)
    def advanced(self, tx: Tx, e: Complaint.RefundAdvanced, position: int) -> None:
        self._enforced(tx, position, "advance_refund", e, e.amount)

    @on(Complaint.DeadlineOverdue)
    def overdue(self, tx: Tx, e: Complaint.DeadlineOverdue, position: int) -> None:
        self._enforced(tx, position, f"overdue:{e.kind.value}", e)

    @on(Seller.SanctionImposed)
    def sanctioned(self, tx: Tx, e: Seller.SanctionImposed, position: int) -> None:
        self._enforced(tx, position, f"sanction:{e.kind.value}", e)

    @on(Complaint.Rated)
    def rated(self, tx: Tx, e: Complaint.Rated, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['ratings']} (complaint_id, by_role, score, rated_at)"
            " VALUES (?, ?, ?, ?)",
            (str(e.originator_id), e.by.value, e.score, moment(e.timestamp)),
        )


@dataclass(frozen=True)
class PeriodStatistics:
    start: datetime
    end: datetime
    filed: int
    closed: int
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    median_resolution_hours: float | None = None
    satisfaction_average: float | None = None
    satisfaction_responses: int = 0
    default_ruling_rate: float | None = None
    #: Time cases closed in the period spent with their clock paused, apart from the rest.
    paused_hours: float = 0.0
    median_active_resolution_hours: float | None = None
    #: Cases the platform took over because the parties did not agree in time.
    escalations: int = 0
    advance_refunds: int = 0
    #: The sum advanced to consumers from sellers' deposits, by currency.
    advanced: dict[str, Decimal] = field(default_factory=dict)
    #: Staff deadlines (intake, pickup, ruling) that ran overdue, by kind.
    overdue_staff_deadlines: dict[str, int] = field(default_factory=dict)
    sanctions_imposed: dict[str, int] = field(default_factory=dict)


class StatisticsView(View):
    projection = Statistics

    def period(self, start: datetime, end: datetime) -> PeriodStatistics:
        """Figures for [start, end): complaints filed in it, and complaints closed in it."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValidationFailed([FieldError("from", Text("must include a time zone"))])
        if end <= start:
            raise ValidationFailed([FieldError("to", Text("must be after from"))])
        bounds = (moment(start), moment(end))

        def query(tx: Tx, t: dict[str, str]) -> PeriodStatistics:
            cases = t["cases"]
            by_category: dict[str, int] = {
                r["category"]: int(r["n"])
                for r in tx.all(
                    f"SELECT category, COUNT(*) AS n FROM {cases}"
                    " WHERE filed_at >= ? AND filed_at < ? GROUP BY category",
                    bounds,
                )
            }
            closed_rows = tx.all(
                f"SELECT outcome, hours, by_default, paused_hours FROM {cases}"
                " WHERE closed_at >= ? AND closed_at < ?",
                bounds,
            )
            by_outcome: Counter[str] = Counter(r["outcome"] for r in closed_rows)
            timed = [r for r in closed_rows if r["hours"] is not None]
            hours = [float(r["hours"]) for r in timed]
            paused = [float(r["paused_hours"] or 0) for r in closed_rows]
            active = [float(r["hours"]) - float(r["paused_hours"] or 0) for r in timed]
            scores = [
                int(r["score"])
                for r in tx.all(
                    f"SELECT score FROM {t['ratings']} WHERE by_role = ? AND rated_at >= ?"
                    " AND rated_at < ?",
                    (Role.CONSUMER.value, *bounds),
                )
            ]
            defaults = sum(int(r["by_default"]) for r in closed_rows)
            acts = tx.all(
                f"SELECT action, amount, currency FROM {t['enforcement']}"
                " WHERE at >= ? AND at < ? ORDER BY action",
                bounds,
            )
            actions = [str(a["action"]) for a in acts]
            advanced: dict[str, Decimal] = {}
            for act in acts:
                if act["action"] == "advance_refund":
                    currency = act["currency"]
                    advanced[currency] = advanced.get(currency, Decimal(0)) + Decimal(act["amount"])
            overdue = Counter(a[len("overdue:") :] for a in actions if a.startswith("overdue:"))
            sanctions = Counter(a[len("sanction:") :] for a in actions if a.startswith("sanction:"))
            return PeriodStatistics(
                start=start,
                end=end,
                filed=sum(map(int, by_category.values())),
                closed=len(closed_rows),
                by_outcome=dict(sorted(by_outcome.items())),
                by_category={k: int(v) for k, v in sorted(by_category.items())},
                median_resolution_hours=statistics.median(hours) if hours else None,
                satisfaction_average=statistics.fmean(scores) if scores else None,
                satisfaction_responses=len(scores),
                default_ruling_rate=defaults / len(closed_rows) if closed_rows else None,
                paused_hours=sum(paused),
                median_active_resolution_hours=statistics.median(active) if active else None,
                escalations=actions.count("escalated"),
                advance_refunds=actions.count("advance_refund"),
                advanced=dict(sorted(advanced.items())),
                overdue_staff_deadlines=dict(sorted(overdue.items())),
                sanctions_imposed=dict(sorted(sanctions.items())),
            )

        return self.read(query)
