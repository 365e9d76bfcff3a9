"""Investigation (R2): the arbiter is assigned, asks for evidence, and records findings."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import (
    AssignComplaintInput,
    RecordFindingInput,
    RequestEvidenceInput,
    SubmitEvidenceInput,
)
from complaints.graphql.mutations.payloads import complaint_mutation


@strawberry.type
class InvestigationMutations:
    assign_complaint = complaint_mutation(
        ComplaintsApp.assign_complaint,
        AssignComplaintInput,
        description="Supervisor: assign the arbiter",
    )
    request_evidence = complaint_mutation(
        ComplaintsApp.request_evidence,
        RequestEvidenceInput,
        description="Assigned arbiter: ask one party for evidence",
    )
    submit_evidence = complaint_mutation(
        ComplaintsApp.submit_evidence,
        SubmitEvidenceInput,
        description="A party: answer an evidence request, or volunteer evidence while the case"
        " is negotiated or reviewed (sha256 of an upload)",
    )
    record_finding = complaint_mutation(
        ComplaintsApp.record_finding,
        RecordFindingInput,
        description="Assigned arbiter: record a preliminary finding",
    )
