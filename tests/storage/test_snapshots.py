"""Complaint snapshots: a long case loads from its latest snapshot, every as-of read equals a
replay from the first event, and erasure reaches what snapshots hold."""

from __future__ import annotations

from datetime import timedelta

from eventsourcing.application import project_aggregate

from complaints.domain.complaint import Complaint
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
