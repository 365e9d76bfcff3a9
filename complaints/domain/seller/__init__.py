"""The Seller account: after-sales policy (R9), deposit, sanctions and violations (R8, R10).

Who may do what to a shop is the table in permissions.py; what a shop's record holds is in
records.py. Every command consults the table, and `Seller.allowed_actions` and
`Seller.sanction_actions` are derived from it.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    CurrencyMismatch,
    FieldError,
    SanctionAlreadyActive,
    SanctionNotActive,
    SanctionNotFound,
)
from complaints.domain.rights import allowed
from complaints.domain.sanctions import SEVERITY, Offence, SanctionLadder
from complaints.domain.seller.permissions import (
    OFFERED,
    OFFERED_ON_SANCTIONS,
    PERMISSIONS,
    SANCTION_RULES,
    Action,
    authorize,
    starting_actions,
)
from complaints.domain.seller.records import (
    AfterSalesPolicy,
    ConfirmedViolation,
    LedgerEntry,
    Sanction,
    SanctionAppeal,
    ShopStatus,
    SpotCheck,
    Strike,
    shop_status,
)
from complaints.domain.seller.standing import Standing, standing
from complaints.domain.text import Text
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
from complaints.domain.webhook import Action as WebhookAction
from complaints.domain.webhook import authorize as authorize_webhook

__all__ = [
    "NAMESPACE",
    "OFFERED",
    "OFFERED_ON_SANCTIONS",
    "PERMISSIONS",
    "SANCTION_RULES",
    "Action",
    "AfterSalesPolicy",
    "ConfirmedViolation",
    "LedgerEntry",
    "Sanction",
    "SanctionAppeal",
    "Seller",
    "ShopStatus",
    "SpotCheck",
    "Standing",
    "Strike",
    "seller_id",
    "shop_status",
    "standing",
    "starting_actions",
]

NAMESPACE = uuid.UUID("0b7e4f5e-2b1a-4a3c-8f0e-5d7c9a1b2e34")


def seller_id(shop_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"seller:{shop_id}")


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

    @property
    def standing(self) -> Standing:
        """What the marketplace may do for the shop now (standing.py)."""
        return standing(self.active_sanctions)

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
            0 <= policy.return_window_days <= 365,
            "return_window_days",
            Text("must be from 0 to 365"),
        )
        checks.require(
            0 <= policy.warranty_months <= 120, "warranty_months", Text("must be from 0 to 120")
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
                [
                    FieldError(
                        "amount.currency",
                        Text("the deposit is held in {currency}", currency=self.currency),
                    )
                ]
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
            checks.require(fine is not None, "amount", Text("a fine needs an amount"))
        else:
            checks.require(
                fine is None, "amount", Text("a {kind} takes no amount", kind=kind.value)
            )
        checks.done()
        if kind in {SanctionKind.TRADING_RESTRICTED, SanctionKind.SHOP_CLOSED} and any(
            s.kind is kind for s in self.active_sanctions
        ):
            raise SanctionAlreadyActive(Text("The shop is already under {kind}.", kind=kind.value))
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
            raise SanctionNotActive(
                Text("The shop has no active {kind} sanction.", kind=kind.value)
            )
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
            decision_due_at=ctx.deadlines.due(DeadlineKind.SANCTION_APPEAL_REVIEW, ctx.now),
            policy=ctx.deadlines.terms(DeadlineKind.SANCTION_APPEAL_REVIEW),
        )

    class SanctionAppealed(Aggregate.Event):
        sanction_id: str
        grounds: PersonalText
        actor: Actor
        # Since appeals have a staff deadline (older events lack it): when a supervisor must
        # have decided, and the DEADLINES term that set it (sanction_appeal_review=5d).
        decision_due_at: datetime | None = None
        policy: str | None = None

    @event(SanctionAppealed)
    def _sanction_appealed(
        self,
        sanction_id: str,
        grounds: PersonalText,
        actor: Actor,
        timestamp: datetime,
        decision_due_at: datetime | None = None,
        policy: str | None = None,
    ) -> None:
        appeal = SanctionAppeal(grounds, timestamp, decision_due_at=decision_due_at)
        self.sanctions = [
            replace(s, appeal=appeal) if s.id == sanction_id else s for s in self.sanctions
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
            raise SanctionNotFound(
                Text("The shop has no sanction {sanction_id}.", sanction_id=sanction_id)
            )
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
