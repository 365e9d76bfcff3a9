"""Inline projections: what a recorder calls so that read models commit with their events.

The recorders know nothing of read models (the store layer imports no projection). A process
that keeps its read models in the same database as its events attaches an `Inline` to its
recorder (`complaints/projections/inline.py`); the recorder then hands it, inside the
transaction that inserts the events and still holding the lock that orders writers, the
events with their notification ids, and runs what it returns once that transaction has
committed. As Marten's inline projections: the rows, the positions and the events commit
together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

from eventsourcing.persistence import StoredEvent

Dialect = Literal["postgres", "sqlite"]
#: A notification id with its decoded domain event.
Positioned = tuple[int, Any]
AfterCommit = Callable[[], None]


class Inline(Protocol):
    def prepare(self, stored: Sequence[StoredEvent]) -> list[Any]:
        """Decode the events about to be saved (before the transaction, outside its lock)."""

    def apply(self, dialect: Dialect, connection: Any, batch: Sequence[Positioned]) -> AfterCommit:
        """Apply the batch to the read models on this connection, inside the transaction that
        inserts it; return what to run once that transaction has committed. Never raises for
        a read model's failure: the events still commit, and the runner catches up later."""


class InlineHost:
    """Mixed into a recorder: where an `Inline` is attached."""

    inline: Inline | None = None
