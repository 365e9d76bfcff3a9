"""The Seller account: after-sales policy (R9), deposit, sanctions and violations (R8, R10)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.errors import (
    CurrencyMismatch,
    FieldError,
    NotAllowed,
    ReadOnlyRole,
    RoleNotAllowed,
    SanctionAlreadyActive,
    SanctionNotActive,
)
from complaints.domain.sanctions import SEVERITY, Offence, SanctionLadder
from complaints.domain.validation import (
    LABEL_MAX,
    NARRATIVE_MAX,
    REASON_MAX,
    SHORT_REASON_MAX,
    TERMS_MAX,
    Checks,
    normalise_money,
)
from complaints.domain.values import (
    Actor,
    Money,
    Role,
    SanctionKind,
    ViolationKind,
)

NAMESPACE = uuid.UUID("0b7e4f5e-2b1a-4a3c-8f0e-5d7c9a1b2e34")


def seller_id(shop_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"seller:{shop_id}")


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
class Sanction:
    id: str
    kind: SanctionKind
    reason: str
    complaint_id: UUID | None
    imposed_at: datetime
    lifted_at: datetime | None = None
    lift_reason: str | None = None

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


def _require_role(actor: Actor, *roles: Role) -> None:
    if actor.role is Role.AUDITOR:
        raise ReadOnlyRole("Auditors read; they do not command.")
    if actor.role not in roles:
        raise RoleNotAllowed(f"A {actor.role.value.lower()} may not do this.")


class Seller(Aggregate):
    class Registered(Aggregate.Created):
        shop_id: str
        name: str
        deposit: Money
        actor: Actor

    class AfterSalesPolicySet(Aggregate.Event):
        policy: AfterSalesPolicy
        actor: Actor

    class DepositToppedUp(Aggregate.Event):
        amount: Money
        balance_after: Decimal
        debt_after: Decimal
        actor: Actor

    class DepositDeducted(Aggregate.Event):
        amount: Money
        reason: str
        complaint_id: UUID | None
        balance_after: Decimal
        debt_after: Decimal
        actor: Actor

    class SanctionImposed(Aggregate.Event):
        sanction_id: str
        kind: SanctionKind
        reason: str
        complaint_id: UUID | None
        actor: Actor
        # Since policies are recorded with decisions: the ladder that imposed it, if a strike
        # did (SANCTION_LADDER, SANCTION_FINE, SANCTION_WINDOW as they were).
        policy: dict[str, str] | None = None

    class SanctionLifted(Aggregate.Event):
        sanction_id: str
        reason: str
        actor: Actor

    class SpotCheckRecorded(Aggregate.Event):
        passed: bool
        findings: str
        actor: Actor

    class ViolationConfirmed(Aggregate.Event):
        violation_id: UUID
        kind: ViolationKind
        actor: Actor

    class Struck(Aggregate.Event):
        """An offence counted against the shop on the sanction ladder."""

        offence: Offence
        reason: str
        complaint_id: UUID | None
        violation_id: UUID | None
        strike: int  # the strike's number within the ladder's window, this one included
        sanction_kind: SanctionKind | None  # the rung it reached; None if already there
        actor: Actor
        # Since policies are recorded with decisions: the ladder, fine and window applied.
        policy: dict[str, str] | None = None

    @staticmethod
    def create_id(shop_id: str) -> UUID:
        return seller_id(shop_id)

    @classmethod
    def register(cls, ctx: CommandContext, *, shop_id: str, name: str, deposit: Money) -> Seller:
        """A supervisor registers a shop with its initial security deposit."""
        _require_role(ctx.actor, Role.SUPERVISOR)
        checks = Checks()
        checks.identifier("shop_id", shop_id)
        checks.text("name", name, max_len=LABEL_MAX)
        checks.money("deposit", deposit, allow_zero=True)
        checks.done()
        return cls(
            shop_id=shop_id,
            name=name.strip(),
            deposit=normalise_money(deposit),
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    @event(Registered)
    def __init__(
        self, shop_id: str, name: str, deposit: Money, actor: Actor, timestamp: datetime
    ) -> None:
        self.shop_id = shop_id
        self.name = name
        self.registered_at = timestamp
        self.currency = deposit.currency
        self.balance = deposit.amount
        self.debt = Decimal(0)
        self.ledger: list[LedgerEntry] = [
            LedgerEntry(
                deposit.amount, "initial deposit", None, deposit.amount, self.debt, timestamp
            )
        ]
        self.policy: AfterSalesPolicy | None = None
        self.sanctions: list[Sanction] = []
        self.spot_checks: list[SpotCheck] = []
        self.violations: list[ConfirmedViolation] = []
        self.strikes: list[Strike] = []

    # ---------------------------------------------------------------- reading
    @property
    def deposit(self) -> Money:
        return Money(self.balance, self.currency)

    @property
    def outstanding_debt(self) -> Money:
        return Money(self.debt, self.currency)

    @property
    def active_sanctions(self) -> list[Sanction]:
        return [s for s in self.sanctions if s.active]

    @property
    def status(self) -> str:
        return shop_status({s.kind for s in self.active_sanctions})

    def is_staff_of(self, actor: Actor) -> bool:
        return actor.role is Role.SELLER and actor.shop_id == self.shop_id

    # ---------------------------------------------------------------- after-sales policy (R9)
    def set_after_sales_policy(self, ctx: CommandContext, policy: AfterSalesPolicy) -> None:
        """The seller states its return, exchange and warranty terms."""
        _require_role(ctx.actor, Role.SELLER)
        if not self.is_staff_of(ctx.actor):
            raise NotAllowed("Only the shop's own staff may state its after-sales policy.")
        checks = Checks()
        checks.require(
            0 <= policy.return_window_days <= 365, "return_window_days", "must be from 0 to 365"
        )
        checks.require(
            0 <= policy.warranty_months <= 120, "warranty_months", "must be from 0 to 120"
        )
        checks.text("terms", policy.terms, max_len=TERMS_MAX)
        checks.done()
        self._after_sales_policy_set(
            policy=replace(policy, terms=policy.terms.strip()),
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    @event(AfterSalesPolicySet)
    def _after_sales_policy_set(
        self,
        policy: AfterSalesPolicy,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.policy = policy

    # ---------------------------------------------------------------- deposit
    def top_up_deposit(self, ctx: CommandContext, amount: Money) -> None:
        """Money paid into the deposit first repays any debt, then raises the balance."""
        _require_role(ctx.actor, Role.SELLER, Role.SUPERVISOR)
        if ctx.actor.role is Role.SELLER and not self.is_staff_of(ctx.actor):
            raise NotAllowed("Only the shop's own staff may top up its deposit.")
        self._check_amount(amount)
        amount = normalise_money(amount)
        repaid = min(self.debt, amount.amount)
        self._deposit_topped_up(
            amount=amount,
            balance_after=self.balance + amount.amount - repaid,
            debt_after=self.debt - repaid,
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    @event(DepositToppedUp)
    def _deposit_topped_up(
        self,
        amount: Money,
        balance_after: Decimal,
        debt_after: Decimal,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.balance, self.debt = balance_after, debt_after
        self.ledger.append(
            LedgerEntry(amount.amount, "top-up", None, balance_after, debt_after, timestamp)
        )

    def deduct_deposit(
        self, ctx: CommandContext, amount: Money, *, reason: str, complaint_id: UUID | None
    ) -> None:
        """Take money from the deposit. What the balance cannot cover becomes a debt; it never
        vanishes."""
        _require_role(ctx.actor, Role.SYSTEM, Role.SUPERVISOR)
        self._check_amount(amount)
        checks = Checks()
        checks.text("reason", reason, max_len=SHORT_REASON_MAX)
        checks.done()
        amount = normalise_money(amount)
        covered = min(self.balance, amount.amount)
        self._deposit_deducted(
            amount=amount,
            reason=reason.strip(),
            complaint_id=complaint_id,
            balance_after=self.balance - covered,
            debt_after=self.debt + amount.amount - covered,
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    @event(DepositDeducted)
    def _deposit_deducted(
        self,
        amount: Money,
        reason: str,
        complaint_id: UUID | None,
        balance_after: Decimal,
        debt_after: Decimal,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.balance, self.debt = balance_after, debt_after
        self.ledger.append(
            LedgerEntry(-amount.amount, reason, complaint_id, balance_after, debt_after, timestamp)
        )

    def _check_amount(self, amount: Money) -> None:
        checks = Checks()
        checks.money("amount", amount)
        checks.done()
        if amount.currency != self.currency:
            raise CurrencyMismatch(
                [FieldError("amount.currency", f"the deposit is held in {self.currency}")]
            )

    # ---------------------------------------------------------------- sanctions (R4, R8)
    def impose_sanction(
        self,
        ctx: CommandContext,
        *,
        kind: SanctionKind,
        reason: str,
        complaint_id: UUID | None,
        fine: Money | None = None,
    ) -> None:
        """A supervisor sanctions the shop. A fine is also taken from the deposit."""
        _require_role(ctx.actor, Role.SUPERVISOR, Role.SYSTEM)
        checks = Checks()
        checks.text("reason", reason, max_len=REASON_MAX)
        if kind is SanctionKind.FINE:
            checks.require(fine is not None, "amount", "a fine needs an amount")
        else:
            checks.require(fine is None, "amount", f"a {kind.value} takes no amount")
        checks.done()
        if kind in {SanctionKind.TRADING_RESTRICTED, SanctionKind.SHOP_CLOSED} and any(
            s.kind is kind for s in self.active_sanctions
        ):
            raise SanctionAlreadyActive(f"The shop is already under {kind.value}.")
        if fine is not None:
            self._check_amount(fine)
        self._sanction_imposed(
            sanction_id=f"s{len(self.sanctions) + 1}",
            kind=kind,
            reason=reason.strip(),
            complaint_id=complaint_id,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if fine is not None:
            self.deduct_deposit(
                ctx, fine, reason=f"fine: {reason.strip()}", complaint_id=complaint_id
            )

    @event(SanctionImposed)
    def _sanction_imposed(
        self,
        sanction_id: str,
        kind: SanctionKind,
        reason: str,
        complaint_id: UUID | None,
        timestamp: datetime,
        actor: Actor,
        policy: dict[str, str] | None = None,
    ) -> None:
        self.sanctions.append(Sanction(sanction_id, kind, reason, complaint_id, timestamp))

    def lift_sanction(self, ctx: CommandContext, *, kind: SanctionKind, reason: str) -> None:
        """A supervisor lifts the most recent active sanction of a kind."""
        _require_role(ctx.actor, Role.SUPERVISOR)
        checks = Checks()
        checks.text("reason", reason, max_len=REASON_MAX)
        checks.done()
        active = [s for s in self.active_sanctions if s.kind is kind]
        if not active:
            raise SanctionNotActive(f"The shop has no active {kind.value} sanction.")
        self._sanction_lifted(
            sanction_id=active[-1].id, reason=reason.strip(), actor=ctx.actor, timestamp=ctx.now
        )

    @event(SanctionLifted)
    def _sanction_lifted(
        self,
        sanction_id: str,
        reason: str,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.sanctions = [
            replace(s, lifted_at=timestamp, lift_reason=reason) if s.id == sanction_id else s
            for s in self.sanctions
        ]

    # ---------------------------------------------------------------- supervision (R8, R10)
    def record_spot_check(self, ctx: CommandContext, *, passed: bool, findings: str) -> None:
        """A supervisor records a spot check of the shop's goods or service."""
        _require_role(ctx.actor, Role.SUPERVISOR)
        checks = Checks()
        checks.text("findings", findings, max_len=NARRATIVE_MAX)
        checks.done()
        self._spot_check_recorded(
            passed=passed, findings=findings.strip(), actor=ctx.actor, timestamp=ctx.now
        )

    @event(SpotCheckRecorded)
    def _spot_check_recorded(
        self, passed: bool, findings: str, actor: Actor, timestamp: datetime
    ) -> None:
        self.spot_checks.append(SpotCheck(passed, findings, timestamp, actor.id))

    def record_violation(
        self, ctx: CommandContext, *, violation_id: UUID, kind: ViolationKind
    ) -> None:
        """A confirmed violation counts against the shop (saved with the violation itself)."""
        _require_role(ctx.actor, Role.SUPERVISOR)
        self._violation_confirmed(
            violation_id=violation_id, kind=kind, actor=ctx.actor, timestamp=ctx.now
        )

    @event(ViolationConfirmed)
    def _violation_confirmed(
        self,
        violation_id: UUID,
        kind: ViolationKind,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.violations.append(ConfirmedViolation(violation_id, kind))

    # ---------------------------------------------------------------- the ladder (R4, R8)
    def strikes_within(self, window: timedelta, now: datetime) -> list[Strike]:
        return [s for s in self.strikes if s.at > now - window]

    def strike(
        self,
        ctx: CommandContext,
        ladder: SanctionLadder,
        *,
        offence: Offence,
        reason: str,
        complaint_id: UUID | None = None,
        violation_id: UUID | None = None,
    ) -> Strike:
        """Count an offence and impose the ladder's next rung, in the same save as the offence
        itself. A restriction the shop is already under (or a closure above it) is not imposed
        twice; the strike still counts."""
        _require_role(ctx.actor, Role.SYSTEM, Role.SUPERVISOR)
        number = len(self.strikes_within(ladder.window, ctx.now)) + 1
        kind: SanctionKind | None = ladder.rung(number)
        if kind in SEVERITY and any(
            SEVERITY.get(s.kind, 0) >= SEVERITY[kind] for s in self.active_sanctions
        ):
            kind = None
        policy = ladder.spec()
        self._struck(
            offence=offence,
            reason=reason,
            complaint_id=complaint_id,
            violation_id=violation_id,
            strike=number,
            sanction_kind=kind,
            actor=ctx.actor,
            timestamp=ctx.now,
            policy=policy,
        )
        if kind is not None:
            text = f"Strike {number}: the shop {offence.text}. {reason}"
            self._sanction_imposed(
                sanction_id=f"s{len(self.sanctions) + 1}",
                kind=kind,
                reason=text,
                complaint_id=complaint_id,
                actor=ctx.actor,
                timestamp=ctx.now,
                policy=policy,
            )
            if kind is SanctionKind.FINE:
                self.deduct_deposit(
                    ctx,
                    Money(ladder.fine, self.currency),
                    reason=f"fine: strike {number}, the shop {offence.text}",
                    complaint_id=complaint_id,
                )
        return self.strikes[-1]

    @event(Struck)
    def _struck(
        self,
        offence: Offence,
        reason: str,
        complaint_id: UUID | None,
        violation_id: UUID | None,
        strike: int,
        sanction_kind: SanctionKind | None,
        actor: Actor,
        timestamp: datetime,
        policy: dict[str, str] | None = None,
    ) -> None:
        self.strikes.append(
            Strike(offence, reason, complaint_id, violation_id, strike, sanction_kind, timestamp)
        )
