"""Shops: their public page, after-sales policy, sanctions and scorecard; the deposit for their
own staff and platform staff only."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain import access
from complaints.domain.errors import SanctionNotFound, SellerNotFound
from complaints.domain.seller import AfterSalesPolicy as PolicyValue
from complaints.domain.seller import Sanction as SanctionValue
from complaints.domain.seller import Seller as SellerAggregate
from complaints.domain.values import Money as MoneyValue
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.enums import Party, SanctionKind
from complaints.graphql.types.case import Appeal
from complaints.graphql.types.relay import Node, PageInfo
from complaints.graphql.types.values import Money
from complaints.projections.sellers import SanctionRecord, SellerRecord, StandingRecord


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
    lifted_at: datetime | None = strawberry.field(
        description="When it ended: lifted, granted on appeal, or expired"
    )
    complaint_id: strawberry.ID | None
    id: strawberry.ID = strawberry.field(description="Unique within its shop: s1, s2, ...")
    until: datetime | None = strawberry.field(
        description="When it expires (SANCTION_DURATIONS); null: until a supervisor lifts it"
    )
    _shop_id: strawberry.Private[str]
    _value: strawberry.Private[SanctionValue | None] = None

    @classmethod
    def of(cls, sanction: SanctionRecord | SanctionValue, shop_id: str) -> Sanction:
        return cls(
            id=strawberry.ID(
                sanction.sanction_id if isinstance(sanction, SanctionRecord) else sanction.id
            ),
            kind=sanction.kind,
            reason=sanction.reason,
            imposed_at=sanction.imposed_at,
            lifted_at=sanction.lifted_at,
            until=sanction.until,
            complaint_id=strawberry.ID(ids.global_id("Complaint", sanction.complaint_id))
            if sanction.complaint_id
            else None,
            _shop_id=shop_id,
            _value=sanction if isinstance(sanction, SanctionValue) else None,
        )

    @strawberry.field(
        description="The shop's appeal and its decision; for the shop's own staff, platform"
        " staff and auditors (null for others)"
    )
    async def appeal(self, info: Info) -> Appeal | None:
        if not access.sees_deposit(info.context.actor, self._shop_id):
            return None
        value = self._value
        if value is None:
            try:
                seller = await anyio.to_thread.run_sync(info.context.app.get_seller, self._shop_id)
            except SellerNotFound:
                return None
            value = next((s for s in seller.sanctions if s.id == self.id), None)
        if value is None or value.appeal is None:
            return None
        appeal = value.appeal
        return Appeal(
            by=Party.SELLER,
            grounds=appeal.grounds.reveal(),
            filed_at=appeal.filed_at,
            granted=appeal.granted,
            decided_at=appeal.decided_at,
            rationale=appeal.rationale,
            decision_due_at=appeal.decision_due_at,
        )

    @strawberry.field(
        description="Mutation names the viewer may call on this sanction now: liftSanction,"
        " appealSanction, decideSanctionAppeal"
    )
    async def allowed_actions(self, info: Info) -> list[str]:
        seller = await read_seller(info, self._shop_id)
        if seller is None:
            return []
        try:
            return seller.sanction_actions(
                self.id, info.context.actor, info.context.app.clock.now()
            )
        except SanctionNotFound:
            return []


@strawberry.type(
    description="What the marketplace asks before it lists a product or takes an order for a"
    " shop: its standing now, from its active sanctions"
)
class SellerStanding:
    shop_id: str
    status: str = strawberry.field(description="OPEN, TRADING_RESTRICTED or CLOSED")
    can_take_orders: bool = strawberry.field(description="False while the shop is closed")
    can_list_products: bool = strawberry.field(
        description="False while the shop's trading is restricted or the shop is closed"
    )
    restricted_until: datetime | None = strawberry.field(
        description="When the restriction that binds ends (the latest end of the active"
        " restrictions and closures); null: not restricted, or restricted until a supervisor"
        " lifts it"
    )
    active_sanctions: list[Sanction]

    @classmethod
    def of(cls, record: StandingRecord) -> SellerStanding:
        standing = record.standing
        return cls(
            shop_id=record.shop_id,
            status=standing.status,
            can_take_orders=standing.can_take_orders,
            can_list_products=standing.can_list_products,
            restricted_until=standing.restricted_until,
            active_sanctions=[Sanction.of(s, record.shop_id) for s in record.active_sanctions],
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

    @strawberry.field(
        description="Mutation names the viewer may call on this shop now (those on one of its"
        " sanctions when they are open on at least one; see Sanction.allowedActions)"
    )
    async def allowed_actions(self, info: Info) -> list[str]:
        seller = await read_seller(info, self.shop_id)
        if seller is None:
            return []
        return seller.allowed_actions(info.context.actor, info.context.app.clock.now())

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
            sanctions=[Sanction.of(s, shop.shop_id) for s in shop.sanctions],
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


async def read_seller(info: Info, shop_id: str) -> SellerAggregate | None:
    """The shop as it stands now (the rules read it, not the read model, which may lag)."""
    try:
        return await anyio.to_thread.run_sync(info.context.app.read_seller, shop_id)
    except SellerNotFound:
        return None


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
