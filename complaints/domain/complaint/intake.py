"""Filing a complaint, and intake (R1): an agent accepts it, returns it for information, or
rejects it; the consumer resubmits or withdraws.

Accepting opens the negotiation with the consumer's requested remedy as the first offer, and a
complaint is filed with its attachments as evidence: so intake extends both of those phases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Self
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint.checks import (
    check_attachments,
    check_filing,
    check_rejection,
    check_resubmission,
    check_return_for_info,
)
from complaints.domain.complaint.investigation import InvestigationPhase
from complaints.domain.complaint.negotiation import NegotiationPhase
from complaints.domain.complaint.permissions import Action
from complaints.domain.complaint.state import complaint_id
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import ReadOnlyRole, RoleNotAllowed
from complaints.domain.order import FilingWindow, OrderFacts, check_complaint_about
from complaints.domain.records import InfoRequest
from complaints.domain.text import Text
from complaints.domain.validation import normalise_remedy
from complaints.domain.values import (
    PLATFORM_CATEGORIES,
    Actor,
    Attachment,
    Category,
    EvidenceFile,
    Outcome,
    PersonalText,
    Remedy,
    Role,
    Status,
)


class IntakePhase(NegotiationPhase, InvestigationPhase):
    # ---------------------------------------------------------------- creation
    @staticmethod
    def create_id(reference: str) -> UUID:
        return complaint_id(reference)

    @classmethod
    def file(
        cls,
        ctx: CommandContext,
        *,
        reference: str,
        shop_id: str,
        order_id: str,
        category: Category,
        description: str,
        requested_remedy: Remedy,
        evidence: Sequence[Attachment] = (),
        files: Mapping[str, EvidenceFile] | None = None,
        order: OrderFacts | None = None,
        window: FilingWindow | None = None,
    ) -> Self:
        """A consumer files a complaint against a shop about one order (R1), with any files
        it attaches as evidence; `files` holds what the store found of the consumer's uploads
        that they name.

        `window` is the filing window in force where orders are checked (ORDER_CHECK=required),
        and `order` the facts of the order recorded under this shop and order id, if any: the
        complaint must be about the consumer's own order, in time, for no more than it cost
        (`check_complaint_about`). Where orders are not checked (`window` None), the order is
        the consumer's claim, and nothing is checked against it."""
        actor = ctx.actor
        if actor.role is Role.AUDITOR:
            raise ReadOnlyRole(Text("Auditors read; they do not file complaints."))
        if actor.role is not Role.CONSUMER:
            raise RoleNotAllowed(Text("Only a consumer can file a complaint."))
        check_filing(order_id, description, requested_remedy)
        check_attachments(evidence, files or {})
        remedy = normalise_remedy(requested_remedy)
        checked = None
        if window is not None:
            ends = check_complaint_about(
                order,
                window,
                shop_id=shop_id,
                order_id=order_id,
                consumer_id=actor.id,
                remedy=remedy,
                now=ctx.now,
            )
            assert order is not None
            checked = (order, window.rule(order), ends)
        complaint = cls(
            reference=reference,
            consumer_id=actor.id,
            shop_id=shop_id,
            order_id=order_id,
            category=category,
            description=PersonalText(actor.id, description),
            requested_remedy=remedy,
            actor=actor,
            timestamp=ctx.now,
            order=None if checked is None else checked[0],
            filing_window=None if checked is None else checked[1],
            window_ends_at=None if checked is None else checked[2],
        )
        for attachment in evidence:
            file = (files or {})[attachment.sha256]
            complaint._evidence_submitted(
                request_id=None,
                evidence_id=complaint._next_id("e", complaint.evidence),
                kind=attachment.kind,
                description=None
                if attachment.description is None
                else PersonalText(actor.id, attachment.description),
                sha256=file.sha256,
                completes_request=False,
                actor=actor,
                timestamp=ctx.now,
                media_type=file.media_type,
                size=file.size,
            )
        complaint._open_deadline(ctx, DeadlineKind.INTAKE)
        return complaint

    class Filed(Aggregate.Created):
        reference: str
        consumer_id: str
        shop_id: str
        order_id: str
        category: Category
        description: PersonalText
        requested_remedy: Remedy
        actor: Actor
        # Since filings check the order (older events lack them): the order's facts the
        # complaint was checked against, the setting that set its window (e.g.
        # FILING_WINDOW=15d) and the window's end. All None where orders were not checked.
        order: OrderFacts | None = None
        filing_window: str | None = None
        window_ends_at: datetime | None = None

    @event(Filed)
    def __init__(
        self,
        reference: str,
        consumer_id: str,
        shop_id: str,
        order_id: str,
        category: Category,
        description: PersonalText,
        requested_remedy: Remedy,
        actor: Actor,
        timestamp: datetime,
        order: OrderFacts | None = None,
        filing_window: str | None = None,
        window_ends_at: datetime | None = None,
    ) -> None:
        self.reference = reference
        self.consumer_id = consumer_id
        self.shop_id = shop_id
        self.order_id = order_id
        self.category = category
        self.description = description
        self.requested_remedy = requested_remedy
        self.order = order
        self.filed_at = timestamp
        self.status = Status.SUBMITTED
        self.deadlines = {}
        self.info_requests = []
        self.rejection = None
        self.resubmissions = 0
        self.offers = []
        self.turn = None
        self.arbiter_id = None
        self.assigned_mediator_id = None
        self.evidence_requests = []
        self.evidence = []
        self.findings = []
        self.rulings = []
        self.acknowledgements = frozenset()
        self.appeals = []
        self.outcome = None
        self.remedy = None
        self.final = False
        self.decided_by_default = False
        self.enforced_deadline_id = None
        self.lapsed_deadline = None
        self.default_ruling = None
        self.pending_steps = ()
        self.shipments = []
        self.refunded = None
        self.advanced_refund = None
        self.return_deemed_received = False
        self.remedy_forfeited = False
        self.remedy_defaults = 0
        self.closed_at = None
        self.execution_issues = []
        self.ratings = {}
        self.messages_posted = 0
        self.paused_at = None
        self.pause_reason = None
        self.paused_seconds = 0.0
        self.pause_limit_at = None

    # ---------------------------------------------------------------- intake (R1)
    def accept(self, ctx: CommandContext) -> None:
        """An agent finds the complaint genuine and valid and opens handling."""
        self._check(Action.ACCEPT, ctx)
        platform = self.category in PLATFORM_CATEGORIES
        status = Status.UNDER_REVIEW if platform else Status.NEGOTIATING
        self._accepted(status=status, actor=ctx.actor, timestamp=ctx.now)
        self._clear(ctx, {DeadlineKind.INTAKE}, "met")
        if platform:
            self._open_deadline(ctx, DeadlineKind.PICKUP)
            return
        # The consumer's requested remedy is the first offer; the seller answers it.
        self._offer_made(
            offer_id=self._next_id("o", self.offers),
            by=Role.CONSUMER,
            remedy=self.requested_remedy,
            message=None,
            awaiting=Role.SELLER,
            supersedes=None,
            superseded_status=None,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.SELLER_RESPONSE, party=Role.SELLER)
        self._open_deadline(ctx, DeadlineKind.ESCALATION)

    class Accepted(Aggregate.Event):
        status: Status
        actor: Actor

    @event(Accepted)
    def _accepted(self, status: Status, actor: Actor, timestamp: datetime) -> None:
        self.status = status

    def return_for_info(
        self, ctx: CommandContext, *, reason: str, missing: list[str], rule_codes: list[str]
    ) -> None:
        """An agent asks the consumer for what is missing; the consumer may resubmit."""
        self._check(Action.RETURN_FOR_INFO, ctx)
        check_return_for_info(reason, missing, rule_codes)
        self._returned_for_info(
            reason=reason.strip(),
            missing=[m.strip() for m in missing],
            rule_codes=list(rule_codes),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._clear(ctx, {DeadlineKind.INTAKE}, "met")
        self._open_deadline(ctx, DeadlineKind.RESUBMISSION, party=Role.CONSUMER)

    class ReturnedForInfo(Aggregate.Event):
        reason: str
        missing: list[str]
        rule_codes: list[str]
        actor: Actor

    @event(ReturnedForInfo)
    def _returned_for_info(
        self,
        reason: str,
        missing: list[str],
        rule_codes: list[str],
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.status = Status.AWAITING_INFO
        self.info_requests.append(InfoRequest(reason, tuple(missing), tuple(rule_codes), timestamp))

    def reject(self, ctx: CommandContext, *, reason: str, rule_code: str | None) -> None:
        """An agent rejects a complaint that is not genuine or not valid, saying why."""
        self._check(Action.REJECT, ctx)
        check_rejection(reason, rule_code)
        self._rejected(
            reason=reason.strip(), rule_code=rule_code, actor=ctx.actor, timestamp=ctx.now
        )
        self._clear(ctx, {DeadlineKind.INTAKE}, "met")
        self._open_deadline(ctx, DeadlineKind.SURVEY)

    class Rejected(Aggregate.Event):
        reason: str
        rule_code: str | None
        actor: Actor

    @event(Rejected)
    def _rejected(
        self, reason: str, rule_code: str | None, timestamp: datetime, actor: Actor
    ) -> None:
        self.status = Status.REJECTED
        self.outcome = Outcome.REJECTED_INVALID
        self.final = True
        self.rejection = (reason, rule_code)
        self.closed_at = timestamp

    def resubmit(
        self,
        ctx: CommandContext,
        *,
        description: str,
        evidence: Sequence[Attachment] = (),
        files: Mapping[str, EvidenceFile] | None = None,
    ) -> None:
        """The consumer adds what was missing, with any files it attaches as evidence (as a
        filing attaches them); the complaint goes back to intake. `files` holds what the store
        found of the consumer's uploads that they name."""
        self._check(Action.RESUBMIT, ctx)
        check_resubmission(description, evidence, files or {})
        self._resubmitted(
            description=PersonalText(self.consumer_id, description),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._attach(ctx, evidence, files or {})
        self._clear(ctx, {DeadlineKind.RESUBMISSION}, "met")
        self._open_deadline(ctx, DeadlineKind.INTAKE)

    class Resubmitted(Aggregate.Event):
        description: PersonalText
        actor: Actor

    @event(Resubmitted)
    def _resubmitted(self, description: PersonalText, actor: Actor, timestamp: datetime) -> None:
        self.status = Status.SUBMITTED
        self.description = description
        if self.resubmissions is not None:  # else unknown until replayed (snapshot.py)
            self.resubmissions += 1

    def _attach(
        self, ctx: CommandContext, evidence: Sequence[Attachment], files: Mapping[str, EvidenceFile]
    ) -> None:
        """The actor's checked attachments, as evidence that answers no request."""
        actor = ctx.actor
        for attachment in evidence:
            file = files[attachment.sha256]
            self._evidence_submitted(
                request_id=None,
                evidence_id=self._next_id("e", self.evidence),
                kind=attachment.kind,
                description=None
                if attachment.description is None
                else PersonalText(actor.id, attachment.description),
                sha256=file.sha256,
                completes_request=False,
                actor=actor,
                timestamp=ctx.now,
                media_type=file.media_type,
                size=file.size,
            )

    def withdraw(self, ctx: CommandContext) -> None:
        """The consumer withdraws before any ruling."""
        self._check(Action.WITHDRAW, ctx)
        self._clear(ctx, set(DeadlineKind), "cancelled")
        self._withdrawn(expired_offers=self._open_offer_ids(), actor=ctx.actor, timestamp=ctx.now)

    class Withdrawn(Aggregate.Event):
        expired_offers: list[str]
        actor: Actor

    @event(Withdrawn)
    def _withdrawn(self, expired_offers: list[str], timestamp: datetime, actor: Actor) -> None:
        self.status = Status.WITHDRAWN
        self.outcome = Outcome.WITHDRAWN
        self.final = True
        self.turn = None
        self.closed_at = timestamp
        self._expire(expired_offers)
