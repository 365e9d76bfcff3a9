"""The what-if worker (issue 33): it replays the periods `policyWhatIf` found too large to
replay while a request waits, one job at a time, the oldest first.

It reads only the event store (`replay` writes nothing to it), records the job's progress as the
replay reports it (each batch of events read, each hundred cases replayed) and stores the
report's JSON, or the error that stopped it. A job a stopped leader left running is started
again by the next leader. One worker leads at a time, like the deadline worker; it runs in
`complaints worker` and inside `complaints serve` (IN_PROCESS_PROJECTIONS).
"""

from __future__ import annotations

import logging
import threading

from complaints.application import ComplaintsApp
from complaints.application.whatif import replay, to_json
from complaints.domain.errors import DomainError
from complaints.domain.whatif import PolicyProposal
from complaints.projections.coordination import Leadership, open_leadership
from complaints.projections.whatif_jobs import DONE, FAILED, WhatIfJob, WhatIfJobs

log = logging.getLogger(__name__)

NAME = "whatif-worker"


class WhatIfWorker:
    def __init__(
        self,
        app: ComplaintsApp,
        jobs: WhatIfJobs,
        *,
        poll: float = 2.0,
        leadership: Leadership | None = None,
    ) -> None:
        self.app = app
        self.jobs = jobs
        self.poll = poll
        self.leadership = leadership or open_leadership(app.settings.store, app)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Run every job waiting now; how many finished (done or failed)."""
        finished = 0
        while not self._stop.is_set() and (job := self.jobs.next()) is not None:
            self._run_job(job)
            finished += 1
        return finished

    def _run_job(self, job: WhatIfJob) -> None:
        def progress(phase: str, done: int, total: int) -> None:
            self.jobs.progress(job.id, phase, done, total)

        try:
            proposal = PolicyProposal.parse(job.settings)
            result = replay(self.app, proposal, job.start, job.end, progress=progress)
        except DomainError as error:
            self.jobs.finish(job.id, FAILED, {"error": str(error), "code": error.code})
            return
        except Exception as error:
            log.exception("what-if job %s failed", job.id)
            self.jobs.finish(job.id, FAILED, {"error": f"{type(error).__name__}: {error}"})
            return
        self.jobs.finish(job.id, DONE, to_json(result))
        log.info("what-if job %s: %d cases replayed", job.id, len(result.cases))

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
                self._stop.wait(self.poll)  # another worker replays; stand by
                continue
            try:
                while not self._stop.is_set():
                    self.run_once()
                    self._stop.wait(self.poll)
                    if not self.leadership.still_leading(NAME):
                        break
            except Exception:
                log.exception("the what-if worker failed; retrying")
                self._stop.wait(self.poll)
            finally:
                self.leadership.release(NAME)
