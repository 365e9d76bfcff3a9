"""Which database answers a query: a hot standby that has replayed what the client must see, else
the primary.

Read-your-writes is kept by a token, not by time: a mutation's answer carries the primary's WAL
position after its commit (an LSN, `pg_current_wal_insert_lsn()`), the client sends it back, and
a replica answers only once *its own* `pg_last_wal_replay_lsn()` has reached it. The router checks
the replica it chose, never "some replica": GitLab unstuck a user as soon as one replica caught up
and a lagging one then served stale reads (gitlab.com/gitlab-org/gitlab/-/issues/413203).

`ReplicaRouter` holds the decisions and no connection (tests/store/test_replicas.py drives it
with a fake clock); `complaints.projections.database` gives it the probes and the pools.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

#: The first pause after a failure; each further failure doubles it, up to `MAX_BACKOFF`.
BACKOFF = 1.0
MAX_BACKOFF = 30.0
#: A replica's replay position and lag are looked at again after this long.
PROBE_EVERY = 1.0
#: How often a read waiting for a replica to reach its token looks again.
POLL_EVERY = 0.01


@dataclass
class ReadScope:
    """One API request's reads: the token they must see, and who answered them.

    Only reads made inside a scope may go to a replica; the runners, workers, webhook delivery
    and every other reader outside a request read the primary."""

    #: The LSN the reads must see (the client's `Read-After`, or its own latest write here).
    token: int | None = None
    #: A mutation, or a token that could not be read: everything comes from the primary.
    primary: bool = False
    #: "primary" and/or the names of the replicas that answered.
    served: set[str] = field(default_factory=set)

    def wants(self, token: int | None) -> None:
        if token is not None:
            self.token = token if self.token is None else max(self.token, token)

    def sent(self, token: object) -> None:
        """Add a token a client sent (`Read-After`, `extensions.readAfter`, or a subscription's
        `connection_init` payload `readAfter`). One that is not an LSN is not trusted to mean
        anything: the reads go to the primary (always fresh), not to a replica that might not
        hold what the client wrote."""
        if not isinstance(token, str):
            self.primary = True
            return
        try:
            self.wants(parse_lsn(token))
        except ValueError:
            self.primary = True

    @classmethod
    def resumed(cls, sent: object, own: int | None) -> ReadScope:
        """The scope of a subscription's catch-up (`after`): the token its client sent, if any,
        and the actor's own latest write in this process (`ActorTokens`)."""
        reads = cls()
        if sent is not None:
            reads.sent(sent)
        reads.wants(own)
        return reads


#: The current request's scope (None outside a request: the primary answers).
READ_SCOPE: ContextVar[ReadScope | None] = ContextVar("read_scope", default=None)


def parse_lsn(text: str) -> int:
    """PostgreSQL's `pg_lsn` text (`16/B374D848`) as a number; ValueError if it is not one."""
    high, sep, low = text.strip().partition("/")
    if not sep or not high or not low:
        msg = f"not an LSN: {text!r}"
        raise ValueError(msg)
    try:
        value = (int(high, 16) << 32) | int(low, 16)
    except ValueError:
        msg = f"not an LSN: {text!r}"
        raise ValueError(msg) from None
    if int(high, 16) >= 1 << 32 or int(low, 16) >= 1 << 32:
        msg = f"not an LSN: {text!r}"
        raise ValueError(msg)
    return value


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


@dataclass
class Replica:
    """What the router knows of one standby."""

    name: str
    #: The highest replay position seen: it only grows, so it is a safe lower bound.
    replayed: int = 0
    #: Seconds of WAL received but not yet replayed (0 when it has replayed all it has).
    lag: float = 0.0
    #: When it was last probed (the router's clock), and until when it is out after failures.
    probed_at: float = float("-inf")
    down_until: float = float("-inf")
    failures: int = 0
    served: int = 0


@dataclass
class Probe:
    """One look at a standby: `pg_last_wal_replay_lsn()` and its replay lag in seconds."""

    replayed: int
    lag: float


class ReplicaRouter:
    """Chooses a replica for a read that must see `token` (an LSN, or None for any)."""

    def __init__(
        self,
        names: Sequence[str],
        *,
        max_lag: float,
        wait: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.replicas = [Replica(name) for name in names]
        self.max_lag = max_lag
        self.wait = wait
        self.clock = clock
        self.sleep = sleep
        self._next = 0
        self._lock = threading.Lock()
        #: Reads the primary answered because no replica could: counted, for /metrics.
        self.fallbacks = 0
        #: The primary's LSN after this process's latest erasure: every read waits for it.
        self.erased: int | None = None

    def usable(self, replica: Replica) -> bool:
        """In service: not backing off after a failure, and not lagging past the limit."""
        return self.clock() >= replica.down_until and replica.lag <= self.max_lag

    def observed(self, replica: Replica, probe: Probe) -> None:
        replica.replayed = max(replica.replayed, probe.replayed)
        replica.lag = probe.lag
        replica.probed_at = self.clock()
        replica.failures = 0
        replica.down_until = float("-inf")

    def failed(self, replica: Replica) -> None:
        """A connection error or a failed query: out for a while, longer each time."""
        replica.failures += 1
        pause = min(BACKOFF * 2 ** (replica.failures - 1), MAX_BACKOFF)
        replica.down_until = self.clock() + pause
        # Probe it again as soon as the pause ends, before it serves anything.
        replica.probed_at = float("-inf")

    def _rotation(self) -> list[Replica]:
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % max(len(self.replicas), 1)
        return self.replicas[start:] + self.replicas[:start]

    def choose(self, token: int | None, probe: Callable[[Replica], Probe]) -> Replica | None:
        """The replica that answers, having itself replayed `token`; None: the primary.

        Replicas due a probe are probed first (a failure takes one out). One that already has
        the token is taken at once; otherwise the first usable one is polled until it has it,
        for at most `wait` seconds, and the primary answers if it never does (a fallback).

        After an erasure here, every read must also see the erasure's LSN (`erasure`): a replica
        that has not replayed it may still hold the erased text."""
        token = self.must_see(token)
        candidates: list[Replica] = []
        for replica in self._rotation():
            if self.clock() < replica.down_until:
                continue
            if self.clock() - replica.probed_at >= PROBE_EVERY and not self._probe(replica, probe):
                continue
            if self.usable(replica):
                candidates.append(replica)
        for replica in candidates:
            if token is None or replica.replayed >= token:
                return self._serve(replica)
        if not candidates:
            if self.replicas:
                self._fallback()
            return None
        chosen = candidates[0]
        deadline = self.clock() + self.wait
        while self.clock() < deadline:
            self.sleep(POLL_EVERY)
            if not self._probe(chosen, probe) or not self.usable(chosen):
                break
            if token is None or chosen.replayed >= token:
                return self._serve(chosen)
        self._fallback()
        return None

    def erasure(self, lsn: int) -> None:
        """An erasure committed here, the log then standing at `lsn`: from now on no read in this
        process goes to a replica that has not replayed it (the read models' text it erased)."""
        with self._lock:
            self.erased = lsn if self.erased is None else max(self.erased, lsn)

    def must_see(self, token: int | None) -> int | None:
        """What a read asking for `token` must see: that, and this process's latest erasure."""
        erased = self.erased
        if erased is None:
            return token
        return erased if token is None else max(token, erased)

    def _probe(self, replica: Replica, probe: Callable[[Replica], Probe]) -> bool:
        try:
            seen = probe(replica)
        except Exception:  # any failure to look takes the replica out
            self.failed(replica)
            return False
        self.observed(replica, seen)
        return True

    def _serve(self, replica: Replica) -> Replica:
        replica.served += 1
        return replica

    def _fallback(self) -> None:
        with self._lock:
            self.fallbacks += 1

    def fell_back(self) -> None:
        """A read the primary answered because no replica could (counted)."""
        self._fallback()

    def rotation(self) -> list[Replica]:
        """The replicas in service, the next one first (round robin)."""
        return [r for r in self._rotation() if self.usable(r)]


class ActorTokens:
    """Per process, the LSN after each actor's latest write: the token for clients that send
    none back, so that they keep today's read-your-writes for their own writes."""

    def __init__(self, entries: int = 100_000) -> None:
        self.entries = entries
        self._tokens: dict[str, int] = {}
        #: After the table was full and cleared: the highest token it held, owed to everyone.
        self._floor: int | None = None
        self._lock = threading.Lock()

    def wrote(self, actor: str, lsn: int) -> None:
        with self._lock:
            if len(self._tokens) >= self.entries and actor not in self._tokens:
                self._floor = max([*self._tokens.values(), self._floor or 0])
                self._tokens.clear()
            self._tokens[actor] = max(lsn, self._tokens.get(actor, 0))

    def get(self, actor: str) -> int | None:
        """The token this actor's reads must wait for (None: it wrote nothing here)."""
        own = self._tokens.get(actor)
        if self._floor is None:
            return own
        return max(own or 0, self._floor)
