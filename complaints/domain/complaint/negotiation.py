"""Negotiation and mediation (R6), and the messages on a case.

The parties trade offers in turn; a mediator may propose a settlement both must accept. An
accepted offer settles the case and its remedy is carried out (fulfilment.py); a request for
intervention, or the escalation deadline, sends it to platform review.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint.checks import (
    check_assignment,
    check_decline,
    check_message,
    check_offer,
)
from complaints.domain.complaint.fulfilment import FulfilmentPhase
from complaints.domain.complaint.permissions import Action
from complaints.domain.complaint.state import other_party
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    AlreadyAnswered,
    NotYourTurn,
    OfferNotOpen,
    OwnOffer,
    StaffOnlyVisibility,
)
from complaints.domain.labels import label
from complaints.domain.records import Offer
from complaints.domain.text import Text
from complaints.domain.validation import normalise_remedy
from complaints.domain.values import (
    PARTIES,
    Actor,
    OfferStatus,
    Outcome,
    PersonalText,
    Remedy,
    Role,
    Status,
    Visibility,
)

#: The deadlines of the parties' turns, and with them the one that ends the negotiation.
NEGOTIATION_TURNS = {DeadlineKind.SELLER_RESPONSE, DeadlineKind.NEGOTIATION_TURN}
NEGOTIATION = {*NEGOTIATION_TURNS, DeadlineKind.ESCALATION}


class NegotiationPhase(FulfilmentPhase):
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
        self._clear(ctx, NEGOTIATION_TURNS, "met")
        if standing is not None and standing.is_proposal:
            # The party's offer answers the mediator's proposal: it no longer waits.
            self._clear(ctx, {DeadlineKind.SETTLEMENT_ANSWER}, "met")
        self._open_deadline(ctx, DeadlineKind.NEGOTIATION_TURN, party=other_party(role))

    def propose_settlement(
        self, ctx: CommandContext, *, remedy: Remedy, message: str | None
    ) -> None:
        """A mediator proposes a settlement; it binds only once both parties accept it, and
        they answer it until the settlement_answer deadline."""
        self._check(Action.PROPOSE_SETTLEMENT, ctx)
        check_offer(remedy, message)
        standing = self.open_offer
        offer_id = self._next_id("o", self.offers)
        self._offer_made(
            offer_id=offer_id,
            by=Role.MEDIATOR,
            remedy=normalise_remedy(remedy),
            message=self._personal(ctx, message),
            awaiting=None,
            supersedes=standing.id if standing else None,
            superseded_status=OfferStatus.SUPERSEDED if standing else None,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._clear(ctx, NEGOTIATION_TURNS, "cancelled")
        self._clear(ctx, {DeadlineKind.SETTLEMENT_ANSWER}, "cancelled")  # a superseded proposal's
        self._open_deadline(ctx, DeadlineKind.SETTLEMENT_ANSWER, ref=offer_id)

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
            self._clear(ctx, NEGOTIATION_TURNS, "met")
            self._open_deadline(ctx, DeadlineKind.NEGOTIATION_TURN, party=awaiting)
        else:
            self._clear(ctx, {DeadlineKind.SETTLEMENT_ANSWER}, "met")

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
            raise OfferNotOpen(
                Text(
                    "Offer {offer_id} is {status}.", offer_id=offer_id, status=label(offer.status)
                ),
                self.status,
            )
        if offer.by is role:
            raise OwnOffer(Text("You cannot answer your own offer."))
        if offer.is_proposal and role in offer.accepted_by:
            raise AlreadyAnswered(Text("You have already accepted this proposal."), self.status)
        if not offer.is_proposal and self.turn is not role:
            raise NotYourTurn(Text("It is not your turn to answer this offer."))
        return offer

    def request_intervention(self, ctx: CommandContext) -> None:
        """Either party asks the platform to step in; negotiation ends and review begins."""
        self._check(Action.REQUEST_INTERVENTION, ctx)
        self._clear(ctx, NEGOTIATION, "cancelled")
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

    def assign_mediator(self, ctx: CommandContext, *, mediator_id: str) -> None:
        """A supervisor assigns (or reassigns) the mediator of the team who takes the case
        under intervention: that mediator alone proposes settlements from then on."""
        self._check(Action.ASSIGN_MEDIATOR, ctx)
        check_assignment("mediator_id", mediator_id)
        self._mediator_assigned(mediator_id=mediator_id, actor=ctx.actor, timestamp=ctx.now)

    class MediatorAssigned(Aggregate.Event):
        mediator_id: str
        actor: Actor

    @event(MediatorAssigned)
    def _mediator_assigned(self, mediator_id: str, actor: Actor, timestamp: datetime) -> None:
        self.assigned_mediator_id = mediator_id

    class ProposalLapsed(Aggregate.Event):
        """Nobody settled on the mediator's proposal in time (settlement_answer): it counts as
        declined."""

        offer_id: str
        enforced_deadline_id: int
        actor: Actor

    @event(ProposalLapsed)
    def _proposal_lapsed(
        self, offer_id: str, enforced_deadline_id: int, actor: Actor, timestamp: datetime
    ) -> None:
        self._set_offer_status(offer_id, OfferStatus.DECLINED)

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
            raise StaffOnlyVisibility(Text("Only platform staff may post internal notes."))
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
