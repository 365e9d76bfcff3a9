"""Sellers: the scorecard of each shop, the public list of sanctioned sellers, and the
violations reported against shops."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from complaints.domain.complaint import Complaint
from complaints.domain.seller import AfterSalesPolicy, Seller, Standing, shop_status, standing
from complaints.domain.values import (
    Money,
    Outcome,
    Role,
    SanctionKind,
    ViolationKind,
    ViolationStatus,
)
from complaints.domain.violation import Violation
from complaints.projections.base import (
    Page,
    Projection,
    View,
    check_page_size,
    dumps,
    from_moment,
    moment,
    on,
)
from complaints.projections.database import Row, Tx

UPHELD = {Outcome.CONSUMER_FAVOUR_FULL.value, Outcome.CONSUMER_FAVOUR_PARTIAL.value}
SELLER_COLUMNS = (
    "shop_id, seller_id, name, status, balance, debt, currency, policy, registered_at,"
    " complaints, upheld, violations, failed_spot_checks, sanctioned_seq, strikes"
)


class Sellers(Projection):
    name = "sellers"
    # v2: strikes on the sanction ladder; v3: violations; v4: sanctions expire; v5: each shop's
    # standing_seq, the log position of the last change to its standing (the response cache's
    # change feed follows it)
    version = 5
    readable_from = 5
    tables = {  # noqa: RUF012 - read-only class data
        "shops": (
            "shop_id TEXT PRIMARY KEY, seller_id TEXT NOT NULL, name TEXT NOT NULL,"
            " status TEXT NOT NULL, balance TEXT NOT NULL, debt TEXT NOT NULL,"
            " currency TEXT NOT NULL, policy TEXT, registered_at TEXT NOT NULL,"
            " complaints BIGINT NOT NULL, upheld BIGINT NOT NULL, violations BIGINT NOT NULL,"
            " failed_spot_checks BIGINT NOT NULL, sanctioned_seq BIGINT, strikes BIGINT NOT NULL,"
            " standing_seq BIGINT NOT NULL"
        ),
        "sanctions": (
            "shop_id TEXT NOT NULL, sanction_id TEXT NOT NULL, kind TEXT NOT NULL,"
            " reason TEXT NOT NULL, complaint_id TEXT, imposed_at TEXT NOT NULL,"
            " lifted_at TEXT, seq BIGINT NOT NULL, until TEXT,"
            " PRIMARY KEY (shop_id, sanction_id)"
        ),
        "cases": (
            "complaint_id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, filed_at TEXT NOT NULL,"
            " accepted BIGINT NOT NULL, closed_at TEXT, hours DOUBLE PRECISION,"
            " upheld BIGINT NOT NULL"
        ),
        # No description: it is personal text, read from the violation itself.
        "violations": (
            "violation_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, shop_id TEXT NOT NULL,"
            " kind TEXT NOT NULL, status TEXT NOT NULL, reported_by TEXT NOT NULL,"
            " reported_at TEXT NOT NULL, complaint_id TEXT, decided_at TEXT"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS {index} ON {shops} (sanctioned_seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {cases} (shop_id)",
        "CREATE INDEX IF NOT EXISTS {index} ON {sanctions} (until)",
        "CREATE INDEX IF NOT EXISTS {index} ON {violations} (seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {violations} (shop_id, seq)",
        "CREATE INDEX IF NOT EXISTS {index} ON {shops} (standing_seq)",
    )

    def _shop(self, tx: Tx, shop_id: str, **values: Any) -> None:
        assignments = ", ".join(f"{column} = ?" for column in values)
        tx.execute(
            f"UPDATE {self.t['shops']} SET {assignments} WHERE shop_id = ?",
            (*values.values(), shop_id),
        )

    def _shop_of(self, tx: Tx, seller_uuid: UUID) -> str:
        row = tx.one(
            f"SELECT shop_id FROM {self.t['shops']} WHERE seller_id = ?", (str(seller_uuid),)
        )
        assert row is not None
        return str(row["shop_id"])

    @on(Seller.Registered)
    def registered(self, tx: Tx, e: Seller.Registered, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['shops']} ({SELLER_COLUMNS}, standing_seq)"
            " VALUES (?,?,?,'OPEN',?,'0',?,NULL,?,0,0,0,0,NULL,0,?)",
            (
                e.shop_id,
                str(e.originator_id),
                e.name,
                str(e.deposit.amount),
                e.deposit.currency,
                moment(e.timestamp),
                position,
            ),
        )

    @on(Seller.AfterSalesPolicySet)
    def policy(self, tx: Tx, e: Seller.AfterSalesPolicySet, position: int) -> None:
        p = e.policy
        self._shop(
            tx,
            self._shop_of(tx, e.originator_id),
            policy=dumps(
                {
                    "return_window_days": p.return_window_days,
                    "exchange_allowed": p.exchange_allowed,
                    "warranty_months": p.warranty_months,
                    "terms": p.terms,
                }
            ),
        )

    @on(Seller.DepositToppedUp, Seller.DepositDeducted, Seller.FineReturned)
    def deposit(self, tx: Tx, e: Any, position: int) -> None:
        self._shop(
            tx,
            self._shop_of(tx, e.originator_id),
            balance=str(e.balance_after),
            debt=str(e.debt_after),
        )

    @on(Seller.SanctionImposed)
    def sanctioned(self, tx: Tx, e: Seller.SanctionImposed, position: int) -> None:
        shop_id = self._shop_of(tx, e.originator_id)
        tx.execute(
            f"INSERT INTO {self.t['sanctions']} (shop_id, sanction_id, kind, reason,"
            " complaint_id, imposed_at, lifted_at, seq, until) VALUES (?,?,?,?,?,?,NULL,?,?)",
            (
                shop_id,
                e.sanction_id,
                e.kind.value,
                e.reason,
                str(e.complaint_id) if e.complaint_id else None,
                moment(e.timestamp),
                position,
                moment(e.until) if e.until else None,
            ),
        )
        self._restatus(tx, shop_id, position)

    @on(Seller.SanctionLifted, Seller.SanctionExpired)
    def lifted(self, tx: Tx, e: Any, position: int) -> None:
        shop_id = self._shop_of(tx, e.originator_id)
        tx.execute(
            f"UPDATE {self.t['sanctions']} SET lifted_at = ? WHERE shop_id = ? AND sanction_id = ?",
            (moment(e.timestamp), shop_id, e.sanction_id),
        )
        self._restatus(tx, shop_id, position)

    def _restatus(self, tx: Tx, shop_id: str, position: int) -> None:
        """The shop's status after a change to its sanctions, and where its standing changed."""
        active = tx.all(
            f"SELECT kind, seq FROM {self.t['sanctions']} WHERE shop_id = ? AND lifted_at IS NULL",
            (shop_id,),
        )
        latest = max((int(r["seq"]) for r in active), default=None)
        self._shop(
            tx,
            shop_id,
            status=shop_status({SanctionKind(r["kind"]) for r in active}),
            sanctioned_seq=latest,
            standing_seq=position,
        )

    @on(Seller.SpotCheckRecorded)
    def spot_checked(self, tx: Tx, e: Seller.SpotCheckRecorded, position: int) -> None:
        if not e.passed:
            tx.execute(
                f"UPDATE {self.t['shops']} SET failed_spot_checks = failed_spot_checks + 1"
                " WHERE seller_id = ?",
                (str(e.originator_id),),
            )

    @on(Seller.ViolationConfirmed)
    def violation(self, tx: Tx, e: Seller.ViolationConfirmed, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['shops']} SET violations = violations + 1 WHERE seller_id = ?",
            (str(e.originator_id),),
        )

    @on(Seller.Struck)
    def struck(self, tx: Tx, e: Seller.Struck, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['shops']} SET strikes = strikes + 1 WHERE seller_id = ?",
            (str(e.originator_id),),
        )

    @on(Violation.Reported)
    def reported(self, tx: Tx, e: Violation.Reported, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['violations']} ({VIOLATION_COLUMNS})"
            " VALUES (?,?,?,?,?,?,?,?,NULL)",
            (
                str(e.originator_id),
                position,
                e.shop_id,
                e.kind.value,
                ViolationStatus.REPORTED.value,
                e.actor.role.value,
                moment(e.timestamp),
                str(e.complaint_id) if e.complaint_id else None,
            ),
        )

    @on(Violation.Confirmed, Violation.Dismissed)
    def violation_decided(self, tx: Tx, e: Any, position: int) -> None:
        status = (
            ViolationStatus.CONFIRMED
            if isinstance(e, Violation.Confirmed)
            else ViolationStatus.DISMISSED
        )
        tx.execute(
            f"UPDATE {self.t['violations']} SET status = ?, decided_at = ? WHERE violation_id = ?",
            (status.value, moment(e.timestamp), str(e.originator_id)),
        )

    @on(Complaint.Filed)
    def filed(self, tx: Tx, e: Complaint.Filed, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['cases']} (complaint_id, shop_id, filed_at, accepted,"
            " closed_at, hours, upheld) VALUES (?,?,?,0,NULL,NULL,0)",
            (str(e.originator_id), e.shop_id, moment(e.timestamp)),
        )

    @on(Complaint.Accepted)
    def accepted(self, tx: Tx, e: Complaint.Accepted, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['cases']} SET accepted = 1 WHERE complaint_id = ?",
            (str(e.originator_id),),
        )
        tx.execute(
            f"UPDATE {self.t['shops']} SET complaints = complaints + 1 WHERE shop_id ="
            f" (SELECT shop_id FROM {self.t['cases']} WHERE complaint_id = ?)",
            (str(e.originator_id),),
        )

    @on(Complaint.DefaultRuled, Complaint.RulingFinalised)
    def decided(self, tx: Tx, e: Any, position: int) -> None:
        if e.outcome.value in UPHELD:
            tx.execute(
                f"UPDATE {self.t['cases']} SET upheld = 1 WHERE complaint_id = ?",
                (str(e.originator_id),),
            )
            tx.execute(
                f"UPDATE {self.t['shops']} SET upheld = upheld + 1 WHERE shop_id ="
                f" (SELECT shop_id FROM {self.t['cases']} WHERE complaint_id = ?)",
                (str(e.originator_id),),
            )

    @on(Complaint.Closed)
    def closed(self, tx: Tx, e: Complaint.Closed, position: int) -> None:
        row = tx.one(
            f"SELECT filed_at FROM {self.t['cases']} WHERE complaint_id = ?",
            (str(e.originator_id),),
        )
        assert row is not None
        hours = (e.timestamp - from_moment(row["filed_at"])).total_seconds() / 3600
        tx.execute(
            f"UPDATE {self.t['cases']} SET closed_at = ?, hours = ? WHERE complaint_id = ?",
            (moment(e.timestamp), hours, str(e.originator_id)),
        )


@dataclass(frozen=True)
class ViolationRecord:
    id: UUID
    seq: int  # the log position of the report: the list's order and cursor
    shop_id: str
    kind: ViolationKind
    status: ViolationStatus
    reported_by: Role
    reported_at: datetime
    complaint_id: UUID | None
    decided_at: datetime | None


VIOLATION_COLUMNS = (
    "violation_id, seq, shop_id, kind, status, reported_by, reported_at, complaint_id, decided_at"
)


def _violation(row: Row) -> ViolationRecord:
    return ViolationRecord(
        id=UUID(row["violation_id"]),
        seq=int(row["seq"]),
        shop_id=row["shop_id"],
        kind=ViolationKind(row["kind"]),
        status=ViolationStatus(row["status"]),
        reported_by=Role(row["reported_by"]),
        reported_at=from_moment(row["reported_at"]),
        complaint_id=UUID(row["complaint_id"]) if row["complaint_id"] else None,
        decided_at=from_moment(row["decided_at"]) if row["decided_at"] else None,
    )


@dataclass(frozen=True)
class SanctionRecord:
    sanction_id: str
    kind: SanctionKind
    reason: str
    complaint_id: UUID | None
    imposed_at: datetime
    lifted_at: datetime | None
    until: datetime | None = None


@dataclass(frozen=True)
class Scorecard:
    complaints: int
    upheld_against_seller: int
    median_resolution_hours: float | None
    violations: int
    failed_spot_checks: int
    #: Offences counted on the sanction ladder, ever (the ladder itself counts its window).
    strikes: int = 0


@dataclass(frozen=True)
class SellerRecord:
    shop_id: str
    seller_id: UUID
    name: str
    status: str
    deposit: Money
    debt: Money
    policy: AfterSalesPolicy | None
    registered_at: datetime
    sanctions: list[SanctionRecord]
    scorecard: Scorecard
    sanctioned_seq: int | None


@dataclass(frozen=True)
class StandingRecord:
    """A shop's standing as the read model has it (the rule is the domain's, standing.py)."""

    shop_id: str
    standing: Standing
    active_sanctions: list[SanctionRecord]


@dataclass(frozen=True)
class ViolationQuery:
    shop_id: str | None = None
    statuses: tuple[ViolationStatus, ...] = ()
    kind: ViolationKind | None = None


def _sanctions(
    tx: Tx, t: dict[str, str], shop_id: str, *, active_only: bool = False
) -> list[SanctionRecord]:
    """The shop's sanctions (or its active ones), the first imposed first."""
    active = " AND lifted_at IS NULL" if active_only else ""
    return [
        SanctionRecord(
            sanction_id=r["sanction_id"],
            kind=SanctionKind(r["kind"]),
            reason=r["reason"],
            complaint_id=UUID(r["complaint_id"]) if r["complaint_id"] else None,
            imposed_at=from_moment(r["imposed_at"]),
            lifted_at=from_moment(r["lifted_at"]) if r["lifted_at"] else None,
            until=from_moment(r["until"]) if r["until"] else None,
        )
        for r in tx.all(
            f"SELECT sanction_id, kind, reason, complaint_id, imposed_at, lifted_at, until"
            f" FROM {t['sanctions']} WHERE shop_id = ?{active} ORDER BY seq",
            (shop_id,),
        )
    ]


class SellersView(View):
    projection = Sellers

    def expiring(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """(shop, sanction) of the active sanctions whose time is up, the oldest first."""

        def query(tx: Tx, t: dict[str, str]) -> list[tuple[str, str]]:
            rows = tx.all(
                f"SELECT shop_id, sanction_id FROM {t['sanctions']} WHERE lifted_at IS NULL"
                " AND until IS NOT NULL AND until <= ? ORDER BY until LIMIT ?",
                (moment(now), limit),
            )
            return [(str(r["shop_id"]), str(r["sanction_id"])) for r in rows]

        return self.read(query)

    def standing(self, shop_id: str) -> StandingRecord | None:
        """The shop's standing and its active sanctions; None for a shop never registered."""

        def query(tx: Tx, t: dict[str, str]) -> StandingRecord | None:
            if tx.one(f"SELECT shop_id FROM {t['shops']} WHERE shop_id = ?", (shop_id,)) is None:
                return None
            active = _sanctions(tx, t, shop_id, active_only=True)
            return StandingRecord(shop_id, standing(active), active)

        return self.read(query)

    def standing_changes(self, after: int, limit: int = 1000) -> list[tuple[int, str]]:
        """(position, shop) of each shop whose standing changed after a log position, in log
        order: the shop's latest change only (the response cache asks what changed since)."""

        def query(tx: Tx, t: dict[str, str]) -> list[tuple[int, str]]:
            rows = tx.all(
                f"SELECT standing_seq, shop_id FROM {t['shops']} WHERE standing_seq > ?"
                " ORDER BY standing_seq LIMIT ?",
                (after, limit),
            )
            return [(int(r["standing_seq"]), str(r["shop_id"])) for r in rows]

        return self.read(query)

    def standing_head(self) -> int:
        """The position of the newest change to any shop's standing (0: none)."""

        def query(tx: Tx, t: dict[str, str]) -> int:
            head = tx.value(f"SELECT MAX(standing_seq) AS head FROM {t['shops']}")
            return 0 if head is None else int(head)

        return self.read(query)

    def _record(self, tx: Tx, t: dict[str, str], row: Row) -> SellerRecord:
        shop_id = row["shop_id"]
        sanctions = _sanctions(tx, t, shop_id)
        hours = [
            float(r["hours"])
            for r in tx.all(
                f"SELECT hours FROM {t['cases']} WHERE shop_id = ? AND accepted = 1"
                " AND hours IS NOT NULL",
                (shop_id,),
            )
        ]
        policy = AfterSalesPolicy(**json.loads(row["policy"])) if row["policy"] else None
        sanctioned_seq = row["sanctioned_seq"]
        return SellerRecord(
            shop_id=shop_id,
            seller_id=UUID(row["seller_id"]),
            name=row["name"],
            status=row["status"],
            deposit=Money(Decimal(row["balance"]), row["currency"]),
            debt=Money(Decimal(row["debt"]), row["currency"]),
            policy=policy,
            registered_at=from_moment(row["registered_at"]),
            sanctions=sanctions,
            scorecard=Scorecard(
                complaints=int(row["complaints"]),
                upheld_against_seller=int(row["upheld"]),
                median_resolution_hours=statistics.median(hours) if hours else None,
                violations=int(row["violations"]),
                failed_spot_checks=int(row["failed_spot_checks"]),
                strikes=int(row["strikes"]),
            ),
            sanctioned_seq=None if sanctioned_seq is None else int(sanctioned_seq),
        )

    def get(self, shop_id: str) -> SellerRecord | None:
        def query(tx: Tx, t: dict[str, str]) -> SellerRecord | None:
            row = tx.one(f"SELECT {SELLER_COLUMNS} FROM {t['shops']} WHERE shop_id = ?", (shop_id,))
            return None if row is None else self._record(tx, t, row)

        return self.read(query)

    def by_id(self, seller_id: UUID) -> SellerRecord | None:
        def query(tx: Tx, t: dict[str, str]) -> SellerRecord | None:
            row = tx.one(
                f"SELECT {SELLER_COLUMNS} FROM {t['shops']} WHERE seller_id = ?", (str(seller_id),)
            )
            return None if row is None else self._record(tx, t, row)

        return self.read(query)

    def violations(
        self, where: ViolationQuery, *, first: int = 20, after: int | None = None
    ) -> Page[ViolationRecord]:
        """Reported violations, the newest first. The cursor is the report's log position."""
        check_page_size(first)
        conditions: list[str] = []
        params: list[Any] = []
        if where.shop_id is not None:
            conditions.append("shop_id = ?")
            params.append(where.shop_id)
        if where.statuses:
            conditions.append(f"status IN ({', '.join('?' for _ in where.statuses)})")
            params.extend(s.value for s in where.statuses)
        if where.kind is not None:
            conditions.append("kind = ?")
            params.append(where.kind.value)
        clause = " AND ".join(conditions) or "1 = 1"

        def query(tx: Tx, t: dict[str, str]) -> Page[ViolationRecord]:
            keyset = "" if after is None else " AND seq < ?"
            rows = tx.all(
                f"SELECT {VIOLATION_COLUMNS} FROM {t['violations']} WHERE {clause}{keyset}"
                " ORDER BY seq DESC LIMIT ?",
                [*params, *([] if after is None else [after]), first + 1],
            )
            total = tx.value(f"SELECT COUNT(*) AS n FROM {t['violations']} WHERE {clause}", params)
            return Page([_violation(r) for r in rows[:first]], len(rows) > first, int(total or 0))

        return self.read(query)

    def sanctioned(self, *, first: int = 20, after: int | None = None) -> Page[SellerRecord]:
        """Shops under an active sanction, the most recently sanctioned first. The cursor is
        `sanctioned_seq`, the log position of the shop's latest active sanction."""
        check_page_size(first)

        def query(tx: Tx, t: dict[str, str]) -> Page[SellerRecord]:
            keyset = "" if after is None else " AND sanctioned_seq < ?"
            rows = tx.all(
                f"SELECT {SELLER_COLUMNS} FROM {t['shops']} WHERE sanctioned_seq IS NOT NULL"
                f"{keyset} ORDER BY sanctioned_seq DESC LIMIT ?",
                [*([] if after is None else [after]), first + 1],
            )
            total = tx.value(
                f"SELECT COUNT(*) AS n FROM {t['shops']} WHERE sanctioned_seq IS NOT NULL"
            )
            return Page(
                [self._record(tx, t, r) for r in rows[:first]], len(rows) > first, int(total or 0)
            )

        return self.read(query)
