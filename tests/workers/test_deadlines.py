"""The deadline worker keeps time on its own: every due deadline fires once, through the
idempotent lapse command, across restarts and beside a second worker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import CASE_DEADLINES, DeadlineKind
from complaints.domain.values import (
    SYSTEM,
    Actor,
    FulfilmentStep,
    OfferStatus,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    SanctionKind,
    Status,
)
from complaints.projections.coordination import LocalLeadership
from complaints.projections.read_models import ReadModels
from complaints.projections.runner import ProjectionWorker
from complaints.settings import Settings
from complaints.workers.deadlines import DeadlineWorker, Sweep
from tests.scenario import (
    ARBITER,
    CONSUMER,
    MEDIATOR,
    PARTIAL,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)

STAFF = Actor(Role.SUPERVISOR, "supervisor-9")


@dataclass
class Keeper:
    """An application with its read models fed in the background, and a deadline worker."""

    world: Scenario
    models: ReadModels
    worker: DeadlineWorker

    def settle(self) -> None:
        assert self.models.wait_for(self.models.head(), timeout=10)

    def fire(self) -> Sweep:
        self.settle()
        sweep = self.worker.run_once()
        self.settle()
        return sweep

    def past(self, complaint: Complaint, kind: DeadlineKind) -> int:
        """Move the clock just past the open deadline of `kind`; return that deadline's id."""
        deadline = complaint.deadline_of(kind)
        assert deadline is not None, f"no open {kind.value} deadline"
        self.world.clock.advance(deadline.due_at - self.world.clock.now() + timedelta(seconds=1))
        return deadline.id


def feed(app: ComplaintsApp) -> tuple[ReadModels, ProjectionWorker]:
    models = ReadModels(app)
    projections = models.worker(poll=0.05)
    projections.start()
    return models, projections


@pytest.fixture
def keeper(app: ComplaintsApp, world: Scenario) -> Iterator[Keeper]:
    models, projections = feed(app)
    yield Keeper(world, models, DeadlineWorker(app, models, poll=0.05))
    projections.stop()
    models.close()


@pytest.fixture
def stored_keeper(stored_app: ComplaintsApp, stored_world: Scenario) -> Iterator[Keeper]:
    models, projections = feed(stored_app)
    yield Keeper(stored_world, models, DeadlineWorker(stored_app, models, poll=0.05))
    projections.stop()
    models.close()


def names(app: ComplaintsApp, complaint: Complaint) -> list[str]:
    return [type(e).__name__ for e in app.history(complaint.id)]


def enforcing(app: ComplaintsApp, complaint: Complaint, deadline_id: int) -> list[str]:
    """The events that enforced deadline `deadline_id`: its lapse or overdue flag."""
    return [
        type(e).__name__
        for e in app.history(complaint.id)
        if type(e).__name__ in {"DeadlineLapsed", "DeadlineOverdue"}
        and getattr(e, "deadline_id", None) == deadline_id
    ]


# ---------------------------------------------------------------- every kind, via the worker
def counter_offered(w: Scenario) -> Complaint:
    complaint = w.negotiating()
    return w.app.make_offer(SELLER, complaint.id, PARTIAL)


def haggled(w: Scenario) -> Complaint:
    """Offers go back and forth, every answer in time, for six days."""
    complaint = w.negotiating()
    for _ in range(2):
        complaint = w.app.make_offer(SELLER, complaint.id, PARTIAL)
        w.clock.advance(timedelta(days=2))
        complaint = w.app.make_offer(CONSUMER, complaint.id, REFUND)
        w.clock.advance(timedelta(days=1))
    return complaint


def evidence_asked(w: Scenario) -> Complaint:
    complaint = w.under_review()
    return w.app.request_evidence(ARBITER, complaint.id, Role.SELLER, ["chat_log"])


Check = Callable[["Keeper", Complaint, int], None]
RETURN = Remedy(RemedyType.RETURN_AND_REFUND, cny("50.00"))


def return_shipped(w: Scenario) -> Complaint:
    complaint = w.fulfilling(remedy=RETURN)
    return w.app.ship_return(CONSUMER, complaint.id, "SF Express", "SF100200")


def flagged_for_supervision(status: Status, *, intervention: bool = False) -> Check:
    """Overdue in the supervision queue (and, asked for intervention, waiting for a
    mediator)."""

    def check(k: Keeper, c: Complaint, did: int) -> None:
        assert c.status is status
        queue = k.models.supervision.queue(k.world.clock.now())
        expected = {(c.id, "overdue", str(did))}
        if intervention:
            expected.add((c.id, "mediator_needed", ""))
        assert {(i.complaint_id, i.kind, i.ref) for i in queue} == expected

    return check


def closed_as(outcome: Outcome) -> Check:
    def check(k: Keeper, c: Complaint, did: int) -> None:
        assert (c.status, c.outcome, c.enforced_deadline_id) == (Status.CLOSED, outcome, did)

    return check


def default_ruling(k: Keeper, c: Complaint, did: int) -> None:
    assert c.status is Status.FULFILLING
    assert (c.outcome, c.decided_by_default) == (Outcome.CONSUMER_FAVOUR_FULL, True)
    assert c.enforced_deadline_id == did
    page = k.models.timeline.entries(CONSUMER, c.id, first=100)
    assert page is not None
    (ruling,) = [e for e in page.items if e.type == "DefaultRuled"]
    assert ruling.details["enforced_deadline_id"] == did
    assert f"deadline #{did}" in ruling.summary


def escalated(k: Keeper, c: Complaint, did: int) -> None:
    assert c.status is Status.UNDER_REVIEW
    assert c.deadline_of(DeadlineKind.PICKUP) is not None


def proposed(w: Scenario) -> Complaint:
    """A mediator proposes a settlement while the parties negotiate."""
    complaint = w.negotiating()
    return w.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL, "Meet halfway?")


def proposal_lapsed(k: Keeper, c: Complaint, did: int) -> None:
    """Unanswered in time: the proposal counts as declined and the case goes to review."""
    assert c.status is Status.UNDER_REVIEW
    assert [o.status for o in c.offers if o.is_proposal] == [OfferStatus.DECLINED]
    assert c.deadline_of(DeadlineKind.PICKUP) is not None
    seen = names(k.world.app, c)
    assert seen.index("ProposalLapsed") < seen.index("Escalated")


def evidence_missed(k: Keeper, c: Complaint, did: int) -> None:
    assert c.status is Status.UNDER_REVIEW
    assert not c.evidence_requests[0].fulfilled
    assert "EvidenceMissed" in names(k.world.app, c)


def ruling_final(k: Keeper, c: Complaint, did: int) -> None:
    assert (c.status, c.final, c.enforced_deadline_id) == (Status.FULFILLING, True, did)


def advance_refund(k: Keeper, c: Complaint, did: int) -> None:
    assert c.status is Status.CLOSED
    assert c.advanced_refund == cny("199.00")
    seller = k.world.app.get_seller("acme")
    assert seller.deposit == cny("801.00")
    assert [s.kind for s in seller.active_sanctions] == [SanctionKind.WARNING]


def return_forfeited(k: Keeper, c: Complaint, did: int) -> None:
    assert c.status is Status.CLOSED
    assert c.remedy_forfeited


def return_deemed_received(k: Keeper, c: Complaint, did: int) -> None:
    assert c.return_deemed_received
    assert c.current_step is FulfilmentStep.REFUND


def survey_closed(k: Keeper, c: Complaint, did: int) -> None:
    assert c.status is Status.CLOSED
    assert c.open_deadlines == []


def refund_reported(w: Scenario) -> Complaint:
    complaint = w.fulfilling()
    return w.app.confirm_refund(SELLER, complaint.id)


def appealed(w: Scenario) -> Complaint:
    complaint = w.ruled()
    return w.app.file_appeal(SELLER, complaint.id, "The photos show older damage.")


def disputed(w: Scenario) -> Complaint:
    return w.app.dispute_remedy(CONSUMER, refund_reported(w).id, "No money arrived.")


def deemed_received(k: Keeper, c: Complaint, did: int) -> None:
    assert (c.status, c.enforced_deadline_id) == (Status.CLOSED, did)
    assert "RemedyConfirmed" in names(k.world.app, c)


def overdue_for_supervision(status: Status, waiting: str) -> Check:
    """A staff deadline missed: the case is queued for what it waits on, and as overdue."""

    def check(k: Keeper, c: Complaint, did: int) -> None:
        assert c.status is status
        queue = k.models.supervision.queue(k.world.clock.now())
        kinds = {(i.complaint_id, i.kind) for i in queue}
        assert kinds == {(c.id, waiting), (c.id, "overdue")}

    return check


CHECKS: dict[DeadlineKind, tuple[Callable[[Scenario], Complaint], Check]] = {
    DeadlineKind.INTAKE: (lambda w: w.file(), flagged_for_supervision(Status.SUBMITTED)),
    DeadlineKind.RESUBMISSION: (lambda w: w.awaiting_info(), closed_as(Outcome.EXPIRED_NO_INFO)),
    DeadlineKind.SELLER_RESPONSE: (lambda w: w.negotiating(), default_ruling),
    DeadlineKind.NEGOTIATION_TURN: (counter_offered, closed_as(Outcome.EXPIRED_NO_RESPONSE)),
    DeadlineKind.ESCALATION: (haggled, escalated),
    DeadlineKind.PICKUP: (
        lambda w: w.under_review(assigned=False),
        flagged_for_supervision(Status.UNDER_REVIEW, intervention=True),
    ),
    DeadlineKind.EVIDENCE: (evidence_asked, evidence_missed),
    DeadlineKind.RULING: (
        lambda w: w.under_review(),
        flagged_for_supervision(Status.UNDER_REVIEW, intervention=True),
    ),
    DeadlineKind.SETTLEMENT_ANSWER: (proposed, proposal_lapsed),
    DeadlineKind.APPEAL_WINDOW: (lambda w: w.ruled(), ruling_final),
    DeadlineKind.REMEDY: (lambda w: w.fulfilling(), advance_refund),
    DeadlineKind.RETURN_SHIPMENT: (lambda w: w.fulfilling(remedy=RETURN), return_forfeited),
    DeadlineKind.RETURN_RECEIPT: (return_shipped, return_deemed_received),
    DeadlineKind.SURVEY: (lambda w: w.closed(), survey_closed),
    DeadlineKind.REMEDY_CONFIRMATION: (refund_reported, deemed_received),
    DeadlineKind.APPEAL_REVIEW: (
        appealed,
        overdue_for_supervision(Status.APPEAL_REVIEW, "appeal_waiting"),
    ),
    DeadlineKind.EXECUTION_ISSUE: (
        disputed,
        overdue_for_supervision(Status.FULFILLING, "execution_issue"),
    ),
}


def test_every_kind_of_deadline_is_covered() -> None:
    assert set(CHECKS) == CASE_DEADLINES


@pytest.mark.parametrize("kind", [k for k in DeadlineKind if k in CASE_DEADLINES], ids=str)
def test_the_worker_enforces_each_kind_of_deadline_once(keeper: Keeper, kind: DeadlineKind) -> None:
    build, check = CHECKS[kind]
    complaint = build(keeper.world)
    did = keeper.past(complaint, kind)
    sweep = keeper.fire()
    assert sweep.fired == 1
    complaint = keeper.world.app.get_complaint(complaint.id)
    assert len(enforcing(keeper.world.app, complaint, did)) == 1
    check(keeper, complaint, did)
    # Looking again, at once or later, changes nothing.
    again = keeper.fire()
    assert (again.fired, again.failed) == (0, 0)
    assert keeper.world.app.get_complaint(complaint.id).version == complaint.version


def test_nothing_fires_before_it_is_due(keeper: Keeper) -> None:
    complaint = keeper.world.negotiating()
    keeper.world.clock.advance(timedelta(hours=47))
    assert keeper.fire() == Sweep(reminded=1)  # only the warning: an hour is left
    added = keeper.world.app.history(complaint.id)[complaint.version :]
    assert [type(e).__name__ for e in added] == ["DeadlineReminded"]


def test_a_paused_clock_holds_the_worker_back(keeper: Keeper) -> None:
    complaint = keeper.world.negotiating()
    keeper.world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
    keeper.world.clock.advance(timedelta(days=3))
    assert keeper.fire().fired == 0
    complaint = keeper.world.app.resume_clock(SUPERVISOR, complaint.id)
    assert keeper.fire().fired == 0  # every deadline moved three days later
    keeper.past(complaint, DeadlineKind.SELLER_RESPONSE)
    assert keeper.fire().fired == 1


def test_a_paused_clock_resumes_at_its_limit_and_its_deadlines_run_again(keeper: Keeper) -> None:
    complaint = keeper.world.negotiating()
    keeper.world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
    keeper.world.clock.advance(timedelta(days=14) - timedelta(seconds=1))
    assert keeper.fire() == Sweep()
    keeper.world.clock.advance(timedelta(seconds=1))
    assert keeper.fire().resumed == 1
    resumed = keeper.world.app.get_complaint(complaint.id)
    assert resumed.paused_at is None
    assert keeper.fire() == Sweep()  # resumed once; the moved deadlines are not due yet
    keeper.past(resumed, DeadlineKind.SELLER_RESPONSE)
    assert keeper.fire().fired == 1
    queued = keeper.models.supervision.queue(keeper.world.clock.now())
    assert [(i.complaint_id, i.kind) for i in queued] == [(complaint.id, "pause_limit")]


def test_a_deadline_the_read_model_saw_earlier_is_not_enforced_early(keeper: Keeper) -> None:
    """The read model lags: it may still show a due time that a resumed clock moved later."""
    complaint = keeper.world.negotiating()
    keeper.world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
    keeper.world.clock.advance(timedelta(days=1))
    keeper.world.app.resume_clock(SUPERVISOR, complaint.id)
    keeper.world.clock.advance(timedelta(days=1, hours=1))
    keeper.settle()
    # Make the worker see the deadline as it stood before the pause.
    stale = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
    assert stale is not None
    did = stale.id
    sweep = Sweep()
    keeper.worker._lapse(complaint.id, did, sweep)
    assert sweep.not_due == 1
    assert enforcing(keeper.world.app, complaint, did) == []


# ---------------------------------------------------------------- restarts
def test_a_worker_stopped_mid_run_leaves_the_rest_to_the_next(keeper: Keeper) -> None:
    app = keeper.world.app
    complaints = [keeper.world.negotiating() for _ in range(12)]
    keeper.world.clock.advance(timedelta(hours=49))
    keeper.settle()
    first = DeadlineWorker(app, keeper.models, batch=5)
    lapse = app.lapse_deadline
    calls = 0

    def crash_after_five(*args: Any, **kwargs: Any) -> Complaint:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise KeyboardInterrupt  # the process dies mid-run
        return lapse(*args, **kwargs)

    app.lapse_deadline = crash_after_five  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        first.run_once()
    del app.lapse_deadline
    keeper.settle()
    ruled = [c for c in complaints if app.get_complaint(c.id).decided_by_default]
    assert len(ruled) == 5

    restarted = DeadlineWorker(app, keeper.models, batch=5)
    assert restarted.run_once().fired == 7
    for complaint in complaints:
        assert names(app, complaint).count("DefaultRuled") == 1
    assert restarted.run_once().fired == 0


def test_enforced_but_not_yet_projected_is_not_enforced_again(keeper: Keeper) -> None:
    """The process died after saving a lapse and before its read model caught up."""
    app = keeper.world.app
    complaint = keeper.world.fulfilling()
    did = keeper.past(complaint, DeadlineKind.REMEDY)
    keeper.settle()
    due = keeper.models.deadlines.due(keeper.world.clock.now())
    assert [d.deadline_id for d in due] == [did]
    # Enforced straight away, as a worker that then died would have done...
    app.lapse_deadline(SYSTEM, complaint.id, did)
    # ...and a fresh worker that sees the stale read model fires nothing more.
    sweep = Sweep()
    keeper.worker._lapse(complaint.id, did, sweep)
    assert (sweep.fired, sweep.unchanged) == (0, 1)
    assert names(app, complaint).count("RefundAdvanced") == 1
    assert app.get_seller("acme").deposit == cny("801.00")


def test_the_worker_runs_on_its_own_until_stopped(keeper: Keeper) -> None:
    complaint = keeper.world.negotiating()
    keeper.worker.start()
    try:
        keeper.past(complaint, DeadlineKind.SELLER_RESPONSE)
        for _ in range(200):
            if keeper.world.app.get_complaint(complaint.id).decided_by_default:
                break
            threading.Event().wait(0.05)
        assert keeper.world.app.get_complaint(complaint.id).decided_by_default
    finally:
        keeper.worker.stop()


# ---------------------------------------------------------------- on the real stores
def test_two_workers_side_by_side_fire_each_deadline_once(
    store_url: str, clock: ManualClock, stored_keeper: Keeper
) -> None:
    """Leadership normally keeps one worker; even two at once cannot enforce twice."""
    world = stored_keeper.world
    complaints = [world.fulfilling() for _ in range(6)]
    clock.advance(timedelta(hours=49))
    other = ComplaintsApp(Settings(database_url=store_url), clock=clock)
    other_models = ReadModels(other)
    try:
        stored_keeper.settle()
        workers = [
            DeadlineWorker(world.app, stored_keeper.models, leadership=LocalLeadership(object())),
            DeadlineWorker(other, other_models, leadership=LocalLeadership(object())),
        ]
        sweeps: list[Sweep] = []
        threads = [
            threading.Thread(target=lambda w=w: sweeps.append(w.run_once())) for w in workers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(s.fired for s in sweeps) == 6
        assert sum(s.failed for s in sweeps) == 0
        for complaint in complaints:
            assert names(world.app, complaint).count("RefundAdvanced") == 1
        seller = world.app.get_seller("acme")
        advances = [e for e in seller.ledger if e.reason == "advance refund to the consumer"]
        assert len(advances) == 6
        assert len(seller.strikes) == 6
    finally:
        other_models.close()
        other.close()


def test_concurrent_lapses_advance_one_refund(
    store_url: str, clock: ManualClock, stored_world: Scenario
) -> None:
    """Eight processes' worth of retries race to enforce one remedy deadline."""
    complaint = stored_world.fulfilling()
    deadline = complaint.deadline_of(DeadlineKind.REMEDY)
    assert deadline is not None
    clock.advance(timedelta(hours=49))
    apps = [ComplaintsApp(Settings(database_url=store_url), clock=clock) for _ in range(8)]
    start = threading.Barrier(len(apps))
    errors: list[BaseException] = []

    def race(app: ComplaintsApp) -> None:
        start.wait()
        try:
            for _ in range(3):  # and each retries, as a worker would after a timeout
                app.lapse_deadline(SYSTEM, complaint.id, deadline.id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=race, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for app in apps:
        app.close()
    assert errors == []
    history = names(stored_world.app, complaint)
    assert history.count("RefundAdvanced") == 1
    assert history.count("DeadlineLapsed") == 1
    seller = stored_world.app.get_seller("acme")
    assert seller.deposit == cny("801.00")
    assert [e.reason for e in seller.ledger].count("advance refund to the consumer") == 1
    assert len(seller.strikes) == 1


def test_the_worker_ends_sanctions_whose_time_is_up(stored_keeper: Keeper) -> None:
    world = stored_keeper.world
    world.seller()
    world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
    world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading again.")
    # The fine's record ends at once; the warning after 90 days.
    assert stored_keeper.fire().expired == 1
    assert [s.kind.value for s in world.app.get_seller("acme").active_sanctions] == ["WARNING"]
    world.clock.advance(timedelta(days=90))
    assert stored_keeper.fire().expired == 1
    assert world.app.get_seller("acme").active_sanctions == []
    assert stored_keeper.fire().expired == 0
    assert stored_keeper.models.sellers.get("acme").status == "OPEN"  # type: ignore[union-attr]
    assert stored_keeper.models.sellers.sanctioned().total == 0


# ---------------------------------------------------------------- reminders (REMINDERS)
def test_the_worker_reminds_the_party_before_its_deadline_and_both_parties_see_it(
    keeper: Keeper,
) -> None:
    w = keeper.world
    complaint = w.negotiating()
    deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
    assert deadline is not None
    w.clock.advance(deadline.due_at - timedelta(hours=24, seconds=1) - w.clock.now())
    assert keeper.fire().reminded == 0
    w.clock.advance(timedelta(seconds=1))
    assert keeper.fire().reminded == 1
    assert keeper.fire().reminded == 0  # once
    w.clock.advance(timedelta(hours=22))
    assert keeper.fire().reminded == 1
    w.clock.advance(timedelta(hours=2))
    sweep = keeper.fire()
    assert (sweep.reminded, sweep.fired) == (0, 1)  # the lapse itself is not reminded

    kinds = [type(e).__name__ for e in w.app.history(complaint.id)]
    assert kinds.count("DeadlineReminded") == 2
    # The reminders come before the default they warned of.
    assert kinds.index("DeadlineReminded") < kinds.index("DeadlineLapsed")
    for party in (SELLER, CONSUMER):
        page = keeper.models.timeline.entries(party, complaint.id, first=100)
        assert page is not None
        leads = [e.details["lead_seconds"] for e in page.items if e.type == "DeadlineReminded"]
        assert leads == [86400, 7200]
