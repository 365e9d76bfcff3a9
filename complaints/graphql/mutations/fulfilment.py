"""Fulfilment (R4): the remedy is carried out, and problems doing so are raised and resolved;
then the parties rate the handling (R5)."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import (
    ComplaintActionInput,
    DisputeRemedyInput,
    PostMessageInput,
    RateHandlingInput,
    ResolveIssueInput,
    ShipReturnInput,
)
from complaints.graphql.mutations.payloads import complaint_mutation


@strawberry.type
class FulfilmentMutations:
    confirm_refund = complaint_mutation(
        ComplaintsApp.confirm_refund,
        ComplaintActionInput,
        description="Seller: the refund or compensation is paid",
    )
    ship_return = complaint_mutation(
        ComplaintsApp.ship_return,
        ShipReturnInput,
        description="Consumer: the goods are shipped back",
    )
    confirm_return_received = complaint_mutation(
        ComplaintsApp.confirm_return_received,
        ComplaintActionInput,
        description="Seller: the returned goods arrived",
    )
    ship_replacement = complaint_mutation(
        ComplaintsApp.ship_replacement,
        ShipReturnInput,
        description="Seller: the replacement (or repaired goods) is shipped",
    )
    confirm_remedy_received = complaint_mutation(
        ComplaintsApp.confirm_remedy_received,
        ComplaintActionInput,
        description="Consumer: the remedy arrived; the case closes",
    )
    dispute_remedy = complaint_mutation(
        ComplaintsApp.dispute_remedy,
        DisputeRemedyInput,
        description="Consumer: the remedy did not arrive; supervision takes it up",
    )
    raise_execution_issue = complaint_mutation(
        ComplaintsApp.raise_execution_issue,
        PostMessageInput,
        description="Either party: a problem carrying out the remedy",
        ignoring={"visibility"},  # the input is shared with postMessage; issues go to both
    )
    resolve_execution_issue = complaint_mutation(
        ComplaintsApp.resolve_execution_issue,
        ResolveIssueInput,
        description="Supervisor: resolve an execution issue (a disputed remedy: advance or"
        " dismiss it)",
    )
    rate_handling = complaint_mutation(
        ComplaintsApp.rate_handling,
        RateHandlingInput,
        description="A party: rate the handling from 1 to 5, once",
    )
