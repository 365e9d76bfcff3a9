"""Ruling and appeal (R3): the arbiter rules, the parties acknowledge it and may appeal once,
and a supervisor other than the arbiter decides. A final ruling's remedy is carried out next
(fulfilment.py)."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event

from complaints.domain import fulfilment
from complaints.domain.complaint.checks import check_appeal, check_appeal_decision, check_decision
from complaints.domain.complaint.fulfilment import FulfilmentPhase
from complaints.domain.complaint.permissions import Action
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.records import Appeal, Ruling
from complaints.domain.values import (
    PARTIES,
    SYSTEM,
    Actor,
    Outcome,
    PersonalText,
    Remedy,
    Role,
    Status,
)

#: The deadlines of the fulfilment steps (a ruling by default is carried out while it may be
#: appealed).
STEP_DEADLINES = {terms.deadline for terms in fulfilment.STEP_TERMS.values()}


class RulingPhase(FulfilmentPhase):
    # ---------------------------------------------------------------- ruling and appeal (R3)
    def issue_ruling(
        self,
        ctx: CommandContext,
        *,
        outcome: Outcome,
        remedy: Remedy | None,
        rationale: str,
        rule_codes: list[str],
    ) -> None:
        """The assigned arbiter rules under the platform rules; the appeal window opens."""
        self._check(Action.ISSUE_RULING, ctx)
        remedy = check_decision(outcome, remedy, rationale, rule_codes)
        self._clear(ctx, set(DeadlineKind), "met")
        self._ruling_issued(
            level=1,
            outcome=outcome,
            remedy=remedy,
            rationale=rationale.strip(),
            rule_codes=list(rule_codes),
            arbiter_id=ctx.actor.id,
            expired_offers=self._open_offer_ids(),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.APPEAL_WINDOW)

    class RulingIssued(Aggregate.Event):
        level: int
        outcome: Outcome
        remedy: Remedy | None
        rationale: str
        rule_codes: list[str]
        arbiter_id: str
        expired_offers: list[str]
        actor: Actor

    @event(RulingIssued)
    def _ruling_issued(
        self,
        level: int,
        outcome: Outcome,
        remedy: Remedy | None,
        rationale: str,
        rule_codes: list[str],
        arbiter_id: str,
        expired_offers: list[str],
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.rulings.append(
            Ruling(level, outcome, remedy, rationale, tuple(rule_codes), arbiter_id, timestamp)
        )
        self._expire(expired_offers)
        self.status = Status.RULED
        self.outcome = outcome
        self.remedy = remedy

    def acknowledge_ruling(self, ctx: CommandContext) -> None:
        """A party confirms it has received the written notice of the latest decision: the
        arbiter's ruling or the ruling by default, and then the appeal's decision."""
        self._check(Action.ACKNOWLEDGE_RULING, ctx)
        level = self.decision_level
        assert level is not None  # the guard refuses a case that was never decided
        self._ruling_acknowledged(
            level=level, by=ctx.actor.role, actor=ctx.actor, timestamp=ctx.now
        )

    class RulingAcknowledged(Aggregate.Event):
        level: int
        by: Role
        actor: Actor

    @event(RulingAcknowledged)
    def _ruling_acknowledged(self, level: int, by: Role, actor: Actor, timestamp: datetime) -> None:
        self.acknowledgements = self.acknowledgements | {(level, by)}

    def file_appeal(self, ctx: CommandContext, *, grounds: str) -> None:
        """A party appeals the ruling within the window; a different reviewer will decide."""
        self._check(Action.FILE_APPEAL, ctx)
        check_appeal(grounds)
        first = not self.appeals
        if self.status is Status.FULFILLING:
            # A default ruling appealed: its remedy waits for the decision.
            self._clear(ctx, STEP_DEADLINES, "cancelled")
        self._appeal_filed(
            by=ctx.actor.role,
            grounds=PersonalText(ctx.actor.id, grounds),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if first:
            self._open_deadline(ctx, DeadlineKind.APPEAL_REVIEW)
        if {a.by for a in self.appeals} >= PARTIES or self.decided_by_default:
            self._clear(ctx, {DeadlineKind.APPEAL_WINDOW}, "met")

    class AppealFiled(Aggregate.Event):
        by: Role
        grounds: PersonalText
        actor: Actor

    @event(AppealFiled)
    def _appeal_filed(
        self, by: Role, grounds: PersonalText, timestamp: datetime, actor: Actor
    ) -> None:
        self.appeals.append(Appeal(by, grounds, timestamp))
        self.status = Status.APPEAL_REVIEW

    def decide_appeal(
        self,
        ctx: CommandContext,
        *,
        grant: bool,
        outcome: Outcome | None,
        remedy: Remedy | None,
        rationale: str,
        rule_codes: list[str],
    ) -> None:
        """A supervisor other than the arbiter decides the appeal; the decision is final."""
        self._check(Action.DECIDE_APPEAL, ctx)
        final_outcome, final_remedy = check_appeal_decision(
            grant, outcome, remedy, rationale, rule_codes, self._appealed_ruling()
        )
        self._clear(ctx, {DeadlineKind.APPEAL_WINDOW}, "cancelled")
        self._clear(ctx, {DeadlineKind.APPEAL_REVIEW}, "met")
        self._appeal_decided(
            level=2,
            granted=grant,
            outcome=final_outcome,
            remedy=final_remedy,
            rationale=rationale.strip(),
            actor=ctx.actor,
            timestamp=ctx.now,
            rule_codes=list(rule_codes),
        )
        self._finalise(ctx, enforced_deadline_id=None)

    def _appealed_ruling(self) -> Ruling:
        """The arbiter's ruling; for a ruling by default, the default outcome as a ruling."""
        if self.rulings:
            return self.rulings[0]
        assert self.decided_by_default
        assert self.outcome is not None
        return Ruling(1, self.outcome, self.remedy, "by default", (), SYSTEM.id, self.created_on)

    class AppealDecided(Aggregate.Event):
        level: int
        granted: bool
        outcome: Outcome
        remedy: Remedy | None
        rationale: str
        actor: Actor
        # Since appeal decisions cite rules (older events lack them).
        rule_codes: list[str] | None = None

    @event(AppealDecided)
    def _appeal_decided(
        self,
        level: int,
        granted: bool,
        outcome: Outcome,
        remedy: Remedy | None,
        rationale: str,
        actor: Actor,
        timestamp: datetime,
        rule_codes: list[str] | None = None,
    ) -> None:
        codes = tuple(rule_codes or ())
        self.rulings.append(
            Ruling(level, outcome, remedy, rationale, codes, actor.id, timestamp, granted)
        )
        self.outcome = outcome
        self.remedy = remedy

    def _finalise(self, ctx: CommandContext, *, enforced_deadline_id: int | None) -> None:
        assert self.outcome is not None
        self._ruling_finalised(
            outcome=self.outcome,
            remedy=self.remedy,
            enforced_deadline_id=enforced_deadline_id,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._begin_fulfilment(ctx)

    class RulingFinalised(Aggregate.Event):
        outcome: Outcome
        remedy: Remedy | None
        enforced_deadline_id: int | None
        actor: Actor

    @event(RulingFinalised)
    def _ruling_finalised(
        self,
        outcome: Outcome,
        remedy: Remedy | None,
        enforced_deadline_id: int | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.outcome = outcome
        self.remedy = remedy
        self.final = True
        self.enforced_deadline_id = enforced_deadline_id
