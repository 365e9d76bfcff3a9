"""Queries read complaints through a per-process cache that the store keeps fresh: a case read
before costs one select of what was stored since, and a cached case is never changed in place."""

from __future__ import annotations

import time

from complaints.application import ComplaintsApp
from complaints.domain.values import ERASED
from tests.scenario import PARTIAL, SELLER, SUPERVISOR, Scenario


def test_an_unchanged_case_is_served_from_the_cache(
    stored_app: ComplaintsApp, stored_world: Scenario
) -> None:
    complaint = stored_world.negotiating()
    first = stored_app.read_complaint(complaint.id)
    assert stored_app.read_complaint(complaint.id) is first
    assert first.version == complaint.version


def test_a_change_is_seen_at_once_and_the_old_state_is_left_as_it_was(
    stored_app: ComplaintsApp, stored_world: Scenario
) -> None:
    complaint = stored_world.negotiating()
    before = stored_app.read_complaint(complaint.id)
    version = before.version
    offers = len(before.offers)
    stored_app.make_offer(SELLER, complaint.id, PARTIAL)
    after = stored_app.read_complaint(complaint.id)
    assert after is not before
    assert after.version > version
    assert len(after.offers) == offers + 1
    assert (before.version, len(before.offers)) == (version, offers)  # not changed in place
    # The advanced state equals a full load from the store.
    loaded = stored_app.get_complaint(complaint.id)
    assert (after.version, after.status, after.offers) == (
        loaded.version,
        loaded.status,
        loaded.offers,
    )


def test_a_write_by_another_process_is_seen_too(
    stored_app: ComplaintsApp, stored_world: Scenario
) -> None:
    """Another application on the same store stands for another process."""
    complaint = stored_world.negotiating()
    cached = stored_app.read_complaint(complaint.id)
    other = ComplaintsApp(stored_app.settings, clock=stored_world.clock)
    try:
        other.make_offer(SELLER, complaint.id, PARTIAL)
    finally:
        other.close()
    fresh = stored_app.read_complaint(complaint.id)
    assert fresh.version > cached.version
    assert len(fresh.offers) == len(cached.offers) + 1


def test_entries_expire_with_the_key_cache(app: ComplaintsApp, world: Scenario) -> None:
    app.read_cache.ttl = 0.0
    complaint = world.negotiating()
    first = app.read_complaint(complaint.id)
    assert app.read_complaint(complaint.id) is not first  # loaded again: decrypted afresh


def test_an_erasure_in_this_process_clears_what_was_read(
    app: ComplaintsApp, world: Scenario
) -> None:
    complaint = world.negotiating()
    assert app.read_complaint(complaint.id).description.reveal() != ERASED
    app.erase_subject(SUPERVISOR, complaint.consumer_id)
    assert app.read_complaint(complaint.id).description.reveal() == ERASED


def test_the_cache_is_bounded(app: ComplaintsApp, world: Scenario) -> None:
    app.read_cache.maxsize = 2
    cases = [world.file() for _ in range(3)]
    for case in cases:
        app.read_complaint(case.id)
    assert app.read_cache.get(cases[0].id) is None
    assert app.read_cache.get(cases[2].id) is not None


def test_an_unchanged_case_is_served_without_asking_the_store(
    stored_app: ComplaintsApp, stored_world: Scenario
) -> None:
    """On SQLite the file's data_version, on PostgreSQL the listener's pulses, say that
    nothing was written since the case was checked."""
    complaint = stored_world.negotiating()
    models = None
    if stored_app.settings.store.kind == "postgres":
        from complaints.projections.read_models import ReadModels

        models = ReadModels(stored_app)
        models.listen()
        deadline = time.monotonic() + 10
        while stored_app.write_mark() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # let the listener's first pulse pass
    try:
        assert stored_app.cached_complaint(complaint.id) is None  # never read yet
        read = stored_app.read_complaint(complaint.id)
        assert stored_app.cached_complaint(complaint.id) is read
        other = ComplaintsApp(stored_app.settings, clock=stored_world.clock)
        try:
            other.make_offer(SELLER, complaint.id, PARTIAL)  # another process writes
        finally:
            other.close()
        deadline = time.monotonic() + 5
        while stored_app.cached_complaint(complaint.id) is not None:
            assert time.monotonic() < deadline, "the other process's write was never noticed"
            time.sleep(0.01)
        assert stored_app.read_complaint(complaint.id).version > read.version
    finally:
        if models is not None:
            models.close()


def test_nothing_is_served_unasked_while_writes_cannot_be_heard(
    postgres_url: str, tmp_path: object
) -> None:
    from complaints.settings import Settings

    app = ComplaintsApp(Settings(database_url=postgres_url))
    try:
        assert app.write_mark() is None  # no listener: every read asks the store
    finally:
        app.close()
