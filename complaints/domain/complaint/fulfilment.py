"""Carrying out the remedy (R4), step by step, the execution issues raised along the way, and
closing the case.

The steps of each remedy, who takes each and the deadline that binds it are in
`complaints.domain.fulfilment`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from complaints.domain import fulfilment
from complaints.domain.complaint.case import Case
from complaints.domain.complaint.checks import (
    check_execution_issue,
    check_resolution,
    check_shipment,
)
from complaints.domain.complaint.permissions import Action
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import ExecutionIssueNotFound, NoOpenExecutionIssue
from complaints.domain.records import ExecutionIssue, Shipment
from complaints.domain.text import Text
from complaints.domain.values import (
    Actor,
    FulfilmentStep,
    Money,
    Outcome,
    PersonalText,
    Role,
    Status,
)


class FulfilmentPhase(Case):
    # ---------------------------------------------------------------- fulfilment (R4)
    def _begin_fulfilment(self, ctx: CommandContext) -> None:
        steps = fulfilment.plan(self.remedy)
        if not steps:
            self._close(ctx, enforced_deadline_id=None)
            return
        self._fulfilment_started(steps=list(steps), actor=ctx.actor, timestamp=ctx.now)
        self._open_step_deadline(ctx)

    class FulfilmentStarted(Aggregate.Event):
        steps: list[FulfilmentStep]
        actor: Actor

    @event(FulfilmentStarted)
    def _fulfilment_started(
        self, steps: list[FulfilmentStep], actor: Actor, timestamp: datetime
    ) -> None:
        self.status = Status.FULFILLING
        self.pending_steps = tuple(steps)

    def _open_step_deadline(self, ctx: CommandContext) -> None:
        step = self.current_step
        assert step is not None
        terms = fulfilment.STEP_TERMS[step]
        self._open_deadline(ctx, terms.deadline, party=terms.party, ref=step.value)

    def _advance(self, ctx: CommandContext, step: FulfilmentStep) -> None:
        """After a step, the next one; after the seller's last one, the consumer says whether
        the remedy arrived (or it is deemed to have arrived when the confirmation lapses)."""
        self._clear(ctx, {fulfilment.STEP_TERMS[step].deadline}, "met", ref=step.value)
        if self.pending_steps:
            self._open_step_deadline(ctx)
        else:
            self._open_deadline(ctx, DeadlineKind.REMEDY_CONFIRMATION, party=Role.CONSUMER)

    def confirm_remedy_received(self, ctx: CommandContext) -> None:
        """The consumer confirms the refund, the returned money or the replacement arrived."""
        self._check(Action.CONFIRM_REMEDY_RECEIVED, ctx)
        self._remedy_confirmed(
            deemed=False, enforced_deadline_id=None, actor=ctx.actor, timestamp=ctx.now
        )
        self._close(ctx, enforced_deadline_id=None)

    class RemedyConfirmed(Aggregate.Event):
        deemed: bool  # the confirmation lapsed: deemed received, as Taobao's automatic receipt
        enforced_deadline_id: int | None
        actor: Actor

    @event(RemedyConfirmed)
    def _remedy_confirmed(
        self, deemed: bool, enforced_deadline_id: int | None, actor: Actor, timestamp: datetime
    ) -> None:
        """The case closes next, in the same command; the event records how (confirmed or
        deemed), which no state needs to keep."""

    def dispute_remedy(self, ctx: CommandContext, *, reason: str) -> None:
        """The consumer says the remedy did not arrive: an execution issue for supervision."""
        self._check(Action.DISPUTE_REMEDY, ctx)
        check_execution_issue(reason, "reason")
        issue_id = self._next_id("x", self.execution_issues)
        self._clear(ctx, {DeadlineKind.REMEDY_CONFIRMATION}, "cancelled")
        self._remedy_disputed(
            issue_id=issue_id,
            reason=PersonalText(ctx.actor.id, reason),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.EXECUTION_ISSUE, ref=issue_id)

    class RemedyDisputed(Aggregate.Event):
        issue_id: str
        reason: PersonalText
        actor: Actor

    @event(RemedyDisputed)
    def _remedy_disputed(
        self, issue_id: str, reason: PersonalText, actor: Actor, timestamp: datetime
    ) -> None:
        self.execution_issues.append(
            ExecutionIssue(issue_id, actor.role, reason, timestamp, dispute=True)
        )

    def _step_done(self) -> None:
        self.pending_steps = self.pending_steps[1:]

    def confirm_refund(self, ctx: CommandContext) -> None:
        """The seller confirms it has paid the refund or compensation."""
        self._check(Action.CONFIRM_REFUND, ctx)
        self._refund_confirmed(
            amount=self.remedy.amount if self.remedy else None, actor=ctx.actor, timestamp=ctx.now
        )
        self._advance(ctx, FulfilmentStep.REFUND)

    class RefundConfirmed(Aggregate.Event):
        amount: Money | None
        actor: Actor

    @event(RefundConfirmed)
    def _refund_confirmed(self, amount: Money | None, actor: Actor, timestamp: datetime) -> None:
        self.refunded = amount
        self._step_done()

    def ship_return(self, ctx: CommandContext, *, carrier: str, tracking_number: str) -> None:
        """The consumer ships the goods back."""
        self._check(Action.SHIP_RETURN, ctx)
        check_shipment(carrier, tracking_number)
        self._return_shipped(
            carrier=carrier.strip(),
            tracking_number=PersonalText(self.consumer_id, tracking_number.strip()),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._advance(ctx, FulfilmentStep.RETURN_SHIPMENT)

    class ReturnShipped(Aggregate.Event):
        carrier: str
        tracking_number: PersonalText
        actor: Actor

    @event(ReturnShipped)
    def _return_shipped(
        self, carrier: str, tracking_number: PersonalText, timestamp: datetime, actor: Actor
    ) -> None:
        self.shipments.append(
            Shipment(FulfilmentStep.RETURN_SHIPMENT, carrier, tracking_number, timestamp)
        )
        self._step_done()

    def confirm_return_received(self, ctx: CommandContext) -> None:
        """The seller confirms the returned goods arrived."""
        self._check(Action.CONFIRM_RETURN_RECEIVED, ctx)
        self._return_received(
            deemed=False, enforced_deadline_id=None, actor=ctx.actor, timestamp=ctx.now
        )
        self._advance(ctx, FulfilmentStep.RETURN_RECEIPT)

    class ReturnReceived(Aggregate.Event):
        deemed: bool
        enforced_deadline_id: int | None
        actor: Actor

    @event(ReturnReceived)
    def _return_received(
        self, deemed: bool, enforced_deadline_id: int | None, actor: Actor, timestamp: datetime
    ) -> None:
        self.return_deemed_received = deemed
        self._step_done()

    def ship_replacement(self, ctx: CommandContext, *, carrier: str, tracking_number: str) -> None:
        """The seller ships a replacement (or the repaired goods, or a reshipment)."""
        self._check(Action.SHIP_REPLACEMENT, ctx)
        check_shipment(carrier, tracking_number)
        self._replacement_shipped(
            carrier=carrier.strip(),
            tracking_number=PersonalText(self.consumer_id, tracking_number.strip()),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._advance(ctx, FulfilmentStep.REPLACEMENT)

    class ReplacementShipped(Aggregate.Event):
        carrier: str
        tracking_number: PersonalText
        actor: Actor

    @event(ReplacementShipped)
    def _replacement_shipped(
        self, carrier: str, tracking_number: PersonalText, timestamp: datetime, actor: Actor
    ) -> None:
        self.shipments.append(
            Shipment(FulfilmentStep.REPLACEMENT, carrier, tracking_number, timestamp)
        )
        self._step_done()

    # ---------------------------------------------------------------- execution issues (R4)
    def raise_execution_issue(self, ctx: CommandContext, *, text: str) -> None:
        """Either party reports a problem with carrying out the remedy."""
        self._check(Action.RAISE_EXECUTION_ISSUE, ctx)
        check_execution_issue(text)
        issue_id = self._next_id("x", self.execution_issues)
        self._execution_issue_raised(
            issue_id=issue_id,
            by=ctx.actor.role,
            text=PersonalText(ctx.actor.id, text),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.EXECUTION_ISSUE, ref=issue_id)

    class ExecutionIssueRaised(Aggregate.Event):
        issue_id: str
        by: Role
        text: PersonalText
        actor: Actor

    @event(ExecutionIssueRaised)
    def _execution_issue_raised(
        self, issue_id: str, by: Role, text: PersonalText, timestamp: datetime, actor: Actor
    ) -> None:
        self.execution_issues.append(ExecutionIssue(issue_id, by, text, timestamp))

    def resolve_execution_issue(
        self,
        ctx: CommandContext,
        *,
        issue_id: str | None,
        resolution: str,
        advance_refund: bool = False,
    ) -> Money | None:
        """The supervision team resolves a reported execution problem. A disputed remedy is
        either advanced by the platform (returned: the sum the deposit must cover, with a
        strike, as for a missed refund) or dismissed; either way the case then closes."""
        self._check(Action.RESOLVE_EXECUTION_ISSUE, ctx)
        issue = self._issue_to_resolve(issue_id)
        check_resolution(
            resolution,
            issue_known=issue is not None,
            advance_refund=advance_refund,
            dispute=issue is not None and issue.dispute,
            remedy=self.remedy,
        )
        assert issue is not None
        self._execution_issue_resolved(
            issue_id=issue.id,
            resolution=resolution.strip(),
            actor=ctx.actor,
            timestamp=ctx.now,
            advanced=advance_refund,
        )
        self._clear(ctx, {DeadlineKind.EXECUTION_ISSUE}, "met", ref=issue.id)
        if self.status is not Status.FULFILLING:
            return None
        if not issue.dispute:
            step = self.current_step
            if step is not None and self.deadline_of(fulfilment.STEP_TERMS[step].deadline) is None:
                # The platform had stopped the step for supervision: it runs again from now.
                self._open_step_deadline(ctx)
            return None
        advanced: Money | None = None
        if advance_refund:
            assert self.remedy is not None
            assert self.remedy.amount is not None
            advanced = self.remedy.amount
            self._refund_advanced(
                amount=advanced, enforced_deadline_id=None, actor=ctx.actor, timestamp=ctx.now
            )
        self._close(ctx, enforced_deadline_id=None)
        return advanced

    def _issue_to_resolve(self, issue_id: str | None) -> ExecutionIssue | None:
        """The open issue named, or the only one open; None if several are open and none named."""
        if issue_id is None:
            open_issues = self.open_execution_issues
            return None if len(open_issues) > 1 else open_issues[0]
        issue = next((i for i in self.execution_issues if i.id == issue_id), None)
        if issue is None:
            raise ExecutionIssueNotFound(
                Text(
                    "Complaint {reference} has no issue {issue_id}.",
                    reference=self.reference,
                    issue_id=issue_id,
                )
            )
        if not issue.is_open:
            raise NoOpenExecutionIssue(
                Text("Issue {issue_id} is already resolved.", issue_id=issue_id), self.status
            )
        return issue

    class ExecutionIssueResolved(Aggregate.Event):
        issue_id: str
        resolution: str
        actor: Actor
        advanced: bool = False  # the platform paid the disputed remedy in the seller's place

    @event(ExecutionIssueResolved)
    def _execution_issue_resolved(
        self,
        issue_id: str,
        resolution: str,
        timestamp: datetime,
        actor: Actor,
        advanced: bool = False,
    ) -> None:
        self.execution_issues = [
            replace(i, resolution=resolution, resolved_at=timestamp, advanced=advanced)
            if i.id == issue_id
            else i
            for i in self.execution_issues
        ]

    # The platform pays the consumer in the seller's place: a disputed remedy upheld here, or a
    # refund the seller let lapse (clock.py).
    class RefundAdvanced(Aggregate.Event):
        amount: Money
        enforced_deadline_id: int | None  # None: a supervisor upheld a disputed remedy
        actor: Actor

    @event(RefundAdvanced)
    def _refund_advanced(
        self, amount: Money, enforced_deadline_id: int | None, actor: Actor, timestamp: datetime
    ) -> None:
        self.advanced_refund = amount
        self.pending_steps = ()

    # ---------------------------------------------------------------- closing
    def _close(
        self,
        ctx: CommandContext,
        *,
        enforced_deadline_id: int | None,
        outcome: Outcome | None = None,
        survey: bool = True,
    ) -> None:
        final_outcome = outcome or self.outcome
        assert final_outcome is not None
        self._clear(ctx, set(DeadlineKind), "cancelled")
        self._closed(
            outcome=final_outcome,
            enforced_deadline_id=enforced_deadline_id,
            expired_offers=self._open_offer_ids(),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if survey:
            self._open_deadline(ctx, DeadlineKind.SURVEY)

    class Closed(Aggregate.Event):
        outcome: Outcome
        enforced_deadline_id: int | None
        expired_offers: list[str]
        actor: Actor

    @event(Closed)
    def _closed(
        self,
        outcome: Outcome,
        enforced_deadline_id: int | None,
        expired_offers: list[str],
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self._expire(expired_offers)
        self.status = Status.CLOSED
        self.outcome = outcome
        self.final = True
        self.turn = None
        self.pending_steps = ()
        self.closed_at = timestamp
        if enforced_deadline_id is not None:
            self.enforced_deadline_id = enforced_deadline_id
