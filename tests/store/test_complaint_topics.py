"""The Complaint is assembled from one module per phase, yet each of its events is defined, and
stored, as `Complaint.<Event>` of `complaints.domain.complaint`, the topic it always had."""

from __future__ import annotations

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

from complaints.domain.complaint import Complaint
from complaints.domain.complaint.state import ComplaintState
from complaints.domain.deadlines import DeadlineKind
from tests.scenario import CONSUMER, Scenario
from tests.store.golden_topics import read_list

PREFIX = "complaints.domain.complaint:Complaint"


def phase_events() -> dict[str, type]:
    """Every event class the phases declare, by name."""
    return {
        name: value
        for phase in Complaint.__mro__[1:]
        if issubclass(phase, ComplaintState)
        for name, value in vars(phase).items()
        if isinstance(value, type) and issubclass(value, CanMutateAggregate)
    }


def test_the_phases_declare_every_listed_complaint_event_and_no_other() -> None:
    listed = {
        line.stored.removeprefix(f"{PREFIX}.")
        for line in read_list()
        if line.stored.startswith(f"{PREFIX}.")
    }
    # The base classes and the snapshot class are the aggregate's own.
    assert set(phase_events()) == listed - {"Created", "Event", "Snapshot"}


def test_each_event_is_defined_on_the_aggregate_under_its_stored_topic() -> None:
    assert get_topic(Complaint) == PREFIX
    assert get_topic(Complaint.Snapshot) == f"{PREFIX}.Snapshot"
    for name, declared in phase_events().items():
        event = getattr(Complaint, name)
        assert event is vars(Complaint)[name], name
        assert issubclass(event, declared), name
        assert get_topic(event) == f"{PREFIX}.{name}"
        assert resolve_topic(f"{PREFIX}.{name}") is event


def test_a_case_stores_its_events_under_those_topics(world: Scenario) -> None:
    closed = world.closed()
    defaulted = world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
    world.app.rate_handling(CONSUMER, closed.id, 5, None)
    stored = [
        s.topic for case in (closed, defaulted) for s in world.app.recorder.select_events(case.id)
    ]
    assert f"{PREFIX}.Filed" in stored
    assert f"{PREFIX}.DefaultRuled" in stored
    listed = {line.stored for line in read_list()}
    assert all(topic.startswith(f"{PREFIX}.") and topic in listed for topic in stored)
