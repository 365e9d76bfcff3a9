"""What every projection shares: its tables (one set per generation) and its event handlers.

A projection's tables are named `rm_<projection>_<table>_g<generation>`. A rebuild fills a new
generation from position 0 while readers keep using the active one, and switches them over only
once the new one has caught up (see `tracking.py` and `runner.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.text import Text
from complaints.projections import tracking
from complaints.projections.database import ReadStore, ReplicaFailed, Row, Tx

Handler = Callable[[Any, Tx, Any, int], None]
F = TypeVar("F", bound=Callable[..., None])
T = TypeVar("T")
R = TypeVar("R")


def on(*event_types: type[Any]) -> Callable[[F], F]:
    """Mark a method as the handler of these event classes."""

    def mark(method: F) -> F:
        method._handles = event_types  # type: ignore[attr-defined]
        return method

    return mark


def moment(value: datetime) -> str:
    """Timestamps are stored as fixed-width UTC ISO text, so they sort and compare as text."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class ReadModelNotReady(Exception):
    """A read model is being rebuilt after an upgrade changed its tables: retry shortly."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The {name} read model is being rebuilt after an upgrade; retry in a moment."
        )
        #: graphql-core copies an exception's `extensions` into the error it reports.
        self.extensions = {"code": "NOT_READY"}


class Projection:
    """Subclasses set `name`, `version` and `tables`, and mark handlers with `@on(Event)`."""

    name: ClassVar[str]
    #: Bump when the tables or the handlers change meaning: the runner then rebuilds.
    version: ClassVar[int] = 1
    #: The oldest version whose tables this code can read. While the runner rebuilds, readers
    #: keep using the active generation if it is at least this version (a change of meaning
    #: only); a change of the tables themselves raises it to `version`, and readers get
    #: `ReadModelNotReady` until the new generation is active.
    readable_from: ClassVar[int] = 1
    #: Table suffix -> column definitions (portable SQL).
    tables: ClassVar[dict[str, str]]
    #: Extra statements, with `{table_suffix}` placeholders for table names.
    indexes: ClassVar[tuple[str, ...]] = ()
    handlers: ClassVar[dict[type[Any], Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for attribute in vars(cls).values():
            for event_type in getattr(attribute, "_handles", ()):
                cls.handlers[event_type] = attribute

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.t = {suffix: table_name(self.name, suffix, generation) for suffix in self.tables}

    def create(self, tx: Tx) -> None:
        for suffix, columns in self.tables.items():
            tx.execute(f"CREATE TABLE IF NOT EXISTS {self.t[suffix]} ({columns})")
        for number, statement in enumerate(self.indexes):
            index = f"{self.name}_g{self.generation}_i{number}"
            tx.execute(statement.format(index=index, **self.t))

    def drop(self, tx: Tx) -> None:
        for table in self.t.values():
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(self, tx, event, position)

    def flush(self, tx: Tx) -> None:
        """Called once per batch, before it commits: write anything held back for speed."""

    def table_rows(self, tx: Tx) -> dict[str, list[Row]]:
        """Every row of every table, in a stable order: for comparing two generations."""
        return {
            suffix: sorted(tx.all(f"SELECT * FROM {table}"), key=repr)
            for suffix, table in self.t.items()
        }


class RowCache:
    """A write-behind cache of one table's rows for the length of a batch.

    Handlers read and change rows as dicts; `flush` writes every touched row back at the end of
    the batch with two statements run for many rows (delete, then insert), instead of a round
    trip per event. Rows are keyed by the table's primary key.
    """

    def __init__(self, table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> None:
        self.table = table
        self.columns = columns
        self.key = key
        self._rows: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self._dirty: set[tuple[Any, ...]] = set()
        #: Keys not in the table (made by the event that creates them, or looked up and absent).
        self._new: set[tuple[Any, ...]] = set()
        self._where = " AND ".join(f"{k} = ?" for k in key)

    def get(
        self, tx: Tx, key: tuple[Any, ...], *, for_update: bool = True
    ) -> dict[str, Any] | None:
        """The row (a dict to change in place when `for_update`), or None if there is none."""
        if key not in self._rows:
            row = tx.one(
                f"SELECT {', '.join(self.columns)} FROM {self.table} WHERE {self._where}", key
            )
            self._rows[key] = row
            if row is None:
                # Only one runner applies a batch to a projection (its position is claimed
                # first), so what is not there now is not there at the flush either.
                self._new.add(key)
        if for_update:
            self._dirty.add(key)
        return self._rows[key]

    def put(self, row: dict[str, Any], *, new: bool = False) -> None:
        """Set the row. `new`: the event creates it (a filing, a deadline set at a version of
        its own), so there is nothing to delete before inserting it."""
        key = tuple(row[k] for k in self.key)
        self._rows[key] = row
        self._dirty.add(key)
        if new:
            self._new.add(key)

    def delete(self, key: tuple[Any, ...]) -> None:
        self._rows[key] = None
        self._dirty.add(key)

    def flush(self, tx: Tx) -> None:
        dirty = [key for key in self._rows if key in self._dirty]
        if dirty:
            stored = [key for key in dirty if key not in self._new]
            if stored:
                tx.many(f"DELETE FROM {self.table} WHERE {self._where}", stored)
            marks = ", ".join("?" for _ in self.columns)
            rows = [self._rows[key] for key in dirty]
            tx.many(
                f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})",
                [[row[c] for c in self.columns] for row in rows if row is not None],
            )
        self._rows.clear()
        self._dirty.clear()
        self._new.clear()


def table_name(projection: str, suffix: str, generation: int) -> str:
    return f"rm_{projection}_{suffix}_g{generation}"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list. `cursor` of an item is where the next page starts."""

    items: list[T]
    has_next: bool
    total: int | None = None


MAX_PAGE = 100


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise ValidationFailed(
            [FieldError("first", Text("must be from 1 to {MAX_PAGE}", MAX_PAGE=MAX_PAGE))]
        )


class View:
    """Reads one projection's active generation. A reader that races a rebuild's switch-over
    (and finds the old tables gone) simply asks again."""

    projection: ClassVar[type[Projection]]

    def __init__(self, db: ReadStore) -> None:
        self.db = db

    def read(self, query: Callable[[Tx, dict[str, str]], R]) -> R:
        retried: tuple[type[BaseException], ...] = (*self.db.missing_table, ReplicaFailed)
        for attempt in range(3):
            try:
                with self.db.read() as tx:
                    current = tracking.active(tx, self.projection.name)
                    if current is not None and current.version < self.projection.readable_from:
                        raise ReadModelNotReady(self.projection.name)
                    generation = current.generation if current else 1
                    return query(tx, self.projection(generation).t)
            except retried:
                # A replica that failed is out now: asked again, another one or the primary answers.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
