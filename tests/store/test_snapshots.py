"""Complaint snapshots: a long case loads from its latest snapshot, every as-of read equals a
replay from the first event, and erasure reaches what snapshots hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.application import project_aggregate

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import ERASED, Status
from tests.scenario import AGENT, CONSUMER, PLATFORM, SELLER, SUPERVISOR, Scenario


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
    the ruling by default held it (class version 1, which counted no resubmissions either)."""
    taken = Complaint.Snapshot.take(complaint)
    for name in ("class_version", "lapsed_deadline", "default_ruling", "resubmissions"):
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


def snapshot_before_the_resubmission_count(complaint: Complaint) -> Any:
    """A snapshot of the complaint as one taken before the state counted resubmissions
    (class version 2)."""
    taken = Complaint.Snapshot.take(complaint)
    taken.state["class_version"] = 2
    del taken.state["resubmissions"]
    return taken


RESUBMITTED = "Here are the photos of the crushed box."


def returned_twice(world: Scenario) -> Complaint:
    """Returned for information, resubmitted, returned again: awaiting the second answer."""
    complaint = world.awaiting_info()
    world.app.resubmit_complaint(CONSUMER, complaint.id, RESUBMITTED)
    return world.app.return_complaint_for_info(AGENT, complaint.id, "And the label?", ["label"])


#: Every way intake can end, each a case that a version 2 snapshot may hold.
INTAKE_ENDINGS: dict[str, Callable[[Scenario], Complaint]] = {
    "never returned": lambda w: w.negotiating(),
    "awaiting": returned_twice,
    "resubmitted and accepted": lambda w: w.app.accept_complaint(
        AGENT, w.app.resubmit_complaint(CONSUMER, returned_twice(w).id, RESUBMITTED).id
    ),
    "resubmitted and rejected": lambda w: w.app.reject_complaint(
        AGENT,
        w.app.resubmit_complaint(CONSUMER, returned_twice(w).id, RESUBMITTED).id,
        "Bought elsewhere.",
        "R-1.1",
    ),
    "expired": lambda w: w.lapse(returned_twice(w), DeadlineKind.RESUBMISSION),
    "withdrawn while awaiting": lambda w: w.app.withdraw_complaint(CONSUMER, returned_twice(w).id),
    "withdrawn after resubmitting": lambda w: w.app.withdraw_complaint(
        CONSUMER, w.app.resubmit_complaint(CONSUMER, returned_twice(w).id, RESUBMITTED).id
    ),
}


@pytest.mark.parametrize("ending", list(INTAKE_ENDINGS))
def test_a_snapshot_older_than_the_count_tells_it_wherever_its_state_can(
    world: Scenario, ending: str
) -> None:
    """At every version of every ending of intake, between the events of one command too: a
    version 2 snapshot gives the count the events give, or leaves it unknown, and only for a
    case withdrawn after a return (which cannot tell whether it resubmitted first)."""
    complaint = INTAKE_ENDINGS[ending](world)
    for version in range(1, complaint.version + 1):
        expected = replayed(world, complaint, version)
        old = snapshot_before_the_resubmission_count(expected)
        loaded = old.mutate(None)
        if loaded.resubmissions is None:
            assert expected.status is Status.WITHDRAWN
            assert expected.info_requests
            assert vars(loaded) == vars(expected) | {"resubmissions": None}
        else:
            assert vars(loaded) == vars(expected)


@pytest.mark.parametrize("ending", ["withdrawn while awaiting", "withdrawn after resubmitting"])
def test_a_count_an_old_snapshot_cannot_tell_is_read_from_the_events(
    stored_world: Scenario, ending: str
) -> None:
    world = stored_world
    complaint = INTAKE_ENDINGS[ending](world)
    assert world.app.snapshots is not None
    world.app.snapshots.put([snapshot_before_the_resubmission_count(complaint)])
    from_snapshot: Complaint = world.app.repository.get(complaint.id)
    assert from_snapshot.resubmissions is None
    expected = vars(replayed(world, complaint, complaint.version))
    assert expected["resubmissions"] == complaint.resubmissions
    for loaded in (
        world.app.get_complaint(complaint.id),
        world.app.read_complaint(complaint.id),
        world.app.complaint_as_of(complaint.id, version=complaint.version),
        world.app.complaint_as_of(complaint.id, at=complaint.modified_on),
    ):
        assert vars(loaded) == expected


def test_a_count_an_old_snapshot_tells_is_kept_as_the_case_goes_on(stored_world: Scenario) -> None:
    """Loaded from a version 2 snapshot that tells it, the count goes on from there."""
    world = stored_world
    complaint = returned_twice(world)
    assert world.app.snapshots is not None
    world.app.snapshots.put([snapshot_before_the_resubmission_count(complaint)])
    assert world.app.repository.get(complaint.id).resubmissions == 1
    complaint = world.app.resubmit_complaint(CONSUMER, complaint.id, RESUBMITTED)
    assert complaint.resubmissions == 2
    assert vars(world.app.get_complaint(complaint.id)) == vars(
        replayed(world, complaint, complaint.version)
    )


def test_a_pause_in_a_snapshot_older_than_its_limit_resumes_at_the_default_limit(
    stored_world: Scenario,
) -> None:
    """A version 4 snapshot's paused clock keeps no limit (pauses had none): it reaches the
    default one, MAX_PAUSE's 14 days from when it began."""
    world = stored_world
    complaint = world.negotiating()
    paused = world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
    taken = Complaint.Snapshot.take(paused)
    taken.state["class_version"] = 4
    del taken.state["pause_limit_at"]
    assert world.app.snapshots is not None
    world.app.snapshots.put([taken])
    from_snapshot: Complaint = world.app.repository.get(complaint.id)
    assert from_snapshot.pause_limit_at is None
    assert paused.paused_at is not None
    assert from_snapshot.pause_limit == paused.paused_at + timedelta(days=14)
    world.clock.advance(timedelta(days=14))
    resumed = world.app.resume_clock_at_limit(PLATFORM, complaint.id)
    assert resumed.paused_at is None
    assert resumed.paused_seconds == 14 * 86400
