"""Clocks that pause: deadlines wait while the case waits on someone outside it."""

from __future__ import annotations

from datetime import timedelta

import pytest

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
