"""Shops: their public page, after-sales policy, sanctions and scorecard; the deposit for their
own staff and platform staff only."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain import access
from complaints.domain.errors import SellerNotFound
from complaints.domain.seller import AfterSalesPolicy as PolicyValue
from complaints.domain.seller import Sanction as SanctionValue
from complaints.domain.seller import Seller as SellerAggregate
from complaints.domain.values import Money as MoneyValue
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.enums import SanctionKind
from complaints.graphql.types.relay import Node, PageInfo
from complaints.graphql.types.values import Money
from complaints.projections.sellers import SanctionRecord, SellerRecord


@strawberry.type
class AfterSalesPolicy:
    return_window_days: int
    exchange_allowed: bool
    warranty_months: int
    terms: str

    @classmethod
    def of(cls, policy: PolicyValue | None) -> AfterSalesPolicy | None:
        if policy is None:
            return None
        return cls(
            return_window_days=policy.return_window_days,
            exchange_allowed=policy.exchange_allowed,
            warranty_months=policy.warranty_months,
            terms=policy.terms,
        )


@strawberry.type
class Sanction:
    kind: SanctionKind
    reason: str
    imposed_at: datetime
    lifted_at: datetime | None
    complaint_id: strawberry.ID | None

    @classmethod
    def of(cls, sanction: SanctionRecord | SanctionValue) -> Sanction:
        return cls(
            kind=sanction.kind,
            reason=sanction.reason,
            imposed_at=sanction.imposed_at,
            lifted_at=sanction.lifted_at,
            complaint_id=strawberry.ID(ids.global_id("Complaint", sanction.complaint_id))
            if sanction.complaint_id
            else None,
        )


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
        scorecard = record.scorecard
        return cls._of(
            record,
            record.seller_id,
            SellerScorecard(
                complaints=scorecard.complaints,
                upheld_against_seller=scorecard.upheld_against_seller,
                median_resolution_hours=scorecard.median_resolution_hours,
                violations=scorecard.violations,
                failed_spot_checks=scorecard.failed_spot_checks,
                strikes=scorecard.strikes,
            ),
            deposit=record.deposit,
            debt=record.debt,
            cursor_seq=record.sanctioned_seq,
        )

    @classmethod
    def of_aggregate(cls, seller: SellerAggregate) -> SellerNode:
        """A shop the read model has not caught up with yet: the aggregate's own facts."""
        return cls._of(
            seller,
            seller.id,
            SellerScorecard(
                complaints=0,
                upheld_against_seller=0,
                median_resolution_hours=None,
                violations=len(seller.violations),
                failed_spot_checks=sum(not c.passed for c in seller.spot_checks),
                strikes=len(seller.strikes),
            ),
            deposit=seller.deposit,
            debt=seller.outstanding_debt,
        )

    @classmethod
    def _of(
        cls,
        shop: SellerRecord | SellerAggregate,
        seller_id: UUID,
        scorecard: SellerScorecard,
        *,
        deposit: MoneyValue,
        debt: MoneyValue,
        cursor_seq: int | None = None,
    ) -> SellerNode:
        """The record and the aggregate name their common facts alike: map those once."""
        return cls(
            id=strawberry.ID(ids.global_id("Seller", seller_id)),
            shop_id=shop.shop_id,
            name=shop.name,
            status=shop.status,
            after_sales_policy=AfterSalesPolicy.of(shop.policy),
            sanctions=[Sanction.of(s) for s in shop.sanctions],
            scorecard=scorecard,
            _deposit=deposit,
            _debt=debt,
            cursor_seq=cursor_seq,
        )


@strawberry.type
class SellerEdge:
    cursor: str
    node: SellerNode


@strawberry.type
class SellerConnection:
    edges: list[SellerEdge]
    page_info: PageInfo
    total_count: int


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
