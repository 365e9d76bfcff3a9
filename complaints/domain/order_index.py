"""One open complaint per order: an index aggregate per (shop, order, consumer).

A consumer may not open a second complaint about an order while the first is still open (Taobao
sends the buyer back to the case already running). The rule must hold when two filings race, on
either store, so it is not a query of a read model: each filing loads this small aggregate and
saves it in the same transaction as the new complaint. Two filings that race both write the same
next version of it; the store refuses one, whose retry then finds the other case open.

Complaints filed before this index existed are not in it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint import NAMESPACE


def order_index_id(shop_id: str, order_id: str, consumer_id: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"order-complaints:{shop_id}\x00{order_id}\x00{consumer_id}")


class OrderComplaints(Aggregate):
    """The complaints one consumer filed about one order of one shop; the latest may be open."""

    class Indexed(Aggregate.Created):
        shop_id: str
        order_id: str
        consumer_id: str
        complaint_id: UUID
        reference: str

    class ComplaintIndexed(Aggregate.Event):
        complaint_id: UUID
        reference: str

    @staticmethod
    def create_id(shop_id: str, order_id: str, consumer_id: str) -> UUID:
        return order_index_id(shop_id, order_id, consumer_id)

    @event(Indexed)
    def __init__(
        self,
        shop_id: str,
        order_id: str,
        consumer_id: str,
        complaint_id: UUID,
        reference: str,
        timestamp: datetime,
    ) -> None:
        self.shop_id = shop_id
        self.order_id = order_id
        self.consumer_id = consumer_id
        self.complaints: list[tuple[UUID, str]] = [(complaint_id, reference)]

    @property
    def latest(self) -> tuple[UUID, str]:
        return self.complaints[-1]

    def index(self, complaint_id: UUID, reference: str, now: datetime) -> None:
        self._complaint_indexed(complaint_id=complaint_id, reference=reference, timestamp=now)

    @event(ComplaintIndexed)
    def _complaint_indexed(self, complaint_id: UUID, reference: str, timestamp: datetime) -> None:
        self.complaints.append((complaint_id, reference))
