"""What every command of a complaint stands on: the checks it makes before deciding anything,
and the deadlines each phase opens and clears.

A command first asks `_check` (role, party, state, then the action's guard, all from the one
table in permissions.py), and only then calls its private `@event` methods.
"""

from __future__ import annotations

from collections.abc import Sized
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint.permissions import PERMISSIONS, Action
from complaints.domain.complaint.state import ComplaintState
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import Deadline, DeadlineKind, format_duration
from complaints.domain.errors import InvalidTransition, NotAParty
from complaints.domain.labels import label
from complaints.domain.rights import allowed, check_role
from complaints.domain.text import Text
from complaints.domain.values import PARTIES, Actor, PersonalText, Role


class Case(ComplaintState):
    """A complaint as its commands see it; every phase extends it."""

    # ---------------------------------------------------------------- access and guards
    def allowed_actions(self, actor: Actor, now: datetime) -> list[str]:
        """The mutations this viewer may call now, in the order of the contract."""

        def check(action: Action) -> None:
            self._authorize(action, actor)
            self._guard(action, actor, now)

        return allowed([a for a in Action if a is not Action.LAPSE_DEADLINE], check)

    def _authorize(self, action: Action, actor: Actor) -> None:
        permission = PERMISSIONS[action]
        check_role(permission, action, actor, reads=Text("every case"))
        if actor.role in PARTIES and not self.is_party(actor):
            raise NotAParty(
                Text("You are not a party to complaint {reference}.", reference=self.reference)
            )
        if self.status not in permission.states:
            raise InvalidTransition(
                Text(
                    "{action} is not possible while the complaint is {status}.",
                    action=action.value,
                    status=label(self.status),
                ),
                self.status,
            )

    def _guard(self, action: Action, actor: Actor, now: datetime) -> None:
        """The rule beyond role, party and state, if the action has one (see guards.py)."""
        guard = PERMISSIONS[action].guard
        if guard is not None:
            guard(self, actor, now)

    def _check(self, action: Action, ctx: CommandContext) -> None:
        self._authorize(action, ctx.actor)
        self._guard(action, ctx.actor, ctx.now)

    # ---------------------------------------------------------------- opening, clearing deadlines
    def _open_deadline(
        self,
        ctx: CommandContext,
        kind: DeadlineKind,
        *,
        party: Role | None = None,
        ref: str | None = None,
        due_at: datetime | None = None,
    ) -> None:
        """Open a deadline of `kind`, due after the policy's duration unless `due_at` is given
        (an arbiter's own due time). The event records the duration and the policy entry that
        set it, so that a later replay under another policy can tell what was applied."""
        policy: str | None = None
        if due_at is None:
            duration = ctx.deadlines.durations[kind]
            due_at = ctx.now + duration
            policy = f"{kind.value}={format_duration(duration)}"
        self._deadline_set(
            kind=kind,
            due_at=due_at,
            party=party,
            ref=ref,
            actor=ctx.actor,
            timestamp=ctx.now,
            duration_seconds=int((due_at - ctx.now).total_seconds()),
            policy=policy,
        )

    def _clear(
        self, ctx: CommandContext, kinds: set[DeadlineKind], reason: str, ref: str | None = None
    ) -> None:
        for deadline in self.open_deadlines:
            if deadline.kind in kinds and (ref is None or deadline.ref == ref):
                self._deadline_cleared(
                    deadline_id=deadline.id,
                    kind=deadline.kind,
                    reason=reason,
                    actor=ctx.actor,
                    timestamp=ctx.now,
                )

    class DeadlineSet(Aggregate.Event):
        kind: DeadlineKind
        due_at: datetime
        party: Role | None
        ref: str | None
        actor: Actor
        # Since the policy is recorded with each deadline (older events lack them): how long
        # it ran, and the DEADLINES entry that set it (None: a due time the actor chose).
        duration_seconds: int | None = None
        policy: str | None = None

    @event(DeadlineSet)
    def _deadline_set(
        self,
        kind: DeadlineKind,
        due_at: datetime,
        party: Role | None,
        ref: str | None,
        actor: Actor,
        timestamp: datetime,
        duration_seconds: int | None = None,
        policy: str | None = None,
    ) -> None:
        # While an event applies, the aggregate still has the previous version.
        deadline_id = self.version + 1
        self.deadlines[deadline_id] = Deadline(
            deadline_id, kind, due_at, party, ref, set_at=timestamp
        )

    class DeadlineCleared(Aggregate.Event):
        deadline_id: int
        kind: DeadlineKind
        reason: str  # "met" or "cancelled"
        actor: Actor

    @event(DeadlineCleared)
    def _deadline_cleared(
        self, deadline_id: int, kind: DeadlineKind, reason: str, actor: Actor, timestamp: datetime
    ) -> None:
        self.deadlines.pop(deadline_id, None)

    # ---------------------------------------------------------------- small helpers
    @staticmethod
    def _next_id(prefix: str, existing: Sized) -> str:
        return f"{prefix}{len(existing) + 1}"

    @staticmethod
    def _personal(ctx: CommandContext, text: str | None) -> PersonalText | None:
        return None if text is None or not text.strip() else PersonalText(ctx.actor.id, text)
