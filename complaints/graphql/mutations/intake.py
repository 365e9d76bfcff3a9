"""Intake (R1): filing, and the agent's first look."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import (
    ComplaintActionInput,
    FileComplaintInput,
    RejectComplaintInput,
    ResubmitComplaintInput,
    ReturnForInfoInput,
)
from complaints.graphql.mutations.payloads import complaint_mutation


@strawberry.type
class IntakeMutations:
    file_complaint = complaint_mutation(
        ComplaintsApp.file_complaint,
        FileComplaintInput,
        description="Consumer: file a complaint about an order",
    )
    accept_complaint = complaint_mutation(
        ComplaintsApp.accept_complaint,
        ComplaintActionInput,
        description="Agent: accept the complaint for handling",
    )
    return_complaint_for_info = complaint_mutation(
        ComplaintsApp.return_complaint_for_info,
        ReturnForInfoInput,
        description="Agent: return it to the consumer for what is missing",
    )
    reject_complaint = complaint_mutation(
        ComplaintsApp.reject_complaint,
        RejectComplaintInput,
        description="Agent: reject, with the reason and the rule",
    )
    resubmit_complaint = complaint_mutation(
        ComplaintsApp.resubmit_complaint,
        ResubmitComplaintInput,
        description="Consumer: resubmit with more detail",
    )
    withdraw_complaint = complaint_mutation(
        ComplaintsApp.withdraw_complaint,
        ComplaintActionInput,
        description="Consumer: withdraw before a ruling",
    )
