"""Clocks that pause: deadlines wait while the case waits on someone outside it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    ClockAlreadyPaused,
    ClockRunning,
    InvalidTransition,
    NotAssignedArbiter,
    RoleNotAllowed,
    ValidationFailed,
)
from complaints.domain.values import Status
from tests.scenario import (
    ARBITER,
    CONSUMER,
    MEDIATOR,
    OTHER_ARBITER,
    PARTIAL,
    PLATFORM,
    SELLER,
    SUPERVISOR,
    Scenario,
)


def test_a_paused_clock_lets_no_deadline_lapse(world: Scenario) -> None:
    complaint = world.negotiating()
    deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
    assert deadline is not None
    complaint = world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier's report")
    assert complaint.paused_at == world.clock.now()
    world.clock.advance(timedelta(days=5))
    again = world.app.lapse_deadline(PLATFORM, complaint.id, deadline.id)
    assert again.version == complaint.version
    assert again.status is Status.NEGOTIATING


def test_resuming_moves_every_open_deadline_by_the_time_paused(world: Scenario) -> None:
    complaint = world.negotiating()
    before = {d.id: d.due_at for d in complaint.open_deadlines}
    world.clock.advance(timedelta(hours=10))
    world.app.pause_clock(MEDIATOR, complaint.id, "Lab test of the material")
    world.clock.advance(timedelta(hours=30))
    complaint = world.app.resume_clock(MEDIATOR, complaint.id)
    assert complaint.paused_at is None
    assert complaint.paused_seconds == pytest.approx(30 * 3600)
    for deadline in complaint.open_deadlines:
        assert deadline.due_at == before[deadline.id] + timedelta(hours=30)


def test_a_deadline_opened_while_paused_moves_only_by_its_share(world: Scenario) -> None:
    complaint = world.negotiating()
    world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
    world.clock.advance(timedelta(hours=5))
    complaint = world.app.make_offer(SELLER, complaint.id, PARTIAL)
    turn = complaint.deadline_of(DeadlineKind.NEGOTIATION_TURN)
    assert turn is not None
    world.clock.advance(timedelta(hours=3))
    complaint = world.app.resume_clock(SUPERVISOR, complaint.id)
    moved = complaint.deadline_of(DeadlineKind.NEGOTIATION_TURN)
    assert moved is not None
    assert moved.due_at == turn.due_at + timedelta(hours=3)


def test_the_parties_still_act_while_the_clock_is_paused(world: Scenario) -> None:
    complaint = world.negotiating()
    world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
    complaint = world.app.post_message(CONSUMER, complaint.id, "Any news?")
    assert complaint.messages_posted == 1


def test_pausing_twice_or_resuming_a_running_clock_is_refused(world: Scenario) -> None:
    complaint = world.negotiating()
    with pytest.raises(ClockRunning):
        world.app.resume_clock(SUPERVISOR, complaint.id)
    world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
    with pytest.raises(ClockAlreadyPaused):
        world.app.pause_clock(SUPERVISOR, complaint.id, "Again")


def test_only_staff_pause_and_a_reason_is_needed(world: Scenario) -> None:
    complaint = world.negotiating()
    with pytest.raises(RoleNotAllowed):
        world.app.pause_clock(SELLER, complaint.id, "I need more time")
    with pytest.raises(ValidationFailed):
        world.app.pause_clock(SUPERVISOR, complaint.id, " ")


def test_under_review_only_the_assigned_arbiter_stops_the_clock(world: Scenario) -> None:
    complaint = world.under_review()
    with pytest.raises(NotAssignedArbiter):
        world.app.pause_clock(OTHER_ARBITER, complaint.id, "Lab test of the material")
    complaint = world.app.pause_clock(ARBITER, complaint.id, "Lab test of the material")
    with pytest.raises(NotAssignedArbiter):
        world.app.resume_clock(OTHER_ARBITER, complaint.id)
    assert world.app.resume_clock(ARBITER, complaint.id).paused_at is None


def test_a_closed_case_has_no_clock_to_pause(world: Scenario) -> None:
    complaint = world.closed()
    with pytest.raises(InvalidTransition):
        world.app.pause_clock(SUPERVISOR, complaint.id, "Too late")


class TestMaxPause:
    """A paused clock has a limit (MAX_PAUSE, 14 days): at it the clock resumes by itself,
    recorded as an event that cites the limit."""

    def test_a_pause_records_when_it_ends_at_the_latest(self, world: Scenario) -> None:
        complaint = world.negotiating()
        paused = world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        assert paused.pause_limit_at == world.clock.now() + timedelta(days=14)
        (event,) = world.app.history(complaint.id)[complaint.version :]
        assert isinstance(event, Complaint.ClockPaused)
        assert (event.resumes_at, event.limit) == (paused.pause_limit_at, "MAX_PAUSE=14d")

    def test_the_limit_follows_the_setting(self, world: Scenario) -> None:
        world.app.settings = replace(world.app.settings, max_pause=timedelta(days=2))
        complaint = world.negotiating()
        paused = world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        assert paused.pause_limit_at == world.clock.now() + timedelta(days=2)

    def test_before_the_limit_nothing_resumes(self, world: Scenario) -> None:
        complaint = world.negotiating()
        paused = world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        world.clock.advance(timedelta(days=14) - timedelta(seconds=1))
        still = world.app.resume_clock_at_limit(PLATFORM, complaint.id)
        assert still.version == paused.version
        assert still.paused_at is not None

    def test_at_the_limit_the_clock_resumes_by_itself_citing_it(self, world: Scenario) -> None:
        complaint = world.negotiating()
        before = {d.id: d.due_at for d in complaint.open_deadlines}
        paused = world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        world.clock.advance(timedelta(days=20))  # the worker came late: the limit still holds
        resumed = world.app.resume_clock_at_limit(PLATFORM, complaint.id)
        assert (resumed.paused_at, resumed.pause_limit_at) == (None, None)
        assert resumed.paused_seconds == pytest.approx(14 * 86400)
        for deadline in resumed.open_deadlines:
            assert deadline.due_at == before[deadline.id] + timedelta(days=14)
        (event,) = world.app.history(complaint.id)[paused.version :]
        assert isinstance(event, Complaint.ClockResumed)
        assert event.limit == "MAX_PAUSE=14d"
        assert event.actor == PLATFORM
        # Sent again (the worker's read model lagged), it records nothing.
        again = world.app.resume_clock_at_limit(PLATFORM, complaint.id)
        assert again.version == resumed.version

    def test_resumed_by_staff_the_event_cites_no_limit(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        resumed = world.app.resume_clock(SUPERVISOR, complaint.id)
        event = world.app.history(complaint.id)[-1]
        assert isinstance(event, Complaint.ClockResumed)
        assert event.limit is None
        assert resumed.pause_limit_at is None

    def test_only_the_platform_resumes_a_clock_at_its_limit(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        world.clock.advance(timedelta(days=15))
        for actor in (SUPERVISOR, CONSUMER, SELLER):
            with pytest.raises(RoleNotAllowed):
                world.app.resume_clock_at_limit(actor, complaint.id)
        assert world.app.get_complaint(complaint.id).paused_at is not None
