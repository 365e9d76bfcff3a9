"""Mutations: each binds its input to one application command by name, runs it, and answers
with its payload union. A refusal comes back as a member of the union (NotFound, NotAllowed,
InvalidTransition, ValidationFailed, Conflict), with its own code.

One mixin per phase of a case; the order of the bases is the order of schema.graphql.
"""

from __future__ import annotations

import strawberry

from complaints.graphql.mutations.clock import ClockMutations
from complaints.graphql.mutations.fulfilment import FulfilmentMutations
from complaints.graphql.mutations.intake import IntakeMutations
from complaints.graphql.mutations.investigation import InvestigationMutations
from complaints.graphql.mutations.negotiation import NegotiationMutations
from complaints.graphql.mutations.orders import OrderMutations
from complaints.graphql.mutations.personal_data import PersonalDataMutations
from complaints.graphql.mutations.ruling import RulingMutations
from complaints.graphql.mutations.sellers import SellerMutations
from complaints.graphql.mutations.violations import ViolationMutations
from complaints.graphql.mutations.webhooks import WebhookMutations


@strawberry.type
class Mutation(
    SellerMutations,
    IntakeMutations,
    NegotiationMutations,
    InvestigationMutations,
    RulingMutations,
    FulfilmentMutations,
    ClockMutations,
    ViolationMutations,
    PersonalDataMutations,
    WebhookMutations,
    OrderMutations,
):
    pass
