"""The record that a data subject was erased (DESIGN §7).

Erasure destroys the subject's key; this aggregate is the auditable trace that it happened,
who ordered it and when. It holds no personal data itself: only the subject's opaque id.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.errors import ReadOnlyRole, RoleNotAllowed
from complaints.domain.text import Text
from complaints.domain.validation import PRINCIPAL_ID_MAX, Checks
from complaints.domain.values import Actor, Role

NAMESPACE = uuid.UUID("9d3a4b21-6c0e-4f8a-b5d2-1e7f3c8a0b56")


def erasure_id(subject_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"erasure:{subject_id}")


#: The mutation that erases a data subject, as `viewerAllowedActions` names it.
ERASE = "eraseSubject"


def authorize_erasure(actor: Actor) -> None:
    """Who may erase a data subject: a supervisor."""
    if actor.role is Role.AUDITOR:
        raise ReadOnlyRole(Text("Auditors read; they do not erase."))
    if actor.role is not Role.SUPERVISOR:
        raise RoleNotAllowed(Text("Only a supervisor may erase a data subject."))


def erasure_actions(actor: Actor) -> list[str]:
    """`eraseSubject` when this viewer may call it (it depends on no record, so no record's
    allowed actions hold it)."""
    try:
        authorize_erasure(actor)
    except (ReadOnlyRole, RoleNotAllowed):
        return []
    return [ERASE]


def check_erasure(ctx: CommandContext, subject_id: str) -> None:
    authorize_erasure(ctx.actor)
    checks = Checks()
    checks.identifier("subject_id", subject_id, max_len=PRINCIPAL_ID_MAX)
    checks.done()


class SubjectErasure(Aggregate):
    class Opened(Aggregate.Created):
        subject_id: str

    class Erased(Aggregate.Event):
        subject_id: str
        actor: Actor

    @staticmethod
    def create_id(subject_id: str) -> UUID:
        return erasure_id(subject_id)

    @classmethod
    def start(cls, ctx: CommandContext, subject_id: str) -> SubjectErasure:
        check_erasure(ctx, subject_id)
        return cls(subject_id=subject_id, timestamp=ctx.now)

    @event(Opened)
    def __init__(self, subject_id: str, timestamp: datetime) -> None:
        self.subject_id = subject_id
        self.erasures: list[tuple[datetime, Actor]] = []

    @property
    def erased_at(self) -> datetime:
        return self.erasures[-1][0]

    def erase(self, ctx: CommandContext) -> None:
        """Record one erasure. A subject can be erased again if new data arrived since."""
        check_erasure(ctx, self.subject_id)
        self._erased(subject_id=self.subject_id, actor=ctx.actor, timestamp=ctx.now)

    @event(Erased)
    def _erased(self, subject_id: str, actor: Actor, timestamp: datetime) -> None:
        self.erasures.append((timestamp, actor))
