"""Reported violations (counterfeits, fraud, misrepresentation): anyone signed in reports, the
reported shop may answer, a supervisor confirms or dismisses (R8, R10).

Who may do what, in which status, is the table `PERMISSIONS`: every command consults it, and
`Violation.allowed_actions` is derived from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TypeAlias
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.errors import (
    AlreadyResponded,
    NotAParty,
    ViolationAlreadyDecided,
)
from complaints.domain.labels import label
from complaints.domain.rights import Permission, allow, allowed, check_role
from complaints.domain.text import Text
from complaints.domain.validation import NARRATIVE_MAX, NARRATIVE_MIN, REASON_MAX, Checks
from complaints.domain.values import (
    Actor,
    PersonalText,
    Role,
    ViolationKind,
    ViolationStatus,
)


class Action(Enum):
    """Violation commands, named as the mutations that call them (the platform's own, which no
    mutation calls, as its command)."""

    REPORT = "reportViolation"
    RESPOND = "respondToViolation"
    CONFIRM = "confirmViolation"
    DISMISS = "dismissViolation"
    FIND_BY_RULING = "foundByRuling"


#: A violation's status; None before it exists (the commands that create one).
State: TypeAlias = ViolationStatus | None
NEW: frozenset[State] = frozenset({None})
UNDECIDED = {ViolationStatus.REPORTED}
#: Anyone signed in who may act: every role but the public and the read-only auditors.
SIGNED_IN = set(Role) - {Role.PUBLIC, Role.AUDITOR}


def not_answered(violation: Violation, actor: Actor, now: datetime) -> None:
    if violation.seller_response is not None:
        raise AlreadyResponded(Text("The shop has already responded to this report."))


PERMISSIONS: dict[Action, Permission[Violation, State]] = {
    Action.REPORT: allow(SIGNED_IN, NEW),
    Action.RESPOND: allow({Role.SELLER}, UNDECIDED, not_answered),
    Action.CONFIRM: allow({Role.SUPERVISOR}, UNDECIDED),
    Action.DISMISS: allow({Role.SUPERVISOR}, UNDECIDED),
    # A final ruling for the consumer is itself the finding (the appeal decided, or its window
    # lapsed): recorded by the supervisor who decided, or by the platform.
    Action.FIND_BY_RULING: allow({Role.SUPERVISOR, Role.SYSTEM}, NEW),
}
#: What a viewer may be offered on a violation: the mutations on one that exists.
OFFERED = (Action.RESPOND, Action.CONFIRM, Action.DISMISS)


def authorize(action: Action, actor: Actor, *, shop_id: str | None, status: State) -> None:
    """Role, party and status, in that order. Any shop may be reported, by anyone signed in
    (`shop_id` None: whichever shop); on a report that exists, seller staff act only for the
    shop reported."""
    permission = PERMISSIONS[action]
    check_role(permission, action, actor, reads=Text("violations"))
    if status is not None and actor.role is Role.SELLER and actor.shop_id != shop_id:
        raise NotAParty(Text("Only the reported shop may respond to this report."))
    if status not in permission.states:
        shown = Text("not reported") if status is None else label(status)
        raise ViolationAlreadyDecided(Text("This violation is already {shown}.", shown=shown))


class Violation(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid.uuid4()

    # ---------------------------------------------------------------- reporting
    @classmethod
    def report(
        cls,
        ctx: CommandContext,
        *,
        shop_id: str,
        kind: ViolationKind,
        description: str,
        complaint_id: UUID | None,
    ) -> Violation:
        authorize(Action.REPORT, ctx.actor, shop_id=shop_id, status=None)
        checks = Checks()
        checks.text("description", description, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
        checks.done()
        return cls(
            shop_id=shop_id,
            kind=kind,
            description=PersonalText(ctx.actor.id, description),
            complaint_id=complaint_id,
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    @classmethod
    def found_by_ruling(
        cls,
        ctx: CommandContext,
        *,
        shop_id: str,
        kind: ViolationKind,
        complaint_id: UUID,
        reference: str,
    ) -> Violation:
        """A final ruling for the consumer on a counterfeit or fraud complaint is itself the
        finding: the violation is recorded and confirmed at once, linked to the case."""
        authorize(Action.FIND_BY_RULING, ctx.actor, shop_id=shop_id, status=None)
        violation = cls(
            shop_id=shop_id,
            kind=kind,
            description=PersonalText(
                ctx.actor.id,
                f"Complaint {reference}: the platform's final ruling found for the consumer"
                f" ({kind.value.lower()}).",
            ),
            complaint_id=complaint_id,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        violation._confirmed(actor=ctx.actor, timestamp=ctx.now)
        return violation

    class Reported(Aggregate.Created):
        shop_id: str
        kind: ViolationKind
        description: PersonalText
        complaint_id: UUID | None
        actor: Actor

    @event(Reported)
    def __init__(
        self,
        shop_id: str,
        kind: ViolationKind,
        description: PersonalText,
        complaint_id: UUID | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.shop_id = shop_id
        self.kind = kind
        self.description = description
        self.complaint_id = complaint_id
        self.reporter = actor
        self.reported_at = timestamp
        self.status = ViolationStatus.REPORTED
        self.decided_at: datetime | None = None
        self.dismissal_reason: str | None = None
        self.seller_response: PersonalText | None = None
        self.responded_at: datetime | None = None

    @property
    def reported_by(self) -> Role:
        return self.reporter.role

    # ---------------------------------------------------------------- rights
    def allowed_actions(self, actor: Actor, now: datetime) -> list[str]:
        """The mutations this viewer may call on this violation now, in the table's order."""
        return allowed(OFFERED, lambda action: self._check(action, actor, now))

    def _check(self, action: Action, actor: Actor, now: datetime) -> None:
        authorize(action, actor, shop_id=self.shop_id, status=self.status)
        guard = PERMISSIONS[action].guard
        if guard is not None:
            guard(self, actor, now)

    # ---------------------------------------------------------------- the shop's answer
    def respond(self, ctx: CommandContext, *, response: str) -> None:
        """The reported shop answers the report, once, before a supervisor decides on it."""
        self._check(Action.RESPOND, ctx.actor, ctx.now)
        checks = Checks()
        checks.text("response", response, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
        checks.done()
        self._responded(
            response=PersonalText(ctx.actor.id, response), actor=ctx.actor, timestamp=ctx.now
        )

    class Responded(Aggregate.Event):
        response: PersonalText
        actor: Actor

    @event(Responded)
    def _responded(self, response: PersonalText, timestamp: datetime, actor: Actor) -> None:
        self.seller_response = response
        self.responded_at = timestamp

    # ---------------------------------------------------------------- the decision
    def confirm(self, ctx: CommandContext) -> None:
        self._check(Action.CONFIRM, ctx.actor, ctx.now)
        self._confirmed(actor=ctx.actor, timestamp=ctx.now)

    class Confirmed(Aggregate.Event):
        actor: Actor

    @event(Confirmed)
    def _confirmed(self, timestamp: datetime, actor: Actor) -> None:
        self.status = ViolationStatus.CONFIRMED
        self.decided_at = timestamp

    def dismiss(self, ctx: CommandContext, *, reason: str) -> None:
        self._check(Action.DISMISS, ctx.actor, ctx.now)
        checks = Checks()
        checks.text("reason", reason, max_len=REASON_MAX)
        checks.done()
        self._dismissed(reason=reason.strip(), actor=ctx.actor, timestamp=ctx.now)

    class Dismissed(Aggregate.Event):
        reason: str
        actor: Actor

    @event(Dismissed)
    def _dismissed(
        self,
        reason: str,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.status = ViolationStatus.DISMISSED
        self.decided_at = timestamp
        self.dismissal_reason = reason
