"""The Complaint aggregate: one consumer's complaint against one shop, from intake to feedback.

Each public verb checks who acts, the state and the input, then calls private `@event` methods.
Those only assign state, because their bodies run again on every replay: a rule tightened later
must never break an old case. Every decision the checks make (the new status, which offer a
counter-offer supersedes, whether a submission completes a request) is written into the event.

The class reads in the order of a case, one section per phase. Each event class sits directly
above the method that applies it, so the data and its effect are read together.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence, Sized
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.domain import Snapshot as StateSnapshot

from complaints.domain import access, complaint_snapshot, fulfilment
from complaints.domain.complaint_checks import (
    check_appeal,
    check_appeal_decision,
    check_assignment,
    check_attachments,
    check_decision,
    check_decline,
    check_evidence,
    check_evidence_request,
    check_execution_issue,
    check_filing,
    check_finding,
    check_message,
    check_offer,
    check_pause,
    check_rating,
    check_rejection,
    check_resolution,
    check_resubmission,
    check_return_for_info,
    check_shipment,
)
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import (
    STAFF_DEADLINES,
    Deadline,
    DeadlineKind,
    Extension,
    format_duration,
    reminder_due,
)
from complaints.domain.errors import (
    AlreadyAnswered,
    DeadlineNotDue,
    ExecutionIssueNotFound,
    InvalidTransition,
    NoOpenExecutionIssue,
    NotAParty,
    NotYourTurn,
    OfferNotFound,
    OfferNotOpen,
    OwnOffer,
    ReadOnlyRole,
    RoleNotAllowed,
    StaffOnlyVisibility,
)
from complaints.domain.permissions import PERMISSIONS, Action
from complaints.domain.records import (
    Appeal,
    Evidence,
    EvidenceRequest,
    ExecutionIssue,
    Finding,
    InfoRequest,
    LapseResult,
    Offer,
    Rating,
    Ruling,
    Shipment,
)
from complaints.domain.rights import allowed
from complaints.domain.validation import normalise_remedy
from complaints.domain.values import (
    PARTIES,
    PLATFORM_CATEGORIES,
    SYSTEM,
    Actor,
    Attachment,
    Category,
    EvidenceFile,
    FulfilmentStep,
    Money,
    OfferStatus,
    Outcome,
    PersonalText,
    Remedy,
    RemedyType,
    Role,
    Status,
    Visibility,
)

NAMESPACE = uuid.UUID("6f1c2e4a-8d8b-4c1e-9a57-3b2f0c6d9e10")
_STEP_DEADLINES = {terms.deadline for terms in fulfilment.STEP_TERMS.values()}
_NEGOTIATION_TURNS = {DeadlineKind.SELLER_RESPONSE, DeadlineKind.NEGOTIATION_TURN}
_NEGOTIATION = {*_NEGOTIATION_TURNS, DeadlineKind.ESCALATION}


def complaint_id(reference: str) -> UUID:
    """Complaint ids derive from the reference, so a reference can never be issued twice."""
    return uuid.uuid5(NAMESPACE, f"complaint:{reference}")


def other_party(role: Role) -> Role:
    return Role.SELLER if role is Role.CONSUMER else Role.CONSUMER


class Complaint(Aggregate):
    class Snapshot(StateSnapshot):
        """A complaint's state at a version, so that a long case loads without replaying it
        all. complaint_snapshot.py says how the state is kept as JSON."""

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            snapshot = super().take(aggregate)
            complaint_snapshot.encode_state(snapshot.state)
            return snapshot

        def mutate(self, _: None) -> Any:
            complaint = super().mutate(_)
            complaint_snapshot.decode_state(vars(complaint))
            return complaint

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
    ) -> Complaint:
        """A consumer files a complaint against a shop about one order (R1), with any files
        it attaches as evidence; `files` holds what the store found of the consumer's uploads
        that they name."""
        actor = ctx.actor
        if actor.role is Role.AUDITOR:
            raise ReadOnlyRole("Auditors read; they do not file complaints.")
        if actor.role is not Role.CONSUMER:
            raise RoleNotAllowed("Only a consumer can file a complaint.")
        check_filing(order_id, description, requested_remedy)
        check_attachments(evidence, files or {})
        complaint = cls(
            reference=reference,
            consumer_id=actor.id,
            shop_id=shop_id,
            order_id=order_id,
            category=category,
            description=PersonalText(actor.id, description),
            requested_remedy=normalise_remedy(requested_remedy),
            actor=actor,
            timestamp=ctx.now,
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
    ) -> None:
        self.reference = reference
        self.consumer_id = consumer_id
        self.shop_id = shop_id
        self.order_id = order_id
        self.category = category
        self.description = description
        self.requested_remedy = requested_remedy
        self.filed_at = timestamp
        self.status = Status.SUBMITTED
        self.deadlines: dict[int, Deadline] = {}
        self.info_requests: list[InfoRequest] = []
        self.rejection: tuple[str, str | None] | None = None
        self.offers: list[Offer] = []
        self.turn: Role | None = None
        self.arbiter_id: str | None = None
        self.evidence_requests: list[EvidenceRequest] = []
        self.evidence: list[Evidence] = []
        self.findings: list[Finding] = []
        self.rulings: list[Ruling] = []
        self.acknowledgements: frozenset[tuple[int, Role]] = frozenset()
        self.appeals: list[Appeal] = []
        self.outcome: Outcome | None = None
        self.remedy: Remedy | None = None
        self.final = False
        self.decided_by_default = False
        self.enforced_deadline_id: int | None = None
        self.pending_steps: tuple[FulfilmentStep, ...] = ()
        self.shipments: list[Shipment] = []
        self.refunded: Money | None = None
        self.advanced_refund: Money | None = None
        self.return_deemed_received = False
        self.remedy_forfeited = False
        self.remedy_defaults = 0
        self.closed_at: datetime | None = None
        self.execution_issues: list[ExecutionIssue] = []
        self.ratings: dict[Role, Rating] = {}
        #: Message bodies live in the events and the timeline; deciding needs only the count.
        self.messages_posted = 0
        self.paused_at: datetime | None = None
        self.pause_reason: str | None = None
        self.paused_seconds = 0.0

    # ---------------------------------------------------------------- reading
    def is_party(self, actor: Actor) -> bool:
        if actor.role is Role.CONSUMER:
            return actor.id == self.consumer_id
        if actor.role is Role.SELLER:
            return actor.shop_id == self.shop_id
        return False

    def can_view(self, actor: Actor) -> bool:
        """Parties see their own cases; staff, auditors and the platform all; the public none."""
        return access.can_view(actor, consumer_id=self.consumer_id, shop_id=self.shop_id)

    @property
    def open_deadlines(self) -> list[Deadline]:
        return sorted(self.deadlines.values(), key=lambda d: (d.due_at, d.id))

    @property
    def current_step(self) -> FulfilmentStep | None:
        return self.pending_steps[0] if self.pending_steps else None

    @property
    def open_offer(self) -> Offer | None:
        return next((o for o in reversed(self.offers) if o.is_open), None)

    @property
    def open_execution_issues(self) -> list[ExecutionIssue]:
        return [i for i in self.execution_issues if i.is_open]

    @property
    def latest_ruling(self) -> Ruling | None:
        return self.rulings[-1] if self.rulings else None

    def offer(self, offer_id: str) -> Offer:
        for offer in self.offers:
            if offer.id == offer_id:
                return offer
        raise OfferNotFound(f"Complaint {self.reference} has no offer {offer_id!r}.")

    def deadline_of(self, kind: DeadlineKind, ref: str | None = None) -> Deadline | None:
        for deadline in self.open_deadlines:
            if deadline.kind is kind and (ref is None or deadline.ref == ref):
                return deadline
        return None

    def open_requests_for(self, role: Role) -> list[EvidenceRequest]:
        return [
            r
            for r in self.evidence_requests
            if r.party is role
            and not r.fulfilled
            and self.deadline_of(DeadlineKind.EVIDENCE, r.id) is not None
        ]

    def allowed_actions(self, actor: Actor, now: datetime) -> list[str]:
        """The mutations this viewer may call now, in the order of the contract."""

        def check(action: Action) -> None:
            self._authorize(action, actor)
            self._guard(action, actor, now)

        return allowed([a for a in Action if a is not Action.LAPSE_DEADLINE], check)

    # ---------------------------------------------------------------- access and guards
    def _authorize(self, action: Action, actor: Actor) -> None:
        permission = PERMISSIONS[action]
        if actor.role is Role.AUDITOR:
            raise ReadOnlyRole("Auditors read every case but command none.")
        if actor.role not in permission.roles:
            raise RoleNotAllowed(f"A {actor.role.value.lower()} may not {action.value}.")
        if actor.role in PARTIES and not self.is_party(actor):
            raise NotAParty(f"You are not a party to complaint {self.reference}.")
        if self.status not in permission.states:
            raise InvalidTransition(
                f"{action.value} is not possible while the complaint is {self.status.value}.",
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

    def resubmit(self, ctx: CommandContext, *, description: str) -> None:
        """The consumer adds what was missing; the complaint goes back to intake."""
        self._check(Action.RESUBMIT, ctx)
        check_resubmission(description)
        self._resubmitted(
            description=PersonalText(self.consumer_id, description),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._clear(ctx, {DeadlineKind.RESUBMISSION}, "met")
        self._open_deadline(ctx, DeadlineKind.INTAKE)

    class Resubmitted(Aggregate.Event):
        description: PersonalText
        actor: Actor

    @event(Resubmitted)
    def _resubmitted(self, description: PersonalText, actor: Actor, timestamp: datetime) -> None:
        self.status = Status.SUBMITTED
        self.description = description

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

    # ---------------------------------------------------------------- negotiation (R6)
    def make_offer(self, ctx: CommandContext, *, remedy: Remedy, message: str | None) -> None:
        """A party, on its turn, puts a remedy on the table; it counters the standing offer."""
        self._check(Action.MAKE_OFFER, ctx)
        role = ctx.actor.role
        check_offer(remedy, message)
        standing = self.open_offer
        self._offer_made(
            offer_id=self._next_id("o", self.offers),
            by=role,
            remedy=normalise_remedy(remedy),
            message=self._personal(ctx, message),
            awaiting=other_party(role),
            supersedes=standing.id if standing else None,
            superseded_status=(
                None
                if standing is None
                else OfferStatus.SUPERSEDED
                if standing.is_proposal
                else OfferStatus.COUNTERED
            ),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._clear(ctx, _NEGOTIATION_TURNS, "met")
        self._open_deadline(ctx, DeadlineKind.NEGOTIATION_TURN, party=other_party(role))

    def propose_settlement(
        self, ctx: CommandContext, *, remedy: Remedy, message: str | None
    ) -> None:
        """A mediator proposes a settlement; it binds only once both parties accept it."""
        self._check(Action.PROPOSE_SETTLEMENT, ctx)
        check_offer(remedy, message)
        standing = self.open_offer
        self._offer_made(
            offer_id=self._next_id("o", self.offers),
            by=Role.MEDIATOR,
            remedy=normalise_remedy(remedy),
            message=self._personal(ctx, message),
            awaiting=None,
            supersedes=standing.id if standing else None,
            superseded_status=OfferStatus.SUPERSEDED if standing else None,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._clear(ctx, _NEGOTIATION_TURNS, "cancelled")

    class OfferMade(Aggregate.Event):
        offer_id: str
        by: Role
        remedy: Remedy
        message: PersonalText | None
        awaiting: Role | None
        supersedes: str | None
        superseded_status: OfferStatus | None
        actor: Actor

    @event(OfferMade)
    def _offer_made(
        self,
        offer_id: str,
        by: Role,
        remedy: Remedy,
        message: PersonalText | None,
        awaiting: Role | None,
        supersedes: str | None,
        superseded_status: OfferStatus | None,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        if supersedes is not None and superseded_status is not None:
            self._set_offer_status(supersedes, superseded_status)
        self.offers.append(Offer(offer_id, by, remedy, message, timestamp))
        self.turn = awaiting

    def accept_offer(self, ctx: CommandContext, *, offer_id: str) -> None:
        """A party accepts the other's offer (or a mediator's proposal): that settles the case."""
        self._authorize(Action.ACCEPT_OFFER, ctx.actor)
        offer = self._answerable_offer(ctx, offer_id)
        self._offer_accepted(
            offer_id=offer.id, by=ctx.actor.role, actor=ctx.actor, timestamp=ctx.now
        )
        if offer.is_proposal and len(self.offer(offer_id).accepted_by) < len(PARTIES):
            return  # the other party has yet to accept the mediator's proposal
        self._clear(ctx, set(DeadlineKind), "met")
        self._settled(
            offer_id=offer.id,
            remedy=offer.remedy,
            expired_offers=[o for o in self._open_offer_ids() if o != offer.id],
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._begin_fulfilment(ctx)

    class OfferAccepted(Aggregate.Event):
        offer_id: str
        by: Role
        actor: Actor

    @event(OfferAccepted)
    def _offer_accepted(self, offer_id: str, by: Role, actor: Actor, timestamp: datetime) -> None:
        offer = self.offer(offer_id)
        self._replace_offer(offer_id, accepted_by=offer.accepted_by | {by})

    class Settled(Aggregate.Event):
        offer_id: str
        remedy: Remedy
        expired_offers: list[str]
        actor: Actor

    @event(Settled)
    def _settled(
        self,
        offer_id: str,
        remedy: Remedy,
        expired_offers: list[str],
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._set_offer_status(offer_id, OfferStatus.ACCEPTED)
        self._expire(expired_offers)
        self.turn = None
        self.outcome = Outcome.SETTLED_BY_AGREEMENT
        self.remedy = remedy
        self.final = True

    def decline_offer(self, ctx: CommandContext, *, offer_id: str, reason: str | None) -> None:
        """A party declines; the one who offered may then make another offer or seek help."""
        self._authorize(Action.DECLINE_OFFER, ctx.actor)
        offer = self._answerable_offer(ctx, offer_id)
        check_decline(reason)
        awaiting = None if offer.is_proposal else offer.by
        self._offer_declined(
            offer_id=offer.id,
            by=ctx.actor.role,
            reason=self._personal(ctx, reason),
            awaiting=awaiting,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if awaiting is not None:
            self._clear(ctx, _NEGOTIATION_TURNS, "met")
            self._open_deadline(ctx, DeadlineKind.NEGOTIATION_TURN, party=awaiting)

    class OfferDeclined(Aggregate.Event):
        offer_id: str
        by: Role
        reason: PersonalText | None
        awaiting: Role | None
        actor: Actor

    @event(OfferDeclined)
    def _offer_declined(
        self,
        offer_id: str,
        awaiting: Role | None,
        by: Role,
        reason: PersonalText | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._set_offer_status(offer_id, OfferStatus.DECLINED)
        self.turn = awaiting

    def _answerable_offer(self, ctx: CommandContext, offer_id: str) -> Offer:
        """The offer named, if this party may answer it now; else the specific refusal."""
        offer = self.offer(offer_id)
        role = ctx.actor.role
        if not offer.is_open:
            raise OfferNotOpen(f"Offer {offer_id} is {offer.status.value}.", self.status)
        if offer.by is role:
            raise OwnOffer("You cannot answer your own offer.")
        if offer.is_proposal and role in offer.accepted_by:
            raise AlreadyAnswered("You have already accepted this proposal.", self.status)
        if not offer.is_proposal and self.turn is not role:
            raise NotYourTurn("It is not your turn to answer this offer.")
        return offer

    def request_intervention(self, ctx: CommandContext) -> None:
        """Either party asks the platform to step in; negotiation ends and review begins."""
        self._check(Action.REQUEST_INTERVENTION, ctx)
        self._clear(ctx, _NEGOTIATION, "cancelled")
        self._intervention_requested(
            by=ctx.actor.role,
            expired_offers=self._open_offer_ids(parties_only=True),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.PICKUP)

    class InterventionRequested(Aggregate.Event):
        by: Role
        expired_offers: list[str]
        actor: Actor

    @event(InterventionRequested)
    def _intervention_requested(
        self, expired_offers: list[str], by: Role, actor: Actor, timestamp: datetime
    ) -> None:
        self._enter_review(expired_offers)

    class Escalated(Aggregate.Event):
        enforced_deadline_id: int
        expired_offers: list[str]
        actor: Actor

    @event(Escalated)
    def _escalated(
        self,
        expired_offers: list[str],
        enforced_deadline_id: int,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._enter_review(expired_offers)

    def _enter_review(self, expired_offers: list[str]) -> None:
        self.status = Status.UNDER_REVIEW
        self.turn = None
        self._expire(expired_offers)

    # ---------------------------------------------------------------- messages (any open case)
    def post_message(self, ctx: CommandContext, *, text: str, visibility: Visibility) -> None:
        """A message on the case: to both parties, or an internal note for staff only."""
        self._check(Action.POST_MESSAGE, ctx)
        if visibility is Visibility.STAFF and ctx.actor.role in PARTIES:
            raise StaffOnlyVisibility("Only platform staff may post internal notes.")
        check_message(text)
        self._message_posted(
            message_id=f"m{self.messages_posted + 1}",
            text=PersonalText(ctx.actor.id, text),
            visibility=visibility,
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    class MessagePosted(Aggregate.Event):
        message_id: str
        text: PersonalText
        visibility: Visibility
        actor: Actor

    @event(MessagePosted)
    def _message_posted(
        self,
        message_id: str,
        text: PersonalText,
        visibility: Visibility,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.messages_posted += 1

    # ---------------------------------------------------------------- investigation (R2)
    def assign(self, ctx: CommandContext, *, arbiter_id: str) -> None:
        """A supervisor assigns (or reassigns) the arbiter who will investigate and rule."""
        self._check(Action.ASSIGN, ctx)
        check_assignment(arbiter_id)
        self._assigned(arbiter_id=arbiter_id, actor=ctx.actor, timestamp=ctx.now)
        self._clear(ctx, {DeadlineKind.PICKUP}, "met")
        if self.deadline_of(DeadlineKind.RULING) is None:
            self._open_deadline(ctx, DeadlineKind.RULING)

    class Assigned(Aggregate.Event):
        arbiter_id: str
        actor: Actor

    @event(Assigned)
    def _assigned(self, arbiter_id: str, actor: Actor, timestamp: datetime) -> None:
        self.arbiter_id = arbiter_id

    def request_evidence(
        self,
        ctx: CommandContext,
        *,
        party: Role,
        kinds: list[str],
        note: str | None,
        due_at: datetime | None,
    ) -> None:
        """The arbiter asks one party for evidence of the named kinds, by a due time."""
        self._check(Action.REQUEST_EVIDENCE, ctx)
        due = due_at or ctx.deadlines.due(DeadlineKind.EVIDENCE, ctx.now)
        check_evidence_request(party, kinds, note, due, ctx.now)
        request_id = self._next_id("r", self.evidence_requests)
        self._evidence_requested(
            request_id=request_id,
            party=party,
            kinds=list(dict.fromkeys(kinds)),
            note=note.strip() if note else None,
            due_at=due,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.EVIDENCE, party=party, ref=request_id, due_at=due_at)

    class EvidenceRequested(Aggregate.Event):
        request_id: str
        party: Role
        kinds: list[str]
        note: str | None
        due_at: datetime
        actor: Actor

    @event(EvidenceRequested)
    def _evidence_requested(
        self,
        request_id: str,
        party: Role,
        kinds: list[str],
        note: str | None,
        due_at: datetime,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.evidence_requests.append(
            EvidenceRequest(request_id, party, tuple(kinds), note, due_at, timestamp)
        )

    def submit_evidence(
        self,
        ctx: CommandContext,
        *,
        kind: str,
        description: str,
        sha256: str | None,
        request_id: str | None = None,
        files: Mapping[str, EvidenceFile] | None = None,
    ) -> None:
        """The requested party sends evidence of a requested kind (photos, video, chat logs).

        `files` holds what the store found of the upload `sha256` names, among the actor's own;
        `request_id` picks the request it answers, else the oldest that asks for `kind`."""
        self._check(Action.SUBMIT_EVIDENCE, ctx)
        requests = self.open_requests_for(ctx.actor.role)
        if request_id is not None:
            requests = [r for r in requests if r.id == request_id]
        check_evidence(
            kind,
            {k for r in requests for k in r.kinds},
            description,
            sha256,
            files or {},
            request_id=request_id,
        )
        request = next(r for r in requests if kind in r.kinds)
        given = {e.kind for e in self.evidence if e.request_id == request.id} | {kind}
        completes = set(request.kinds) <= given
        file = None if sha256 is None else (files or {})[sha256]
        self._evidence_submitted(
            request_id=request.id,
            evidence_id=self._next_id("e", self.evidence),
            kind=kind,
            description=PersonalText(ctx.actor.id, description),
            sha256=sha256,
            completes_request=completes,
            actor=ctx.actor,
            timestamp=ctx.now,
            media_type=None if file is None else file.media_type,
            size=None if file is None else file.size,
        )
        if completes:
            self._clear(ctx, {DeadlineKind.EVIDENCE}, "met", ref=request.id)

    class EvidenceSubmitted(Aggregate.Event):
        request_id: str | None  # None: attached when the complaint was filed
        evidence_id: str
        kind: str
        description: PersonalText | None
        sha256: str | None
        completes_request: bool
        actor: Actor
        # Since evidence files are described (older events lack them):
        media_type: str | None = None
        size: int | None = None

    @event(EvidenceSubmitted)
    def _evidence_submitted(
        self,
        request_id: str | None,
        evidence_id: str,
        kind: str,
        description: PersonalText | None,
        sha256: str | None,
        completes_request: bool,
        actor: Actor,
        timestamp: datetime,
        media_type: str | None = None,
        size: int | None = None,
    ) -> None:
        self.evidence.append(
            Evidence(
                evidence_id,
                request_id,
                actor.role,
                kind,
                description,
                sha256,
                timestamp,
                media_type,
                size,
            )
        )
        if completes_request and request_id is not None:
            self._replace_request(request_id, fulfilled=True)

    class EvidenceMissed(Aggregate.Event):
        request_id: str
        enforced_deadline_id: int
        actor: Actor

    @event(EvidenceMissed)
    def _evidence_missed(
        self, request_id: str, enforced_deadline_id: int, actor: Actor, timestamp: datetime
    ) -> None:
        """The request stays unfulfilled; the arbiter rules on what there is."""

    def record_finding(self, ctx: CommandContext, *, finding: str) -> None:
        """The arbiter records a neutral, preliminary characterisation of the case."""
        self._check(Action.RECORD_FINDING, ctx)
        check_finding(finding)
        self._finding_recorded(finding=finding.strip(), actor=ctx.actor, timestamp=ctx.now)

    class FindingRecorded(Aggregate.Event):
        finding: str
        actor: Actor

    @event(FindingRecorded)
    def _finding_recorded(self, finding: str, actor: Actor, timestamp: datetime) -> None:
        self.findings.append(Finding(finding, actor.id, timestamp))

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
        """A party confirms it has received the written notice of the ruling."""
        self._check(Action.ACKNOWLEDGE_RULING, ctx)
        ruling = self.latest_ruling
        assert ruling is not None  # the guard refuses a case that was never ruled
        self._ruling_acknowledged(
            level=ruling.level, by=ctx.actor.role, actor=ctx.actor, timestamp=ctx.now
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
            self._clear(ctx, _STEP_DEADLINES, "cancelled")
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
    ) -> None:
        """A supervisor other than the arbiter decides the appeal; the decision is final."""
        self._check(Action.DECIDE_APPEAL, ctx)
        final_outcome, final_remedy = check_appeal_decision(
            grant, outcome, remedy, rationale, self._appealed_ruling()
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
    ) -> None:
        self.rulings.append(
            Ruling(level, outcome, remedy, rationale, (), actor.id, timestamp, granted)
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
            raise ExecutionIssueNotFound(f"Complaint {self.reference} has no issue {issue_id}.")
        if not issue.is_open:
            raise NoOpenExecutionIssue(f"Issue {issue_id} is already resolved.", self.status)
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

    # ---------------------------------------------------------------- feedback (R5)
    def rate_handling(self, ctx: CommandContext, *, score: int, comment: str | None) -> None:
        """A party rates how the complaint was handled, once, within the survey window."""
        self._check(Action.RATE_HANDLING, ctx)
        check_rating(score, comment)
        self._rated(
            by=ctx.actor.role,
            score=score,
            comment=self._personal(ctx, comment),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if set(self.ratings) >= PARTIES:
            self._clear(ctx, {DeadlineKind.SURVEY}, "met")

    class Rated(Aggregate.Event):
        by: Role
        score: int
        comment: PersonalText | None
        actor: Actor

    @event(Rated)
    def _rated(
        self, by: Role, score: int, comment: PersonalText | None, timestamp: datetime, actor: Actor
    ) -> None:
        self.ratings[by] = Rating(by, score, comment, timestamp)

    # ---------------------------------------------------------------- the clock (DESIGN §9)
    def pause_clock(self, ctx: CommandContext, *, reason: str) -> None:
        """Staff stop the clock while the case waits on someone outside it (a carrier's
        investigation, a lab test). Deadlines do not run out while it is paused."""
        self._check(Action.PAUSE_CLOCK, ctx)
        check_pause(reason)
        self._clock_paused(reason=reason.strip(), actor=ctx.actor, timestamp=ctx.now)

    class ClockPaused(Aggregate.Event):
        reason: str
        actor: Actor

    @event(ClockPaused)
    def _clock_paused(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self.paused_at = timestamp
        self.pause_reason = reason

    def resume_clock(self, ctx: CommandContext) -> None:
        """The clock runs again; every open deadline moves later by the time it was paused."""
        self._check(Action.RESUME_CLOCK, ctx)
        paused_at = self.paused_at
        assert paused_at is not None
        extended = [
            Extension(d.id, d.due_at + (ctx.now - max(paused_at, d.set_at or paused_at)))
            for d in self.open_deadlines
        ]
        self._clock_resumed(
            paused_seconds=(ctx.now - paused_at).total_seconds(),
            extended=extended,
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    class ClockResumed(Aggregate.Event):
        paused_seconds: float
        extended: list[Extension]
        actor: Actor

    @event(ClockResumed)
    def _clock_resumed(
        self, paused_seconds: float, extended: list[Extension], actor: Actor, timestamp: datetime
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
        self.paused_seconds += paused_seconds

    # ---------------------------------------------------------------- deadlines (DESIGN §9)
    def lapse_deadline(self, ctx: CommandContext, deadline_id: int) -> LapseResult | None:
        """Enforce a deadline that has passed. Idempotent: a deadline already met, superseded
        or enforced does nothing and returns None."""
        self._authorize(Action.LAPSE_DEADLINE, ctx.actor)
        deadline = self.deadlines.get(deadline_id)
        if deadline is None or deadline.overdue or self.paused_at is not None:
            return None  # met, superseded, enforced already, or the clock is paused
        if not deadline.is_due(ctx.now):
            raise DeadlineNotDue(
                f"Deadline {deadline_id} ({deadline.kind.value}) is due at "
                f"{deadline.due_at.isoformat()}.",
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

    class DeadlineLapsed(Aggregate.Event):
        deadline_id: int
        kind: DeadlineKind
        actor: Actor

    @event(DeadlineLapsed)
    def _deadline_lapsed(
        self, deadline_id: int, kind: DeadlineKind, actor: Actor, timestamp: datetime
    ) -> None:
        self.deadlines.pop(deadline_id, None)

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
            case DeadlineKind.SELLER_RESPONSE | DeadlineKind.NEGOTIATION_TURN:
                self._enforce_turn(ctx, deadline)
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
        )
        # Decided without hearing the seller: it may appeal, once, within the window, while
        # the remedy goes ahead. (If the remedy needs no steps the case closes at once.)
        self._open_deadline(ctx, DeadlineKind.APPEAL_WINDOW, party=deadline.party)
        self._begin_fulfilment(ctx)

    def _escalate(self, ctx: CommandContext, enforced_deadline_id: int) -> None:
        self._clear(ctx, _NEGOTIATION, "cancelled")
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
    ) -> None:
        self._expire(expired_offers)
        self.turn = None
        self.outcome = outcome
        self.remedy = remedy
        self.final = True
        self.decided_by_default = True
        self.enforced_deadline_id = enforced_deadline_id

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

    # ---------------------------------------------------------------- small helpers
    @staticmethod
    def _next_id(prefix: str, existing: Sized) -> str:
        return f"{prefix}{len(existing) + 1}"

    @staticmethod
    def _personal(ctx: CommandContext, text: str | None) -> PersonalText | None:
        return None if text is None or not text.strip() else PersonalText(ctx.actor.id, text)

    def _open_offer_ids(self, *, parties_only: bool = False) -> list[str]:
        return [o.id for o in self.offers if o.is_open and not (parties_only and o.is_proposal)]

    def _expire(self, offer_ids: list[str]) -> None:
        for offer_id in offer_ids:
            self._set_offer_status(offer_id, OfferStatus.EXPIRED)

    def _set_offer_status(self, offer_id: str, status: OfferStatus) -> None:
        self._replace_offer(offer_id, status=status)

    def _replace_offer(
        self,
        offer_id: str,
        *,
        status: OfferStatus | None = None,
        accepted_by: frozenset[Role] | None = None,
    ) -> None:
        self.offers = [
            replace(
                o,
                status=status or o.status,
                accepted_by=o.accepted_by if accepted_by is None else accepted_by,
            )
            if o.id == offer_id
            else o
            for o in self.offers
        ]

    def _replace_request(self, request_id: str, *, fulfilled: bool) -> None:
        self.evidence_requests = [
            replace(r, fulfilled=fulfilled) if r.id == request_id else r
            for r in self.evidence_requests
        ]
