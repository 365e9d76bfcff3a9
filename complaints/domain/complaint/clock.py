"""The clock and the deadlines that run out (DESIGN §9): staff pause and resume the clock, the
platform's worker reminds a party of a deadline about to lapse, and lets one lapse, and each
lapsed deadline has its default outcome.

A default outcome can end any phase (a ruling by default, an escalation, a refund the platform
advances), so this extends every phase it reaches into.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint.checks import check_pause
from complaints.domain.complaint.investigation import InvestigationPhase
from complaints.domain.complaint.negotiation import NEGOTIATION, NegotiationPhase
from complaints.domain.complaint.permissions import Action
from complaints.domain.complaint.ruling import RulingPhase
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import (
    DEFAULT_MAX_PAUSE,
    DEFAULT_RULING_RULES,
    STAFF_DEADLINES,
    Deadline,
    DeadlineKind,
    Extension,
    format_duration,
    reminder_due,
)
from complaints.domain.errors import DeadlineNotDue
from complaints.domain.records import DefaultRuling, LapseResult
from complaints.domain.text import Text
from complaints.domain.values import (
    Actor,
    FulfilmentStep,
    Outcome,
    PersonalText,
    Remedy,
    RemedyType,
    Role,
    Status,
)


def max_pause_term(limit: timedelta) -> str:
    """The setting a pause's limit comes from, as records cite it: ``MAX_PAUSE=14d``."""
    return f"MAX_PAUSE={format_duration(limit)}"


class Timekeeping(NegotiationPhase, RulingPhase, InvestigationPhase):
    # ---------------------------------------------------------------- the clock (DESIGN §9)
    def pause_clock(self, ctx: CommandContext, *, reason: str) -> None:
        """Staff stop the clock while the case waits on someone outside it (a carrier's
        investigation, a lab test). Deadlines do not run out while it is paused."""
        self._check(Action.PAUSE_CLOCK, ctx)
        check_pause(reason)
        self._clock_paused(
            reason=reason.strip(),
            actor=ctx.actor,
            timestamp=ctx.now,
            resumes_at=ctx.now + ctx.max_pause,
            limit=max_pause_term(ctx.max_pause),
        )

    class ClockPaused(Aggregate.Event):
        reason: str
        actor: Actor
        # Since pauses have a limit (older events lack it): when the clock resumes by itself,
        # and the MAX_PAUSE term that set it (e.g. "MAX_PAUSE=14d").
        resumes_at: datetime | None = None
        limit: str | None = None

    @event(ClockPaused)
    def _clock_paused(
        self,
        reason: str,
        actor: Actor,
        timestamp: datetime,
        resumes_at: datetime | None = None,
        limit: str | None = None,
    ) -> None:
        self.paused_at = timestamp
        self.pause_reason = reason
        self.pause_limit_at = resumes_at

    def resume_clock(self, ctx: CommandContext) -> None:
        """The clock runs again; every open deadline moves later by the time it was paused."""
        self._check(Action.RESUME_CLOCK, ctx)
        self._resume(ctx, ctx.now, limit=None)

    def resume_at_limit(self, ctx: CommandContext) -> bool:
        """The platform resumes a clock paused for as long as it may be (MAX_PAUSE), as of the
        moment the limit was reached, citing it. Idempotent: a clock running, or paused for
        less than the limit, is left as it is (returns False)."""
        self._authorize(Action.LAPSE_DEADLINE, ctx.actor)
        limit_at = self.pause_limit
        if limit_at is None or ctx.now < limit_at:
            return False
        assert self.paused_at is not None
        self._resume(ctx, limit_at, limit=max_pause_term(limit_at - self.paused_at))
        return True

    @property
    def pause_limit(self) -> datetime | None:
        """When the paused clock resumes by itself; None while it runs. A pause recorded
        before pauses had a limit reaches the one in force (MAX_PAUSE's default) from when it
        began."""
        if self.paused_at is None:
            return None
        return self.pause_limit_at or self.paused_at + DEFAULT_MAX_PAUSE

    def _resume(self, ctx: CommandContext, at: datetime, *, limit: str | None) -> None:
        """Resume the clock as of `at`: every open deadline moves later by the time it was
        paused until then."""
        paused_at = self.paused_at
        assert paused_at is not None
        extended = [
            Extension(d.id, d.due_at + (at - max(paused_at, d.set_at or paused_at)))
            for d in self.open_deadlines
        ]
        self._clock_resumed(
            paused_seconds=(at - paused_at).total_seconds(),
            extended=extended,
            actor=ctx.actor,
            timestamp=ctx.now,
            limit=limit,
        )

    class ClockResumed(Aggregate.Event):
        paused_seconds: float
        extended: list[Extension]
        actor: Actor
        # Since pauses have a limit: the MAX_PAUSE term when the clock resumed by itself at it
        # (e.g. "MAX_PAUSE=14d"); None when staff resumed it.
        limit: str | None = None

    @event(ClockResumed)
    def _clock_resumed(
        self,
        paused_seconds: float,
        extended: list[Extension],
        actor: Actor,
        timestamp: datetime,
        limit: str | None = None,
    ) -> None:
        for extension in extended:
            if extension.deadline_id in self.deadlines:
                # A moved deadline is warned of afresh: a reminder given before a long pause
                # is no warning for the new due time.
                self.deadlines[extension.deadline_id] = replace(
                    self.deadlines[extension.deadline_id], due_at=extension.due_at, reminded=None
                )
        self.paused_at = None
        self.pause_reason = None
        self.pause_limit_at = None
        self.paused_seconds += paused_seconds

    # ---------------------------------------------------------------- lapsing and reminding
    def lapse_deadline(self, ctx: CommandContext, deadline_id: int) -> LapseResult | None:
        """Enforce a deadline that has passed. Idempotent: a deadline already met, superseded
        or enforced does nothing and returns None."""
        self._authorize(Action.LAPSE_DEADLINE, ctx.actor)
        deadline = self.deadlines.get(deadline_id)
        if deadline is None or deadline.overdue or self.paused_at is not None:
            return None  # met, superseded, enforced already, or the clock is paused
        if not deadline.is_due(ctx.now):
            raise DeadlineNotDue(
                Text(
                    "Deadline {deadline_id} ({kind}) is due at {due_at}.",
                    deadline_id=deadline_id,
                    kind=deadline.kind.value,
                    due_at=deadline.due_at.isoformat(),
                ),
                self.status,
            )
        kind = deadline.kind
        if kind in STAFF_DEADLINES:
            self._deadline_overdue(
                deadline_id=deadline_id, kind=kind, actor=ctx.actor, timestamp=ctx.now
            )
            return LapseResult(deadline_id)
        self._deadline_lapsed(
            deadline_id=deadline_id, kind=kind, actor=ctx.actor, timestamp=ctx.now
        )
        return self._enforce(ctx, deadline)

    class DeadlineLapsed(Aggregate.Event):
        deadline_id: int
        kind: DeadlineKind
        actor: Actor

    @event(DeadlineLapsed)
    def _deadline_lapsed(
        self, deadline_id: int, kind: DeadlineKind, actor: Actor, timestamp: datetime
    ) -> None:
        # Kept as it stands now (its due time moved by any pause): a ruling by default that
        # follows cites it.
        self.lapsed_deadline = self.deadlines.pop(deadline_id, None)

    class DeadlineOverdue(Aggregate.Event):
        deadline_id: int
        kind: DeadlineKind
        actor: Actor

    @event(DeadlineOverdue)
    def _deadline_overdue(
        self, deadline_id: int, kind: DeadlineKind, actor: Actor, timestamp: datetime
    ) -> None:
        self.deadlines[deadline_id] = replace(self.deadlines[deadline_id], overdue=True)

    class DeadlineReminded(Aggregate.Event):
        deadline_id: int
        kind: DeadlineKind
        party: Role
        due_at: datetime
        lead_seconds: int
        actor: Actor

    def remind(self, ctx: CommandContext, deadline_id: int, leads: tuple[timedelta, ...]) -> bool:
        """Warn a deadline's party that it is about to lapse (REMINDERS), recorded so that an
        auditor sees the party was warned before any default. Idempotent: True when a reminder
        was recorded, False when none is owed now (too early, already reminded, lapsed, met,
        paused, or a staff deadline)."""
        self._authorize(Action.LAPSE_DEADLINE, ctx.actor)
        deadline = self.deadlines.get(deadline_id)
        if deadline is None or self.paused_at is not None:
            return False
        lead = reminder_due(deadline, leads, ctx.now)
        if lead is None:
            return False
        assert deadline.party is not None
        self._deadline_reminded(
            deadline_id=deadline_id,
            kind=deadline.kind,
            party=deadline.party,
            due_at=deadline.due_at,
            lead_seconds=int(lead.total_seconds()),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        return True

    @event(DeadlineReminded)
    def _deadline_reminded(
        self,
        deadline_id: int,
        kind: DeadlineKind,
        party: Role,
        due_at: datetime,
        lead_seconds: int,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        if deadline_id in self.deadlines:
            self.deadlines[deadline_id] = replace(
                self.deadlines[deadline_id], reminded=lead_seconds
            )

    # ---------------------------------------------------------------- enforcing deadlines
    def _enforce(self, ctx: CommandContext, deadline: Deadline) -> LapseResult:
        """The default outcome of a party letting a deadline pass. Each cites the deadline."""
        did = deadline.id
        result = LapseResult(did)
        match deadline.kind:
            case DeadlineKind.RESUBMISSION:
                self._close(
                    ctx, enforced_deadline_id=did, outcome=Outcome.EXPIRED_NO_INFO, survey=False
                )
            case (
                DeadlineKind.SELLER_RESPONSE
                | DeadlineKind.NEGOTIATION_TURN
                | DeadlineKind.SETTLEMENT_ANSWER
            ):
                self._enforce_negotiation(ctx, deadline)
            case DeadlineKind.ESCALATION:
                self._escalate(ctx, did)
            case DeadlineKind.EVIDENCE:
                assert deadline.ref is not None
                self._evidence_missed(
                    request_id=deadline.ref,
                    enforced_deadline_id=did,
                    actor=ctx.actor,
                    timestamp=ctx.now,
                )
            case DeadlineKind.APPEAL_WINDOW:
                if self.status is Status.RULED:
                    self._finalise(ctx, enforced_deadline_id=did)
            case DeadlineKind.RETURN_SHIPMENT:
                self._return_forfeited(enforced_deadline_id=did, actor=ctx.actor, timestamp=ctx.now)
                self._close(ctx, enforced_deadline_id=did)
            case DeadlineKind.RETURN_RECEIPT:
                self._return_received(
                    deemed=True, enforced_deadline_id=did, actor=ctx.actor, timestamp=ctx.now
                )
                self._advance(ctx, FulfilmentStep.RETURN_RECEIPT)
            case DeadlineKind.REMEDY:
                result = self._enforce_remedy(ctx, deadline)
            case DeadlineKind.REMEDY_CONFIRMATION:
                self._remedy_confirmed(
                    deemed=True, enforced_deadline_id=did, actor=ctx.actor, timestamp=ctx.now
                )
                self._close(ctx, enforced_deadline_id=did)
            case DeadlineKind.SURVEY:
                pass  # the window is closed; nobody is worse off
            case _:
                raise AssertionError(f"no default outcome for {deadline.kind}")
        return result

    def _enforce_negotiation(self, ctx: CommandContext, deadline: Deadline) -> None:
        if deadline.kind is not DeadlineKind.SETTLEMENT_ANSWER:
            self._enforce_turn(ctx, deadline)
            return
        # Nobody settled on the mediator's proposal in time: it counts as declined, and the
        # case goes on to review (escalated there if it was still being negotiated), citing
        # the deadline.
        assert deadline.ref is not None
        if not self.offer(deadline.ref).is_open:
            return  # answered otherwise (every way that closes it also clears the deadline)
        self._proposal_lapsed(
            offer_id=deadline.ref,
            enforced_deadline_id=deadline.id,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if self.status is Status.NEGOTIATING:
            self._escalate(ctx, deadline.id)

    def _enforce_turn(self, ctx: CommandContext, deadline: Deadline) -> None:
        did = deadline.id
        if deadline.party is Role.CONSUMER:
            # The consumer let the seller's answer stand unanswered: the complaint lapses.
            self._close(ctx, enforced_deadline_id=did, outcome=Outcome.EXPIRED_NO_RESPONSE)
            return
        standing = self.open_offer
        if standing is None or standing.by is not Role.CONSUMER:
            self._escalate(ctx, did)
            return
        # The seller did not answer the consumer's offer: it is granted by default.
        full = standing.remedy == self.requested_remedy
        self._clear(ctx, set(DeadlineKind), "cancelled")
        self._default_ruled(
            outcome=Outcome.CONSUMER_FAVOUR_FULL if full else Outcome.CONSUMER_FAVOUR_PARTIAL,
            remedy=standing.remedy,
            enforced_deadline_id=did,
            deadline_kind=deadline.kind,
            expired_offers=self._open_offer_ids(),
            actor=ctx.actor,
            timestamp=ctx.now,
            rule_codes=list(DEFAULT_RULING_RULES[deadline.kind]),
        )
        # Decided without hearing the seller: it may appeal, once, within the window, while
        # the remedy goes ahead. (If the remedy needs no steps the case closes at once.)
        self._open_deadline(ctx, DeadlineKind.APPEAL_WINDOW, party=deadline.party)
        self._begin_fulfilment(ctx)

    def _escalate(self, ctx: CommandContext, enforced_deadline_id: int) -> None:
        self._clear(ctx, NEGOTIATION, "cancelled")
        self._escalated(
            enforced_deadline_id=enforced_deadline_id,
            expired_offers=self._open_offer_ids(parties_only=True),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.PICKUP)

    def _enforce_remedy(self, ctx: CommandContext, deadline: Deadline) -> LapseResult:
        step = self.current_step
        assert step is not None
        remedy = self.remedy
        if step is FulfilmentStep.REFUND and remedy is not None and remedy.amount is not None:
            # The platform pays the consumer first and recovers the sum from the deposit.
            self._refund_advanced(
                amount=remedy.amount,
                enforced_deadline_id=deadline.id,
                actor=ctx.actor,
                timestamp=ctx.now,
            )
            self._close(ctx, enforced_deadline_id=deadline.id)
            return LapseResult(deadline.id, advance_refund=remedy, remedy_missed=True)
        self._remedy_defaulted(
            step=step, enforced_deadline_id=deadline.id, actor=ctx.actor, timestamp=ctx.now
        )
        if self.remedy_defaults < ctx.replacement_attempts:
            # Another chance to ship the replacement, with a fresh deadline.
            self._open_step_deadline(ctx)
            return LapseResult(deadline.id, remedy_missed=True)
        # Out of chances: the replacement becomes a refund the platform pays, at the value the
        # consumer asked for. With no value to go by, supervision decides, on a deadline.
        value = (remedy.amount if remedy else None) or self.requested_remedy.amount
        if value is not None:
            self._refund_advanced(
                amount=value, enforced_deadline_id=deadline.id, actor=ctx.actor, timestamp=ctx.now
            )
            self._close(ctx, enforced_deadline_id=deadline.id)
            refund = Remedy(RemedyType.REFUND, value)
            return LapseResult(deadline.id, advance_refund=refund, remedy_missed=True)
        issue_id = self._next_id("x", self.execution_issues)
        self._execution_issue_raised(
            issue_id=issue_id,
            by=Role.SYSTEM,
            text=PersonalText(
                ctx.actor.id,
                f"The seller missed the {step.value.lower()} {self.remedy_defaults} time(s) and"
                " the complaint names no value to refund: supervision must decide.",
            ),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.EXECUTION_ISSUE, ref=issue_id)
        return LapseResult(deadline.id, remedy_missed=True)

    class DefaultRuled(Aggregate.Event):
        outcome: Outcome
        remedy: Remedy
        enforced_deadline_id: int
        deadline_kind: DeadlineKind
        expired_offers: list[str]
        actor: Actor
        # Since rulings by default cite the rule of the deadline they enforced (older events
        # lack it).
        rule_codes: list[str] | None = None

    @event(DefaultRuled)
    def _default_ruled(
        self,
        outcome: Outcome,
        remedy: Remedy,
        enforced_deadline_id: int,
        expired_offers: list[str],
        deadline_kind: DeadlineKind,
        actor: Actor,
        timestamp: datetime,
        rule_codes: list[str] | None = None,
    ) -> None:
        self._expire(expired_offers)
        self.turn = None
        self.outcome = outcome
        self.remedy = remedy
        self.final = True
        self.decided_by_default = True
        self.enforced_deadline_id = enforced_deadline_id
        lapsed = self.lapsed_deadline
        # The deadline lapsed just before, in the same command. Only a case loaded from a
        # snapshot taken between the two, before the state kept lapsed deadlines, lacks it.
        self.default_ruling = (
            DefaultRuling(outcome, remedy, lapsed, timestamp, tuple(rule_codes or ()))
            if lapsed is not None and lapsed.id == enforced_deadline_id
            else None
        )

    class RemedyDefaulted(Aggregate.Event):
        step: FulfilmentStep
        enforced_deadline_id: int
        actor: Actor

    @event(RemedyDefaulted)
    def _remedy_defaulted(
        self, step: FulfilmentStep, enforced_deadline_id: int, actor: Actor, timestamp: datetime
    ) -> None:
        self.remedy_defaults += 1

    class ReturnForfeited(Aggregate.Event):
        enforced_deadline_id: int
        actor: Actor

    @event(ReturnForfeited)
    def _return_forfeited(
        self, enforced_deadline_id: int, actor: Actor, timestamp: datetime
    ) -> None:
        self.remedy_forfeited = True
        self.pending_steps = ()
