"""Automatic persisted queries: Apollo's APQ protocol, which Apollo Client and urql speak.

A client sends only the SHA-256 of its query. If the server does not know it, the answer is the
error `PERSISTED_QUERY_NOT_FOUND`; the client then sends the query with its hash, the server
checks that the hash is the query's, registers it and runs it. From then on every process that
shares the database knows the hash: the registered queries are kept in the database, bounded
(APQ_MAX_QUERIES), the least recently used dropped first. Registering can be switched off
(APQ_REGISTRATION; off by default in production): then a client is told
`PERSISTED_QUERY_NOT_SUPPORTED` and sends full queries.

A registered query that reads one case, and only fields that neither hold personal text nor
change with the clock, qualifies for the response cache, exactly like the fixed persisted
queries (see persisted.py): `cache_variable` says which variable names its case. So does one
that reads one shop's standing (`sellerStanding(shopId: $shop)`), the marketplace's hot path:
`cacheable` says what a document reads, and under which variable.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
)

from complaints.projections.database import ReadStore

#: How often, at most, a process records that it used a query it already holds.
TOUCH_SECONDS = 60.0
#: How many registered queries a process keeps in memory.
MEMORY = 1000

Allowed = dict[str, "Allowed | None"]
_MONEY: Allowed = {"amount": None, "currency": None}
_REMEDY: Allowed = {"type": None, "amount": _MONEY}
#: What a cached response may hold: facts of the case that change only with its own events.
#: No personal text (an erasure is not an event of the case), nothing computed from the clock
#: (allowed actions, open deadlines, paused hours).
CACHEABLE: Allowed = {
    "id": None,
    "reference": None,
    "status": None,
    "category": None,
    "orderId": None,
    "shopId": None,
    "requestedRemedy": _REMEDY,
    "outcome": None,
    "remedy": _REMEDY,
    "version": None,
    "filedAt": None,
    "updatedAt": None,
    "closedAt": None,
    "decidedByDefault": None,
    "escalated": None,
    "timeline": {
        "edges": {
            "cursor": None,
            "node": {
                "position": None,
                "version": None,
                "type": None,
                "at": None,
                "actorRole": None,
                "actorId": None,
                "summary": None,
                "details": None,
            },
        },
        "pageInfo": {
            "hasNextPage": None,
            "hasPreviousPage": None,
            "startCursor": None,
            "endCursor": None,
        },
    },
}


_SANCTION: Allowed = {
    "id": None,
    "kind": None,
    "reason": None,
    "imposedAt": None,
    "liftedAt": None,
    "until": None,
    "complaintId": None,
}
#: What a cached standing may hold: all of it, and of its sanctions what changes only with the
#: shop's own events (not the appeal, a shop's text for its own staff, nor allowed actions).
STANDING: Allowed = {
    "shopId": None,
    "status": None,
    "canTakeOrders": None,
    "canListProducts": None,
    "restrictedUntil": None,
    "activeSanctions": _SANCTION,
}
COMPLAINT = "complaint"
SELLER_STANDING = "sellerStanding"
#: Each root field whose responses may be cached: its one argument, and what may be selected.
ROOTS: dict[str, tuple[str, Allowed]] = {
    COMPLAINT: ("id", CACHEABLE),
    SELLER_STANDING: ("shopId", STANDING),
}


@dataclass(frozen=True)
class Cacheable:
    """A document whose responses may be cached: it reads `root` (one case, or one shop's
    standing) named by the variable `variable`."""

    root: str
    variable: str


def cache_variable(document: str) -> str | None:
    """The variable naming the one case `document` reads, if its responses may be cached:
    one query, whose only root field is `complaint(id: $variable)`, selecting only fields of
    CACHEABLE, with no fragments and no directives. None otherwise."""
    found = cacheable(document)
    return found.variable if found is not None and found.root == COMPLAINT else None


def cacheable(document: str) -> Cacheable | None:
    """What `document` reads, if its responses may be cached: one query, whose only root field
    is one of ROOTS with its one argument a variable, selecting only what ROOTS allows it, with
    no fragments and no directives. None otherwise."""
    try:
        parsed = parse(document, no_location=True)
    except GraphQLError:
        return None
    if len(parsed.definitions) != 1:
        return None
    operation = parsed.definitions[0]
    if (
        not isinstance(operation, OperationDefinitionNode)
        or operation.operation is not OperationType.QUERY
        or operation.directives
        or len(operation.selection_set.selections) != 1
    ):
        return None
    root = operation.selection_set.selections[0]
    if not isinstance(root, FieldNode) or root.name.value not in ROOTS or root.directives:
        return None
    argument, allowed = ROOTS[root.name.value]
    arguments = {a.name.value: a.value for a in root.arguments or ()}
    named = arguments.get(argument)
    if set(arguments) != {argument} or not isinstance(named, VariableNode):
        return None
    if root.selection_set is None or not _only(root.selection_set, allowed):
        return None
    return Cacheable(root.name.value, named.name.value)


def _only(selections: SelectionSetNode, allowed: Allowed) -> bool:
    for selection in selections.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return False
        name = selection.name.value
        if name == "__typename":
            continue
        if name not in allowed:
            return False
        inner = allowed[name]
        if inner is None:
            if selection.selection_set is not None:
                return False
        elif selection.selection_set is None or not _only(selection.selection_set, inner):
            return False
    return True


class QueryRegistry:
    """The registered queries, in the database every process shares, bounded by use."""

    def __init__(self, db: ReadStore, capacity: int) -> None:
        self.db = db
        self.capacity = capacity
        self._memory: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        with db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS apq_queries (sha256 TEXT PRIMARY KEY,"
                " document TEXT NOT NULL, last_used DOUBLE PRECISION NOT NULL)"
            )

    def held(self, sha256: str) -> str | None:
        """The query under `sha256` if this process holds it and has recorded its use lately:
        no database, so it may be called on the event loop. None: ask `get`."""
        with self._lock:
            held = self._memory.get(sha256)
            if held is None or time.time() - held[1] > TOUCH_SECONDS:
                return None
            self._memory.move_to_end(sha256)
            return held[0]

    def get(self, sha256: str) -> str | None:
        """The query registered under `sha256`, or None."""
        now = time.time()
        with self._lock:
            held = self._memory.get(sha256)
            if held is not None:
                self._memory.move_to_end(sha256)
        if held is not None:
            document, touched = held
            if now - touched > TOUCH_SECONDS:
                self._touch(sha256, document, now)
            return document
        with self.db.read() as tx:
            row = tx.one("SELECT document FROM apq_queries WHERE sha256 = ?", (sha256,))
        if row is None:
            return None
        self._touch(sha256, str(row["document"]), now)
        return str(row["document"])

    def register(self, sha256: str, document: str) -> None:
        """Keep `document` under `sha256` (the caller checked that it is its hash); drop the
        least recently used beyond the bound."""
        now = time.time()
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO apq_queries (sha256, document, last_used) VALUES (?, ?, ?)"
                " ON CONFLICT (sha256) DO UPDATE SET last_used = excluded.last_used",
                (sha256, document, now),
            )
            count = int(tx.value("SELECT COUNT(*) AS n FROM apq_queries") or 0)
            excess = count - self.capacity
            if excess > 0:
                tx.execute(
                    "DELETE FROM apq_queries WHERE sha256 IN (SELECT sha256 FROM apq_queries"
                    " ORDER BY last_used, sha256 LIMIT ?)",
                    (excess,),
                )
        self._remember(sha256, document, now)

    def count(self) -> int:
        with self.db.read() as tx:
            return int(tx.value("SELECT COUNT(*) AS n FROM apq_queries") or 0)

    def _touch(self, sha256: str, document: str, now: float) -> None:
        with self.db.transaction() as tx:
            tx.execute("UPDATE apq_queries SET last_used = ? WHERE sha256 = ?", (now, sha256))
        self._remember(sha256, document, now)

    def _remember(self, sha256: str, document: str, now: float) -> None:
        with self._lock:
            self._memory[sha256] = (document, now)
            self._memory.move_to_end(sha256)
            while len(self._memory) > min(MEMORY, self.capacity):
                self._memory.popitem(last=False)

    def forget_in_memory(self) -> None:
        """Drop what this process holds (tests: another process's view)."""
        with self._lock:
            self._memory.clear()
