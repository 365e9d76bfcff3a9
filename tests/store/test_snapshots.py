"""Complaint snapshots: a long case loads from its latest snapshot, every as-of read equals a
replay from the first event, and erasure reaches what snapshots hold."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from eventsourcing.application import project_aggregate

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import ERASED
from tests.scenario import CONSUMER, SELLER, SUPERVISOR, Scenario


def long_case(world: Scenario, messages: int) -> Complaint:
    complaint = world.negotiating()
    for n in range(messages):
        who = CONSUMER if n % 2 else SELLER
        complaint = world.app.post_message(who, complaint.id, f"Message {n} about the lamp.")
        world.clock.advance(timedelta(minutes=1))
    return complaint


def replayed(world: Scenario, complaint: Complaint, version: int) -> Complaint:
    events = world.app.events.get(complaint.id, lte=version)
    result = project_aggregate(None, events)
    assert isinstance(result, Complaint)
    return result


def test_a_long_case_loads_from_its_snapshots_and_equals_its_replay(
    stored_world: Scenario,
) -> None:
    world = stored_world
    complaint = long_case(world, 230)
    assert world.app.snapshots is not None
    snapshots = list(world.app.snapshots.get(complaint.id))
    assert [s.originator_version for s in snapshots] == [100, 200]
    loaded = world.app.get_complaint(complaint.id)
    assert vars(loaded) == vars(replayed(world, complaint, complaint.version))


def test_every_as_of_read_equals_a_replay_around_the_snapshots(stored_world: Scenario) -> None:
    world = stored_world
    complaint = long_case(world, 230)
    history = world.app.history(complaint.id)
    for version in (1, 99, 100, 101, 150, 199, 200, 201, complaint.version):
        expected = vars(replayed(world, complaint, version))
        assert vars(world.app.complaint_as_of(complaint.id, version=version)) == expected
        at = history[version - 1].timestamp
        # A moment holds every event recorded at it (filing and acceptance share one).
        last_at = max(e.originator_version for e in history if e.timestamp <= at)
        at_moment = vars(replayed(world, complaint, last_at))
        assert vars(world.app.complaint_as_of(complaint.id, at=at)) == at_moment
        # A moment between two events shows the earlier one.
        if version < complaint.version and history[version].timestamp > at:
            between = at + (history[version].timestamp - at) / 2
            as_of = world.app.complaint_as_of(complaint.id, at=between)
            assert as_of.version == version


def test_erasure_reaches_what_the_snapshots_hold(stored_world: Scenario) -> None:
    world = stored_world
    complaint = long_case(world, 120)
    assert complaint.description.reveal() != ERASED
    world.app.erase_subject(SUPERVISOR, CONSUMER.id)
    for loaded in (
        world.app.get_complaint(complaint.id),  # from the snapshot at 100
        world.app.complaint_as_of(complaint.id, version=110),
    ):
        assert loaded.version > 100
        assert loaded.description.reveal() == ERASED


def snapshot_before_the_default_ruling_record(complaint: Complaint) -> Any:
    """A snapshot of the complaint as one taken before the state kept the lapsed deadline and
    the ruling by default held it (class version 1)."""
    taken = Complaint.Snapshot.take(complaint)
    for name in ("class_version", "lapsed_deadline", "default_ruling"):
        del taken.state[name]
    return taken


def lapse_version(world: Scenario, complaint: Complaint) -> int:
    """The version of the case's (one) lapsed deadline."""
    (version,) = [
        e.originator_version
        for e in world.app.history(complaint.id)
        if type(e).__name__ == "DeadlineLapsed"
    ]
    return version


def test_a_ruling_by_default_survives_a_snapshot(stored_world: Scenario) -> None:
    world = stored_world
    complaint = world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
    assert complaint.default_ruling is not None
    world.app.take_snapshot(complaint.id)
    loaded = world.app.complaint_as_of(complaint.id, version=complaint.version)
    assert vars(loaded) == vars(replayed(world, complaint, complaint.version))
    assert loaded.default_ruling == complaint.default_ruling


def test_a_snapshot_older_than_the_record_leaves_a_default_ruling_to_the_events(
    stored_world: Scenario,
) -> None:
    """It cannot know the ruling by default: the case it loads reads as decided by default with
    no record, the one state that says to find it in the events, and the application does."""
    world = stored_world
    complaint = world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
    assert world.app.snapshots is not None
    world.app.snapshots.put([snapshot_before_the_default_ruling_record(complaint)])
    expected = vars(replayed(world, complaint, complaint.version))
    from_snapshot: Complaint = world.app.repository.get(complaint.id)
    assert vars(from_snapshot) == expected | {"lapsed_deadline": None, "default_ruling": None}
    assert from_snapshot.decided_by_default
    for loaded in (
        world.app.get_complaint(complaint.id),
        world.app.complaint_as_of(complaint.id, version=complaint.version),
        world.app.complaint_as_of(complaint.id, at=complaint.modified_on),
    ):
        assert vars(loaded) == expected


def test_an_old_snapshot_of_the_lapse_leaves_the_ruling_that_follows_to_the_events(
    stored_world: Scenario,
) -> None:
    """Taken between the lapse and the ruling by default of one command (a snapshot is taken at
    every hundredth version, wherever it falls), it lacks the lapsed deadline the ruling cites."""
    world = stored_world
    complaint = world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
    at_lapse = world.app.complaint_as_of(complaint.id, version=lapse_version(world, complaint))
    assert not at_lapse.decided_by_default
    assert world.app.snapshots is not None
    world.app.snapshots.put([snapshot_before_the_default_ruling_record(at_lapse)])
    from_snapshot: Complaint = world.app.repository.get(complaint.id)
    assert (from_snapshot.decided_by_default, from_snapshot.default_ruling) == (True, None)
    loaded = world.app.complaint_as_of(complaint.id, version=complaint.version)
    assert loaded.default_ruling == complaint.default_ruling is not None
