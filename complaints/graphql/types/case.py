"""What a case page draws, typed: evidence requests and evidence, findings, the appeal,
execution issues and ratings, each read from the complaint and redacted for the viewer."""

from __future__ import annotations

from datetime import datetime

import strawberry

from complaints.domain import records
from complaints.domain.complaint import Complaint as ComplaintAggregate
from complaints.domain.deadlines import DeadlineKind
from complaints.graphql.enums import Party, Role


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
        waiting = any(
            d.kind is DeadlineKind.EVIDENCE and d.ref == request.id
            for d in complaint.open_deadlines
        )
        status = "FULFILLED" if request.fulfilled else "OPEN" if waiting else "MISSED"
        return cls(
            id=strawberry.ID(request.id),
            party=Party.of(request.party),
            kinds=list(request.kinds),
            note=request.note,
            requested_at=request.requested_at,
            due_at=request.due_at,
            status=status,
        )


@strawberry.type
class Evidence:
    id: strawberry.ID
    party: Party
    kind: str
    description: str | None = strawberry.field(description="[erased] after erasure")
    sha256: str | None = strawberry.field(description="The uploaded file it names, if any")
    submitted_at: datetime
    request_id: strawberry.ID | None

    @classmethod
    def of(cls, evidence: records.Evidence) -> Evidence:
        return cls(
            id=strawberry.ID(evidence.id),
            party=Party.of(evidence.by),
            kind=evidence.kind,
            description=evidence.description.reveal(),
            sha256=evidence.sha256,
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

    @classmethod
    def of(cls, appeal: records.Appeal, decision: records.Ruling | None) -> Appeal:
        return cls(
            by=Party.of(appeal.by),
            grounds=appeal.grounds.reveal(),
            filed_at=appeal.filed_at,
            granted=None if decision is None else decision.granted,
            decided_at=None if decision is None else decision.decided_at,
            rationale=None if decision is None else decision.rationale,
        )


@strawberry.type
class ExecutionIssue:
    id: strawberry.ID
    raised_by: Role
    text: str | None = strawberry.field(description="[erased] after erasure")
    raised_at: datetime
    due_at: datetime | None = strawberry.field(
        description="When supervision must answer; null while issues carry no deadline"
    )
    resolution: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, issue: records.ExecutionIssue) -> ExecutionIssue:
        return cls(
            id=strawberry.ID(issue.id),
            raised_by=issue.by,
            text=issue.text.reveal(),
            raised_at=issue.raised_at,
            due_at=None,
            resolution=issue.resolution,
            resolved_at=issue.resolved_at,
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
