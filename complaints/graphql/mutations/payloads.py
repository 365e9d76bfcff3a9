"""How a mutation is made: bind its input to an application command, run the command, and
answer with the payload union: the success type, or the typed error of a refusal.

    make_offer = complaint_mutation(ComplaintsApp.make_offer, MakeOfferInput, description=...)

The field's GraphQL name is the attribute's; its argument is `input: MakeOfferInput!`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Annotated, Any, TypeVar

import anyio.to_thread
import strawberry
from eventsourcing.domain import Aggregate

from complaints.application import Command
from complaints.domain.complaint import Complaint as ComplaintAggregate
from complaints.domain.erasure import SubjectErasure
from complaints.domain.seller import Seller as SellerAggregate
from complaints.domain.violation import Violation as ViolationAggregate
from complaints.graphql.context import Info
from complaints.graphql.errors import (
    AnyError,
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from complaints.graphql.mutations.arguments import Binding, bind
from complaints.graphql.resolvers import run_command
from complaints.graphql.types.complaint import ComplaintNode
from complaints.graphql.types.erasure import ErasureReceipt
from complaints.graphql.types.seller import SellerNode, load_seller
from complaints.graphql.types.violation import Violation

A = TypeVar("A", bound=Aggregate)

ComplaintResult = Annotated[
    ComplaintNode | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("ComplaintResult"),
]
SellerResult = Annotated[
    SellerNode | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("SellerResult"),
]
ViolationResult = Annotated[
    Violation | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("ViolationResult"),
]
EraseSubjectResult = Annotated[
    ErasureReceipt | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("EraseSubjectResult"),
]


def complaint_mutation(
    command: Command[Any, ..., ComplaintAggregate],
    input_type: type[Any],
    *,
    description: str,
    ignoring: Collection[str] = (),
) -> Any:
    return mutation(
        bind(command, input_type, ignoring=ignoring), ComplaintResult, complaint, description
    )


def seller_mutation(
    command: Command[Any, ..., SellerAggregate],
    input_type: type[Any],
    *,
    description: str,
    assemble: Mapping[str, Callable[..., object]] | None = None,
) -> Any:
    return mutation(bind(command, input_type, assemble=assemble), SellerResult, seller, description)


def violation_mutation(
    command: Command[Any, ..., ViolationAggregate], input_type: type[Any], *, description: str
) -> Any:
    return mutation(bind(command, input_type), ViolationResult, violation, description)


def erasure_mutation(
    command: Command[Any, ..., SubjectErasure], input_type: type[Any], *, description: str
) -> Any:
    return mutation(bind(command, input_type), EraseSubjectResult, erasure, description)


def mutation(
    binding: Binding[A],
    payload: object,
    present: Callable[[Info, A], Awaitable[object]],
    description: str,
) -> Any:
    """A strawberry mutation that runs `binding`'s command and answers with `payload`."""

    async def resolve(info: Info, input: Any) -> Any:
        app, actor = info.context.app, info.context.actor
        outcome = await run_command(info, lambda: binding.run(app, actor, input))
        return outcome if isinstance(outcome, AnyError) else await present(info, outcome)

    resolve.__name__ = resolve.__qualname__ = binding.command.name
    resolve.__annotations__ = {"info": Info, "input": binding.input_type, "return": payload}
    return strawberry.mutation(resolver=resolve, description=description)


# ---------------------------------------------------------------- what each command answers
async def complaint(info: Info, result: ComplaintAggregate) -> ComplaintNode:
    return ComplaintNode.of(result)


async def seller(info: Info, result: SellerAggregate) -> SellerNode:
    """The shop as the read models show it, scorecard included."""
    node = await load_seller(info, result.shop_id)
    assert node is not None
    return node


async def violation(info: Info, result: ViolationAggregate) -> Violation:
    return Violation.of(result)


async def erasure(info: Info, result: SubjectErasure) -> ErasureReceipt:
    """The receipt; with read replicas, this process's reads wait from now on for a replica to
    have replayed the erasure (its answer carries its `readAfter` like any mutation's)."""
    await anyio.to_thread.run_sync(info.context.read_models.db.erased)
    return ErasureReceipt.of(result)
