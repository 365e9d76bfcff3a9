"""Orders by consumer: what a consumer may complain about (`myOrders`), newest first.

One row per order the marketplace recorded, with its delivery once recorded. Whether an order is
still inside its filing window depends on the window in force when it is asked (FILING_WINDOW,
FILING_WINDOW_UNDELIVERED), so the rows keep the moments and the query compares them.

Tracking numbers are personal data and are not kept here: a reader of one order reads it from
the order itself, where erasure reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from complaints.domain import access
from complaints.domain.order import FilingWindow, OrderFacts
from complaints.domain.order import Order as OrderAggregate
from complaints.domain.values import Actor, Money
from complaints.projections.base import (
    Page,
    Projection,
    View,
    check_page_size,
    from_moment,
    moment,
    on,
)
from complaints.projections.database import Row, Tx

COLUMNS = (
    "id, seq, shop_id, order_id, consumer_id, amount, currency, paid_at, delivered_at, carrier"
)


class Orders(Projection):
    name = "orders"
    tables = {  # noqa: RUF012 - read-only class data
        "orders": (
            "id TEXT PRIMARY KEY, seq BIGINT NOT NULL, shop_id TEXT NOT NULL,"
            " order_id TEXT NOT NULL, consumer_id TEXT NOT NULL, amount TEXT NOT NULL,"
            " currency TEXT NOT NULL, paid_at TEXT NOT NULL, delivered_at TEXT, carrier TEXT"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {orders} (consumer_id, paid_at, seq)",)

    @on(OrderAggregate.Recorded)
    def recorded(self, tx: Tx, e: OrderAggregate.Recorded, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['orders']} ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                str(e.originator_id),
                position,
                e.shop_id,
                e.order_id,
                e.consumer_id,
                str(e.amount.amount),
                e.amount.currency,
                moment(e.paid_at),
                None,
                None,
            ),
        )

    @on(OrderAggregate.Delivered)
    def delivered(self, tx: Tx, e: OrderAggregate.Delivered, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t['orders']} SET delivered_at = ?, carrier = ? WHERE id = ?",
            (moment(e.delivered_at), e.carrier, str(e.originator_id)),
        )


@dataclass(frozen=True)
class OrderRow:
    id: UUID
    seq: int
    shop_id: str
    order_id: str
    consumer_id: str
    amount: Money
    paid_at: datetime
    delivered_at: datetime | None
    carrier: str | None

    @property
    def facts(self) -> OrderFacts:
        return OrderFacts(
            shop_id=self.shop_id,
            order_id=self.order_id,
            consumer_id=self.consumer_id,
            amount=self.amount,
            paid_at=self.paid_at,
            delivered_at=self.delivered_at,
        )


class OrderKey(NamedTuple):
    """Where a page of orders ends: (paid_at, seq) of its last order."""

    paid_at: str
    seq: int

    @classmethod
    def of(cls, row: OrderRow) -> OrderKey:
        return cls(moment(row.paid_at), row.seq)


def _row(row: Row) -> OrderRow:
    delivered = row["delivered_at"]
    return OrderRow(
        id=UUID(row["id"]),
        seq=int(row["seq"]),
        shop_id=row["shop_id"],
        order_id=row["order_id"],
        consumer_id=row["consumer_id"],
        amount=Money(Decimal(row["amount"]), row["currency"]),
        paid_at=from_moment(row["paid_at"]),
        delivered_at=None if delivered is None else from_moment(delivered),
        carrier=row["carrier"],
    )


class OrdersView(View):
    projection = Orders

    def in_window(
        self,
        viewer: Actor,
        *,
        now: datetime,
        window: FilingWindow,
        first: int = 20,
        after: OrderKey | None = None,
    ) -> Page[OrderRow]:
        """The viewer's own orders that may still be complained about at `now`, the most
        recently paid first; `after` is where the previous page ended. None for a viewer
        who has no orders of their own."""
        check_page_size(first)
        if not access.lists_own_orders(viewer):
            return Page([], has_next=False)
        # Inside the window: delivered no longer than FILING_WINDOW ago, or undelivered and
        # paid no longer than FILING_WINDOW_UNDELIVERED ago.
        conditions = (
            "consumer_id = ? AND ((delivered_at IS NOT NULL AND delivered_at >= ?)"
            " OR (delivered_at IS NULL AND paid_at >= ?))"
        )
        params: list[object] = [
            viewer.id,
            moment(now - window.after_delivery),
            moment(now - window.undelivered),
        ]
        if after is not None:
            conditions += " AND (paid_at < ? OR (paid_at = ? AND seq < ?))"
            params += [after.paid_at, after.paid_at, after.seq]

        def query(tx: Tx, t: dict[str, str]) -> Page[OrderRow]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['orders']} WHERE {conditions}"
                " ORDER BY paid_at DESC, seq DESC LIMIT ?",
                [*params, first + 1],
            )
            return Page([_row(r) for r in rows[:first]], has_next=len(rows) > first)

        return self.read(query)
