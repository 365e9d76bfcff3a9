"""Inline projections: every read model applied in the transaction that saves its events, on
both real stores; the runners as their backstop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.projections import inline, tracking
from complaints.projections.read_models import PROJECTIONS, ReadModels
from complaints.projections.runner import GroupRunner, ProjectionRunner
from complaints.projections.statistics import Statistics
from complaints.projections.timeline import Timeline
from complaints.settings import Settings
from tests.projections.test_runner import assert_rows_equal_a_replay, varied_history
from tests.scenario import SUPERVISOR, Scenario


@pytest.fixture
def models(stored_app: ComplaintsApp) -> Iterator[ReadModels]:
    read_models = ReadModels(stored_app)
    assert read_models.inline is not None
    yield read_models
    read_models.close()


def positions(models: ReadModels) -> set[int]:
    return set(models.positions().values())


def test_a_save_has_applied_every_read_model_when_it_returns(
    stored_world: Scenario, models: ReadModels
) -> None:
    complaint = stored_world.file()  # no worker, no runner: the save applied them
    head = models.head()
    assert positions(models) == {head}
    assert models.applied(head)
    assert models.wait_for(head, timeout=0)
    assert models.complaints.get(SUPERVISOR, complaint.id) is not None
    page = models.timeline.entries(SUPERVISOR, complaint.id, first=20)
    assert page is not None
    assert page.items
    assert models.inline is not None
    assert models.inline.failures == 0


def test_rows_equal_a_replay_after_every_kind_of_history(
    stored_world: Scenario, models: ReadModels
) -> None:
    varied_history(stored_world, rounds=2)  # cases in every state, sanctions, an erasure
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)


def test_a_failing_read_model_stops_no_save_and_its_runner_catches_up(
    stored_world: Scenario, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_world.file()
    before = models.head()

    def broken(*_: Any) -> None:
        raise RuntimeError("a bug in a handler")

    with monkeypatch.context() as patched:
        patched.setattr(Statistics, "flush", broken)
        complaint = stored_world.file()  # the save commits all the same
    assert stored_world.app.get_complaint(complaint.id).id == complaint.id
    assert models.inline is not None
    assert models.inline.failures >= 1
    # The savepoint rolled back every model's rows and positions: none half-applied.
    assert positions(models) == {before}
    assert not models.applied(models.head())
    models.catch_up()  # what the worker's backstop runner does
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)


def test_a_model_left_behind_is_caught_up_by_the_next_save(
    stored_world: Scenario, models: ReadModels
) -> None:
    recorder: Any = stored_world.app.recorder
    attached = recorder.inline
    recorder.inline = None  # a process without inline projections writes
    stored_world.negotiating()
    behind = models.head()
    assert max(positions(models)) < behind
    recorder.inline = attached
    stored_world.file()
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)


def test_a_model_too_far_behind_is_left_to_its_runner(
    stored_world: Scenario, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inline, "GAP_LIMIT", 2)
    recorder: Any = stored_world.app.recorder
    attached = recorder.inline
    recorder.inline = None
    stored_world.negotiating()  # more than two events
    left = positions(models)
    recorder.inline = attached
    stored_world.file()
    assert positions(models) == left  # a writer does not carry a long catch-up
    models.catch_up()
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)


def test_a_generation_of_another_version_is_left_to_the_runner_that_rebuilds_it(
    stored_world: Scenario, models: ReadModels
) -> None:
    stored_world.file()
    with models.db.transaction() as tx:
        tx.execute("UPDATE rm_positions SET version = version - 1 WHERE name = ?", (Timeline.name,))
    stored_world.file()
    moved = models.positions()
    assert moved[Timeline.name] < models.head()
    assert {p for name, p in moved.items() if name != Timeline.name} == {models.head()}


def test_writers_and_a_rival_runner_apply_each_event_once(
    stored_world: Scenario, models: ReadModels
) -> None:
    """Saves apply the models inline while runners on the same models step as fast as they
    can (the worker's backstop, or a process without inline projections): rows equal a
    replay, so nothing was applied twice or skipped."""
    app = stored_world.app
    runners = GroupRunner([ProjectionRunner(app, models.db, p) for p in PROJECTIONS])
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def rival() -> None:
        try:
            while writing.is_set():
                for runner in runners.runners:
                    runner.forget()
                runners.step()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=rival)
    thread.start()
    try:
        recorder: Any = app.recorder
        attached = recorder.inline
        for round_ in range(4):
            # Every other round without inline projections, so that the runner has work.
            recorder.inline = attached if round_ % 2 == 0 else None
            varied_history(stored_world)
        recorder.inline = attached
        stored_world.file()
    finally:
        writing.clear()
        thread.join()
    assert errors == []
    models.catch_up()
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)


def test_a_rebuild_while_saves_apply_inline(stored_world: Scenario, models: ReadModels) -> None:
    varied_history(stored_world)
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            while writing.is_set():
                stored_world.file()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        time.sleep(0.2)
        result = models.rebuild(Timeline.name)
        time.sleep(0.2)
    finally:
        writing.clear()
        thread.join()
    assert errors == []
    with models.db.read() as tx:
        active = tracking.active(tx, Timeline.name)
    assert active is not None
    assert active.generation == result.generation
    stored_world.file()
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)


def test_a_save_wakes_the_timeline_followers(stored_world: Scenario, models: ReadModels) -> None:
    timeline, anything = models.timeline_advanced.pulses, models.advanced.pulses
    stored_world.file()
    assert models.timeline_advanced.pulses > timeline
    assert models.advanced.pulses > anything


@pytest.mark.postgres
def test_another_process_hears_an_inline_batch(
    postgres_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    """Subscribers and response caches in other server processes wake on its NOTIFY."""
    settings = Settings(database_url=postgres_url, upload_dir=tmp_path / "uploads")
    writer_app, other_app = ComplaintsApp(settings, clock=clock), ComplaintsApp(settings)
    writer, other = ReadModels(writer_app), ReadModels(other_app, inline=False)
    try:
        other.listen()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and other.timeline_advanced.pulses == 0:
            time.sleep(0.02)  # it pulses once when it starts listening
        seen = other.timeline_advanced.pulses
        Scenario(writer_app, clock).file()
        assert other.timeline_advanced.wait(seen, 10) != seen
    finally:
        for models in (other, writer):
            models.close()
            models.app.close()


def test_the_worker_backs_up_the_inline_models_together(
    stored_world: Scenario, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = models.worker(poll=30)  # woken by the failure, not by its poll
    assert worker.groups() == [list(PROJECTIONS)]
    worker.start()
    flush = Statistics.flush
    failures = [RuntimeError()]

    def fails_once(projection: Statistics, tx: Any) -> None:
        # Once: the inline batch fails. The backstop, woken at once by that failure, may step
        # before the save returns; it must not meet the failure too, or it would wait for its
        # 30 s poll (the test would time out, as it did once in CI).
        if failures:
            raise failures.pop()
        flush(projection, tx)

    try:
        monkeypatch.setattr(Statistics, "flush", fails_once)
        stored_world.file()
        assert not failures  # the inline batch failed
        assert models.wait_for(models.head(), timeout=10)  # the backstop applied it
    finally:
        worker.stop()
    assert_rows_equal_a_replay(models)


@pytest.mark.postgres
def test_a_writer_without_inline_projections_wakes_the_backstop_at_once(
    postgres_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    """Its NOTIFY carries no 'inline' payload: the backstop runner applies its events now,
    not at its next poll."""
    settings = Settings(database_url=postgres_url, upload_dir=tmp_path / "uploads")
    server_app, other_app = ComplaintsApp(settings, clock=clock), ComplaintsApp(settings)
    server = ReadModels(server_app)
    worker = server.worker(poll=30)
    worker.start()
    try:
        Scenario(other_app, clock).file()  # a process with no read models attached
        assert server.wait_for(other_app.recorder.max_notification_id() or 0, timeout=10)
    finally:
        worker.stop()
        server.close()
        server_app.close()
        other_app.close()


def test_a_statement_the_database_refuses_leaves_the_connection_usable(
    stored_world: Scenario, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the models' statements are pipelined: those queued behind the refused one
    are skipped. The savepoint is rolled back, the save commits, and the next saves on the
    same connections apply the models again (nothing half-prepared is left behind)."""

    def refused(_: Statistics, tx: Any) -> None:
        tx.execute("INSERT INTO no_such_table VALUES (1)")

    with monkeypatch.context() as patched:
        patched.setattr(Statistics, "flush", refused)
        stored_world.file()
    assert models.inline is not None
    assert models.inline.failures >= 1
    failures = models.inline.failures
    for _ in range(3):
        stored_world.negotiating()  # each save catches the models up and applies its own
    assert models.inline.failures == failures
    assert positions(models) == {models.head()}
    assert_rows_equal_a_replay(models)
