"""The contract's object types. Complaints are built from the aggregate (single reads and
mutation results) or from the read model (lists); fields only one side has are fetched lazily."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from complaints.domain import access
from complaints.domain.complaint import Complaint as ComplaintAggregate
from complaints.domain.errors import SellerNotFound
from complaints.domain.records import Offer as OfferRecord
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.rulebook import Rule as RuleRecord
from complaints.domain.seller import Seller as SellerAggregate
from complaints.domain.values import Money as MoneyValue
from complaints.domain.values import PersonalText
from complaints.domain.values import Remedy as RemedyValue
from complaints.domain.violation import Violation as ViolationAggregate
from complaints.graphql import ids
from complaints.graphql.context import Context
from complaints.graphql.enums import (
    ComplaintCategory,
    ComplaintStatus,
    Outcome,
    RemedyType,
    Role,
    SanctionKind,
    ViolationKind,
)
from complaints.projections.complaint_list import ComplaintSummary
from complaints.projections.sellers import SellerRecord
from complaints.projections.statistics import PeriodStatistics
from complaints.projections.timeline import TimelineEntry as EntryRecord

Info = strawberry.Info[Context, None]


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, money: MoneyValue | None) -> Money | None:
        return None if money is None else cls(amount=money.amount, currency=money.currency)


@strawberry.type
class Remedy:
    type: RemedyType
    amount: Money | None

    @classmethod
    def of(cls, remedy: RemedyValue | None) -> Remedy | None:
        return None if remedy is None else cls(type=remedy.type, amount=Money.of(remedy.amount))


def required_remedy(remedy: RemedyValue) -> Remedy:
    converted = Remedy.of(remedy)
    assert converted is not None
    return converted


@strawberry.type
class Offer:
    id: strawberry.ID
    by: Role
    remedy: Remedy
    status: str
    made_at: datetime
    message: str | None = strawberry.field(description="The offer's note; [erased] after erasure")
    accepted_by: list[Role]

    @classmethod
    def of(cls, offer: OfferRecord) -> Offer:
        return cls(
            id=strawberry.ID(offer.id),
            by=offer.by,
            remedy=required_remedy(offer.remedy),
            status=offer.status.value,
            made_at=offer.made_at,
            message=offer.message.reveal() if offer.message else None,
            accepted_by=sorted(offer.accepted_by, key=lambda r: r.value),
        )


@strawberry.type
class Deadline:
    kind: str
    due_at: datetime
    party: Role | None
    overdue: bool


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(cursors: list[str], *, has_next: bool, after: Any) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type
class TimelineEntry:
    position: int
    type: str
    at: datetime
    actor_role: Role
    summary: str
    version: int
    actor_id: str | None = strawberry.field(
        description="Who acted: shown to staff and auditors, and to parties for their own acts"
    )
    details: JSON
    _complaint_id: strawberry.Private[UUID]
    _personal: strawberry.Private[tuple[str, ...]]

    @classmethod
    def of(cls, entry: EntryRecord) -> TimelineEntry:
        return cls(
            position=entry.position,
            type=entry.type,
            at=entry.at,
            actor_role=entry.actor_role,
            summary=entry.summary,
            version=entry.version,
            actor_id=entry.actor_id,
            details=JSON(entry.details),
            _complaint_id=entry.complaint_id,
            _personal=entry.personal,
        )

    @strawberry.field(description="The rules this entry's decision cites, with their texts")
    def rules(self) -> list[Rule]:
        details: dict[str, Any] = self.details  # type: ignore[assignment]
        codes = list(details.get("rule_codes") or [])
        if details.get("rule_code"):
            codes.append(details["rule_code"])
        return [Rule.of(rule) for code in codes if (rule := RULEBOOK.rule(code)) is not None]

    @strawberry.field(
        description="The entry's personal text (a message, a description), read from the event"
        " store for whoever may see the entry; [erased] once its author was erased"
    )
    async def text(self, info: Info) -> str | None:
        if not self._personal:
            return None
        app = info.context.app
        event = await anyio.to_thread.run_sync(app.event, self._complaint_id, self.version)
        texts = [getattr(event, name, None) for name in self._personal]
        shown = [t.reveal() for t in texts if isinstance(t, PersonalText)]
        return "\n".join(shown) if shown else None


@strawberry.type(description="A rule of the platform rulebook, cited by decisions")
class Rule:
    code: str
    title: str
    text: str
    law: str | None

    @classmethod
    def of(cls, rule: RuleRecord) -> Rule:
        return cls(code=rule.code, title=rule.title, text=rule.text, law=rule.law)


@strawberry.type(description="Advice for consumers with a problem of one category")
class Guide:
    category: ComplaintCategory
    title: str
    text: str


@strawberry.type
class TimelineEdge:
    cursor: str
    node: TimelineEntry


@strawberry.type
class TimelineConnection:
    edges: list[TimelineEdge]
    page_info: PageInfo


@strawberry.type
class AfterSalesPolicy:
    return_window_days: int
    exchange_allowed: bool
    warranty_months: int
    terms: str


@strawberry.type
class Sanction:
    kind: SanctionKind
    reason: str
    imposed_at: datetime
    lifted_at: datetime | None
    complaint_id: strawberry.ID | None


@strawberry.type
class SellerScorecard:
    complaints: int
    upheld_against_seller: int
    median_resolution_hours: float | None
    violations: int
    failed_spot_checks: int
    strikes: int = strawberry.field(
        description="Offences counted on the sanction ladder: missed remedies, confirmed"
        " counterfeits and fraud, failed spot checks"
    )


@strawberry.type(name="Seller")
class SellerNode(Node):
    id: strawberry.ID
    shop_id: str
    name: str
    status: str = strawberry.field(description="OPEN, TRADING_RESTRICTED or CLOSED")
    after_sales_policy: AfterSalesPolicy | None
    sanctions: list[Sanction]
    scorecard: SellerScorecard
    _deposit: strawberry.Private[MoneyValue]
    _debt: strawberry.Private[MoneyValue]
    cursor_seq: strawberry.Private[int | None] = None

    @strawberry.field(description="Seller staff of the shop and platform staff only")
    def deposit_balance(self, info: Info) -> Money | None:
        if not access.sees_deposit(info.context.actor, self.shop_id):
            return None
        return Money.of(self._deposit)

    @strawberry.field(description="What the deposit could not cover; same audience as the deposit")
    def deposit_debt(self, info: Info) -> Money | None:
        if not access.sees_deposit(info.context.actor, self.shop_id):
            return None
        return Money.of(self._debt)

    @classmethod
    def of(cls, record: SellerRecord) -> SellerNode:
        policy = record.policy
        return cls(
            id=strawberry.ID(ids.global_id("Seller", record.seller_id)),
            shop_id=record.shop_id,
            name=record.name,
            status=record.status,
            after_sales_policy=None
            if policy is None
            else AfterSalesPolicy(
                return_window_days=policy.return_window_days,
                exchange_allowed=policy.exchange_allowed,
                warranty_months=policy.warranty_months,
                terms=policy.terms,
            ),
            sanctions=[
                Sanction(
                    kind=s.kind,
                    reason=s.reason,
                    imposed_at=s.imposed_at,
                    lifted_at=s.lifted_at,
                    complaint_id=strawberry.ID(ids.global_id("Complaint", s.complaint_id))
                    if s.complaint_id
                    else None,
                )
                for s in record.sanctions
            ],
            scorecard=SellerScorecard(
                complaints=record.scorecard.complaints,
                upheld_against_seller=record.scorecard.upheld_against_seller,
                median_resolution_hours=record.scorecard.median_resolution_hours,
                violations=record.scorecard.violations,
                failed_spot_checks=record.scorecard.failed_spot_checks,
                strikes=record.scorecard.strikes,
            ),
            _deposit=record.deposit,
            _debt=record.debt,
            cursor_seq=record.sanctioned_seq,
        )

    @classmethod
    def of_aggregate(cls, seller: SellerAggregate) -> SellerNode:
        """A shop the read model has not caught up with yet: the aggregate's own facts."""
        policy = seller.policy
        return cls(
            id=strawberry.ID(ids.global_id("Seller", seller.id)),
            shop_id=seller.shop_id,
            name=seller.name,
            status=seller.status,
            after_sales_policy=None
            if policy is None
            else AfterSalesPolicy(
                return_window_days=policy.return_window_days,
                exchange_allowed=policy.exchange_allowed,
                warranty_months=policy.warranty_months,
                terms=policy.terms,
            ),
            sanctions=[
                Sanction(
                    kind=s.kind,
                    reason=s.reason,
                    imposed_at=s.imposed_at,
                    lifted_at=s.lifted_at,
                    complaint_id=strawberry.ID(ids.global_id("Complaint", s.complaint_id))
                    if s.complaint_id
                    else None,
                )
                for s in seller.sanctions
            ],
            scorecard=SellerScorecard(
                complaints=0,
                upheld_against_seller=0,
                median_resolution_hours=None,
                violations=len(seller.violations),
                failed_spot_checks=sum(not c.passed for c in seller.spot_checks),
                strikes=len(seller.strikes),
            ),
            _deposit=seller.deposit,
            _debt=seller.outstanding_debt,
        )


async def load_seller(info: Info, shop_id: str) -> SellerNode | None:
    context = info.context
    record = await anyio.to_thread.run_sync(context.read_models.sellers.get, shop_id)
    if record is not None:
        return SellerNode.of(record)
    try:
        aggregate = await anyio.to_thread.run_sync(context.app.get_seller, shop_id)
    except SellerNotFound:
        return None
    return SellerNode.of_aggregate(aggregate)


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
        return [] if complaint is None else [Offer.of(o) for o in complaint.offers]

    @strawberry.field(description="Open deadlines this viewer may see")
    async def deadlines(self, info: Info) -> list[Deadline]:
        complaint = await self._complaint(info)
        if complaint is None:
            return []
        viewer = info.context.actor
        return [
            Deadline(kind=d.kind.value, due_at=d.due_at, party=d.party, overdue=d.overdue)
            for d in complaint.open_deadlines
            if access.sees_entry(viewer, access.deadline_audience(d.kind))
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
        from complaints.graphql.resolvers import timeline_connection  # noqa: PLC0415

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
class SellerEdge:
    cursor: str
    node: SellerNode


@strawberry.type
class SellerConnection:
    edges: list[SellerEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class Statistics:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    filed: int
    closed: int
    by_outcome: JSON
    by_category: JSON
    median_resolution_hours: float | None
    satisfaction_average: float | None
    satisfaction_responses: int
    default_ruling_rate: float | None
    paused_hours: float = strawberry.field(
        description="Hours that cases closed in the period spent with their clock paused"
    )
    median_active_resolution_hours: float | None = strawberry.field(
        description="Median resolution time leaving paused time out"
    )
    escalations: int = strawberry.field(
        description="Cases the platform took over because the parties did not agree in time"
    )
    advance_refunds: int = strawberry.field(
        description="Refunds the platform paid first and recovered from a seller's deposit"
    )
    advanced: list[Money] = strawberry.field(description="Their sum, one entry per currency")
    overdue_staff_deadlines: JSON = strawberry.field(
        description="Intake, pickup and ruling deadlines that ran overdue, by kind"
    )
    sanctions_imposed: JSON = strawberry.field(description="Sanctions imposed, by kind")

    @classmethod
    def of(cls, figures: PeriodStatistics) -> Statistics:
        return cls(
            from_=figures.start,
            to=figures.end,
            filed=figures.filed,
            closed=figures.closed,
            by_outcome=JSON(figures.by_outcome),
            by_category=JSON(figures.by_category),
            median_resolution_hours=figures.median_resolution_hours,
            satisfaction_average=figures.satisfaction_average,
            satisfaction_responses=figures.satisfaction_responses,
            default_ruling_rate=figures.default_ruling_rate,
            paused_hours=figures.paused_hours,
            median_active_resolution_hours=figures.median_active_resolution_hours,
            escalations=figures.escalations,
            advance_refunds=figures.advance_refunds,
            advanced=[Money(amount=a, currency=c) for c, a in figures.advanced.items()],
            overdue_staff_deadlines=JSON(figures.overdue_staff_deadlines),
            sanctions_imposed=JSON(figures.sanctions_imposed),
        )


@strawberry.type
class Violation(Node):
    id: strawberry.ID
    shop_id: str
    kind: ViolationKind
    status: str
    reported_at: datetime
    complaint_id: strawberry.ID | None

    @classmethod
    def of(cls, violation: ViolationAggregate) -> Violation:
        return cls(
            id=strawberry.ID(ids.global_id("Violation", violation.id)),
            shop_id=violation.shop_id,
            kind=violation.kind,
            status=violation.status.value,
            reported_at=violation.reported_at,
            complaint_id=strawberry.ID(ids.global_id("Complaint", violation.complaint_id))
            if violation.complaint_id
            else None,
        )


@strawberry.type
class ErasureReceipt:
    subject_id: str
    erased_at: datetime


@strawberry.type
class ComplaintUpdate:
    position: int
    complaint: ComplaintNode
    entry: TimelineEntry


@strawberry.type
class AuditEvent:
    version: int
    type: str
    recorded_at: datetime
    actor_role: Role
    actor_id: str | None
    data: JSON
    hash: str
    previous_hash: str | None


@strawberry.type
class AuditTrail:
    complaint_id: strawberry.ID
    events: list[AuditEvent]
    verified: bool
    first_broken_version: int | None
