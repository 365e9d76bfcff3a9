"""graphql-core's executor, with one leak closed: resolvers that are called and then never run.

graphql-core 3.3.2 calls an async resolver, then hands the coroutine it got to
`complete_awaitable_value`, another coroutine, which awaits it first thing. When a non-null
field fails, its siblings' tasks are cancelled. A task cancelled before its first step never runs
its coroutine at all, so the resolver's coroutine is never awaited either: the garbage collector
finds it later and warns "coroutine ... was never awaited". When that happens inside code that
runs without builtins (a namedtuple's `__new__`), printing the warning itself fails and the
server logs a traceback (this is what made the fuzz test's log check fail now and then on a busy
machine; tests/api/test_execution.py reproduces it deterministically).

`ClosesUnawaited` wraps the completing coroutine: if the task throws into it (or closes it)
before it ever started, it closes the resolver's coroutine too. Nothing changes for a
completion that starts, which is every one that is not cancelled first.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, TypeVar

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

T = TypeVar("T")


def _close_if_unstarted(awaitable: object) -> None:
    if inspect.iscoroutine(awaitable) and inspect.getcoroutinestate(awaitable) == (
        inspect.CORO_CREATED
    ):
        awaitable.close()


class ClosesUnawaited(Coroutine[Any, Any, T]):
    """`inner`, which would await `dependent` first; ended before it started, it closes
    `dependent` as well instead of leaving it for the garbage collector."""

    __slots__ = ("_dependent", "_inner")

    def __init__(self, inner: Coroutine[Any, Any, T], dependent: Awaitable[Any]) -> None:
        self._inner = inner
        self._dependent = dependent

    def _release(self) -> None:
        if inspect.getcoroutinestate(self._inner) == inspect.CORO_CREATED:
            _close_if_unstarted(self._dependent)

    def send(self, value: Any) -> Any:
        return self._inner.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        self._release()
        if val is None and tb is None:
            return self._inner.throw(typ)
        return self._inner.throw(typ, val, tb)

    def close(self) -> None:
        self._release()
        self._inner.close()

    def __await__(self) -> Generator[Any, None, T]:
        return self._inner.__await__()


class ClosingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing awaitable values through `ClosesUnawaited`."""

    def complete_awaitable_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> ClosesUnawaited[Any]:
        completing = super().complete_awaitable_value(
            return_type, field_details_list, info, path, result, position_context
        )
        return ClosesUnawaited(completing, result)
