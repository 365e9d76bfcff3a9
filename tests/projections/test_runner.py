"""The runner, on SQLite and PostgreSQL: exactly once under kills, rivals and rebuilds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import SanctionKind
from complaints.projections import tracking
from complaints.projections.complaint_list import ComplaintList
from complaints.projections.coordination import open_leadership
from complaints.projections.read_models import PROJECTIONS, ReadModels
from complaints.projections.runner import (
    GroupRunner,
    ProjectionRunner,
    apply_batch,
    build,
    discard,
)
from complaints.projections.sellers import Sellers
from complaints.projections.statistics import Statistics
from complaints.projections.timeline import Timeline
from complaints.settings import Settings
from tests.scenario import CONSUMER, SUPERVISOR, Scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stored_read_models(stored_app: ComplaintsApp) -> Iterator[ReadModels]:
    """Here the runners alone feed the read models: saves do not apply them inline (that,
    and the runners as its backstop, is tests/projections/test_inline.py)."""
    models = ReadModels(stored_app, inline=False)
    yield models
    models.close()


def varied_history(world: Scenario, rounds: int = 1) -> None:
    """Cases in every kind of state, sanctions, ratings and an erasure."""
    app = world.app
    for _ in range(rounds):
        closed = world.closed()
        app.rate_handling(CONSUMER, closed.id, 4, "ok")
        world.ruled()
        world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
        world.awaiting_info()
        world.lapse(world.file(), DeadlineKind.INTAKE)
    world.seller("globex")
    if not world.app.get_seller("globex").active_sanctions:
        app.sanction_seller(SUPERVISOR, "globex", SanctionKind.TRADING_RESTRICTED, "Late")


def assert_rows_equal_a_replay(models: ReadModels) -> None:
    """Every read model's rows are exactly those a fresh build from position 0 produces."""
    head = models.head()
    for projection in PROJECTIONS:
        fresh = build(models.app, models.db, projection)
        with models.db.read() as tx:
            active = tracking.active(tx, projection.name)
            assert active is not None
            assert active.position == head, projection.name
            live_rows = projection(active.generation).table_rows(tx)
            fresh_rows = projection(fresh.generation).table_rows(tx)
        discard(models.db, projection, [fresh.generation])
        assert live_rows == fresh_rows, projection.name


def wait_until_caught_up(models: ReadModels, timeout: float = 60) -> None:
    assert models.wait_for(models.head(), timeout=timeout), models.status()


def test_live_rows_equal_a_replay_of_the_events(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    worker = stored_read_models.worker(poll=0.05)
    worker.start()
    try:
        varied_history(stored_world, rounds=2)
        stored_world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        wait_until_caught_up(stored_read_models)
    finally:
        worker.stop()
    assert_rows_equal_a_replay(stored_read_models)


def test_reading_ones_own_writes(stored_world: Scenario, stored_read_models: ReadModels) -> None:
    worker = stored_read_models.worker(poll=5)
    worker.start()
    try:
        complaint = stored_world.file()
        position = stored_world.app.last_saved_position()
        assert position is not None
        assert stored_read_models.wait_for(position, timeout=10)
        assert stored_read_models.complaints.get(SUPERVISOR, complaint.id) is not None
    finally:
        worker.stop()


def test_waiting_is_bounded_when_nothing_feeds_the_read_models(stored_world: Scenario) -> None:
    read_models = ReadModels(stored_world.app, inline=False)  # the runners alone feed them
    try:
        stored_world.file()
        position = stored_world.app.last_saved_position()
        assert position is not None
        started = time.monotonic()
        assert not read_models.wait_for(position, timeout=0.3)
        assert time.monotonic() - started < 2
    finally:
        read_models.close()


def test_the_worker_follows_writes_made_by_another_process(
    stored_app: ComplaintsApp, store_url: str, stored_read_models: ReadModels
) -> None:
    worker = stored_read_models.worker(poll=0.2)
    worker.start()
    other = ComplaintsApp(Settings(database_url=store_url), clock=ManualClock())
    try:
        Scenario(other, other.clock).file()  # type: ignore[arg-type]
        position = other.last_saved_position()
        assert position is not None
        assert stored_read_models.wait_for(position, timeout=10)
    finally:
        other.close()
        worker.stop()


def test_lag_is_the_head_minus_the_position(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    stored_world.file()
    head = stored_read_models.head()
    assert {s.lag for s in stored_read_models.status()} == {head}
    stored_read_models.catch_up(["timeline"])
    lags = {s.name: s.lag for s in stored_read_models.status()}
    assert lags["timeline"] == 0
    assert lags["statistics"] == head


class TestRebuild:
    def test_a_rebuild_gives_identical_rows(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        varied_history(stored_world)
        stored_read_models.catch_up()
        with stored_read_models.db.read() as tx:
            before = {
                p.name: p(tracking.active(tx, p.name).generation).table_rows(tx)  # type: ignore[union-attr]
                for p in PROJECTIONS
            }
        for projection in PROJECTIONS:
            result = stored_read_models.rebuild(projection.name)
            assert result.generation == 2
            assert result.events == stored_read_models.head()
        with stored_read_models.db.read() as tx:
            after = {
                p.name: p(tracking.active(tx, p.name).generation).table_rows(tx)  # type: ignore[union-attr]
                for p in PROJECTIONS
            }
            leftovers = tracking.generations(tx, "timeline")
        assert after == before
        assert [g.generation for g in leftovers] == [2]

    def test_readers_see_the_old_model_until_the_new_one_has_caught_up(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        for _ in range(6):
            stored_world.closed()
        stored_read_models.catch_up()
        from complaints.projections.complaint_list import ComplaintFilter

        def total() -> int | None:
            return stored_read_models.complaints.search(
                SUPERVISOR, ComplaintFilter(), now=stored_world.clock.now()
            ).total

        complete = total()
        seen: list[int | None] = []
        from complaints.projections.complaint_list import ComplaintList
        from complaints.projections.runner import rebuild

        rebuild(
            stored_world.app,
            stored_read_models.db,
            ComplaintList,
            progress=lambda _: seen.append(total()),
            batch_size=7,
        )
        assert len(seen) > 3
        assert set(seen) == {complete}
        assert total() == complete

    def test_a_worker_rebuilds_a_model_whose_code_changed(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        stored_world.file()
        stored_read_models.catch_up()
        with stored_read_models.db.transaction() as tx:
            tx.execute("UPDATE rm_positions SET version = 0 WHERE name = ?", ("timeline",))
        worker = stored_read_models.worker(["timeline"], poll=0.05)
        worker.start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                status = {s.name: s for s in stored_read_models.status()}["timeline"]
                if status.generation == 2 and status.lag == 0:
                    break
                time.sleep(0.05)
        finally:
            worker.stop()
        assert (status.generation, status.version) == (2, Timeline.version)


def test_two_runners_on_one_projection_never_apply_an_event_twice(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    varied_history(stored_world, rounds=3)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            for projection in PROJECTIONS:
                ProjectionRunner(
                    stored_world.app, stored_read_models.db, projection, batch_size=5
                ).catch_up()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert_rows_equal_a_replay(stored_read_models)


def test_a_group_feeds_projections_that_stand_at_different_positions(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    app, db = stored_world.app, stored_read_models.db
    varied_history(stored_world)
    # Two projections are ahead (as after a rebuild of the others, or a restart mid-way).
    for projection in (Timeline, Statistics):
        ProjectionRunner(app, db, projection).catch_up()
    varied_history(stored_world)
    group = GroupRunner([ProjectionRunner(app, db, p, batch_size=7) for p in PROJECTIONS])
    batches = 0
    while group.step() > 0:
        batches += 1
    assert batches > 1
    assert_rows_equal_a_replay(stored_read_models)


def test_a_rival_moving_one_position_rolls_back_the_whole_group_batch(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    app, db = stored_world.app, stored_read_models.db
    varied_history(stored_world)
    runners = [ProjectionRunner(app, db, p) for p in (ComplaintList, Sellers)]
    members = [(r, r.current()) for r in runners]
    ProjectionRunner(app, db, Sellers).catch_up()  # a rival, after the group read its positions
    assert apply_batch(members, remember=True) == 0
    with db.read() as tx:
        complaint_list = tracking.active(tx, ComplaintList.name)
    assert complaint_list is not None
    assert complaint_list.position == 0  # nothing of the batch stayed
    # The next step reads the positions afresh and applies what is new to each.
    group = GroupRunner(runners)
    while group.step() > 0:
        pass
    stored_read_models.catch_up(
        ["timeline", "deadlines", "statistics", "supervision", "webhooks", "orders"]
    )
    assert_rows_equal_a_replay(stored_read_models)


def test_one_failing_model_does_not_hold_back_the_rest_of_its_group(
    stored_world: Scenario, stored_read_models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, db = stored_world.app, stored_read_models.db
    varied_history(stored_world)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug in one read model")

    monkeypatch.setattr(Statistics, "apply", broken)
    group = GroupRunner([ProjectionRunner(app, db, p) for p in (ComplaintList, Statistics)])
    assert group.step() > 0  # the list moved on alone
    with pytest.raises(RuntimeError, match="a bug in one read model"):
        group.step()  # nothing more can move: the failure is raised, for the worker to retry
    with db.read() as tx:
        positions = {
            name: generation.position
            for name in ("complaint_list", "statistics")
            if (generation := tracking.active(tx, name)) is not None
        }
    assert positions == {"complaint_list": stored_read_models.head(), "statistics": 0}
    monkeypatch.undo()
    while group.step() > 0:  # fixed: it catches up from where it stood
        pass
    stored_read_models.catch_up()
    assert_rows_equal_a_replay(stored_read_models)


def test_the_worker_runs_the_followed_projection_alone_and_the_rest_together(
    stored_read_models: ReadModels,
) -> None:
    worker = stored_read_models.worker()
    try:
        assert [[p.name for p in group] for group in worker.groups()] == [
            ["timeline"],
            [p.name for p in PROJECTIONS if p.name != "timeline"],
        ]
    finally:
        worker.leadership.close()


def test_a_second_leader_waits_until_the_first_is_gone(
    stored_app: ComplaintsApp,
) -> None:
    store = stored_app.settings.store
    first, second = open_leadership(store, stored_app), open_leadership(store, stored_app)
    try:
        assert first.try_lead("timeline")
        assert not second.try_lead("timeline")
        assert second.try_lead("statistics")
        first.close()
        assert second.try_lead("timeline")
    finally:
        first.close()
        second.close()


def worker_process(url: str) -> subprocess.Popen[bytes]:
    # Projections only: the scenario's manual clock is in January 2026, and a deadline worker
    # on the real clock would enforce its deadlines under it.
    return subprocess.Popen(
        [sys.executable, "-m", "complaints", "worker", "--poll", "0.2", "--no-deadlines"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.reliability
@pytest.mark.serial  # kills processes, and counts kills that land mid-stream by the clock
def test_killed_workers_lose_nothing_and_repeat_nothing(
    stored_world: Scenario,
    stored_read_models: ReadModels,
    store_url: str,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    """Over 5,000 events arrive while worker processes are killed with SIGKILL at random
    moments and restarted; then the read models equal a replay."""
    rng = random.Random(20261125)
    writing = threading.Event()
    writing.set()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            # A steady stream over several kill cycles, not one burst before the first kill.
            while stored_read_models.head() < 5200:
                varied_history(stored_world)
                time.sleep(0.12)
        except BaseException as error:
            failures.append(error)
        finally:
            writing.clear()

    def applied() -> int:
        return sum(stored_read_models.positions().values())

    writer = threading.Thread(target=write)
    writer.start()
    kills_mid_stream = 0
    kills = 0
    while writing.is_set() or kills < 10:
        before = applied()
        process = worker_process(store_url)
        processes.append(process)
        # Kill it once it applies events (a worker takes 1-4 s to start, by the machine's
        # load), a random moment later: mid-batch, mid-commit, or between batches.
        started = time.monotonic()
        while applied() == before and time.monotonic() - started < 15:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        after = applied()
        behind = any(s.lag > 0 for s in stored_read_models.status())
        if after > before and behind:
            kills_mid_stream += 1  # it was working, and had work left, when it died
    writer.join()
    assert failures == []
    assert stored_read_models.head() >= 5000
    assert kills_mid_stream >= 3, (kills, kills_mid_stream)
    processes.append(worker_process(store_url))
    wait_until_caught_up(stored_read_models, timeout=120)
    processes[-1].terminate()
    processes[-1].wait(timeout=30)
    assert_rows_equal_a_replay(stored_read_models)
    print(
        f"worker kills: {stored_read_models.head()} events, {kills} SIGKILLs,"
        f" {kills_mid_stream} mid-stream; rows equal a replay"
    )


def test_two_worker_processes_share_the_work_without_repeating_it(
    stored_world: Scenario,
    stored_read_models: ReadModels,
    store_url: str,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    processes.extend([worker_process(store_url), worker_process(store_url)])
    varied_history(stored_world, rounds=10)
    wait_until_caught_up(stored_read_models, timeout=60)
    for process in processes:
        process.terminate()
        process.wait(timeout=30)
        assert process.returncode in {0, -signal.SIGTERM}
    assert_rows_equal_a_replay(stored_read_models)
