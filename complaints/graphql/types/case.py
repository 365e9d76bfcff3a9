"""What a case page draws, typed: what intake decided, evidence requests and evidence,
findings, the appeal, execution issues, ratings and the fulfilment of the remedy, each read from
the complaint (or its events, for what the aggregate no longer holds) and redacted for the
viewer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry

from complaints.domain import fulfilment, records
from complaints.domain.complaint import Complaint as ComplaintAggregate
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.values import FulfilmentStep as Step
from complaints.graphql.enums import Party, Role
from complaints.graphql.types.rulebook import Rule
from complaints.graphql.types.values import Money


@strawberry.type(description="What intake decided (R1), typed: read it here, not from the timeline")
class Intake:
    returned_for: str | None = strawberry.field(
        description="The reason of the latest return for information; null if never returned"
    )
    missing: list[str] = strawberry.field(
        description="What the latest return for information said was missing"
    )
    rejected_reason: str | None = strawberry.field(
        description="Why the complaint was rejected; null unless it was"
    )
    rules: list[Rule] = strawberry.field(
        description="The rules the returns and the rejection cite, each as in force when cited"
    )
    resubmissions: int = strawberry.field(
        description="How many times the consumer resubmitted the complaint"
    )

    @classmethod
    def of(cls, complaint: ComplaintAggregate | None) -> Intake:
        if complaint is None:
            return cls(
                returned_for=None, missing=[], rejected_reason=None, rules=[], resubmissions=0
            )
        latest = complaint.latest_info_request
        assert complaint.resubmissions is not None, "a complaint read whole knows its count"
        return cls(
            returned_for=None if latest is None else latest.reason,
            missing=[] if latest is None else list(latest.missing),
            rejected_reason=None if complaint.rejection is None else complaint.rejection[0],
            rules=[
                Rule.of(rule)
                for code, at in complaint.intake_citations
                if (rule := RULEBOOK.rule(code, at=at))
            ],
            resubmissions=complaint.resubmissions,
        )


@strawberry.type
class EvidenceRequest:
    id: strawberry.ID
    party: Party
    kinds: list[str]
    note: str | None
    requested_at: datetime
    due_at: datetime | None
    status: str = strawberry.field(
        description="OPEN (its deadline runs), FULFILLED, or MISSED (the deadline passed, or"
        " the review moved on, without the evidence)"
    )

    @classmethod
    def of(cls, request: records.EvidenceRequest, complaint: ComplaintAggregate) -> EvidenceRequest:
        waiting = next(
            (
                d
                for d in complaint.open_deadlines
                if d.kind is DeadlineKind.EVIDENCE and d.ref == request.id
            ),
            None,
        )
        status = "FULFILLED" if request.fulfilled else "OPEN" if waiting else "MISSED"
        return cls(
            id=strawberry.ID(request.id),
            party=Party.of(request.party),
            kinds=list(request.kinds),
            note=request.note,
            requested_at=request.requested_at,
            # An open deadline may have moved later (a paused clock resumed).
            due_at=request.due_at if waiting is None else waiting.due_at,
            status=status,
        )


@strawberry.type(description="An uploaded file that evidence cites")
class EvidenceFile:
    sha256: str
    media_type: str = strawberry.field(description="As recognised from the file's first bytes")
    size: int = strawberry.field(description="In bytes")
    url: str = strawberry.field(
        description="Where to GET it, relative to this API's origin, with the viewer's bearer"
        " token; it answers Range requests. 404 once its uploader's data is erased."
    )


@strawberry.type
class Evidence:
    id: strawberry.ID
    party: Party
    kind: str
    description: str | None = strawberry.field(
        description="null if none was given; [erased] after erasure"
    )
    sha256: str | None = strawberry.field(description="The uploaded file it names, if any")
    file: EvidenceFile | None = strawberry.field(
        description="The file it cites; null if none, or if it was cited before files were"
        " described"
    )
    submitted_at: datetime
    request_id: strawberry.ID | None = strawberry.field(
        description="The request it answers; null for files attached when filing or"
        " resubmitting, and for evidence a party volunteered"
    )

    @classmethod
    def of(cls, evidence: records.Evidence) -> Evidence:
        sha256, media_type = evidence.sha256, evidence.media_type
        return cls(
            id=strawberry.ID(evidence.id),
            party=Party.of(evidence.by),
            kind=evidence.kind,
            description=None if evidence.description is None else evidence.description.reveal(),
            sha256=sha256,
            file=None
            if sha256 is None or media_type is None
            else EvidenceFile(
                sha256=sha256,
                media_type=media_type,
                size=evidence.size or 0,
                url=f"/uploads/{sha256}",
            ),
            submitted_at=evidence.submitted_at,
            request_id=strawberry.ID(evidence.request_id) if evidence.request_id else None,
        )


@strawberry.type
class Finding:
    text: str
    recorded_at: datetime

    @classmethod
    def of(cls, finding: records.Finding) -> Finding:
        return cls(text=finding.text, recorded_at=finding.recorded_at)


@strawberry.type
class Appeal:
    by: Party
    grounds: str = strawberry.field(description="[erased] after erasure")
    filed_at: datetime
    granted: bool | None = strawberry.field(description="null until the appeal is decided")
    decided_at: datetime | None
    rationale: str | None
    decision_due_at: datetime | None = strawberry.field(
        default=None,
        description="When a supervisor must decide: a sanction's appeal"
        " (SANCTION_APPEAL_REVIEW), or for staff and auditors a case's while it waits"
        " (APPEAL_REVIEW)",
    )

    @classmethod
    def of(
        cls, appeal: records.Appeal, decision: records.Ruling | None, due_at: datetime | None
    ) -> Appeal:
        return cls(
            by=Party.of(appeal.by),
            grounds=appeal.grounds.reveal(),
            filed_at=appeal.filed_at,
            granted=None if decision is None else decision.granted,
            decided_at=None if decision is None else decision.decided_at,
            rationale=None if decision is None else decision.rationale,
            decision_due_at=due_at,
        )


@strawberry.type
class ExecutionIssue:
    id: strawberry.ID
    raised_by: Role
    text: str | None = strawberry.field(description="[erased] after erasure")
    raised_at: datetime
    due_at: datetime | None = strawberry.field(
        description="Staff and auditors: when supervision must answer (a staff deadline);"
        " null once resolved, for issues raised before they carried one, and for others"
    )
    resolution: str | None
    resolved_at: datetime | None
    dispute: bool = strawberry.field(
        description="The consumer disputed that the remedy arrived (disputeRemedy)"
    )
    advanced: bool = strawberry.field(
        description="Supervision upheld the dispute: the platform paid the remedy"
    )

    @classmethod
    def of(
        cls, issue: records.ExecutionIssue, complaint: ComplaintAggregate, *, staff: bool
    ) -> ExecutionIssue:
        """`staff`: the viewer sees staff deadlines (as in Complaint.deadlines)."""
        waiting = next(
            (
                d
                for d in complaint.open_deadlines
                if d.kind is DeadlineKind.EXECUTION_ISSUE and d.ref == issue.id
            ),
            None,
        )
        return cls(
            id=strawberry.ID(issue.id),
            raised_by=issue.by,
            text=issue.text.reveal(),
            raised_at=issue.raised_at,
            due_at=None if waiting is None or not staff else waiting.due_at,
            resolution=issue.resolution,
            resolved_at=issue.resolved_at,
            dispute=issue.dispute,
            advanced=issue.advanced,
        )


@strawberry.type
class Rating:
    by: Party
    score: int
    comment: str | None = strawberry.field(description="[erased] after erasure")
    rated_at: datetime

    @classmethod
    def of(cls, rating: records.Rating) -> Rating:
        return cls(
            by=Party.of(rating.by),
            score=rating.score,
            comment=rating.comment.reveal() if rating.comment else None,
            rated_at=rating.rated_at,
        )


C = ComplaintAggregate
#: The event that completes each step.
COMPLETES: dict[type[Any], Step] = {
    C.ReturnShipped: Step.RETURN_SHIPMENT,
    C.ReturnReceived: Step.RETURN_RECEIPT,
    C.RefundConfirmed: Step.REFUND,
    C.RefundAdvanced: Step.REFUND,  # the platform paid it out of the deposit
    C.ReplacementShipped: Step.REPLACEMENT,
}


@strawberry.type
class FulfilmentStep:
    kind: str = strawberry.field(
        description="return_shipment, return_receipt, refund or replacement, in order"
    )
    party: Party
    done: bool
    due_at: datetime | None = strawberry.field(description="Its latest deadline")
    done_at: datetime | None
    carrier: str | None
    tracking_number: str | None = strawberry.field(description="[erased] after erasure")


@strawberry.type
class Fulfilment:
    steps: list[FulfilmentStep]
    advanced_by_platform: Money | None = strawberry.field(
        description="What the platform paid the consumer from the seller's deposit, when the"
        " seller missed the remedy deadline"
    )

    @classmethod
    def of(cls, history: Sequence[Any]) -> Fulfilment | None:
        """From a case's events: the steps planned, the deadlines set for them, and the events
        that completed them. None before fulfilment starts."""
        started = next((e for e in history if isinstance(e, C.FulfilmentStarted)), None)
        if started is None:
            return None
        due: dict[str, datetime] = {}
        latest: dict[int, str] = {}  # deadline id -> the step it binds
        completed: dict[Step, Any] = {}
        advanced = None
        for event in history:
            if isinstance(event, C.DeadlineSet) and event.ref is not None:
                due[event.ref] = event.due_at
                latest[event.originator_version] = event.ref
            if isinstance(event, C.ClockResumed):  # open deadlines moved later
                for moved in event.extended:
                    ref = latest.get(moved.deadline_id)
                    if ref is not None:
                        due[ref] = moved.due_at
            step = COMPLETES.get(type(event))
            if step is not None and step not in completed:
                completed[step] = event
            if isinstance(event, C.RefundAdvanced):
                advanced = event.amount
        steps = []
        for step in started.steps:
            done = completed.get(step)
            tracking = getattr(done, "tracking_number", None)
            steps.append(
                FulfilmentStep(
                    kind=step.value.lower(),
                    party=Party.of(fulfilment.STEP_TERMS[step].party),
                    done=done is not None,
                    due_at=due.get(step.value),
                    done_at=None if done is None else done.timestamp,
                    carrier=getattr(done, "carrier", None),
                    tracking_number=None if tracking is None else tracking.reveal(),
                )
            )
        return cls(steps=steps, advanced_by_platform=Money.of(advanced))
