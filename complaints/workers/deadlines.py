"""The deadline worker (DESIGN §9): it keeps time so that nobody has to push a case along.

It reads the pending-deadlines read model and sends each deadline that has fallen due through
the platform's own lapse command. Every guarantee rests on that command, not on the worker:

- A deadline already met, superseded or enforced makes the command do nothing, so a deadline the
  read model still shows (it lags the log) or one a restarted worker sees again never fires twice.
- The command saves the default outcome, the advance refund and the seller's strike in one
  atomic write, retried on a concurrent change; a crash leaves all of them or none.
- The worker keeps no state of its own. A restarted worker reads what is due and carries on, so
  no deadline is missed either.

One worker leads at a time (a PostgreSQL advisory lock, or a lock file beside the SQLite file);
others stand by. It runs in `complaints worker`, and inside `complaints serve` when that serves
the read models too (IN_PROCESS_PROJECTIONS, the embedded default).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from uuid import UUID

from complaints.application import ComplaintsApp
from complaints.domain.errors import DeadlineNotDue, DomainError
from complaints.domain.values import SYSTEM
from complaints.projections.coordination import Leadership, open_leadership
from complaints.projections.read_models import ReadModels

log = logging.getLogger(__name__)

NAME = "deadline-worker"


@dataclass
class Sweep:
    """What one pass over the due deadlines did."""

    fired: int = 0  # lapse commands that recorded something
    unchanged: int = 0  # already met, superseded or enforced (the read model lagged)
    not_due: int = 0  # moved later since the read model last saw them (a clock resumed)
    failed: int = 0  # to be tried again on the next pass
    expired: int = 0  # sanctions whose time was up
    reminded: int = 0  # parties warned that a deadline is near (REMINDERS)
    resumed: int = 0  # paused clocks that reached their limit (MAX_PAUSE)


class DeadlineWorker:
    def __init__(
        self,
        app: ComplaintsApp,
        read_models: ReadModels,
        *,
        poll: float | None = None,
        batch: int = 100,
        leadership: Leadership | None = None,
    ) -> None:
        self.app = app
        self.read_models = read_models
        self.poll = app.settings.deadline_poll_seconds if poll is None else poll
        self.batch = batch
        self.leadership = leadership or open_leadership(app.settings.store, app)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- one pass
    def run_once(self) -> Sweep:
        """Send every deadline due now through the lapse command, the oldest first."""
        sweep = Sweep()
        now = self.app.clock.now()
        tried: set[tuple[UUID, int]] = set()
        self._resume_pauses(now, sweep)
        while not self._stop.is_set():
            due = [
                d
                for d in self.read_models.deadlines.due(now, limit=self.batch + len(tried))
                if (d.complaint_id, d.deadline_id) not in tried
            ]
            if not due:
                break
            for deadline in due:
                tried.add((deadline.complaint_id, deadline.deadline_id))
                self._lapse(deadline.complaint_id, deadline.deadline_id, sweep)
            # Let the read model catch up with what was just enforced before looking again.
            position = self.app.last_saved_position()
            if position is not None:
                self.read_models.wait_for(position, timeout=5.0, names=["deadlines"])
        self._expire_sanctions(now, sweep)
        self._remind(now, sweep)
        if sweep.fired or sweep.failed or sweep.expired or sweep.reminded or sweep.resumed:
            log.info(
                "deadlines: %d fired, %d unchanged, %d not yet due, %d failed; %d sanctions"
                " ended; %d reminders; %d paused clocks resumed at their limit",
                sweep.fired,
                sweep.unchanged,
                sweep.not_due,
                sweep.failed,
                sweep.expired,
                sweep.reminded,
                sweep.resumed,
            )
        return sweep

    def _resume_pauses(self, now: datetime, sweep: Sweep) -> None:
        """A paused clock has a limit too (MAX_PAUSE): resume each that reached it, first, so
        that the deadlines it held are due again in this same pass. The command is
        idempotent, so a read model that lags only costs a command that records nothing."""
        max_pause = self.app.settings.max_pause
        for complaint_id in self.read_models.deadlines.pauses_due(now, max_pause, limit=self.batch):
            if self._stop.is_set():
                return
            resumed = self._enforce(
                f"paused clock {complaint_id}",
                partial(self.app.resume_clock_at_limit, SYSTEM, complaint_id),
                sweep,
            )
            sweep.resumed += bool(resumed)
        position = self.app.last_saved_position()
        if sweep.resumed and position is not None:
            self.read_models.wait_for(position, timeout=5.0, names=["deadlines"])

    def _expire_sanctions(self, now: datetime, sweep: Sweep) -> None:
        """A sanction's end is a deadline too: end each whose time is up. The command is
        idempotent, so a read model that lags only costs a command that changes nothing."""
        for shop_id, sanction_id in self.read_models.sellers.expiring(now, limit=self.batch):
            if self._stop.is_set():
                return
            ended = self._enforce(
                f"sanction {shop_id}/{sanction_id}",
                partial(self.app.expire_sanction, SYSTEM, shop_id, sanction_id),
                sweep,
            )
            sweep.expired += bool(ended)

    def _remind(self, now: datetime, sweep: Sweep) -> None:
        """Warn each party whose deadline is near (REMINDERS). The command decides on the case
        itself, so a read model that lags only costs a command that records nothing."""
        leads = self.app.settings.reminders
        for deadline in self.read_models.deadlines.reminders_due(now, leads, limit=self.batch):
            if self._stop.is_set():
                return
            reminded = self._enforce(
                f"reminder {deadline.complaint_id}/{deadline.deadline_id}",
                partial(
                    self.app.remind_deadline, SYSTEM, deadline.complaint_id, deadline.deadline_id
                ),
                sweep,
            )
            sweep.reminded += bool(reminded)

    def _lapse(self, complaint_id: UUID, deadline_id: int, sweep: Sweep) -> None:
        try:
            fired = self._enforce(
                f"deadline {complaint_id}/{deadline_id}",
                partial(self.app.lapse_deadline, SYSTEM, complaint_id, deadline_id),
                sweep,
            )
        except DeadlineNotDue:
            sweep.not_due += 1
            return
        if fired is True:
            sweep.fired += 1
        elif fired is False:
            sweep.unchanged += 1

    def _enforce(self, what: str, command: Callable[[], object], sweep: Sweep) -> bool | None:
        """Run one idempotent command: True if it recorded something, False if it changed
        nothing (done already; the read model lagged), None if it failed (counted, and tried
        again on the next pass). `DeadlineNotDue` is the caller's to handle."""
        before = self.app.last_saved_position()
        try:
            command()
        except DeadlineNotDue:
            raise
        except DomainError as error:
            # A concurrent update that kept colliding, or a case erased meanwhile: next pass.
            log.warning("%s not enforced: %s", what, error)
            sweep.failed += 1
            return None
        except Exception:
            log.exception("%s failed; will retry", what)
            sweep.failed += 1
            return None
        return self.app.last_saved_position() != before

    # ---------------------------------------------------------------- running until stopped
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.leadership.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.leadership.try_lead(NAME):
                self._stop.wait(self.poll)  # another worker keeps time; stand by
                continue
            try:
                self._lead()
            except Exception:
                log.exception("the deadline worker failed; retrying")
                self._stop.wait(self.poll)
            finally:
                self.leadership.release(NAME)

    def _lead(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._sleep())
            if not self.leadership.still_leading(NAME):
                return

    def _sleep(self) -> float:
        """Until the next deadline falls due or its first reminder is owed, but never longer
        than the poll interval: a new deadline may be set meanwhile. One still due now was just
        tried; it waits a poll."""
        next_due = self.read_models.deadlines.next_due()
        if next_due is None:
            return self.poll
        leads = self.app.settings.reminders
        now = self.app.clock.now()
        moments = [next_due, *(next_due - lead for lead in leads if next_due - lead > now)]
        wait = (min(moments) - now).total_seconds()
        return self.poll if wait <= 0 else min(self.poll, wait)
