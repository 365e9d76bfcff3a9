"""The one place that touches other libraries' internals, each checked against the version it was
written for.

Importing this module first compares the installed versions with `WRITTEN_AGAINST` and fails,
naming the library, the version found and the version expected, before it imports anything of
theirs. After an upgrade, read each section below against the new version (its tests are named
there), then update `WRITTEN_AGAINST`.

- **graphql-core and strawberry** (`ClosingExecutionContext`): graphql-core's executor gathers
  through a module-level function that is replaced here, so that resolvers it called and then
  cancelled are closed, not left unawaited; and a short way through plain leaf fields, which
  reads strawberry's private `_is_default` mark and overrides the executor's `execute_field`.
  tests/api/test_execution.py.
- **uvicorn** (`spread_workers`): its multi-process supervisor, with two of its methods copied
  so that each worker, and each worker's replacement, keeps a listening socket of its own.
  tests/e2e/test_deployment.py.
- **psycopg-pool** (`set_pool_callbacks`): the `check` and `reset` callbacks of a pool built
  without them (eventsourcing builds the event store's pool), set on its private attributes.
  tests/reliability/test_faults.py.
- **eventsourcing** (`SQLiteRecorder`, `PostgresRecorder`, `POPORecorder`): its application
  recorders, with the private steps that the store's recorders extend (hash chains, group
  commit, inline projections) given public names here. `Application._notify`, which the library
  documents as the hook subclasses implement, is overridden where it is used
  (complaints/application/runner.py). tests/store.
"""

from __future__ import annotations

from importlib import metadata

#: The version of each library whose internals this module uses, as pinned in pyproject.toml.
WRITTEN_AGAINST = {
    "eventsourcing": "9.5.6",
    "graphql-core": "3.3.2",
    "psycopg-pool": "3.3.3",
    "strawberry-graphql": "0.341.2",
    "uvicorn": "0.54.0",
}


class IncompatibleLibrary(ImportError):
    """A library is not at the version complaints.compat was written against."""


def check_versions() -> None:
    """Refuse any library of `WRITTEN_AGAINST` that is missing or at another version."""
    for name, expected in WRITTEN_AGAINST.items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = None
        if found != expected:
            installed = "is not installed" if found is None else f"{found} is installed"
            raise IncompatibleLibrary(
                f"complaints.compat was written against {name} {expected}, but {name}"
                f" {installed}. Check the {name} section of complaints/compat.py against it,"
                " then update WRITTEN_AGAINST (or install the pinned version)."
            )


# Before any of their imports: a private name that moved would otherwise fail as a bare
# ImportError, without saying which version was expected.
check_versions()

# ruff: noqa: E402 - the libraries are imported once their versions are known to fit
import inspect
import logging
import socket
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import graphql.execution.executor as graphql_executor
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
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
from psycopg_pool import ConnectionPool
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

if TYPE_CHECKING:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

T = TypeVar("T")


# ---------------------------------------------------------------------- graphql-core, strawberry
#
# graphql-core 3.3.2 runs the fields of a selection set, and the items of a list, as tasks
# (`gather_with_cancel`), each a coroutine that awaits work made before it started: the coroutine
# of a resolver it already called, or the results of its own sub-selections. When a non-null
# field fails, its siblings' tasks are cancelled, and a task cancelled before its first step never
# runs its coroutine at all. What that coroutine would have awaited is then never awaited either:
# the garbage collector finds it later and warns "coroutine ... was never awaited". When that
# happens inside code that runs without builtins (a namedtuple's `__new__`), printing the warning
# itself fails and the server logs a traceback.
#
# `install_gather()` makes graphql-core hand each such coroutine to its task inside
# `ClosesUnawaited`. If the task throws into it (a cancellation) or closes it before it ever
# started, it closes, first, every unstarted coroutine it holds (its arguments, the variables it
# closes over, and the values of the dicts and lists among them), at any depth. A coroutine that
# starts runs exactly as before.
#
# The same executor takes a short way through plain leaf fields (`LeafFields`): a scalar or enum
# field that strawberry reads straight off its object, with no resolver, arguments or extension.
# graphql-core would build a resolve-info object, look up arguments and walk `complete_value` for
# each one: about 10 µs a field, most of a 20-entry timeline's time. The short way reads the
# attribute and serializes it, and gives back to the full path anything unusual (a null, a value
# the scalar refuses), so errors read exactly as before.


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


def install_gather() -> None:
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
        install_gather()
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


# ---------------------------------------------------------------------- uvicorn


def spread_workers(config: uvicorn.Config, sockets: list[socket.socket]) -> Multiprocess:
    """uvicorn's supervisor for `config.workers` processes, giving worker i the socket i.

    With one socket shared by all, every idle worker wakes for a new connection and the first
    takes every connection waiting (asyncio accepts in a loop): a burst of keep-alive
    connections, as a proxy or a load test opens them, could all land on one process, leaving
    the others idle. With a socket of its own per worker the kernel spreads them. A worker that
    dies is replaced on its socket. uvicorn is imported here, when `serve` needs it.
    """
    from uvicorn.config import STARTUP_FAILURE  # noqa: PLC0415 - only `serve` needs it
    from uvicorn.supervisors.multiprocess import Multiprocess, Process  # noqa: PLC0415

    log = logging.getLogger("uvicorn.error")

    class SpreadWorkers(Multiprocess):
        def __init__(self) -> None:
            super().__init__(config, sockets)

        def _sockets(self, idx: int) -> list[socket.socket]:
            return [sockets[idx]] if len(sockets) == self.processes_num else sockets

        def init_processes(self) -> None:
            for idx in range(self.processes_num):
                process = Process(self.config, self._sockets(idx))
                process.start()
                self.processes.append(process)

        def restart_all(self) -> None:
            # As uvicorn 0.54's, with each replacement on its worker's socket.
            for idx, old_process in enumerate(self.processes):
                if self.should_exit.is_set():
                    return
                new_process = Process(self.config, self._sockets(idx))
                new_process.start()
                if not new_process.wait_until_ready(
                    self.config.timeout_worker_healthcheck, self.should_exit
                ):
                    new_process.kill()
                    new_process.join()
                    if not self.should_exit.is_set():
                        log.error(
                            "New child process [%s] was not ready in time; keeping worker [%s]"
                            " and aborting the restart.",
                            new_process.pid,
                            old_process.pid,
                        )
                    return
                old_process.terminate()
                old_process.join()
                self.processes[idx] = new_process

        def keep_subprocess_alive(self) -> None:
            # As uvicorn 0.54's, with each replacement on its worker's socket.
            if self.should_exit.is_set():
                return
            for idx, process in enumerate(self.processes):
                if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                    continue
                process.kill()
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    log.error(
                        "Child process [%s] failed to start, stopping the parent process.",
                        process.pid,
                    )
                    self.should_exit.set()
                    return
                if self.should_exit.is_set():
                    return
                log.info("Child process [%s] died", process.pid)
                replacement = Process(self.config, self._sockets(idx))
                replacement.start()
                self.processes[idx] = replacement

    return SpreadWorkers()


# ---------------------------------------------------------------------- psycopg-pool


def set_pool_callbacks(
    pool: ConnectionPool[Any], *, check: Callable[[Any], None], reset: Callable[[Any], None]
) -> None:
    """Give an open pool the `check` and `reset` callbacks psycopg_pool otherwise takes only
    when it is built (eventsourcing builds the event store's pool itself)."""
    pool._check = check
    pool._reset = reset


# ---------------------------------------------------------------------- eventsourcing
#
# Each class below routes one of the library's private steps through a public method of the
# same meaning, which the store's recorders override or call; by default it runs the library's.


class SQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite application recorder, with `insert_in_transaction`: what its
    `insert_events` runs inside the transaction it opens."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self.insert_in_transaction(c, stored_events, **kwargs)

    def insert_in_transaction(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events in the open transaction `c`; their notification ids."""
        return super()._insert_events(c, stored_events, **kwargs)


class PostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, with its steps named.

    `insert_in_transaction` is what its `insert_events` runs inside the transaction it opens
    (in pipeline mode): `lock_table`, then `notify_channel`, then `insert_rows`.
    """

    def _insert_stored_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        self.insert_in_transaction(curs, stored_events, **kwargs)

    def insert_in_transaction(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """Lock the table, notify the channel and insert the events' rows (`curs` then holds
        their notification ids)."""
        super()._insert_stored_events(curs, stored_events, **kwargs)

    def lock_table(self, curs: Any) -> None:
        """Take the lock that makes notification ids commit in the order they are issued."""
        self._lock_table(curs)

    def _notify_channel(self, curs: Any) -> None:
        self.notify_channel(curs)

    def notify_channel(self, curs: Any) -> None:
        """Tell the store's listeners, when the transaction commits, that events were saved."""
        super()._notify_channel(curs)

    def insert_rows(self, curs: Any, stored_events: Sequence[StoredEvent]) -> None:
        """Insert the events' rows alone, with no lock or notification (the caller took
        both); `curs` then holds their notification ids."""
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)


class POPORecorder(POPOApplicationRecorder):
    """eventsourcing's in-memory application recorder, with `update_table`: what it runs, under
    its lock and once the events are known to be new, to record them."""

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self.update_table(stored_events, **kwargs)

    def update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Record the events; their notification ids."""
        return super()._update_table(stored_events, **kwargs)
