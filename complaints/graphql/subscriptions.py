"""Subscriptions over graphql-transport-ws: a stream of timeline entries, with the complaint as
it stands after each.

One reader per process (`TimelineHub`) reads the timeline rows that are new after each batch
the read models commit (a pulse from this process's writers or runners, or a NOTIFY from
another's), once for every subscriber (on PostgreSQL over a connection of its own, on the
event loop: `complaints/projections/tail.py`), and hands each row to the subscribers who may
see it: those following its case, and its consumer's and shop's `myComplaintUpdates`. A
subscriber then only loads the complaint for an entry of its own. With a thousand
subscribers an event costs one read, not a thousand.

A subscriber that asks for `after` first reads what it missed from the read model, then takes
what the hub hands it, skipping what it already sent: a client that reconnects with `after`
set to the last position it saw misses nothing and gets nothing twice. One that falls too far
behind is dropped by the hub and reads from the read model again.

With read replicas (DATABASE_REPLICA_URLS) that catch-up is a read like a query's: it goes to a
replica only once that replica has replayed the token the client sent in `connection_init`'s
payload (`readAfter`, the latest `extensions.readAfter` it was given) and the subscriber's own
latest write in this process, else to the primary (counted as a fallback). A token that is not
an LSN sends it to the primary. The hub's own reads follow the batches (tail.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections import defaultdict, deque
from collections.abc import AsyncGenerator, Callable
from typing import TypeVar
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain import access
from complaints.domain.access import list_scope, sees_entry
from complaints.domain.text import Text
from complaints.domain.values import Actor
from complaints.graphql.context import Context, Info
from complaints.graphql.errors import CodedError
from complaints.graphql.persisted import ChangeFeed
from complaints.graphql.resolvers import complaint_uuid
from complaints.graphql.types.complaint import ComplaintUpdate
from complaints.graphql.types.timeline import TimelineEntry
from complaints.projections.read_models import ReadModels
from complaints.projections.timeline import CaseRow
from complaints.projections.timeline import TimelineEntry as Entry
from complaints.store.replicas import READ_SCOPE, ReadScope
from complaints.store.signal import AsyncPulse

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_SECONDS = 1.0
#: The longest a subscriber sleeps without news (it wakes for news, or when its token expires).
IDLE_SECONDS = 60.0
#: Timeline rows the hub reads at a time.
HUB_BATCH = 1000
#: Entries a subscriber may have waiting before the hub drops them and it reads them itself.
BACKLOG = 1000


class Listener:
    def __init__(self, viewer: Actor, complaint_id: str | None) -> None:
        self.viewer = viewer
        self.complaint_id = complaint_id
        self.scope = list_scope(viewer)
        self.entries: deque[Entry] = deque()
        self.overflowed = False
        self.ready = asyncio.Event()

    def wants(self, row: CaseRow) -> bool:
        if not sees_entry(self.viewer, row.audience):
            return False
        if self.complaint_id is not None:
            return True  # the hub only offers rows of its case; access was checked at start
        if self.scope.everything:
            return True
        if self.scope.consumer_id is not None:
            return self.scope.consumer_id == row.consumer_id
        return self.scope.shop_id is not None and self.scope.shop_id == row.shop_id

    def offer(self, row: CaseRow) -> None:
        if self.overflowed or not self.wants(row):
            return
        if len(self.entries) >= BACKLOG:
            self.entries.clear()
            self.overflowed = True
        else:
            self.entries.append(row.entry_for(self.viewer))
        self.ready.set()

    def take(self) -> list[Entry]:
        entries = list(self.entries)
        self.entries.clear()
        self.ready.clear()
        return entries

    async def wait(self, timeout: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.ready.wait()


class TimelineHub:
    """One task per process reads the new timeline rows after every pulse and hands them to the
    listeners who want them; only those wake. The response cache's change feed, attached, is
    handed the positions of the same rows: one read per batch serves both.

    The task lives as long as the event loop and is never cancelled from under a listener: with
    nobody listening it forgets its position and sleeps until someone registers. Cancelling it
    when the last listener leaves is unsafe: on Python 3.11 `asyncio.wait_for` can swallow the
    cancellation, and a task that survives it leaves the next listener waiting for a start signal
    that never comes (tests/reliability/test_faults.py reconnects subscribers after a database
    restart). With a change feed attached it reads on whether anyone listens or not.
    """

    def __init__(self, views: ReadModels, projected: AsyncPulse) -> None:
        self.views = views
        self.projected = projected
        #: Reads the new rows: on the event loop on PostgreSQL (see tail.py).
        self.tail = views.tail()
        #: How far the hub has read, while anyone listens; None while nobody does.
        self.position: int | None = None
        self._by_case: defaultdict[str, set[Listener]] = defaultdict(set)
        self._by_viewer: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self._wanted = asyncio.Event()  # someone registered
        self._positioned = asyncio.Event()  # `position` is known
        #: The response cache's change feed, if attached.
        self.feed: ChangeFeed | None = None

    def attach(self, feed: ChangeFeed) -> None:
        """Hand the change feed the position and case of every new row, from now on."""
        self.feed = feed
        self._start()
        self._wanted.set()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._follow(), name="timeline-hub")

    async def register(self, listener: Listener) -> int:
        """Add a listener; return the position from which the hub hands it rows."""
        if listener.complaint_id is not None:
            self._by_case[listener.complaint_id].add(listener)
        else:
            self._by_viewer.add(listener)
        self._start()
        self._wanted.set()
        # The hub does not forget its position while this listener is registered, and every
        # row after the position it returns is offered to it.
        while self.position is None:
            await self._positioned.wait()
        return self.position

    def unregister(self, listener: Listener) -> None:
        if listener.complaint_id is not None:
            followers = self._by_case.get(listener.complaint_id)
            if followers is not None:
                followers.discard(listener)
                if not followers:
                    del self._by_case[listener.complaint_id]
        else:
            self._by_viewer.discard(listener)

    async def aclose(self) -> None:
        """At shutdown: stop the task, and close the tail's connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # Waited for, not awaited: a cancellation swallowed on the way (see above) must
            # not hold up the shutdown.
            await asyncio.wait({task}, timeout=5)
        await self.tail.aclose()

    async def _follow(self) -> None:
        while True:
            if not self._by_case and not self._by_viewer and self.feed is None:
                # Nobody listens: read nothing, and start from the head when someone comes.
                self.position = None
                self._positioned.clear()
                self._wanted.clear()
                await self._wanted.wait()
                continue
            seen = self.projected.pulses
            try:
                if self.position is None:
                    self.position = await self.tail.head()
                    self._positioned.set()
                await self._read()
            except Exception:
                if self.feed is not None:
                    self.feed.synced = -1  # not current: the response cache stands aside
                log.warning("the subscription hub could not read the timeline", exc_info=True)
                await asyncio.sleep(POLL_SECONDS)
                continue
            if self.feed is not None:
                self.feed.synced = seen
            await self.projected.wait(seen, POLL_SECONDS)

    async def _read(self) -> None:
        assert self.position is not None
        while True:
            rows = await self.tail.rows_after(self.position, HUB_BATCH)
            if self.feed is not None:
                self.feed.saw([(row.position, row.complaint_id) for row in rows])
            for row in rows:
                for listener in self._by_case.get(row.complaint_id, ()):
                    listener.offer(row)
                for listener in self._by_viewer:
                    listener.offer(row)
            if rows:
                self.position = rows[-1].position
            if len(rows) < HUB_BATCH:
                # A short page is the end of what was committed when it was read; anything
                # later pulses again (`_follow` took the pulse count before reading). Asking
                # once more, for nothing, cost a thread hop and a query per batch.
                return


def _until_expiry(context: Context) -> float:
    """How long a subscriber may sleep: until its token expires (then it ends), at most a
    minute. Not a fixed poll: a thousand subscribers polling every second wake together."""
    if context.expires_at is None:
        return IDLE_SECONDS
    left = (context.expires_at - context.app.clock.now()).total_seconds()
    return max(0.0, min(IDLE_SECONDS, left + 0.01))


_hubs: weakref.WeakKeyDictionary[AsyncPulse, TimelineHub] = weakref.WeakKeyDictionary()


def hub_for(views: ReadModels, projected: AsyncPulse) -> TimelineHub:
    """The process's hub (one per event loop's pulse)."""
    hub = _hubs.get(projected)
    if hub is None:
        hub = _hubs[projected] = TimelineHub(views, projected)
    return hub


async def close_hub(projected: AsyncPulse) -> None:
    """At shutdown: stop the hub that follows this pulse, if there is one."""
    hub = _hubs.pop(projected, None)
    if hub is not None:
        await hub.aclose()


async def _check_after(context: Context, after: int | None) -> None:
    """`after` is a position in the event log: from 0 to its head. One beyond the head would
    wait in silence for positions that may never name this case; refuse it, naming the head."""
    if after is None:
        return
    head = await anyio.to_thread.run_sync(lambda: context.app.recorder.max_notification_id() or 0)
    if not 0 <= after <= head:
        raise CodedError(
            "VALIDATION_FAILED",
            Text(
                "after must be a position from 0 to the head of the log, {head}; it was {after}.",
                head=head,
                after=after,
            ),
            head=head,
        )


def catch_up_scope(context: Context) -> ReadScope | None:
    """The scope of a subscriber's catch-up reads; None without replicas (the primary reads)."""
    db = context.read_models.db
    if db.router is None:
        return None
    sent = (context.connection_params or {}).get("readAfter")
    return ReadScope.resumed(sent, db.token_of(str(context.actor)))


def _scoped(reads: ReadScope | None, call: Callable[[], T]) -> T:
    """Run `call` (in a worker thread) with its reads in `reads`."""
    if reads is None:
        return call()
    token = READ_SCOPE.set(reads)
    try:
        return call()
    finally:
        READ_SCOPE.reset(token)


async def _updates(
    info: Info, complaint_id: UUID | None, after: int | None
) -> AsyncGenerator[ComplaintUpdate, None]:
    context = info.context
    views = context.read_models
    hub = hub_for(views, context.timeline_projected or context.projected)
    listener = Listener(context.actor, None if complaint_id is None else str(complaint_id))
    try:
        start = await hub.register(listener)
        position = start if after is None else after
        backlog = after is not None and after < start
        while True:
            context.check_still_valid()
            if backlog or listener.overflowed:
                # What the hub will not hand over: read it from the read model.
                listener.overflowed = False
                listener.take()
                since = functools.partial(
                    views.timeline.since, context.actor, position, complaint_id=complaint_id
                )
                entries = await anyio.to_thread.run_sync(_scoped, catch_up_scope(context), since)
                backlog = bool(entries)
            else:
                await listener.wait(_until_expiry(context))
                entries = listener.take()
            for entry in entries:
                if entry.position <= position:
                    continue  # read from the model and handed over by the hub: send it once
                position = entry.position
                # The hub and the read model only give entries of cases this viewer may see
                # (Listener.wants, TimelineView.since); the complaint loads only if selected.
                yield ComplaintUpdate(
                    position=entry.position,
                    entry=TimelineEntry.of(entry),
                    _complaint_id=entry.complaint_id,
                )
    finally:
        hub.unregister(listener)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="One case, for its parties and staff; `after` is the last position received"
    )
    async def complaint_updates(
        self, info: Info, complaint_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[ComplaintUpdate, None]:
        try:
            uuid = complaint_uuid(complaint_id)
        except Exception:
            raise CodedError(
                "VALIDATION_FAILED", Text("complaintId is not a complaint id")
            ) from None
        if await info.context.complaint(uuid) is None:
            raise CodedError("NOT_ALLOWED", Text("No such complaint among yours."))
        await _check_after(info.context, after)
        async for update in _updates(info, uuid, after):
            yield update

    @strawberry.subscription(description="Every case of the signed-in consumer or seller")
    async def my_complaint_updates(
        self, info: Info, after: int | None = None
    ) -> AsyncGenerator[ComplaintUpdate, None]:
        if not access.follows_own_cases(info.context.actor):
            raise CodedError(
                "NOT_ALLOWED", Text("Sign in as a consumer or seller to follow your cases.")
            )
        await _check_after(info.context, after)
        async for update in _updates(info, None, after):
            yield update
