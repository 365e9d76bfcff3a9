"""graphql-core's executor, with one leak closed: resolvers that are called and then never run.

graphql-core 3.3.2 runs the fields of a selection set, and the items of a list, as tasks
(`gather_with_cancel`), each a coroutine that awaits work made before it started: the coroutine
of a resolver it already called, or the results of its own sub-selections. When a non-null field
fails, its siblings' tasks are cancelled, and a task cancelled before its first step never runs
its coroutine at all. What that coroutine would have awaited is then never awaited either: the
garbage collector finds it later and warns "coroutine ... was never awaited". When that happens
inside code that runs without builtins (a namedtuple's `__new__`), printing the warning itself
fails and the server logs a traceback. That is what made the fuzz test's log check fail now and
then on a busy machine; tests/api/test_execution.py reproduces it deterministically.

`install()` makes graphql-core hand each such coroutine to its task inside `ClosesUnawaited`. If
the task throws into it (a cancellation) or closes it before it ever started, it closes, first,
every unstarted coroutine it holds (its arguments, the variables it closes over, and the values
of the dicts and lists among them), at any depth. A coroutine that starts runs exactly as before.

The same executor takes a short way through plain leaf fields (`LeafFields`): a scalar or enum
field that strawberry reads straight off its object, with no resolver, arguments or extension.
graphql-core would build a resolve-info object, look up arguments and walk `complete_value` for
each one: about 10 µs a field, most of a 20-entry timeline's time. The short way reads the
attribute and serializes it, and gives back to the full path anything unusual (a null, a value
the scalar refuses), so errors read exactly as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Coroutine, Generator, Iterator
from typing import Any, TypeVar

import graphql.execution.executor as graphql_executor
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from graphql.pyutils import gather_with_cancel as _gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

T = TypeVar("T")


def _held(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list | tuple):
        yield from value


def close_unstarted(awaitable: object) -> None:
    """Close `awaitable` if it never started, and, first, every unstarted coroutine it holds."""
    if isinstance(awaitable, ClosesUnawaited):
        awaitable = awaitable.inner
    if not inspect.iscoroutine(awaitable):
        return
    frame = awaitable.cr_frame
    if frame is None or inspect.getcoroutinestate(awaitable) != inspect.CORO_CREATED:
        return
    for value in list(frame.f_locals.values()):
        for held in _held(value):
            if held is not awaitable:
                close_unstarted(held)
    awaitable.close()


class ClosesUnawaited(Coroutine[Any, Any, T]):
    """`inner` as a task's coroutine; ended before it started, it closes what it holds."""

    __slots__ = ("inner",)

    def __init__(self, inner: Coroutine[Any, Any, T]) -> None:
        self.inner = inner

    def send(self, value: Any) -> Any:
        return self.inner.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if inspect.getcoroutinestate(self.inner) == inspect.CORO_CREATED:
            # Thrown into before its first step (a cancelled task): close it and what it holds,
            # then raise what was thrown, as its first step would have. (A coroutine closed
            # before it started cannot be thrown into: it raises "cannot reuse already awaited
            # coroutine" instead.)
            close_unstarted(self.inner)
            if val is None:
                raise typ
            raise val.with_traceback(tb)
        if val is None and tb is None:
            return self.inner.throw(typ)
        return self.inner.throw(typ, val, tb)

    def close(self) -> None:
        close_unstarted(self.inner)
        self.inner.close()

    def __await__(self) -> Generator[Any, None, T]:
        return self.inner.__await__()


async def gather_with_cancel(*awaitables: Awaitable[Any]) -> list[Any]:
    """graphql-core's `gather_with_cancel`, each coroutine wrapped in `ClosesUnawaited`."""
    return await _gather_with_cancel(
        *(ClosesUnawaited(a) if inspect.iscoroutine(a) else a for a in awaitables)
    )


def install() -> None:
    """Make graphql-core's executor gather through `gather_with_cancel` above (idempotent).
    The executor looks the name up in its module, so this holds for the whole process."""
    graphql_executor.gather_with_cancel = gather_with_cancel  # type: ignore[attr-defined]


Leaf = tuple[GraphQLField, GraphQLScalarType | GraphQLEnumType, bool] | None


class LeafFields:
    """Which fields of the schema are plain leaves: read straight off the object (strawberry
    marks that resolver `_is_default`), of a scalar or enum type. Worked out once per field."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], Leaf] = {}

    def get(self, parent_type: GraphQLObjectType, name: str) -> Leaf:
        key = (parent_type.name, name)
        try:
            return self._known[key]
        except KeyError:
            pass
        leaf: Leaf = None
        field = parent_type.fields.get(name)
        if field is not None and not field.args and getattr(field.resolve, "_is_default", False):
            inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                leaf = (field, inner, isinstance(field.type, GraphQLNonNull))
        self._known[key] = leaf
        return leaf


LEAVES = LeafFields()


class ClosingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, on an executor whose gathers close what a cancelled
    task never ran (using it installs the patch), with the short way through leaf fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install()
        super().__init__(*args, **kwargs)
        # An extension that wraps resolvers (strawberry builds a manager, often empty, per
        # request) must see every field: then there is no short way.
        manager = self.middleware_manager
        self._leaves = None if manager is not None and manager.middlewares else LEAVES

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        leaves = self._leaves
        leaf = (
            None if leaves is None or node.arguments else leaves.get(parent_type, node.name.value)
        )
        if leaf is not None:
            field, leaf_type, non_null = leaf
            try:
                value = field.resolve(source, None)  # type: ignore[misc]
                if value is None and not non_null:
                    return None
                if value is not None and not isinstance(value, Exception):
                    serialized = leaf_type.serialize(value)
                    if serialized is not None and serialized is not Undefined:
                        return serialized
            except Exception:  # noqa: S110 - the full path below reports it
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
