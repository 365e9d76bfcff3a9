"""Random command sequences, from every role, never break the case's invariants.

Hypothesis drives complaints with any command by any actor at any time, lets deadlines lapse,
and after every step replays each case from its events to check that:
- there is at most one ruling per review level;
- the appeal reviewer is never the arbiter who ruled;
- money moves only after a ruling, a default ruling or an agreement;
- a terminal state stays terminal;
- a refused command changes nothing;
- every deposit ledger adds up;
- no dead ends: from every state, with no one acting and each due deadline lapsing in turn,
  the case ends, or waits only for staff whose deadline is overdue (in the supervision queue);
  the same for the waits of a shop: a violation report's answer window ends before its
  decision deadline, and once that passes the report, like a sanction's appeal past its own,
  is overdue in the supervision queue.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.complaint.permissions import Action
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import STAFF_DEADLINES, DeadlinePolicy
from complaints.domain.errors import DomainError
from complaints.domain.values import (
    RULING_OUTCOMES,
    TERMINAL,
    Actor,
    Category,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    SanctionKind,
    ViolationKind,
    ViolationStatus,
    Visibility,
)
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.invariants import check_case, check_ledger
from tests.profiles import examples
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONFIRMATION,
    CONSUMER,
    DESCRIPTION,
    MEDIATOR,
    OTHER_ARBITER,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PLATFORM,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    record_order,
)

ACTORS = [
    CONSUMER,
    OTHER_CONSUMER,
    SELLER,
    OTHER_SELLER,
    AGENT,
    MEDIATOR,
    ARBITER,
    OTHER_ARBITER,
    SUPERVISOR,
    Actor(Role.SUPERVISOR, ARBITER.id),
    AUDITOR,
]
REMEDIES = st.sampled_from(
    [
        Remedy(RemedyType.REFUND, cny("199.00")),
        Remedy(RemedyType.PARTIAL_REFUND, cny("60.00")),
        Remedy(RemedyType.RETURN_AND_REFUND, cny("120.00")),
        Remedy(RemedyType.EXCHANGE),
        Remedy(RemedyType.RESHIP),
        Remedy(RemedyType.COMPENSATION, cny("30.00")),
        Remedy(RemedyType.EXPLANATION_ONLY),
    ]
)
# Mostly outcomes an arbiter may rule, sometimes any outcome at all.
OUTCOMES = st.sampled_from(sorted(RULING_OUTCOMES, key=str)) | st.sampled_from(list(Outcome))
#: The walk skips these (they end a case early, or go nowhere); random `act` calls try them.
EARLY_ENDINGS = {Action.WITHDRAW, Action.REJECT, Action.POST_MESSAGE}
#: Decides the shop's appeals: never the supervisor who imposed the sanction.
OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")


def command(  # noqa: PLR0912 - one branch per command
    app: ComplaintsApp, action: Action, actor: Actor, c: Complaint, data: Any
) -> None:
    """Call one complaint command with drawn (sometimes nonsensical) arguments."""
    draw = data.draw
    offer_id = draw(st.sampled_from([o.id for o in c.offers] + ["o99"]))
    match action:
        case Action.ACCEPT:
            app.accept_complaint(actor, c.id)
        case Action.RETURN_FOR_INFO:
            app.return_complaint_for_info(actor, c.id, "Need photos", ["photos"])
        case Action.REJECT:
            app.reject_complaint(actor, c.id, "Not valid", "R-1.1")
        case Action.RESUBMIT:
            app.resubmit_complaint(actor, c.id, "Here are the photos you asked for.")
        case Action.WITHDRAW:
            app.withdraw_complaint(actor, c.id)
        case Action.MAKE_OFFER:
            app.make_offer(actor, c.id, draw(REMEDIES), "offer")
        case Action.ACCEPT_OFFER:
            app.accept_offer(actor, c.id, offer_id)
        case Action.DECLINE_OFFER:
            app.decline_offer(actor, c.id, offer_id, "no")
        case Action.PROPOSE_SETTLEMENT:
            app.propose_settlement(actor, c.id, draw(REMEDIES))
        case Action.REQUEST_INTERVENTION:
            app.request_intervention(actor, c.id)
        case Action.POST_MESSAGE:
            app.post_message(actor, c.id, "hello", draw(st.sampled_from(list(Visibility))))
        case Action.ASSIGN:
            app.assign_complaint(actor, c.id, draw(st.sampled_from([ARBITER.id, OTHER_ARBITER.id])))
        case Action.ASSIGN_MEDIATOR:
            app.assign_mediator(actor, c.id, draw(st.sampled_from([MEDIATOR.id, "mediator-2"])))
        case Action.REQUEST_EVIDENCE:
            app.request_evidence(actor, c.id, draw(st.sampled_from(list(Role))), ["photo"])
        case Action.SUBMIT_EVIDENCE:
            app.submit_evidence(actor, c.id, draw(st.sampled_from(["photo", "video"])), "pic")
        case Action.RECORD_FINDING:
            app.record_finding(actor, c.id, "finding")
        case Action.ISSUE_RULING:
            app.issue_ruling(
                actor, c.id, draw(OUTCOMES), "because", draw(REMEDIES | st.none()), ["R-3.1"]
            )
        case Action.ACKNOWLEDGE_RULING:
            app.acknowledge_ruling(actor, c.id)
        case Action.FILE_APPEAL:
            app.file_appeal(actor, c.id, "These are my grounds.")
        case Action.DECIDE_APPEAL:
            grant = draw(st.booleans())
            outcome = draw(OUTCOMES) if grant else None
            remedy = draw(REMEDIES | st.none()) if grant else None
            codes = ["R-3.1"] if grant else []
            app.decide_appeal(actor, c.id, grant, "decided", outcome, remedy, codes)
        case Action.CONFIRM_REFUND:
            app.confirm_refund(actor, c.id)
        case Action.SHIP_RETURN:
            app.ship_return(actor, c.id, "SF", "SF1")
        case Action.CONFIRM_RETURN_RECEIVED:
            app.confirm_return_received(actor, c.id)
        case Action.SHIP_REPLACEMENT:
            app.ship_replacement(actor, c.id, "SF", "SF2")
        case Action.CONFIRM_REMEDY_RECEIVED:
            app.confirm_remedy_received(actor, c.id)
        case Action.DISPUTE_REMEDY:
            app.dispute_remedy(actor, c.id, "Nothing arrived.")
        case Action.RAISE_EXECUTION_ISSUE:
            app.raise_execution_issue(actor, c.id, "problem")
        case Action.RESOLVE_EXECUTION_ISSUE:
            app.resolve_execution_issue(actor, c.id, "resolved", None, draw(st.booleans()))
        case Action.RATE_HANDLING:
            app.rate_handling(actor, c.id, draw(st.integers(0, 6)))
        case Action.LAPSE_DEADLINE:
            app.lapse_deadline(actor, c.id, draw(st.integers(1, c.version)))


class ComplaintLifecycle(RuleBasedStateMachine):
    complaints = Bundle("complaints")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.app = ComplaintsApp(Settings(database_url="memory://"), clock=self.clock)
        world = Scenario(self.app, self.clock)
        world.seller("acme")
        world.seller("globex")
        self.ids: list[UUID] = []
        self.violations: list[UUID] = []
        self.models = ReadModels(self.app)

    def teardown(self) -> None:
        self.models.close()
        self.app.close()

    @precondition(lambda self: len(self.ids) < 3)
    @rule(target=complaints, remedy=REMEDIES, category=st.sampled_from(list(Category)))
    def file(self, remedy: Remedy, category: Category) -> UUID:
        order_id = record_order(self.app, f"order-{len(self.ids) + 7}")
        complaint = self.app.file_complaint(
            CONSUMER, "acme", order_id, category, DESCRIPTION, remedy
        )
        self.ids.append(complaint.id)
        return complaint.id

    @rule(
        cid=complaints,
        action=st.sampled_from(list(Action)),
        actor=st.sampled_from([*ACTORS, PLATFORM]),
        data=st.data(),
    )
    def act(self, cid: UUID, action: Action, actor: Actor, data: Any) -> None:
        before = self.app.get_complaint(cid)
        head = self.app.recorder.max_notification_id()
        try:
            command(self.app, action, actor, before, data)
        except DomainError:
            # A refused command changes nothing, anywhere.
            assert self.app.recorder.max_notification_id() == head
            assert self.app.get_complaint(cid).version == before.version

    @rule(cid=complaints, data=st.data())
    def take_an_allowed_step(self, cid: UUID, data: Any) -> None:
        """Walk the lifecycle: a command the domain offers to someone now, with drawn input."""
        complaint = self.app.get_complaint(cid)
        now = self.clock.now()
        offered = [
            (actor, Action(name))
            for actor in ACTORS
            for name in complaint.allowed_actions(actor, now)
            if Action(name) not in EARLY_ENDINGS
        ]
        actions = sorted({action for _, action in offered}, key=lambda a: a.value)
        if not actions:
            return
        action = data.draw(st.sampled_from(actions))
        actor = data.draw(st.sampled_from([a for a, act in offered if act is action]))
        self.act(cid, action, actor, data)

    @rule(cid=complaints, data=st.data())
    def let_a_deadline_lapse(self, cid: UUID, data: Any) -> None:
        complaint = self.app.get_complaint(cid)
        deadlines = complaint.open_deadlines
        if not deadlines:
            return
        deadline = data.draw(st.sampled_from(deadlines))
        now = self.clock.now()
        if deadline.due_at > now:
            self.clock.advance(deadline.due_at - now)
        self.app.lapse_deadline(PLATFORM, cid, deadline.id)

    @rule(hours=st.integers(1, 24 * 20))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    # ---------------------------------------------------------------- a shop's waits
    @precondition(lambda self: len(self.violations) < 3)
    @rule(kind=st.sampled_from(list(ViolationKind)), by=st.sampled_from([CONSUMER, SUPERVISOR]))
    def report_a_violation(self, kind: ViolationKind, by: Actor) -> None:
        violation = self.app.report_violation(by, "acme", kind, DESCRIPTION)
        self.violations.append(violation.id)

    @precondition(lambda self: bool(self.violations))
    @rule(data=st.data(), actor=st.sampled_from([SELLER, OTHER_SELLER, SUPERVISOR, CONSUMER]))
    def act_on_a_violation(self, data: Any, actor: Actor) -> None:
        violation_id = data.draw(st.sampled_from(self.violations))
        before = self.app.get_violation(violation_id).version
        head = self.app.recorder.max_notification_id()
        try:
            match data.draw(st.sampled_from(["respond", "confirm", "dismiss"])):
                case "respond":
                    self.app.respond_to_violation(actor, violation_id, "Our side of the story.")
                case "confirm":
                    self.app.confirm_violation(actor, violation_id, *CONFIRMATION)
                case _:
                    self.app.dismiss_violation(actor, violation_id, "Not shown.")
        except DomainError:
            assert self.app.recorder.max_notification_id() == head
            assert self.app.get_violation(violation_id).version == before

    @rule(data=st.data())
    def sanction_and_appeal(self, data: Any) -> None:
        """A supervisor sanctions the shop, the shop appeals a sanction, another supervisor
        decides an appeal: whichever is open now."""
        shop = self.app.get_seller("acme")
        now = self.clock.now()
        try:
            match data.draw(st.sampled_from(["sanction", "appeal", "decide"])):
                case "sanction":
                    self.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late.")
                case "appeal":
                    open_ = [
                        s.id
                        for s in shop.sanctions
                        if "appealSanction" in shop.sanction_actions(s.id, SELLER, now)
                    ]
                    if open_:
                        sanction = data.draw(st.sampled_from(open_))
                        self.app.appeal_sanction(SELLER, "acme", sanction, "It was a holiday.")
                case _:
                    waiting = [
                        s.id for s in shop.sanctions if s.appeal and s.appeal.granted is None
                    ]
                    if waiting:
                        sanction = data.draw(st.sampled_from(waiting))
                        grant = data.draw(st.booleans())
                        self.app.decide_sanction_appeal(
                            OTHER_SUPERVISOR, "acme", sanction, grant, "Decided."
                        )
        except DomainError:
            pass  # the shop's record refused it (a closed shop's appeal, say): nothing changed

    @invariant()
    def every_case_keeps_its_invariants(self) -> None:
        for cid in self.ids:
            events = self.app.history(cid)
            complaint = check_case(events)
            event(f"a case reached {complaint.status.value}")
            for name in {type(e).__name__ for e in events} & {
                "RulingIssued",
                "AppealDecided",
                "DefaultRuled",
                "RefundAdvanced",
                "Settled",
                "AppealFiled",
            }:
                event(f"saw {name}")

    @invariant()
    def a_snapshot_restores_exactly_the_replayed_state(self) -> None:
        """Every state a case can reach survives a snapshot: stored, loaded, equal."""
        for cid in self.ids:
            complaint = self.app.get_complaint(cid)
            stored = self.app.mapper.to_stored_event(Complaint.Snapshot.take(complaint))
            snapshot = self.app.mapper.to_domain_event(stored)
            assert isinstance(snapshot, Complaint.Snapshot)
            restored = snapshot.mutate(None)
            assert vars(restored) == vars(complaint)

    @invariant()
    def no_case_can_stall(self) -> None:
        """Liveness, checked on a copy of each case so that the run goes on from here; and for
        the waits of the shop, on what the supervision read model would list once each one's
        deadline has passed."""
        for cid in self.ids:
            outcome = drain(copy.deepcopy(self.app.get_complaint(cid)), self.clock.now())
            event(f"left alone, a case {outcome}")
        self.no_shop_wait_can_stall()

    def no_shop_wait_can_stall(self) -> None:
        """Every undecided report and every pending sanction appeal: with no one acting, the
        shop's window ends before the staff's deadline, and past that deadline the queue lists
        it as overdue (it decides nothing, it waits for staff)."""
        waits: list[tuple[datetime, str, UUID | None, str | None]] = []
        for violation_id in self.violations:
            violation = self.app.get_violation(violation_id)
            if violation.status is not ViolationStatus.REPORTED:
                continue
            due, window = violation.decision_due_at, violation.response_due_at
            assert due is not None
            assert window is not None
            assert window <= due, "the shop's window to answer outlasts the decision deadline"
            assert "confirmViolation" in violation.allowed_actions(SUPERVISOR, due)
            waits.append((due, "violation_overdue", violation_id, None))
        for sanction in self.app.get_seller("acme").sanctions:
            appeal = sanction.appeal
            if appeal is not None and appeal.granted is None:
                assert appeal.decision_due_at is not None
                waits.append((appeal.decision_due_at, "sanction_appeal_overdue", None, sanction.id))
        if not waits:
            return
        self.models.catch_up()
        at = max(self.clock.now(), *(due for due, *_ in waits))
        listed = {
            (i.kind, i.violation_id, i.sanction_id) for i in self.models.supervision.queue(at)
        }
        for _, kind, reported, sanction_id in waits:
            assert (kind, reported, sanction_id) in listed, f"{kind} is not in the queue"
            event(f"left alone, a shop's wait is {kind}")

    @rule(cid=complaints)
    def everyone_stops(self, cid: UUID) -> None:
        """The same for real: the worker enforces each due deadline, and what is left for staff
        is in the supervision read model."""
        complaint = self.app.get_complaint(cid)
        limit = complaint.pause_limit
        if limit is not None:
            # Held by staff, but never longer than MAX_PAUSE: then it resumes by itself.
            if limit > self.clock.now():
                self.clock.advance(limit - self.clock.now())
            complaint = self.app.resume_clock_at_limit(PLATFORM, cid)
            assert complaint.paused_at is None
        for _ in range(MAX_LAPSES):
            if complaint.status in TERMINAL:
                return
            pending = [d for d in complaint.open_deadlines if not d.overdue]
            if not pending:
                break
            deadline = pending[0]
            if deadline.due_at > self.clock.now():
                self.clock.advance(deadline.due_at - self.clock.now())
            self.app.lapse_deadline(PLATFORM, cid, deadline.id)
            complaint = self.app.get_complaint(cid)
        else:
            raise AssertionError(f"still {complaint.status.value} after {MAX_LAPSES} lapses")
        self.models.catch_up()
        queued = {
            i.kind for i in self.models.supervision.queue(self.clock.now()) if i.complaint_id == cid
        }
        assert queued, f"{complaint.status.value} waits for staff, and supervision is not told"

    @invariant()
    def every_deposit_ledger_adds_up(self) -> None:
        for shop in ("acme", "globex"):
            check_ledger(self.app.get_seller(shop))


#: Enough lapses for the longest chain of deadlines a case can run through by itself.
MAX_LAPSES = 25


def drain(complaint: Complaint, now: datetime) -> str:
    """Let each due deadline of `complaint` lapse, soonest first, with no one acting. It must
    end, or come to wait only on staff deadlines that are overdue, within MAX_LAPSES lapses."""
    limit = complaint.pause_limit
    if limit is not None:
        # A paused clock holds every deadline, but only until its limit (MAX_PAUSE).
        now = max(now, limit)
        assert complaint.resume_at_limit(CommandContext(PLATFORM, now, DeadlinePolicy()))
    for _ in range(MAX_LAPSES):
        if complaint.status in TERMINAL:
            return f"ends {complaint.status.value}"
        pending = [d for d in complaint.open_deadlines if not d.overdue]
        if not pending:
            staff = [d for d in complaint.deadlines.values() if d.kind in STAFF_DEADLINES]
            assert staff, (
                f"{complaint.status.value} waits on nobody's deadline: a dead end"
                f" (steps {complaint.pending_steps}, issues {complaint.open_execution_issues})"
            )
            return f"waits for staff in {complaint.status.value}"
        deadline = pending[0]
        now = max(now, deadline.due_at)
        complaint.lapse_deadline(CommandContext(PLATFORM, now, DeadlinePolicy()), deadline.id)
    raise AssertionError(f"still {complaint.status.value} after {MAX_LAPSES} lapses")


TestComplaintLifecycle = ComplaintLifecycle.TestCase
TestComplaintLifecycle.settings = settings(
    max_examples=examples(thorough=200, ci=50),
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
