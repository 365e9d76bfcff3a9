"""Complaints, built from the aggregate (single reads and mutation results) or from the read
model (lists); fields only one side has are fetched lazily."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain import access
from complaints.domain.complaint import Complaint as ComplaintAggregate
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.records import Offer as OfferRecord
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.text import Text
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.enums import ComplaintCategory, ComplaintStatus, Outcome, Party, Role
from complaints.graphql.errors import CodedError
from complaints.graphql.timeline import timeline_connection
from complaints.graphql.types.case import (
    Appeal,
    Evidence,
    EvidenceRequest,
    ExecutionIssue,
    Finding,
    Fulfilment,
    Intake,
    Rating,
)
from complaints.graphql.types.order import OrderNode, load_order
from complaints.graphql.types.relay import Node, PageInfo
from complaints.graphql.types.rulebook import Rule
from complaints.graphql.types.seller import SellerNode, load_seller
from complaints.graphql.types.timeline import TimelineConnection, TimelineEntry
from complaints.graphql.types.values import Remedy, required_remedy
from complaints.projections.complaint_list import ComplaintSummary, escalates

#: The level of a decision on appeal (1 is the arbiter's ruling).
APPEAL_LEVEL = 2


@strawberry.type
class Offer:
    id: strawberry.ID
    by: Role
    remedy: Remedy
    status: str
    made_at: datetime
    message: str | None = strawberry.field(description="The offer's note; [erased] after erasure")
    accepted_by: list[Role]
    answer_due_at: datetime | None = strawberry.field(
        description="While it is open: until when it may be answered (a mediator's proposal:"
        " settlement_answer, after which it counts as declined; a party's offer: the other"
        " party's turn)"
    )

    @classmethod
    def of(cls, offer: OfferRecord, complaint: ComplaintAggregate) -> Offer:
        due: datetime | None = None
        if offer.is_open:
            kinds = (
                (DeadlineKind.SETTLEMENT_ANSWER,)
                if offer.is_proposal
                else (DeadlineKind.SELLER_RESPONSE, DeadlineKind.NEGOTIATION_TURN)
            )
            ref = offer.id if offer.is_proposal else None
            found = [d for k in kinds if (d := complaint.deadline_of(k, ref)) is not None]
            due = found[0].due_at if found else None
        return cls(
            id=strawberry.ID(offer.id),
            by=offer.by,
            remedy=required_remedy(offer.remedy),
            status=offer.status.value,
            made_at=offer.made_at,
            message=offer.message.reveal() if offer.message else None,
            accepted_by=sorted(offer.accepted_by, key=lambda r: r.value),
            answer_due_at=due,
        )


@strawberry.type
class Deadline:
    id: strawberry.ID = strawberry.field(
        description="The deadline's number in its case (timeline details name it)"
    )
    kind: str
    due_at: datetime
    party: Role | None
    overdue: bool


@strawberry.type
class Ruling:
    outcome: Outcome
    remedy: Remedy | None
    rationale: str
    rules: list[Rule] = strawberry.field(description="The rules it cites, with their texts")
    decided_at: datetime
    by_default: bool
    enforced_deadline: Deadline | None = strawberry.field(
        description="For a ruling by default: the deadline whose lapse decided it"
    )
    acknowledged_by: list[Party] = strawberry.field(
        description="The parties who acknowledged its written notice"
    )


@strawberry.type(
    description="The decision on an appeal, final: the rules it rests on, and who acknowledged it"
)
class AppealDecision:
    granted: bool
    outcome: Outcome | None
    remedy: Remedy | None
    rationale: str
    rules: list[Rule] = strawberry.field(description="The rules it cites, with their texts")
    decided_at: datetime
    acknowledged_by: list[Party] = strawberry.field(
        description="The parties who acknowledged its written notice (acknowledgeRuling)"
    )


def acknowledged_at(complaint: ComplaintAggregate, level: int) -> list[Party]:
    """The parties who acknowledged the decision of a level (1: the ruling, 2: the appeal's)."""
    return sorted(
        (Party.of(by) for at, by in complaint.acknowledgements if at == level),
        key=lambda party: party.value,
    )


def cited(codes: tuple[str, ...], at: datetime) -> list[Rule]:
    return [Rule.of(r) for c in codes if (r := RULEBOOK.rule(c, at=at))]


@strawberry.type(name="Complaint")
class ComplaintNode(Node):
    id: strawberry.ID
    reference: str
    status: ComplaintStatus
    category: ComplaintCategory
    order_id: str
    requested_remedy: Remedy
    outcome: Outcome | None
    remedy: Remedy | None
    version: int
    filed_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    decided_by_default: bool
    shop_id: str
    clock_paused: bool = strawberry.field(description="Deadlines wait while the clock is paused")
    paused_hours: float = strawberry.field(description="Time spent with the clock paused")
    _id: strawberry.Private[UUID]
    _aggregate: strawberry.Private[ComplaintAggregate | None] = None
    _as_of: strawberry.Private[bool] = False
    _escalated: strawberry.Private[bool | None] = None

    @classmethod
    def of(cls, complaint: ComplaintAggregate, *, as_of: bool = False) -> ComplaintNode:
        return cls(
            id=strawberry.ID(ids.global_id("Complaint", complaint.id)),
            reference=complaint.reference,
            status=complaint.status,
            category=complaint.category,
            order_id=complaint.order_id,
            requested_remedy=required_remedy(complaint.requested_remedy),
            outcome=complaint.outcome,
            remedy=Remedy.of(complaint.remedy),
            version=complaint.version,
            filed_at=complaint.filed_at,
            updated_at=complaint.modified_on,
            closed_at=complaint.closed_at,
            decided_by_default=complaint.decided_by_default,
            shop_id=complaint.shop_id,
            clock_paused=complaint.paused_at is not None,
            paused_hours=complaint.paused_seconds / 3600,
            _id=complaint.id,
            _aggregate=complaint,
            _as_of=as_of,
        )

    @classmethod
    def of_summary(cls, summary: ComplaintSummary) -> ComplaintNode:
        return cls(
            id=strawberry.ID(ids.global_id("Complaint", summary.id)),
            reference=summary.reference,
            status=summary.status,
            category=summary.category,
            order_id=summary.order_id,
            requested_remedy=required_remedy(summary.requested_remedy),
            outcome=summary.outcome,
            remedy=Remedy.of(summary.remedy),
            version=summary.version,
            filed_at=summary.filed_at,
            updated_at=summary.updated_at,
            closed_at=summary.closed_at,
            decided_by_default=summary.decided_by_default,
            shop_id=summary.shop_id,
            clock_paused=summary.paused,
            paused_hours=summary.paused_seconds / 3600,
            _id=summary.id,
            _escalated=summary.escalated,
        )

    async def _complaint(self, info: Info) -> ComplaintAggregate | None:
        if self._aggregate is None:
            self._aggregate = await info.context.complaint(self._id)
        return self._aggregate

    @strawberry.field
    async def seller(self, info: Info) -> SellerNode:
        seller = await load_seller(info, self.shop_id)
        assert seller is not None, f"complaint against unknown shop {self.shop_id}"
        return seller

    @strawberry.field(description="null or [erased] after erasure")
    async def description(self, info: Info) -> str | None:
        complaint = await self._complaint(info)
        return None if complaint is None else complaint.description.reveal()

    @strawberry.field
    async def offers(self, info: Info) -> list[Offer]:
        complaint = await self._complaint(info)
        return [] if complaint is None else [Offer.of(o, complaint) for o in complaint.offers]

    @strawberry.field(description="Open deadlines this viewer may see")
    async def deadlines(self, info: Info) -> list[Deadline]:
        complaint = await self._complaint(info)
        if complaint is None:
            return []
        viewer = info.context.actor
        return [
            Deadline(
                id=strawberry.ID(str(d.id)),
                kind=d.kind.value,
                due_at=d.due_at,
                party=d.party,
                overdue=d.overdue,
            )
            for d in complaint.open_deadlines
            if access.sees_entry(viewer, access.deadline_audience(d.kind))
        ]

    @strawberry.field(
        description="Staff and auditors: the mediator assigned (assignMediator); null for others"
    )
    async def assigned_mediator_id(self, info: Info) -> str | None:
        if not access.sees_arbiter(info.context.actor):
            return None
        complaint = await self._complaint(info)
        return None if complaint is None else complaint.assigned_mediator_id

    @strawberry.field(description="Staff and auditors: the arbiter assigned; null for others")
    async def assigned_arbiter_id(self, info: Info) -> str | None:
        if not access.sees_arbiter(info.context.actor):
            return None
        complaint = await self._complaint(info)
        return None if complaint is None else complaint.arbiter_id

    @strawberry.field(
        description="The consumer who filed: for staff, auditors and the consumer; null for the"
        " seller, who deals with the case, not with the person"
    )
    async def consumer_id(self, info: Info) -> str | None:
        complaint = await self._complaint(info)
        if complaint is None or not access.sees_consumer_id(
            info.context.actor, complaint.consumer_id
        ):
            return None
        return complaint.consumer_id

    @strawberry.field(
        description="The order the case is about, as the marketplace recorded it: for the"
        " order's consumer, the shop's staff, platform staff and auditors; null where orders"
        " were not checked at filing (ORDER_CHECK=off)"
    )
    async def order(self, info: Info) -> OrderNode | None:
        complaint = await self._complaint(info)
        if complaint is None or complaint.order is None:
            return None
        return await load_order(info, complaint.shop_id, complaint.order_id)

    @strawberry.field(
        description="The case went to platform review: by request, by a missed deadline, or"
        " straight from intake (from the complaint list, which a write is visible in before"
        " its mutation answers)"
    )
    async def escalated(self, info: Info) -> bool:
        if self._escalated is None:
            context = info.context
            if self._as_of:  # as it stood then: from its events up to that version
                events = context.app.events
                self._escalated = await anyio.to_thread.run_sync(
                    lambda: any(map(escalates, events.get(self._id, lte=self.version)))
                )
            else:
                summary = await anyio.to_thread.run_sync(
                    context.read_models.complaints.get, context.actor, self._id
                )
                self._escalated = summary is not None and summary.escalated
        return self._escalated

    @strawberry.field(
        description="The decision under review: the arbiter's ruling, or the ruling by default"
        " when a party let its deadline pass (the deadline it enforced is named)"
    )
    async def ruling(self, info: Info) -> Ruling | None:
        complaint = await self._complaint(info)
        if complaint is None:
            return None
        acknowledged = acknowledged_at(complaint, 1)
        first = next((r for r in complaint.rulings if r.level == 1), None)
        if first is not None:
            return Ruling(
                outcome=first.outcome,
                remedy=Remedy.of(first.remedy),
                rationale=first.rationale,
                rules=cited(first.rule_codes, first.decided_at),
                decided_at=first.decided_at,
                by_default=False,
                enforced_deadline=None,
                acknowledged_by=acknowledged,
            )
        by_default = complaint.default_ruling
        if by_default is None:
            return None
        deadline = by_default.deadline
        return Ruling(
            outcome=by_default.outcome,
            remedy=Remedy.of(by_default.remedy),
            rationale=f"The {deadline.kind.value.replace('_', ' ')} deadline passed"
            " without an answer.",
            rules=cited(by_default.rule_codes, by_default.decided_at),
            decided_at=by_default.decided_at,
            by_default=True,
            enforced_deadline=Deadline(
                id=strawberry.ID(str(deadline.id)),
                kind=deadline.kind.value,
                due_at=deadline.due_at,
                party=deadline.party,
                overdue=False,
            ),
            acknowledged_by=acknowledged,
        )

    @strawberry.field(
        description="The decision on the appeal, once made (Complaint.appeal shows the appeal)"
    )
    async def appeal_decision(self, info: Info) -> AppealDecision | None:
        complaint = await self._complaint(info)
        if complaint is None:
            return None
        decided = next((r for r in complaint.rulings if r.level == APPEAL_LEVEL), None)
        if decided is None:
            return None
        return AppealDecision(
            granted=bool(decided.granted),
            outcome=decided.outcome,
            remedy=Remedy.of(decided.remedy),
            rationale=decided.rationale,
            rules=cited(decided.rule_codes, decided.decided_at),
            decided_at=decided.decided_at,
            acknowledged_by=acknowledged_at(complaint, APPEAL_LEVEL),
        )

    @strawberry.field(
        description="How the remedy is carried out, step by step; null before it starts"
    )
    async def fulfilment(self, info: Info) -> Fulfilment | None:
        complaint = await self._complaint(info)
        if complaint is None or (not complaint.final and not complaint.pending_steps):
            return None
        events = info.context.app.events
        history = await anyio.to_thread.run_sync(
            lambda: list(events.get(complaint.id, lte=complaint.version))
        )
        return Fulfilment.of(history)

    @strawberry.field(description="What intake decided: returns for information, rejection")
    async def intake(self, info: Info) -> Intake:
        return Intake.of(await self._complaint(info))

    @strawberry.field(description="Evidence the arbiter asked of the parties, oldest first")
    async def evidence_requests(self, info: Info) -> list[EvidenceRequest]:
        complaint = await self._complaint(info)
        if complaint is None:
            return []
        return [EvidenceRequest.of(r, complaint) for r in complaint.evidence_requests]

    @strawberry.field(description="Evidence the parties submitted, oldest first")
    async def evidence(self, info: Info) -> list[Evidence]:
        complaint = await self._complaint(info)
        return [] if complaint is None else [Evidence.of(e) for e in complaint.evidence]

    @strawberry.field(
        description="Staff and auditors: the arbiter's preliminary findings; empty for others"
    )
    async def findings(self, info: Info) -> list[Finding]:
        if not access.sees_findings(info.context.actor):
            return []
        complaint = await self._complaint(info)
        return [] if complaint is None else [Finding.of(f) for f in complaint.findings]

    @strawberry.field(
        description="The first appeal filed (a second party's appeal joins the same review),"
        " with its decision once made"
    )
    async def appeal(self, info: Info) -> Appeal | None:
        complaint = await self._complaint(info)
        if complaint is None or not complaint.appeals:
            return None
        decision = next((r for r in complaint.rulings if r.level == APPEAL_LEVEL), None)
        review = complaint.deadline_of(DeadlineKind.APPEAL_REVIEW)
        staff = access.sees_staff_deadlines(info.context.actor)
        due_at = review.due_at if review is not None and staff else None
        return Appeal.of(complaint.appeals[0], decision, due_at)

    @strawberry.field(description="Problems the parties reported while the remedy was carried out")
    async def execution_issues(self, info: Info) -> list[ExecutionIssue]:
        complaint = await self._complaint(info)
        if complaint is None:
            return []
        staff = access.sees_staff_deadlines(info.context.actor)
        return [ExecutionIssue.of(i, complaint, staff=staff) for i in complaint.execution_issues]

    @strawberry.field(description="A party sees its own rating; staff and auditors see all")
    async def ratings(self, info: Info) -> list[Rating]:
        complaint = await self._complaint(info)
        if complaint is None:
            return []
        viewer = info.context.actor
        return [
            Rating.of(r)
            for r in sorted(complaint.ratings.values(), key=lambda r: r.rated_at)
            if access.sees_rating(viewer, r.by)
        ]

    @strawberry.field(description="Mutation names the current viewer may call now")
    async def allowed_actions(self, info: Info) -> list[str]:
        complaint = await self._complaint(info)
        if complaint is None or self._as_of:
            return []
        return complaint.allowed_actions(info.context.actor, info.context.app.clock.now())

    @strawberry.field(description="Redacted for the viewer; cursors are stable across appends")
    async def timeline(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> TimelineConnection:
        return await timeline_connection(
            info,
            self._id,
            first=first,
            after=after,
            upto_version=self.version if self._as_of else None,
        )


@strawberry.type
class ComplaintEdge:
    cursor: str
    node: ComplaintNode


@strawberry.type
class ComplaintConnection:
    edges: list[ComplaintEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class ComplaintUpdate:
    position: int
    entry: TimelineEntry
    _complaint_id: strawberry.Private[UUID]

    @strawberry.field(description="The complaint as it stands now, read only when asked for")
    async def complaint(self, info: Info) -> ComplaintNode:
        # The hub hands a subscriber only entries of cases it may see; a frame that does not
        # select the complaint costs no load of it.
        complaint = await info.context.complaint(self._complaint_id, fresh=True)
        if complaint is None:
            raise CodedError("NOT_FOUND", Text("The complaint is no longer there to read."))
        return ComplaintNode.of(complaint)
