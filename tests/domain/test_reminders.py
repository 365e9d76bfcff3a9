"""Reminders before a party's deadline lapses (REMINDERS, default 24h,2h): each is an event on the
case, given once, never after the lapse, and following a deadline that a paused clock moved."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind, parse_leads
from complaints.domain.errors import NotAllowed
from complaints.domain.values import SYSTEM, Actor
from tests.scenario import CONSUMER, SELLER, SUPERVISOR, Scenario

HOUR = timedelta(hours=1)


def reminders(app: ComplaintsApp, complaint: Complaint) -> list[tuple[int, int]]:
    """(deadline id, lead in seconds) of every reminder recorded on the case."""
    return [
        (e.deadline_id, e.lead_seconds)
        for e in app.history(complaint.id)
        if isinstance(e, Complaint.DeadlineReminded)
    ]


def until_due(world: Scenario, complaint: Complaint, kind: DeadlineKind, left: timedelta) -> int:
    """Move the clock to `left` before the open deadline of `kind`; return its id."""
    deadline = world.app.get_complaint(complaint.id).deadline_of(kind)
    assert deadline is not None
    world.clock.advance(deadline.due_at - left - world.clock.now())
    return deadline.id


def remind(world: Scenario, complaint: Complaint, deadline_id: int) -> None:
    world.app.remind_deadline(SYSTEM, complaint.id, deadline_id)


def test_the_party_is_reminded_a_day_and_two_hours_before_its_deadline(world: Scenario) -> None:
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 25 * HOUR)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == []  # too early

    until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 24 * HOUR)
    remind(world, complaint, did)
    remind(world, complaint, did)  # the worker may ask twice: recorded once
    assert reminders(world.app, complaint) == [(did, 86400)]

    until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 2 * HOUR)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == [(did, 86400), (did, 7200)]

    reminded = [
        e for e in world.app.history(complaint.id) if isinstance(e, Complaint.DeadlineReminded)
    ][-1]
    assert reminded.party.value == "SELLER"
    assert reminded.kind is DeadlineKind.SELLER_RESPONSE


def test_a_lapse_that_has_happened_is_never_reminded(world: Scenario) -> None:
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, -HOUR)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == []


def test_a_worker_that_was_away_sends_only_the_most_urgent_reminder(world: Scenario) -> None:
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, HOUR)
    remind(world, complaint, did)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == [(did, 7200)]


def test_a_deadline_set_inside_the_reminder_window_was_notice_enough(
    app: ComplaintsApp, world: Scenario
) -> None:
    """With a 72h reminder and a 48h deadline, the deadline itself told the party."""
    app.settings = dataclasses.replace(app.settings, reminders=parse_leads("72h"))
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, HOUR)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == []


def test_staff_deadlines_are_not_reminded(world: Scenario) -> None:
    complaint = world.file()
    did = until_due(world, complaint, DeadlineKind.INTAKE, HOUR)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == []


def test_reminders_follow_a_deadline_moved_by_a_paused_clock(world: Scenario) -> None:
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 24 * HOUR)
    remind(world, complaint, did)
    until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 3 * HOUR)
    world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting for the courier's report.")
    world.clock.advance(2 * HOUR)  # the old two-hour mark passes while paused
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == [(did, 86400)]

    world.clock.advance(22 * HOUR)
    world.app.resume_clock(SUPERVISOR, complaint.id)
    moved = world.app.get_complaint(complaint.id).deadline_of(DeadlineKind.SELLER_RESPONSE)
    assert moved is not None
    assert moved.due_at - world.clock.now() == 3 * HOUR  # the clock gave back the pause
    remind(world, complaint, did)
    # The moved deadline is warned of afresh: within a day of it, the day's reminder again.
    assert reminders(world.app, complaint) == [(did, 86400), (did, 86400)]

    until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 2 * HOUR)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == [(did, 86400), (did, 86400), (did, 7200)]


def test_a_met_deadline_is_not_reminded(world: Scenario) -> None:
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 2 * HOUR)
    world.app.accept_offer(SELLER, complaint.id, world.app.get_complaint(complaint.id).offers[0].id)
    remind(world, complaint, did)
    assert reminders(world.app, complaint) == []


@pytest.mark.parametrize("actor", [CONSUMER, SELLER, SUPERVISOR])
def test_only_the_platform_reminds(world: Scenario, actor: Actor) -> None:
    complaint = world.negotiating()
    did = until_due(world, complaint, DeadlineKind.SELLER_RESPONSE, 2 * HOUR)
    with pytest.raises(NotAllowed):
        world.app.remind_deadline(actor, complaint.id, did)


def test_reminders_are_read_from_the_setting() -> None:
    assert parse_leads("2h, 24h") == (24 * HOUR, 2 * HOUR)
    assert parse_leads("") == ()
    with pytest.raises(ValueError, match="cannot read duration"):
        parse_leads("soon")
