"""The transparency log's builder: it follows the event log and appends every event to the tree,
and signs a checkpoint of the tree at most every LOG_CHECKPOINT_EVERY, when it grew.

It follows as the projections do (complaints.projections.runner): it reads the notification log
after its own position, a batch at a time, and appends the batch in one transaction that first
moves the position by compare-and-set (`LogStore.append`), so an event becomes a leaf exactly
once, in the order of the event log, whoever else runs. Saving an event never waits for it:
commands cost what they cost without a log, and the log follows within moments (bench.commands
measures both). One builder leads at a time (`Leadership`); it wakes on every save in this
process, on PostgreSQL's NOTIFY from others, and after `poll` seconds in any case, and then lets
the saves of a burst land for LINGER before it reads them, so that a busy log costs the writers
a few batches a second rather than one per save.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from uuid import UUID

from complaints.application import ComplaintsApp
from complaints.projections.coordination import Leadership, open_leadership
from complaints.projections.transparency import LogState, LogStore, NewLeaf, StoredCheckpoint
from complaints.store.hash_chain import HashedRecorder
from complaints.store.notes import Checkpoint, Signer

log = logging.getLogger(__name__)

NAME = "transparency-log"
BATCH_SIZE = 1000
#: How long the builder lets saves accumulate after one wakes it, before it reads them.
LINGER = 0.25


class LogBuilder:
    def __init__(
        self,
        app: ComplaintsApp,
        store: LogStore,
        signer: Signer,
        *,
        origin: str | None = None,
        checkpoint_every: float | None = None,
        poll: float = 1.0,
        leadership: Leadership | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.signer = signer
        self.origin = origin or app.settings.log_origin
        self.every = (
            app.settings.log_checkpoint_every if checkpoint_every is None else checkpoint_every
        )
        self.poll = poll
        self.leadership = leadership or open_leadership(app.settings.store, app)
        self._state: LogState | None = None
        self._latest: StoredCheckpoint | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- one step
    def step(self) -> int:
        """Append the next batch of events; return how many (0: none new, or a rival did)."""
        state = self._state or self.store.state()
        notifications = self.app.recorder.select_notifications(
            start=state.position + 1, limit=BATCH_SIZE
        )
        if not notifications:
            self._state = state
            return 0
        recorder = self.app.recorder
        assert isinstance(recorder, HashedRecorder)
        keys = [(UUID(str(n.originator_id)), n.originator_version) for n in notifications]
        hashes = recorder.select_event_hashes(keys)
        missing = [key for key in keys if key not in hashes]
        if missing:
            raise LookupError(f"no chain hash is recorded for {missing[0]}")
        leaves = [
            NewLeaf(n.id, key[0], key[1], hashes[key])
            for n, key in zip(notifications, keys, strict=True)
        ]
        moved = self.store.append(state, leaves)
        if moved is None:
            log.debug("another builder appended this batch first")
            self._state = None
            return 0
        self._state = moved
        return len(leaves)

    def catch_up(self) -> int:
        appended = 0
        while (count := self.step()) > 0:
            appended += count
        return appended

    def checkpoint(
        self, now: datetime | None = None, *, force: bool = False
    ) -> StoredCheckpoint | None:
        """Sign and keep a checkpoint of the tree as it is, if it grew since the last one and
        the last is at least `checkpoint_every` old (or `force`); return the new one."""
        latest = self._latest or self.store.latest_checkpoint()
        self._latest = latest
        size = self._size()
        now = now or datetime.now(UTC)  # operational time, not the domain's clock
        if latest is not None:
            if size <= latest.tree_size:
                return None
            if not force and (now - latest.signed_at).total_seconds() < self.every:
                return None
        checkpoint = Checkpoint(self.origin, size, self.store.root(size))
        note = self.signer.sign(checkpoint.text())
        self.store.add_checkpoint(checkpoint, note, now)
        self._latest = StoredCheckpoint(checkpoint, note, now)
        log.info("transparency log: checkpoint of %d leaves signed", size)
        return self._latest

    def _size(self) -> int:
        """The tree's size as this builder last left it (read if it does not know)."""
        if self._state is None:
            self._state = self.store.state()
        return self._state.size

    def due_in(self, now: datetime) -> float:
        """Seconds until a checkpoint may be signed again."""
        if self._latest is None:
            return 0.0
        return max(0.0, self.every - (now - self._latest.signed_at).total_seconds())

    # ---------------------------------------------------------------- running until stopped
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.app.saved.pulse()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.leadership.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.leadership.try_lead(NAME):
                self._stop.wait(self.poll)  # another process builds the log; stand by
                continue
            # Another process may have led meanwhile: what this one knew is stale.
            self._state = self._latest = None
            try:
                self._lead()
            except Exception:
                log.exception("the transparency log's builder failed; retrying")
                self._state = self._latest = None
                self._stop.wait(self.poll)
            finally:
                self.leadership.release(NAME)

    def _lead(self) -> None:
        # The log's tables exist: ReadModels made them, under the schema lock on PostgreSQL.
        while not self._stop.is_set():
            seen = self.app.saved.pulses
            self.catch_up()
            self.checkpoint()
            wait = self.poll
            if self._latest is not None and self._size() > self._latest.tree_size:
                wait = min(wait, max(self.due_in(datetime.now(UTC)), 0.01))
            if self.app.saved.wait(seen, wait) != seen:
                # Let the saves of a burst land, to append them as one batch: a wake-up per
                # save would cost the writers more than the log's lag is worth.
                self._stop.wait(LINGER)
            if not self.leadership.still_leading(NAME):
                return
