"""Reported violations (counterfeits, fraud, misrepresentation): anyone signed in reports,
a supervisor confirms or dismisses (R8, R10)."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.errors import (
    AlreadyResponded,
    NotAParty,
    ReadOnlyRole,
    RoleNotAllowed,
    ViolationAlreadyDecided,
)
from complaints.domain.validation import NARRATIVE_MAX, NARRATIVE_MIN, REASON_MAX, Checks
from complaints.domain.values import (
    Actor,
    PersonalText,
    Role,
    ViolationKind,
    ViolationStatus,
)


class Violation(Aggregate):
    class Reported(Aggregate.Created):
        shop_id: str
        kind: ViolationKind
        description: PersonalText
        complaint_id: UUID | None
        actor: Actor

    class Confirmed(Aggregate.Event):
        actor: Actor

    class Dismissed(Aggregate.Event):
        reason: str
        actor: Actor

    class Responded(Aggregate.Event):
        response: PersonalText
        actor: Actor

    @staticmethod
    def create_id() -> UUID:
        return uuid.uuid4()

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
        if ctx.actor.role is Role.AUDITOR:
            raise ReadOnlyRole("Auditors read; they do not report.")
        if ctx.actor.role is Role.PUBLIC:
            raise RoleNotAllowed("Sign in to report a violation.")
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

    def respond(self, ctx: CommandContext, *, response: str) -> None:
        """The reported shop answers the report, once, before a supervisor decides on it."""
        role = ctx.actor.role
        if role is Role.AUDITOR:
            raise ReadOnlyRole("Auditors read; they do not respond.")
        if role is not Role.SELLER:
            raise RoleNotAllowed("Only the reported shop may respond to a report.")
        if ctx.actor.shop_id != self.shop_id:
            raise NotAParty("Only the reported shop may respond to this report.")
        if self.status is not ViolationStatus.REPORTED:
            raise ViolationAlreadyDecided(f"This violation is already {self.status.value}.")
        if self.seller_response is not None:
            raise AlreadyResponded("The shop has already responded to this report.")
        checks = Checks()
        checks.text("response", response, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
        checks.done()
        self._responded(
            response=PersonalText(ctx.actor.id, response), actor=ctx.actor, timestamp=ctx.now
        )

    @event(Responded)
    def _responded(self, response: PersonalText, timestamp: datetime, actor: Actor) -> None:
        self.seller_response = response
        self.responded_at = timestamp

    def confirm(self, ctx: CommandContext) -> None:
        self._check_decision(ctx)
        self._confirmed(actor=ctx.actor, timestamp=ctx.now)

    @event(Confirmed)
    def _confirmed(self, timestamp: datetime, actor: Actor) -> None:
        self.status = ViolationStatus.CONFIRMED
        self.decided_at = timestamp

    def dismiss(self, ctx: CommandContext, *, reason: str) -> None:
        self._check_decision(ctx)
        checks = Checks()
        checks.text("reason", reason, max_len=REASON_MAX)
        checks.done()
        self._dismissed(reason=reason.strip(), actor=ctx.actor, timestamp=ctx.now)

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

    def _check_decision(self, ctx: CommandContext) -> None:
        if ctx.actor.role is Role.AUDITOR:
            raise ReadOnlyRole("Auditors read; they do not decide.")
        if ctx.actor.role is not Role.SUPERVISOR:
            raise RoleNotAllowed("Only a supervisor may decide on a reported violation.")
        if self.status is not ViolationStatus.REPORTED:
            raise ViolationAlreadyDecided(f"This violation is already {self.status.value}.")
