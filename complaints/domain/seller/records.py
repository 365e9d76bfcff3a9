"""What a shop's record holds: its status, after-sales policy, sanctions and their appeals, the
deposit's ledger, confirmed violations, strikes and spot checks. Stored inside Seller events (each
is transcoded by its class name, so it may move between modules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from complaints.domain.sanctions import Offence
from complaints.domain.values import Money, PersonalText, SanctionKind, ViolationKind


class ShopStatus:
    OPEN = "OPEN"
    TRADING_RESTRICTED = "TRADING_RESTRICTED"
    CLOSED = "CLOSED"


def shop_status(active: set[SanctionKind]) -> str:
    """A closure outranks a restriction; warnings and fines leave the shop open."""
    if SanctionKind.SHOP_CLOSED in active:
        return ShopStatus.CLOSED
    if SanctionKind.TRADING_RESTRICTED in active:
        return ShopStatus.TRADING_RESTRICTED
    return ShopStatus.OPEN


@dataclass(frozen=True)
class AfterSalesPolicy:
    return_window_days: int
    exchange_allowed: bool
    warranty_months: int
    terms: str


@dataclass(frozen=True)
class SanctionAppeal:
    """The shop's appeal of one sanction, and its decision."""

    grounds: PersonalText
    filed_at: datetime
    granted: bool | None = None
    decided_at: datetime | None = None
    rationale: str | None = None
    decided_by: str | None = None
    #: When a supervisor must have decided (sanction_appeal_review); None for older appeals.
    decision_due_at: datetime | None = None


@dataclass(frozen=True)
class Sanction:
    id: str
    kind: SanctionKind
    reason: str
    complaint_id: UUID | None
    imposed_at: datetime
    lifted_at: datetime | None = None
    lift_reason: str | None = None
    # Since sanctions end and can be appealed (older ones have none of these):
    until: datetime | None = None  # when it expires; None: until a supervisor lifts it
    imposed_by: str | None = None
    fine: Money | None = None  # what it took from the deposit, returned if an appeal is granted
    appeal: SanctionAppeal | None = None
    expired: bool = False

    @property
    def active(self) -> bool:
        return self.lifted_at is None


@dataclass(frozen=True)
class LedgerEntry:
    """One movement of the security deposit. Positive amounts pay in, negative ones take out."""

    amount: Decimal
    reason: str
    complaint_id: UUID | None
    balance_after: Decimal
    debt_after: Decimal
    at: datetime


@dataclass(frozen=True)
class ConfirmedViolation:
    violation_id: UUID
    kind: ViolationKind


@dataclass(frozen=True)
class Strike:
    offence: Offence
    reason: str
    complaint_id: UUID | None
    violation_id: UUID | None
    number: int
    sanction_kind: SanctionKind | None
    at: datetime


@dataclass(frozen=True)
class SpotCheck:
    passed: bool
    findings: str
    checked_at: datetime
    by: str
