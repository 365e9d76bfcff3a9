"""Persisted queries, and a response cache for the ones that read one case.

**Persisted queries.** Frontends send the SHA-256 of a document the server already knows
instead of the document itself, in the Apollo form:

    {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}},
     "variables": {...}}

`complaints persisted` lists them. An unknown hash is answered with the error code
`PERSISTED_QUERY_NOT_FOUND`, as Apollo clients expect.

**The response cache.** A persisted query that reads one case and nothing that changes with
the clock (`cache_by` names its case-id variable) has its response kept, keyed by the query,
its variables and the viewer (role, id and shop: two viewers never share an entry). An entry is
served only while both hold:
- the case has not changed since the entry was made: the change feed below knows, for every
  case, the log position of its newest timeline entry, and the entry remembers the one it saw;
- the change feed has caught up with every batch the read models committed so far (each batch
  pulses; until the feed has read past it, every request runs in full).

A mutation answers once the read models include its events, and those commits pulse first, so
a client reading right after its own write never gets the old response. The cached documents
select no personal text, so erasure cannot leave a stale copy behind either. The hub that
feeds it reads at least once a second, which bounds staleness if another process's
notifications were lost.

**A shop's standing** (`sellerStanding`, registered by APQ) is cached the same way, with a
change feed of its own: shops instead of cases, fed from the sellers read model the answer is
read from (each shop's `standing_seq`, the position of its last change: `graphql/standing.py`),
after every batch any read model commits. Its bound is the same: a change this process commits
is seen before its mutation answers; one committed by another process, as soon as its
notification arrives, and at the latest a poll (`STANDING_POLL_SECONDS`, 1 s) later.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from complaints.graphql.apq import COMPLAINT, Cacheable
from complaints.store.signal import AsyncPulse

log = logging.getLogger(__name__)

#: How many cases the change feed remembers by name (about 100 bytes each); older ones are
#: summed up by its floor.
CHANGED_CASES = 100_000


@dataclass(frozen=True)
class PersistedQuery:
    name: str
    document: str
    #: The variable holding the one case the query reads, if its responses may be cached.
    cache_by: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.document.encode()).hexdigest()

    @property
    def cacheable(self) -> Cacheable:
        """What it reads, when it may be cached (`cache_by` set): one case."""
        assert self.cache_by is not None
        return Cacheable(COMPLAINT, self.cache_by)


QUERIES = (
    PersistedQuery(
        "CaseTimeline",
        "query CaseTimeline($id: ID!, $first: Int = 20, $after: String) {"
        " complaint(id: $id) { id reference status category"
        " timeline(first: $first, after: $after) {"
        " edges { cursor node { position version type at actorRole summary } }"
        " pageInfo { hasNextPage endCursor } } } }",
        cache_by="id",
    ),
    PersistedQuery(
        "CaseHeader",
        "query CaseHeader($id: ID!) { complaint(id: $id) { id reference status category"
        " shopId outcome decidedByDefault } }",
        cache_by="id",
    ),
)
PERSISTED: dict[str, PersistedQuery] = {q.sha256: q for q in QUERIES}


class ChangeFeed:
    """Which cases changed, and when: the log position of each case's newest timeline entry
    seen since this process started. The subscription hub, which reads the new timeline rows
    after every batch the read models commit, hands it their positions (one read of the
    timeline per batch for both: `TimelineHub.attach`). The standing's feed is one too, of
    shops (`graphql/standing.py`)."""

    def __init__(self, limit: int = CHANGED_CASES) -> None:
        self.position = 0
        #: The newest change of each case seen, the least recently changed first; bounded.
        self.changed: OrderedDict[str, int] = OrderedDict()
        self.limit = limit
        #: The newest change among the cases forgotten to keep `changed` bounded: every case
        #: not remembered changed at or before it, as far as the feed can say.
        self.floor = 0
        #: The pulse count the feed had seen when its last catch-up began; -1 before the first
        #: (and after a read that failed).
        self.synced = -1
        self._lock = threading.Lock()

    def saw(self, changes: Sequence[tuple[int, str]]) -> None:
        """(position, complaint id) of new timeline entries (or shop ids), in log order."""
        if not changes:
            return
        with self._lock:
            for position, complaint_id in changes:
                self.changed[complaint_id] = position
                self.changed.move_to_end(complaint_id)
            while len(self.changed) > self.limit:
                # Forgetting a case raises the floor past its change: an entry cached for it
                # before then no longer matches (a miss, never a stale answer).
                _, forgotten = self.changed.popitem(last=False)
                self.floor = max(self.floor, forgotten)
            self.position = changes[-1][0]

    def mark(self, complaint_id: str) -> int:
        """The position of the case's newest change seen (0: none since the feed started; the
        floor for a case forgotten, or never seen since cases were forgotten)."""
        with self._lock:
            return self.changed.get(complaint_id, self.floor)

    def current(self, projected: AsyncPulse) -> bool:
        return self.synced == projected.pulses


@dataclass(frozen=True)
class Cached:
    body: bytes
    mark: int


class ResponseCache:
    """A bounded LRU of response bodies; see the module's docstring for when one is served."""

    def __init__(self, entries: int) -> None:
        self.capacity = entries
        self._entries: OrderedDict[tuple[Any, ...], Cached] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...], mark: int) -> bytes | None:
        cached = self._entries.get(key)
        if cached is None or cached.mark != mark:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return cached.body

    def put(self, key: tuple[Any, ...], body: bytes, mark: int) -> None:
        if self.capacity <= 0:
            return
        self._entries[key] = Cached(body, mark)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
