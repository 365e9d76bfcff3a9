"""Rules beyond role, party and state: whose turn it is, which arbiter is assigned, whether a
window is still open. Each guard takes the complaint, the actor and the time, and raises its own
refusal; the permissions table names the guard of each action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from complaints.domain import fulfilment
from complaints.domain.complaint.state import ComplaintState
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    AlreadyAcknowledged,
    AlreadyAppealed,
    AlreadyRated,
    AppealWindowClosed,
    ClockAlreadyPaused,
    ClockRunning,
    FindingRequired,
    InvalidTransition,
    NoArbiterAssigned,
    NoOpenExecutionIssue,
    NoRemedyToConfirm,
    NotAssignedArbiter,
    NotAssignedMediator,
    NotCurrentStep,
    NothingToAcknowledge,
    NotTheDefaultingParty,
    NotYourTurn,
    OfferNotOpen,
    ResubmissionWindowClosed,
    SameReviewer,
    SurveyClosed,
)
from complaints.domain.labels import label
from complaints.domain.records import Offer
from complaints.domain.text import Text
from complaints.domain.values import Actor, FulfilmentStep, Role

Guard: TypeAlias = Callable[[ComplaintState, Actor, datetime], None]


# ---------------------------------------------------------------- intake and negotiation
def resubmission_window_open(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    _window_open(complaint, DeadlineKind.RESUBMISSION, now, ResubmissionWindowClosed)


def on_turn(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if complaint.turn is not None and complaint.turn is not actor.role:
        raise NotYourTurn(Text("The other party has an offer of yours to answer."))


def offer_to_answer(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if not any(_answerable(complaint, o, actor.role) for o in complaint.offers):
        raise OfferNotOpen(Text("There is no open offer for you to answer."), complaint.status)


# ---------------------------------------------------------------- investigation and ruling
def assigned_arbiter(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if complaint.arbiter_id is None:
        raise NoArbiterAssigned(Text("No arbiter has been assigned yet."), complaint.status)
    if actor.id != complaint.arbiter_id:
        raise NotAssignedArbiter(Text("Only the assigned arbiter may do this."))


def mediator_of_the_case(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    """Once a mediator is assigned to the case, only that mediator proposes settlements."""
    assigned = complaint.assigned_mediator_id
    if assigned is not None and actor.id != assigned:
        raise NotAssignedMediator(Text("Only the mediator assigned to this case may propose."))


def ready_to_rule(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    assigned_arbiter(complaint, actor, now)
    if not complaint.findings:
        raise FindingRequired(Text("Record a preliminary finding before ruling."), complaint.status)


def ruling_to_acknowledge(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    level = complaint.decision_level
    if level is None:
        raise NothingToAcknowledge(Text("There is no ruling to acknowledge."), complaint.status)
    if (level, actor.role) in complaint.acknowledgements:
        raise AlreadyAcknowledged(
            Text("You have already acknowledged this ruling."), complaint.status
        )


def first_appeal_in_window(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if any(a.by is actor.role for a in complaint.appeals):
        raise AlreadyAppealed(Text("Each party may appeal once."), complaint.status)
    _window_open(complaint, DeadlineKind.APPEAL_WINDOW, now, AppealWindowClosed)
    if complaint.decided_by_default:
        # Only the party that missed the deadline was not heard; the other got what it asked.
        window = complaint.deadline_of(DeadlineKind.APPEAL_WINDOW)
        if window is not None and window.party is not actor.role:
            raise NotTheDefaultingParty(
                Text("Only the party that missed the deadline may appeal a ruling by default.")
            )
        if complaint.pending_steps != fulfilment.plan(complaint.remedy):
            raise AppealWindowClosed(
                Text("The remedy is already being carried out: the appeal window has closed."),
                complaint.status,
            )


def another_reviewer(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if complaint.rulings and actor.id == complaint.rulings[0].decided_by:
        raise SameReviewer(Text("The arbiter who ruled cannot decide the appeal."))


# ---------------------------------------------------------------- fulfilment and after
def next_step(step: FulfilmentStep) -> Guard:
    """The guard of a fulfilment command: its step must be the next one."""

    def guard(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
        if complaint.current_step is not step:
            current = complaint.current_step.value if complaint.current_step else "none"
            raise NotCurrentStep(
                Text(
                    "The next fulfilment step is {current}, not {step}.",
                    current=current,
                    step=step.value,
                ),
                complaint.status,
            )

    return guard


def remedy_to_confirm(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if complaint.deadline_of(DeadlineKind.REMEDY_CONFIRMATION) is None:
        raise NoRemedyToConfirm(
            Text("The seller has not reported the remedy carried out yet."), complaint.status
        )


def open_execution_issue(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if not complaint.open_execution_issues:
        raise NoOpenExecutionIssue(Text("No execution issue is open."), complaint.status)


def first_rating_in_window(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    if actor.role in complaint.ratings:
        raise AlreadyRated(Text("You have already rated this case."), complaint.status)
    _window_open(complaint, DeadlineKind.SURVEY, now, SurveyClosed)


# ---------------------------------------------------------------- the clock
def clock_running(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    _arbiter_of_the_case(complaint, actor, now)
    if complaint.paused_at is not None:
        raise ClockAlreadyPaused(Text("The clock is already paused."), complaint.status)


def clock_paused(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    _arbiter_of_the_case(complaint, actor, now)
    if complaint.paused_at is None:
        raise ClockRunning(Text("The clock is not paused."), complaint.status)


# ---------------------------------------------------------------- shared
def _arbiter_of_the_case(complaint: ComplaintState, actor: Actor, now: datetime) -> None:
    """Other staff may act on any case; an arbiter only on a case assigned to them."""
    if actor.role is Role.ARBITER:
        assigned_arbiter(complaint, actor, now)


def _window_open(
    complaint: ComplaintState, kind: DeadlineKind, now: datetime, refusal: type[InvalidTransition]
) -> None:
    deadline = complaint.deadline_of(kind)
    if deadline is None or deadline.is_due(now):
        raise refusal(Text("The {deadline} has closed.", deadline=label(kind)), complaint.status)


def _answerable(complaint: ComplaintState, offer: Offer, role: Role) -> bool:
    if not offer.is_open or offer.by is role:
        return False
    if offer.is_proposal:
        return role not in offer.accepted_by
    return complaint.turn is role
