"""Orders as the marketplace recorded them, built from the aggregate (one order, a mutation's
result) or from the read model (`myOrders`); the tracking number, personal data, is read from
the order itself, only when asked for."""

from __future__ import annotations

from datetime import datetime

import anyio.to_thread
import strawberry

from complaints.domain import access
from complaints.domain.order import DELIVERED, PAID, OrderFacts, allowed_actions
from complaints.domain.order import Order as OrderAggregate
from complaints.graphql.context import Info
from complaints.graphql.types.relay import PageInfo
from complaints.graphql.types.values import Money
from complaints.projections.orders import OrderRow


@strawberry.type(name="Order")
class OrderNode:
    order_id: str
    shop_id: str
    amount: Money
    paid_at: datetime
    delivered_at: datetime | None
    carrier: str | None
    _facts: strawberry.Private[OrderFacts]
    _aggregate: strawberry.Private[OrderAggregate | None] = None

    @classmethod
    def of(cls, order: OrderAggregate) -> OrderNode:
        node = cls.of_facts(order.facts, order.carrier)
        node._aggregate = order
        return node

    @classmethod
    def of_row(cls, row: OrderRow) -> OrderNode:
        return cls.of_facts(row.facts, row.carrier)

    @classmethod
    def of_facts(cls, facts: OrderFacts, carrier: str | None) -> OrderNode:
        return cls(
            order_id=facts.order_id,
            shop_id=facts.shop_id,
            amount=Money(amount=facts.amount.amount, currency=facts.amount.currency),
            paid_at=facts.paid_at,
            delivered_at=facts.delivered_at,
            carrier=carrier,
            _facts=facts,
        )

    @strawberry.field(
        description="Filing is refused after this moment: FILING_WINDOW after delivery, or"
        " FILING_WINDOW_UNDELIVERED after payment while undelivered (rule R-1.2)"
    )
    def complaint_window_ends_at(self, info: Info) -> datetime:
        return info.context.settings.filing_window.ends_at(self._facts)

    @strawberry.field(description="The consumer's personal data: [erased] after erasure")
    async def tracking_number(self, info: Info) -> str | None:
        if self._aggregate is None:
            app, shop_id, order_id = info.context.app, self.shop_id, self.order_id
            self._aggregate = await anyio.to_thread.run_sync(
                lambda: app.find_order(shop_id, order_id)
            )
        tracking = None if self._aggregate is None else self._aggregate.tracking_number
        return None if tracking is None else tracking.reveal()

    @strawberry.field(description="Mutation names the viewer may call on this order now")
    def allowed_actions(self, info: Info) -> list[str]:
        status = PAID if self._facts.delivered_at is None else DELIVERED
        return allowed_actions(info.context.actor, status)


@strawberry.type
class OrderEdge:
    cursor: str
    node: OrderNode


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo


async def load_order(info: Info, shop_id: str, order_id: str) -> OrderNode | None:
    """The order, if it is recorded and this viewer may see it; None otherwise, either way."""
    app = info.context.app
    order = await anyio.to_thread.run_sync(lambda: app.find_order(shop_id, order_id))
    if order is None or not access.sees_order(
        info.context.actor, consumer_id=order.consumer_id, shop_id=order.shop_id
    ):
        return None
    return OrderNode.of(order)
