"""The response cache's change feed for shops' standings: which shops' standing changed, and
where in the log (see persisted.py).

One task per process follows the sellers read model, the one `sellerStanding` is read from:
after every batch any read model commits (a pulse from this process's writers or runners, or a
NOTIFY from another's), and at least every `STANDING_POLL_SECONDS`, it reads the shops whose
`standing_seq` moved past what it has seen and hands them to the feed. While it has not read
past every pulse, or after a read that failed, the cache stands aside and requests run in full.
Following the read model the answers come from (not the event log) matters: an answer is
cached under the mark the feed had when it was read, and the feed never knows of a change the
read model does not hold yet.
"""

from __future__ import annotations

import asyncio
import logging

import anyio.to_thread

from complaints.graphql.persisted import ChangeFeed
from complaints.projections.read_models import ReadModels
from complaints.store.signal import AsyncPulse

log = logging.getLogger(__name__)

#: The longest a change committed elsewhere goes unseen when its notification is lost: the
#: bound on how long a cached standing may outlive a sanction.
STANDING_POLL_SECONDS = 1.0
#: Shops read at a time.
BATCH = 1000


class StandingFollower:
    def __init__(self, views: ReadModels, projected: AsyncPulse, feed: ChangeFeed) -> None:
        self.views = views
        self.projected = projected
        self.feed = feed
        #: How far the follower has read (None: not yet started from the head).
        self.position: int | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._follow(), name="standing-feed")

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # Waited for, not awaited: see TimelineHub.aclose.
            await asyncio.wait({task}, timeout=5)

    async def _follow(self) -> None:
        sellers = self.views.sellers
        while True:
            seen = self.projected.pulses
            try:
                if self.position is None:
                    self.position = await anyio.to_thread.run_sync(sellers.standing_head)
                while True:
                    changes = await anyio.to_thread.run_sync(
                        sellers.standing_changes, self.position, BATCH
                    )
                    self.feed.saw(changes)
                    if changes:
                        self.position = changes[-1][0]
                    if len(changes) < BATCH:
                        break
            except Exception:
                self.feed.synced = -1  # not current: the cache stands aside
                log.warning("the standing feed could not read the sellers", exc_info=True)
                await asyncio.sleep(STANDING_POLL_SECONDS)
                continue
            self.feed.synced = seen
            await self.projected.wait(seen, STANDING_POLL_SECONDS)
