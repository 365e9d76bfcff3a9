"""The what-if worker on both stores: it replays a recorded job, reading only the event store,
records its progress and stores the report; running in its thread, it picks a job up by itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from complaints.projections.read_models import ReadModels
from complaints.projections.whatif_jobs import job_id
from complaints.workers.whatif import WhatIfWorker
from tests.scenario import Scenario
from tests.whatif_history import History


@pytest.fixture
def models(stored_world: Scenario) -> Iterator[ReadModels]:
    read_models = ReadModels(stored_world.app)
    yield read_models
    read_models.close()


def test_the_worker_replays_a_job_and_stores_the_report(
    stored_world: Scenario, models: ReadModels
) -> None:
    History(stored_world).run(3)
    head = stored_world.app.recorder.max_notification_id()
    now = stored_world.clock.now()
    start, end = now - timedelta(days=400), now + timedelta(days=1)
    job = models.whatif_jobs.enqueue(["DEADLINES=seller_response=24h"], start, end)
    assert job.id == job_id(["DEADLINES=seller_response=24h"], start, end)
    assert models.whatif_jobs.enqueue(["DEADLINES=seller_response=24h"], start, end) == job

    assert WhatIfWorker(stored_world.app, models.whatif_jobs).run_once() == 1

    finished = models.whatif_jobs.get(job.id)
    assert finished is not None
    assert finished.status == "done"
    assert (finished.phase, finished.done, finished.total) == ("replaying", 4, 4)
    assert finished.result["replayed"] == 4
    assert finished.result["identity"]["ok"] is True
    assert stored_world.app.recorder.max_notification_id() == head


def test_the_running_worker_picks_a_job_up(stored_world: Scenario, models: ReadModels) -> None:
    History(stored_world).run(1)
    now = stored_world.clock.now()
    job = models.whatif_jobs.enqueue([], now - timedelta(days=400), now + timedelta(days=1))
    worker = WhatIfWorker(stored_world.app, models.whatif_jobs, poll=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while (current := models.whatif_jobs.get(job.id)) is not None and current.status != "done":
            assert time.monotonic() < deadline, current
            time.sleep(0.05)
    finally:
        worker.stop()
    assert current is not None
    assert current.result["replayed"] == 2
