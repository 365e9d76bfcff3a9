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
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    AlreadyResponded,
    NotAParty,
    ResponseWindowOpen,
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


def heard(violation: Violation, actor: Actor, now: datetime) -> None:
    """The shop has been heard: it answered, or its window to answer has ended."""
    due = violation.response_due_at
    if violation.seller_response is None and due is not None and now < due:
        raise ResponseWindowOpen(
            Text(
                "The shop may answer the report until {until}; it can be confirmed after that,"
                " or once the shop has answered.",
                until=due.isoformat(),
            )
        )


PERMISSIONS: dict[Action, Permission[Violation, State]] = {
    Action.REPORT: allow(SIGNED_IN, NEW),
    Action.RESPOND: allow({Role.SELLER}, UNDECIDED, not_answered),
    Action.CONFIRM: allow({Role.SUPERVISOR}, UNDECIDED, heard),
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
            response_due_at=ctx.deadlines.due(DeadlineKind.VIOLATION_RESPONSE, ctx.now),
            decision_due_at=ctx.deadlines.due(DeadlineKind.VIOLATION_DECISION, ctx.now),
            policy=ctx.deadlines.terms(
                DeadlineKind.VIOLATION_RESPONSE, DeadlineKind.VIOLATION_DECISION
            ),
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
        violation._confirmed(
            actor=ctx.actor,
            timestamp=ctx.now,
            rationale=f"The final ruling on complaint {reference} found for the consumer.",
            rule_codes=[],
        )
        return violation

    class Reported(Aggregate.Created):
        shop_id: str
        kind: ViolationKind
        description: PersonalText
        complaint_id: UUID | None
        actor: Actor
        # Since reports open the shop's window and the staff's deadline (older events lack
        # them; a report found by a ruling has neither): when each ends, and the DEADLINES
        # terms that set them (e.g. violation_response=3d,violation_decision=5d).
        response_due_at: datetime | None = None
        decision_due_at: datetime | None = None
        policy: str | None = None

    @event(Reported)
    def __init__(
        self,
        shop_id: str,
        kind: ViolationKind,
        description: PersonalText,
        complaint_id: UUID | None,
        actor: Actor,
        timestamp: datetime,
        response_due_at: datetime | None = None,
        decision_due_at: datetime | None = None,
        policy: str | None = None,
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
        self.response_due_at = response_due_at
        self.decision_due_at = decision_due_at
        self.rationale: str | None = None
        self.rule_codes: tuple[str, ...] = ()

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
    def confirm(self, ctx: CommandContext, *, rationale: str, rule_codes: list[str]) -> None:
        """A supervisor confirms the report once the shop has been heard (`heard`), stating
        why and citing the rules it broke."""
        self._check(Action.CONFIRM, ctx.actor, ctx.now)
        checks = Checks()
        checks.text("rationale", rationale, max_len=NARRATIVE_MAX)
        checks.rule_codes("rule_codes", rule_codes, required=True)
        checks.done()
        self._confirmed(
            actor=ctx.actor,
            timestamp=ctx.now,
            rationale=rationale.strip(),
            rule_codes=list(rule_codes),
        )

    class Confirmed(Aggregate.Event):
        actor: Actor
        # Since confirmations state their reasons (older events lack them).
        rationale: str | None = None
        rule_codes: list[str] | None = None

    @event(Confirmed)
    def _confirmed(
        self,
        timestamp: datetime,
        actor: Actor,
        rationale: str | None = None,
        rule_codes: list[str] | None = None,
    ) -> None:
        self.status = ViolationStatus.CONFIRMED
        self.decided_at = timestamp
        self.rationale = rationale
        self.rule_codes = tuple(rule_codes or ())

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
