"""Orders, the marketplace's facts: recording an order and its delivery, one by one or a backfill
at a time, and the facts a filing is checked against."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.context import CommandContext
from complaints.domain.errors import DomainError
from complaints.domain.order import Delivery, Order, OrderStatement
from complaints.domain.values import Actor, Money


@dataclass(frozen=True)
class Refusal:
    """Why one statement of a batch cannot be recorded: its index in the batch, and the
    refusal the order would make."""

    index: int
    error: DomainError


class OrderCommands(CommandRunner):
    @command
    def record_order(
        self,
        actor: Actor,
        shop_id: str,
        order_id: str,
        consumer_id: str,
        amount: Money,
        paid_at: datetime,
        delivered_at: datetime | None = None,
        carrier: str | None = None,
        tracking_number: str | None = None,
    ) -> Changes[Order]:
        """The marketplace records an order (with its delivery, if it is known). The same facts
        again record nothing; other facts are refused."""
        delivery = (
            None
            if delivered_at is None
            else Delivery(delivered_at, carrier=carrier, tracking_number=tracking_number)
        )
        statement = OrderStatement(shop_id, order_id, consumer_id, amount, paid_at, delivery)
        return Changes(self._recorded(self.context(actor), statement))

    @command
    def record_delivery(
        self,
        actor: Actor,
        shop_id: str,
        order_id: str,
        delivered_at: datetime,
        carrier: str | None = None,
        tracking_number: str | None = None,
    ) -> Changes[Order]:
        """The marketplace records that a recorded order was delivered."""
        order = Order.record_delivery(
            self.context(actor),
            self.find_order(shop_id, order_id),
            Delivery(delivered_at, carrier=carrier, tracking_number=tracking_number),
        )
        return Changes(order)

    @command
    def record_orders(self, actor: Actor, statements: list[OrderStatement]) -> Changes[Order]:
        """Record a batch of orders in one transaction: all of them, or, if any is refused,
        none. An order stated twice in the batch is one order."""
        batch = Batch(self, self.context(actor))
        orders = {order.id: order for order in map(batch.record, statements)}
        *others, last = orders.values()
        return Changes(last, tuple(others))

    def refusals(
        self, actor: Actor, statements: Iterable[OrderStatement]
    ) -> Iterator[Refusal | None]:
        """What `record_orders` would refuse of these statements taken as one batch, one
        answer per statement (None: it would be recorded, or is already), recording nothing."""
        batch = Batch(self, self.context(actor))
        for index, statement in enumerate(statements):
            try:
                batch.record(statement)
            except DomainError as error:
                yield Refusal(index, error)
            else:
                yield None

    def _recorded(self, ctx: CommandContext, statement: OrderStatement) -> Order:
        return Batch(self, ctx).record(statement)


class Batch:
    """Orders being recorded together, unsaved: each is read once, so that an order stated
    twice is one order, and each shop is looked up once."""

    def __init__(self, app: OrderCommands, ctx: CommandContext) -> None:
        self.app = app
        self.ctx = ctx
        self.orders: dict[tuple[str, str], Order | None] = {}
        self.shops: set[str] = set()

    def record(self, statement: OrderStatement) -> Order:
        """The order as recording `statement` leaves it."""
        key = (statement.shop_id, statement.order_id)
        if key not in self.orders:
            self.orders[key] = self.app.find_order(*key)
        order = Order.record(self.ctx, self.orders[key], statement)
        if statement.shop_id not in self.shops:
            self.app.get_seller(statement.shop_id)  # orders are recorded for registered shops
            self.shops.add(statement.shop_id)
        self.orders[key] = order
        return order
