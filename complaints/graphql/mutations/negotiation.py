"""Negotiation (R6): offers and counter-offers, a mediator's proposal, messages, and asking the
platform to step in."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import (
    AssignMediatorInput,
    ComplaintActionInput,
    MakeOfferInput,
    OfferActionInput,
    PostMessageInput,
)
from complaints.graphql.mutations.payloads import complaint_mutation


@strawberry.type
class NegotiationMutations:
    make_offer = complaint_mutation(
        ComplaintsApp.make_offer,
        MakeOfferInput,
        description="Either party, on its turn: offer a remedy",
    )
    accept_offer = complaint_mutation(
        ComplaintsApp.accept_offer,
        OfferActionInput,
        description="Accept the other party's offer or a mediator's proposal",
        ignoring={"reason"},  # the input is shared with declineOffer
    )
    decline_offer = complaint_mutation(
        ComplaintsApp.decline_offer,
        OfferActionInput,
        description="Decline the other party's offer or a mediator's proposal",
    )
    propose_settlement = complaint_mutation(
        ComplaintsApp.propose_settlement,
        MakeOfferInput,
        description="Mediator: propose a settlement both parties must accept",
    )
    assign_mediator = complaint_mutation(
        ComplaintsApp.assign_mediator,
        AssignMediatorInput,
        description="Supervisor: assign a mediator of the team to a case under intervention;"
        " that mediator alone proposes settlements",
    )
    request_intervention = complaint_mutation(
        ComplaintsApp.request_intervention,
        ComplaintActionInput,
        description="Either party: ask the platform to step in",
    )
    post_message = complaint_mutation(
        ComplaintsApp.post_message,
        PostMessageInput,
        description="A message to both parties, or (staff) an internal note",
    )
