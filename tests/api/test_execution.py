"""A resolver that graphql-core calls and then cancels before it runs is closed, not left for the
garbage collector to warn about (`ClosingExecutionContext` in complaints/compat.py)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import warnings
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import graphql.execution.executor as graphql_executor
import pytest
import strawberry
from graphql import GraphQLObjectType
from graphql.pyutils import gather_with_cancel as original_gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from complaints.compat import (
    LEAVES,
    ClosesUnawaited,
    ClosingExecutionContext,
    gather_with_cancel,
)
from complaints.graphql.schema import build_schema


@strawberry.type
class Item:
    @strawberry.field
    async def x(self) -> str:
        return "x"

    @strawberry.field
    async def y(self) -> str:
        return "y"


class Quiet(strawberry.Schema):
    """Logs no errors: a log record would keep the error's traceback, and with it the leaked
    coroutines, alive past the test."""

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        pass


def schema(context_class: type[StrawberryGraphQLCoreExecutionContext]) -> strawberry.Schema:
    """`item` and `items` spawn their fields (and items) in the very tick in which `broken`, a
    non-null sibling, fails: their tasks are cancelled before their first step."""

    @strawberry.type
    class Query:
        @strawberry.field
        async def item(self) -> Item:
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return Item()

        @strawberry.field
        async def items(self) -> list[Item]:
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return [Item(), Item()]

        @strawberry.field
        async def broken(self) -> str:
            raise ValueError("broken")

    return Quiet(Query, execution_context_class=context_class)


def never_awaited(
    context_class: type[StrawberryGraphQLCoreExecutionContext], document: str
) -> list[str]:
    async def run() -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = await schema(context_class).execute(document)
            assert result.data is None
            # The failing field's error alone: the cancelled siblings end as cancelled.
            assert [(e.path, e.message) for e in result.errors or []] == [(["broken"], "broken")]
            del result  # its error's traceback holds the leaked coroutines
            await asyncio.sleep(0.01)
            gc.collect()
        return [str(w.message) for w in caught if "never awaited" in str(w.message)]

    return asyncio.run(run())


DOCUMENTS = [
    "{ item { x y } broken }",
    "{ items { x y } broken }",
    "{ a: items { x y } b: item { x y } broken }",
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_graphql_core_leaves_the_cancelled_resolvers_unawaited(
    document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault itself, in the library as pinned (the patch undone for this test). When this
    fails, graphql-core has fixed it: drop that part of complaints/compat.py."""
    monkeypatch.setattr(graphql_executor, "gather_with_cancel", original_gather_with_cancel)
    assert never_awaited(StrawberryGraphQLCoreExecutionContext, document)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_our_execution_context_closes_them(document: str) -> None:
    assert never_awaited(ClosingExecutionContext, document) == []


def test_the_patch_is_in_place_once_the_schema_runs() -> None:
    asyncio.run(build_schema().execute("{ viewerRole }"))
    assert vars(graphql_executor)["gather_with_cancel"] is gather_with_cancel


def test_a_completion_that_runs_is_unchanged() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        async def item(self) -> Item:
            await asyncio.sleep(0)
            return Item()

    result = asyncio.run(
        strawberry.Schema(Query, execution_context_class=ClosingExecutionContext).execute(
            "{ item { x y } }"
        )
    )
    assert result.errors is None
    assert result.data == {"item": {"x": "x", "y": "y"}}


def test_a_task_cancelled_before_its_first_step_ends_cancelled_with_what_it_held_closed() -> None:
    """The path the fuzz test found under load: a task cancelled before it ever ran must end
    cancelled (not in RuntimeError "cannot reuse already awaited coroutine", which became an
    INTERNAL_ERROR), and the coroutine it would have awaited is closed, not leaked."""

    async def resolver() -> str:
        return "never"

    async def completing(result: Any) -> Any:
        return await result

    async def run() -> tuple[bool, str]:
        held = resolver()
        task = asyncio.ensure_future(ClosesUnawaited(completing(held)))
        task.cancel()  # before its first step
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return task.cancelled(), inspect.getcoroutinestate(held)

    assert asyncio.run(run()) == (True, inspect.CORO_CLOSED)


def test_a_wrapped_coroutine_that_started_is_thrown_into_as_usual() -> None:
    async def waits() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "cleaned up"
        return "slept"

    async def run() -> str:
        task = asyncio.ensure_future(ClosesUnawaited(waits()))
        await asyncio.sleep(0)  # it starts, and waits
        task.cancel()
        return await task

    assert asyncio.run(run()) == "cleaned up"


# The short way through leaf fields: the same answers and the same errors as the full path.


class Colour(Enum):
    RED = "red"


@strawberry.type
class Leafy:
    count: int
    maybe: int | None
    colour: Colour
    at: datetime
    name: str

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class LeafQuery:
    @strawberry.field
    def good(self) -> list[Leafy]:
        at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
        return [Leafy(count=n, maybe=None, colour=Colour.RED, at=at, name=f"n{n}") for n in (1, 2)]

    @strawberry.field
    def bad_count(self) -> Leafy | None:
        return Leafy(count=None, maybe=1, colour=Colour.RED, at=datetime.now(UTC), name="x")  # type: ignore[arg-type]

    @strawberry.field
    def bad_colour(self) -> Leafy | None:
        return Leafy(count=1, maybe=1, colour="blue", at=datetime.now(UTC), name="x")  # type: ignore[arg-type]


LEAF_DOCUMENTS = [
    "{ good { count maybe colour at name again: name shout(times: 2) __typename } }",
    "query($no: Boolean!) { good { count name @include(if: $no) maybe @skip(if: $no) } }",
    "{ badCount { count name } good { count } }",
    "{ badColour { colour name } }",
    "{ good { ... on Leafy { count } ...F } } fragment F on Leafy { colour at }",
]


@pytest.mark.parametrize("document", LEAF_DOCUMENTS)
def test_leaf_fields_answer_and_fail_as_on_the_full_path(document: str) -> None:
    def run(context: type[StrawberryGraphQLCoreExecutionContext]) -> Any:
        leafy = strawberry.Schema(query=LeafQuery, execution_context_class=context)
        result = asyncio.run(leafy.execute(document, variable_values={"no": False}))
        return result.data, [(e.message, e.path) for e in result.errors or ()]

    short, full = run(ClosingExecutionContext), run(StrawberryGraphQLCoreExecutionContext)
    assert short == full
    assert short[0] is not None


def test_the_short_way_is_taken_for_plain_leaves_only() -> None:
    leafy = strawberry.Schema(query=LeafQuery)._schema
    item = leafy.type_map["Leafy"]
    assert isinstance(item, GraphQLObjectType)
    assert {name for name in item.fields if LEAVES.get(item, name)} == {
        "count",
        "maybe",
        "colour",
        "at",
        "name",
    }
