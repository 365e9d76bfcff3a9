"""The Seller account: after-sales policy (R9), deposit, sanctions and violations (R8, R10).

Who may do what to a shop is the table `PERMISSIONS`; the commands that name one of its
sanctions also ask `SANCTION_RULES` of that sanction. Every command consults them, and
`Seller.allowed_actions` and `Seller.sanction_actions` are derived from them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TypeAlias
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.errors import (
    Conflict,
    CurrencyMismatch,
    DomainError,
    FieldError,
    NoPendingAppeal,
    NotAllowed,
    ReadOnlyRole,
    RoleNotAllowed,
    SameReviewer,
    SanctionAlreadyActive,
    SanctionAlreadyAppealed,
    SanctionNotActive,
    SanctionNotFound,
)
from complaints.domain.rights import Guard, Permission, allow, allowed
from complaints.domain.sanctions import SEVERITY, Offence, SanctionLadder
from complaints.domain.validation import (
    LABEL_MAX,
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    REASON_MAX,
    SHORT_REASON_MAX,
    TERMS_MAX,
    Checks,
    normalise_money,
)
from complaints.domain.values import (
    Actor,
    Money,
    PersonalText,
    Role,
    SanctionKind,
    ViolationKind,
)
from complaints.domain.violation import Action as ViolationAction
from complaints.domain.violation import authorize as authorize_violation
from complaints.domain.webhook import Action as WebhookAction
from complaints.domain.webhook import authorize as authorize_webhook

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
class SanctionAppeal:
    """The shop's appeal of one sanction, and its decision."""

    grounds: PersonalText
    filed_at: datetime
    granted: bool | None = None
    decided_at: datetime | None = None
    rationale: str | None = None
    decided_by: str | None = None


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


# ---------------------------------------------------------------- who may do what
class Action(Enum):
    """Seller commands, named as the mutations that call them (the platform's own, which no
    mutation calls, as their commands)."""

    REGISTER = "registerSeller"
    SET_AFTER_SALES_POLICY = "setAfterSalesPolicy"
    TOP_UP_DEPOSIT = "topUpDeposit"
    RECORD_SPOT_CHECK = "recordSpotCheck"
    SANCTION = "sanctionSeller"
    LIFT_SANCTION = "liftSanction"
    APPEAL_SANCTION = "appealSanction"
    DECIDE_SANCTION_APPEAL = "decideSanctionAppeal"
    # the platform's own, as consequences of other commands
    DEDUCT_DEPOSIT = "deductDeposit"
    EXPIRE_SANCTION = "expireSanction"
    RECORD_VIOLATION = "recordViolation"
    STRIKE = "strike"


#: The shop's status (ShopStatus); None before it is registered.
State: TypeAlias = str | None
NEW: frozenset[State] = frozenset({None})
#: No command depends on the shop's status yet: a closed shop still answers for its sanctions.
ALWAYS: frozenset[State] = frozenset(
    {ShopStatus.OPEN, ShopStatus.TRADING_RESTRICTED, ShopStatus.CLOSED}
)
S, SUP, SYS = Role.SELLER, Role.SUPERVISOR, Role.SYSTEM

#: A rule about one sanction of the shop: raises its refusal when the action is not open on it.
SanctionRule: TypeAlias = Callable[["Seller", Sanction, Actor, datetime], None]


def own_staff(does: str) -> Guard[Seller]:
    """Seller staff act only for their own shop (platform staff for any)."""

    def guard(seller: Seller, actor: Actor, now: datetime) -> None:
        if actor.role is Role.SELLER and not seller.is_staff_of(actor):
            raise NotAllowed(f"Only the shop's own staff may {does}.")

    return guard


def appealable(seller: Seller, sanction: Sanction, actor: Actor, now: datetime) -> None:
    """Once, by the shop's own staff; a fine after its record has ended too, any other sanction
    only while it stands."""
    own_staff("appeal its sanctions")(seller, actor, now)
    if sanction.appeal is not None:
        raise SanctionAlreadyAppealed(f"Sanction {sanction.id} has already been appealed.")
    if not sanction.active and sanction.fine is None:
        raise SanctionNotActive(f"Sanction {sanction.id} has already ended.")


def appeal_to_decide(seller: Seller, sanction: Sanction, actor: Actor, now: datetime) -> None:
    """An appeal waits, and the actor is not the supervisor who imposed the sanction."""
    if sanction.appeal is None or sanction.appeal.granted is not None:
        raise NoPendingAppeal(f"Sanction {sanction.id} has no appeal waiting for a decision.")
    if sanction.imposed_by == actor.id:
        raise SameReviewer("The supervisor who imposed the sanction cannot decide its appeal.")


def lifted_by_its_kind(seller: Seller, sanction: Sanction, actor: Actor, now: datetime) -> None:
    """Lifting names a kind and lifts the shop's most recent active sanction of it."""
    if seller.lifted_by(sanction.kind) is not sanction:
        raise SanctionNotActive(
            f"Sanction {sanction.id} is not the {sanction.kind.value} a lifting would end."
        )


def on_some_sanction(rule: SanctionRule, none: Callable[[], DomainError]) -> Guard[Seller]:
    """Open on the shop when it is open on at least one of its sanctions."""

    def guard(seller: Seller, actor: Actor, now: datetime) -> None:
        refusal = none()
        for sanction in seller.sanctions:
            try:
                rule(seller, sanction, actor, now)
            except DomainError as error:
                refusal = error
            else:
                return
        raise refusal

    return guard


#: The rule about the one sanction each of these commands names.
SANCTION_RULES: dict[Action, SanctionRule] = {
    Action.LIFT_SANCTION: lifted_by_its_kind,
    Action.APPEAL_SANCTION: appealable,
    Action.DECIDE_SANCTION_APPEAL: appeal_to_decide,
}


def _no_sanction() -> DomainError:
    return SanctionNotActive("The shop has no active sanction.")


def _no_appeal() -> DomainError:
    return NoPendingAppeal("No appeal of the shop's sanctions waits for a decision.")


PERMISSIONS: dict[Action, Permission[Seller, State]] = {
    Action.REGISTER: allow({SUP}, NEW),
    # the shop's own (R9) and its deposit
    Action.SET_AFTER_SALES_POLICY: allow({S}, ALWAYS, own_staff("state its after-sales policy")),
    Action.TOP_UP_DEPOSIT: allow({S, SUP}, ALWAYS, own_staff("top up its deposit")),
    # supervision and sanctions (R4, R8, R10); the sanction commands are open on the shop when
    # they are open on one of its sanctions (SANCTION_RULES)
    Action.RECORD_SPOT_CHECK: allow({SUP}, ALWAYS),
    Action.SANCTION: allow({SUP, SYS}, ALWAYS),
    Action.LIFT_SANCTION: allow({SUP}, ALWAYS, on_some_sanction(lifted_by_its_kind, _no_sanction)),
    Action.APPEAL_SANCTION: allow({S}, ALWAYS, on_some_sanction(appealable, _no_sanction)),
    Action.DECIDE_SANCTION_APPEAL: allow(
        {SUP}, ALWAYS, on_some_sanction(appeal_to_decide, _no_appeal)
    ),
    # consequences the platform draws from other commands (a fine, a missed remedy, a ruling)
    Action.DEDUCT_DEPOSIT: allow({SYS, SUP}, ALWAYS),
    Action.EXPIRE_SANCTION: allow({SYS}, ALWAYS),
    Action.RECORD_VIOLATION: allow({SUP, SYS}, ALWAYS),
    Action.STRIKE: allow({SYS, SUP}, ALWAYS),
}
#: What a viewer may be offered on a shop: the mutations on one that exists.
OFFERED = (
    Action.SET_AFTER_SALES_POLICY,
    Action.TOP_UP_DEPOSIT,
    Action.RECORD_SPOT_CHECK,
    Action.SANCTION,
    Action.LIFT_SANCTION,
    Action.APPEAL_SANCTION,
    Action.DECIDE_SANCTION_APPEAL,
)
#: ... and on one of its sanctions.
OFFERED_ON_SANCTIONS = (
    Action.LIFT_SANCTION,
    Action.APPEAL_SANCTION,
    Action.DECIDE_SANCTION_APPEAL,
)


def authorize(action: Action, actor: Actor, status: State) -> None:
    """Role and status: the first check of every shop command."""
    permission = PERMISSIONS[action]
    if actor.role is Role.AUDITOR:
        raise ReadOnlyRole("Auditors read every shop but command none.")
    if actor.role not in permission.roles:
        raise RoleNotAllowed(f"A {actor.role.value.lower()} may not {action.value}.")
    if status not in permission.states:
        raise Conflict(f"{action.value} is not possible while the shop is {status}.")


def starting_actions(actor: Actor) -> list[str]:
    """The mutations that start a shop or a violation report which this viewer may call now.
    They depend on no record that exists, so no record's allowed actions hold them."""
    return allowed([Action.REGISTER], lambda action: authorize(action, actor, None)) + allowed(
        [ViolationAction.REPORT],
        lambda action: authorize_violation(action, actor, shop_id=None, status=None),
    )


class Seller(Aggregate):
    @staticmethod
    def create_id(shop_id: str) -> UUID:
        return seller_id(shop_id)

    @classmethod
    def register(cls, ctx: CommandContext, *, shop_id: str, name: str, deposit: Money) -> Seller:
        """A supervisor registers a shop with its initial security deposit."""
        authorize(Action.REGISTER, ctx.actor, None)
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

    class Registered(Aggregate.Created):
        shop_id: str
        name: str
        deposit: Money
        actor: Actor

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

    def lifted_by(self, kind: SanctionKind) -> Sanction | None:
        """The sanction that lifting a kind ends: the most recent active one of it."""
        return next((s for s in reversed(self.active_sanctions) if s.kind is kind), None)

    # ---------------------------------------------------------------- rights
    def allowed_actions(self, actor: Actor, now: datetime) -> list[str]:
        """The mutations this viewer may call on this shop now, in the table's order: the
        shop's own, then registering a webhook for it."""
        own = allowed(OFFERED, lambda action: self._check(action, actor, now))
        return own + allowed(
            [WebhookAction.REGISTER],
            lambda action: authorize_webhook(action, actor, shop_id=self.shop_id, status=None),
        )

    def sanction_actions(self, sanction_id: str, actor: Actor, now: datetime) -> list[str]:
        """The mutations this viewer may call on one of the shop's sanctions now."""
        self._sanction(sanction_id)

        def check(action: Action) -> None:
            self._check_sanction(action, sanction_id, actor, now)

        return allowed(OFFERED_ON_SANCTIONS, check)

    def _check(self, action: Action, actor: Actor, now: datetime) -> None:
        authorize(action, actor, self.status)
        guard = PERMISSIONS[action].guard
        if guard is not None:
            guard(self, actor, now)

    def _check_sanction(
        self, action: Action, sanction_id: str, actor: Actor, now: datetime
    ) -> Sanction:
        """For the commands that name a sanction: the table's role and status, then the rule
        about that sanction (the table's guard asks it of every sanction)."""
        authorize(action, actor, self.status)
        sanction = self._sanction(sanction_id)
        SANCTION_RULES[action](self, sanction, actor, now)
        return sanction

    # ---------------------------------------------------------------- after-sales policy (R9)
    def set_after_sales_policy(self, ctx: CommandContext, policy: AfterSalesPolicy) -> None:
        """The seller states its return, exchange and warranty terms."""
        self._check(Action.SET_AFTER_SALES_POLICY, ctx.actor, ctx.now)
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

    class AfterSalesPolicySet(Aggregate.Event):
        policy: AfterSalesPolicy
        actor: Actor

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
        self._check(Action.TOP_UP_DEPOSIT, ctx.actor, ctx.now)
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

    class DepositToppedUp(Aggregate.Event):
        amount: Money
        balance_after: Decimal
        debt_after: Decimal
        actor: Actor

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
        self._check(Action.DEDUCT_DEPOSIT, ctx.actor, ctx.now)
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

    class DepositDeducted(Aggregate.Event):
        amount: Money
        reason: str
        complaint_id: UUID | None
        balance_after: Decimal
        debt_after: Decimal
        actor: Actor

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
        lasts: timedelta | None = None,
    ) -> None:
        """A supervisor sanctions the shop, for `lasts` (None: until lifted). A fine is also
        taken from the deposit."""
        self._check(Action.SANCTION, ctx.actor, ctx.now)
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
            fine = normalise_money(fine)
        self._sanction_imposed(
            sanction_id=f"s{len(self.sanctions) + 1}",
            kind=kind,
            reason=reason.strip(),
            complaint_id=complaint_id,
            actor=ctx.actor,
            timestamp=ctx.now,
            until=None if lasts is None else ctx.now + lasts,
            fine=fine,
        )
        if fine is not None:
            self.deduct_deposit(
                ctx, fine, reason=f"fine: {reason.strip()}", complaint_id=complaint_id
            )

    class SanctionImposed(Aggregate.Event):
        sanction_id: str
        kind: SanctionKind
        reason: str
        complaint_id: UUID | None
        actor: Actor
        # Since policies are recorded with decisions: the ladder that imposed it, if a strike
        # did (SANCTION_LADDER, SANCTION_FINE, SANCTION_WINDOW as they were).
        policy: dict[str, str] | None = None
        # Since sanctions end and can be appealed: when it expires, and the fine it took.
        until: datetime | None = None
        fine: Money | None = None

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
        until: datetime | None = None,
        fine: Money | None = None,
    ) -> None:
        self.sanctions.append(
            Sanction(
                sanction_id,
                kind,
                reason,
                complaint_id,
                timestamp,
                until=until,
                imposed_by=actor.id,
                fine=fine,
            )
        )

    def lift_sanction(self, ctx: CommandContext, *, kind: SanctionKind, reason: str) -> None:
        """A supervisor lifts the most recent active sanction of a kind."""
        authorize(Action.LIFT_SANCTION, ctx.actor, self.status)
        checks = Checks()
        checks.text("reason", reason, max_len=REASON_MAX)
        checks.done()
        # The command names a kind: the sanction it ends is the one `lifted_by_its_kind` offers.
        sanction = self.lifted_by(kind)
        if sanction is None:
            raise SanctionNotActive(f"The shop has no active {kind.value} sanction.")
        self._sanction_lifted(
            sanction_id=sanction.id, reason=reason.strip(), actor=ctx.actor, timestamp=ctx.now
        )

    class SanctionLifted(Aggregate.Event):
        sanction_id: str
        reason: str
        actor: Actor

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

    def expire_sanction(self, ctx: CommandContext, *, sanction_id: str) -> bool:
        """The platform ends a sanction whose time is up. Idempotent: one already ended, or not
        yet due, is left as it is (returns False)."""
        self._check(Action.EXPIRE_SANCTION, ctx.actor, ctx.now)
        sanction = self._sanction(sanction_id)
        if not sanction.active or sanction.until is None or sanction.until > ctx.now:
            return False
        self._sanction_expired(sanction_id=sanction_id, actor=ctx.actor, timestamp=ctx.now)
        return True

    class SanctionExpired(Aggregate.Event):
        sanction_id: str
        actor: Actor

    @event(SanctionExpired)
    def _sanction_expired(self, sanction_id: str, actor: Actor, timestamp: datetime) -> None:
        self.sanctions = [
            replace(s, lifted_at=timestamp, lift_reason="expired", expired=True)
            if s.id == sanction_id
            else s
            for s in self.sanctions
        ]

    def appeal_sanction(self, ctx: CommandContext, *, sanction_id: str, grounds: str) -> None:
        """The sanctioned shop appeals a sanction, once. A fine may be appealed after its
        record has ended; any other sanction only while it stands."""
        self._check_sanction(Action.APPEAL_SANCTION, sanction_id, ctx.actor, ctx.now)
        checks = Checks()
        checks.text("grounds", grounds, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
        checks.done()
        self._sanction_appealed(
            sanction_id=sanction_id,
            grounds=PersonalText(ctx.actor.id, grounds),
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    class SanctionAppealed(Aggregate.Event):
        sanction_id: str
        grounds: PersonalText
        actor: Actor

    @event(SanctionAppealed)
    def _sanction_appealed(
        self, sanction_id: str, grounds: PersonalText, actor: Actor, timestamp: datetime
    ) -> None:
        self.sanctions = [
            replace(s, appeal=SanctionAppeal(grounds, timestamp)) if s.id == sanction_id else s
            for s in self.sanctions
        ]

    def decide_sanction_appeal(
        self, ctx: CommandContext, *, sanction_id: str, grant: bool, rationale: str
    ) -> None:
        """A supervisor other than the one who imposed the sanction decides its appeal. A
        granted appeal lifts the sanction and returns its fine (repaying any debt first)."""
        sanction = self._check_sanction(
            Action.DECIDE_SANCTION_APPEAL, sanction_id, ctx.actor, ctx.now
        )
        checks = Checks()
        checks.text("rationale", rationale, max_len=REASON_MAX)
        checks.done()
        self._sanction_appeal_decided(
            sanction_id=sanction_id,
            granted=grant,
            rationale=rationale.strip(),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if not grant:
            return
        if sanction.active:
            self._sanction_lifted(
                sanction_id=sanction_id,
                reason=f"appeal granted: {rationale.strip()}",
                actor=ctx.actor,
                timestamp=ctx.now,
            )
        if sanction.fine is not None:
            amount = sanction.fine.amount
            repaid = min(self.debt, amount)
            self._fine_returned(
                sanction_id=sanction_id,
                amount=sanction.fine,
                balance_after=self.balance + amount - repaid,
                debt_after=self.debt - repaid,
                actor=ctx.actor,
                timestamp=ctx.now,
            )

    class SanctionAppealDecided(Aggregate.Event):
        sanction_id: str
        granted: bool
        rationale: str
        actor: Actor

    @event(SanctionAppealDecided)
    def _sanction_appeal_decided(
        self, sanction_id: str, granted: bool, rationale: str, actor: Actor, timestamp: datetime
    ) -> None:
        self.sanctions = [
            replace(
                s,
                appeal=replace(
                    s.appeal,
                    granted=granted,
                    decided_at=timestamp,
                    rationale=rationale,
                    decided_by=actor.id,
                ),
            )
            if s.id == sanction_id and s.appeal is not None
            else s
            for s in self.sanctions
        ]

    class FineReturned(Aggregate.Event):
        """A granted appeal returns the fine: it repays any debt first, then the deposit."""

        sanction_id: str
        amount: Money
        balance_after: Decimal
        debt_after: Decimal
        actor: Actor

    @event(FineReturned)
    def _fine_returned(
        self,
        sanction_id: str,
        amount: Money,
        balance_after: Decimal,
        debt_after: Decimal,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.balance, self.debt = balance_after, debt_after
        self.ledger.append(
            LedgerEntry(
                amount.amount,
                f"fine returned: appeal of sanction {sanction_id} granted",
                None,
                balance_after,
                debt_after,
                timestamp,
            )
        )

    def _sanction(self, sanction_id: str) -> Sanction:
        found = next((s for s in self.sanctions if s.id == sanction_id), None)
        if found is None:
            raise SanctionNotFound(f"The shop has no sanction {sanction_id}.")
        return found

    # ---------------------------------------------------------------- supervision (R8, R10)
    def record_spot_check(self, ctx: CommandContext, *, passed: bool, findings: str) -> None:
        """A supervisor records a spot check of the shop's goods or service."""
        self._check(Action.RECORD_SPOT_CHECK, ctx.actor, ctx.now)
        checks = Checks()
        checks.text("findings", findings, max_len=NARRATIVE_MAX)
        checks.done()
        self._spot_check_recorded(
            passed=passed, findings=findings.strip(), actor=ctx.actor, timestamp=ctx.now
        )

    class SpotCheckRecorded(Aggregate.Event):
        passed: bool
        findings: str
        actor: Actor

    @event(SpotCheckRecorded)
    def _spot_check_recorded(
        self, passed: bool, findings: str, actor: Actor, timestamp: datetime
    ) -> None:
        self.spot_checks.append(SpotCheck(passed, findings, timestamp, actor.id))

    def record_violation(
        self, ctx: CommandContext, *, violation_id: UUID, kind: ViolationKind
    ) -> None:
        """A confirmed violation counts against the shop (saved with the violation itself): a
        supervisor confirmed a report, or a final ruling found it (then the actor may be the
        platform, enforcing the appeal window)."""
        self._check(Action.RECORD_VIOLATION, ctx.actor, ctx.now)
        self._violation_confirmed(
            violation_id=violation_id, kind=kind, actor=ctx.actor, timestamp=ctx.now
        )

    class ViolationConfirmed(Aggregate.Event):
        violation_id: UUID
        kind: ViolationKind
        actor: Actor

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
        self._check(Action.STRIKE, ctx.actor, ctx.now)
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
            lasts = ladder.lasts(kind)
            fine = Money(ladder.fine, self.currency) if kind is SanctionKind.FINE else None
            self._sanction_imposed(
                sanction_id=f"s{len(self.sanctions) + 1}",
                kind=kind,
                reason=text,
                complaint_id=complaint_id,
                actor=ctx.actor,
                timestamp=ctx.now,
                policy=policy,
                until=None if lasts is None else ctx.now + lasts,
                fine=fine,
            )
            if kind is SanctionKind.FINE:
                self.deduct_deposit(
                    ctx,
                    Money(ladder.fine, self.currency),
                    reason=f"fine: strike {number}, the shop {offence.text}",
                    complaint_id=complaint_id,
                )
        return self.strikes[-1]

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
