"""Orders: the marketplace records orders and their deliveries."""

from __future__ import annotations

from typing import Annotated

import strawberry

from complaints.application import ComplaintsApp
from complaints.domain.order import Order as OrderAggregate
from complaints.graphql.context import Info
from complaints.graphql.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from complaints.graphql.inputs import RecordDeliveryInput, RecordOrderInput
from complaints.graphql.mutations.arguments import bind
from complaints.graphql.mutations.payloads import mutation
from complaints.graphql.types.order import OrderNode

OrderResult = Annotated[
    OrderNode | NotFound | NotAllowed | ValidationFailed | Conflict,
    strawberry.union("OrderResult"),
]


async def order(info: Info, result: OrderAggregate) -> OrderNode:
    return OrderNode.of(result)


@strawberry.type
class OrderMutations:
    record_order = mutation(
        bind(ComplaintsApp.record_order, RecordOrderInput),
        OrderResult,
        order,
        "The marketplace: record an order (and its delivery, if known); the same facts again"
        " change nothing, other facts are ORDER_FACTS_DIFFER",
    )
    record_delivery = mutation(
        bind(ComplaintsApp.record_delivery, RecordDeliveryInput),
        OrderResult,
        order,
        "The marketplace: record that a recorded order was delivered",
    )
