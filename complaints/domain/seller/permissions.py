"""Who may do what to a shop: the table `PERMISSIONS`, and for the commands that name one of its
sanctions, `SANCTION_RULES` of that sanction. Every Seller command consults them, and
`Seller.allowed_actions` and `Seller.sanction_actions` are derived from them.

The rules read a shop through `Shop`, what they need of it, so that they import nothing of the
aggregate that consults them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Protocol, TypeAlias

from complaints.domain.errors import (
    Conflict,
    DomainError,
    NoPendingAppeal,
    NotAllowed,
    SameReviewer,
    SanctionAlreadyAppealed,
    SanctionNotActive,
)
from complaints.domain.rights import Guard, Permission, allow, allowed, check_role
from complaints.domain.seller.records import Sanction, ShopStatus
from complaints.domain.text import Text
from complaints.domain.values import Actor, Role, SanctionKind
from complaints.domain.violation import Action as ViolationAction
from complaints.domain.violation import authorize as authorize_violation
from complaints.domain.webhook import Action as WebhookAction
from complaints.domain.webhook import authorize as authorize_webhook


class Shop(Protocol):
    """What the rules read of a shop."""

    @property
    def sanctions(self) -> list[Sanction]: ...

    def is_staff_of(self, actor: Actor) -> bool: ...

    def lifted_by(self, kind: SanctionKind) -> Sanction | None: ...


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
SanctionRule: TypeAlias = Callable[[Shop, Sanction, Actor, datetime], None]


def own_staff(does: str) -> Guard[Shop]:
    """Seller staff act only for their own shop (platform staff for any)."""

    def guard(seller: Shop, actor: Actor, now: datetime) -> None:
        if actor.role is Role.SELLER and not seller.is_staff_of(actor):
            raise NotAllowed(Text("Only the shop's own staff may {does}.", does=does))

    return guard


def appealable(seller: Shop, sanction: Sanction, actor: Actor, now: datetime) -> None:
    """Once, by the shop's own staff; a fine after its record has ended too, any other sanction
    only while it stands."""
    own_staff(Text("appeal its sanctions"))(seller, actor, now)
    if sanction.appeal is not None:
        raise SanctionAlreadyAppealed(
            Text("Sanction {id} has already been appealed.", id=sanction.id)
        )
    if not sanction.active and sanction.fine is None:
        raise SanctionNotActive(Text("Sanction {id} has already ended.", id=sanction.id))


def appeal_to_decide(seller: Shop, sanction: Sanction, actor: Actor, now: datetime) -> None:
    """An appeal waits, and the actor is not the supervisor who imposed the sanction."""
    if sanction.appeal is None or sanction.appeal.granted is not None:
        raise NoPendingAppeal(
            Text("Sanction {id} has no appeal waiting for a decision.", id=sanction.id)
        )
    if sanction.imposed_by == actor.id:
        raise SameReviewer(
            Text("The supervisor who imposed the sanction cannot decide its appeal.")
        )


def lifted_by_its_kind(seller: Shop, sanction: Sanction, actor: Actor, now: datetime) -> None:
    """Lifting names a kind and lifts the shop's most recent active sanction of it."""
    if seller.lifted_by(sanction.kind) is not sanction:
        raise SanctionNotActive(
            Text(
                "Sanction {id} is not the {kind} a lifting would end.",
                id=sanction.id,
                kind=sanction.kind.value,
            )
        )


def on_some_sanction(rule: SanctionRule, none: Callable[[], DomainError]) -> Guard[Shop]:
    """Open on the shop when it is open on at least one of its sanctions."""

    def guard(seller: Shop, actor: Actor, now: datetime) -> None:
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
    return SanctionNotActive(Text("The shop has no active sanction."))


def _no_appeal() -> DomainError:
    return NoPendingAppeal(Text("No appeal of the shop's sanctions waits for a decision."))


PERMISSIONS: dict[Action, Permission[Shop, State]] = {
    Action.REGISTER: allow({SUP}, NEW),
    # the shop's own (R9) and its deposit
    Action.SET_AFTER_SALES_POLICY: allow(
        {S}, ALWAYS, own_staff(Text("state its after-sales policy"))
    ),
    Action.TOP_UP_DEPOSIT: allow({S, SUP}, ALWAYS, own_staff(Text("top up its deposit"))),
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
    check_role(permission, action, actor, reads=Text("every shop"))
    if status not in permission.states:
        raise Conflict(
            Text(
                "{action} is not possible while the shop is {status}.",
                action=action.value,
                status=status,
            )
        )


def starting_actions(actor: Actor) -> list[str]:
    """The mutations that start a shop, a violation report or the marketplace's webhook
    endpoint which this viewer may call now. They depend on no record that exists, so no
    record's allowed actions hold them."""
    return (
        allowed([Action.REGISTER], lambda action: authorize(action, actor, None))
        + allowed(
            [ViolationAction.REPORT],
            lambda action: authorize_violation(action, actor, shop_id=None, status=None),
        )
        + allowed(
            [WebhookAction.REGISTER_MARKETPLACE],
            lambda action: authorize_webhook(action, actor, shop_id=None, status=None),
        )
    )
