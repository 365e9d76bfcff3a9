"""DESIGN §9: deadlines as events, and the default outcome when a party lets one pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from eventsourcing.application import project_aggregate

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DEFAULT_DURATIONS, DeadlineKind, DeadlinePolicy
from complaints.domain.errors import DeadlineNotDue, RoleNotAllowed
from complaints.domain.records import DefaultRuling
from complaints.domain.values import (
    FulfilmentStep,
    OfferStatus,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
)
from complaints.settings import Settings
from tests.scenario import (
    AGENT,
    ARBITER,
    CONSUMER,
    PARTIAL,
    PLATFORM,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)


def events_named(world: Scenario, complaint: Complaint, name: str) -> list[object]:
    return [e for e in world.app.history(complaint.id) if type(e).__name__ == name]


class TestPolicy:
    def test_the_defaults_are_the_designed_ones(self) -> None:
        policy = DeadlinePolicy()
        assert policy.durations[DeadlineKind.SELLER_RESPONSE] == timedelta(hours=48)
        assert policy.durations[DeadlineKind.RESUBMISSION] == timedelta(days=7)
        assert policy.durations[DeadlineKind.EVIDENCE] == timedelta(days=3)
        assert policy.durations[DeadlineKind.ESCALATION] == timedelta(days=7)
        assert policy.durations[DeadlineKind.APPEAL_WINDOW] == timedelta(days=15)
        assert policy.durations[DeadlineKind.REMEDY] == timedelta(hours=48)
        assert policy.durations[DeadlineKind.SURVEY] == timedelta(days=7)

    def test_overrides_take_seconds_minutes_hours_and_days(self) -> None:
        policy = DeadlinePolicy.parse("seller_response=3s, appeal_window=2m,remedy=5h,survey=1d")
        assert policy.durations[DeadlineKind.SELLER_RESPONSE] == timedelta(seconds=3)
        assert policy.durations[DeadlineKind.APPEAL_WINDOW] == timedelta(minutes=2)
        assert policy.durations[DeadlineKind.REMEDY] == timedelta(hours=5)
        assert policy.durations[DeadlineKind.SURVEY] == timedelta(days=1)
        assert policy.durations[DeadlineKind.EVIDENCE] == DEFAULT_DURATIONS[DeadlineKind.EVIDENCE]

    @pytest.mark.parametrize(
        ("spec", "complaint_about"),
        [
            ("seller_answer=3s", "unknown deadline kind"),
            ("seller_response=3w", "cannot read"),
            ("seller_response=0s", "longer than zero"),
            ("seller_response", "cannot read"),
        ],
    )
    def test_bad_overrides_are_refused_with_a_reason(self, spec: str, complaint_about: str) -> None:
        with pytest.raises(ValueError, match=complaint_about):
            DeadlinePolicy.parse(spec)

    def test_a_policy_writes_back_what_it_reads(self) -> None:
        policy = DeadlinePolicy.parse("seller_response=90s")
        assert DeadlinePolicy.parse(policy.spec()) == policy


class TestLapsing:
    def test_a_deadline_cannot_lapse_before_it_is_due(self, world: Scenario) -> None:
        complaint = world.negotiating()
        deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert deadline is not None
        with pytest.raises(DeadlineNotDue):
            world.app.lapse_deadline(PLATFORM, complaint.id, deadline.id)

    def test_only_the_platform_lets_deadlines_lapse(self, world: Scenario) -> None:
        complaint = world.negotiating()
        deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert deadline is not None
        with pytest.raises(RoleNotAllowed):
            world.app.lapse_deadline(AGENT, complaint.id, deadline.id)

    def test_lapsing_twice_changes_nothing(self, world: Scenario) -> None:
        complaint = world.negotiating()
        deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert deadline is not None
        lapsed = world.lapse(complaint, DeadlineKind.SELLER_RESPONSE)
        again = world.app.lapse_deadline(PLATFORM, complaint.id, deadline.id)
        assert again.version == lapsed.version

    def test_a_deadline_already_met_does_nothing(self, world: Scenario) -> None:
        complaint = world.negotiating()
        deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert deadline is not None
        complaint = world.app.make_offer(SELLER, complaint.id, PARTIAL)
        world.clock.advance(timedelta(days=3))
        after = world.app.lapse_deadline(PLATFORM, complaint.id, deadline.id)
        assert after.version == complaint.version


class TestDefaultOutcomes:
    def test_a_seller_who_misses_the_first_response_loses_by_default(self, world: Scenario) -> None:
        complaint = world.negotiating()
        deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert deadline is not None
        complaint = world.lapse(complaint, DeadlineKind.SELLER_RESPONSE)
        assert complaint.status is Status.FULFILLING
        assert (complaint.outcome, complaint.remedy) == (Outcome.CONSUMER_FAVOUR_FULL, REFUND)
        assert complaint.decided_by_default
        assert complaint.enforced_deadline_id == deadline.id
        (ruled,) = events_named(world, complaint, "DefaultRuled")
        assert ruled.enforced_deadline_id == deadline.id  # type: ignore[attr-defined]
        assert ruled.deadline_kind is DeadlineKind.SELLER_RESPONSE  # type: ignore[attr-defined]
        (cited,) = [
            e for e in world.app.history(complaint.id) if e.originator_version == deadline.id
        ]
        assert type(cited).__name__ == "DeadlineSet"

    def test_a_ruling_by_default_is_kept_with_the_deadline_it_enforced(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert deadline is not None
        complaint = world.lapse(complaint, DeadlineKind.SELLER_RESPONSE)
        assert complaint.lapsed_deadline == deadline
        assert complaint.default_ruling == DefaultRuling(
            Outcome.CONSUMER_FAVOUR_FULL,
            REFUND,
            deadline,
            decided_at=world.clock.now(),
            rule_codes=("R-6.1",),  # Answering in time: the rule the deadline enforces
        )
        # Replay keeps it too: the appliers build it, so cases decided before it was kept have it.
        replayed = project_aggregate(None, world.app.history(complaint.id))
        assert isinstance(replayed, Complaint)
        assert replayed.default_ruling == complaint.default_ruling

    def test_the_enforced_deadline_is_kept_as_a_paused_clock_moved_it(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        world.app.decline_offer(SELLER, complaint.id, "o1")
        complaint = world.app.make_offer(CONSUMER, complaint.id, PARTIAL)
        opened = complaint.deadline_of(DeadlineKind.NEGOTIATION_TURN)
        assert opened is not None
        world.app.pause_clock(SUPERVISOR, complaint.id, "Courier inquiry")
        world.clock.advance(timedelta(days=2))
        complaint = world.app.resume_clock(SUPERVISOR, complaint.id)
        moved = complaint.deadline_of(DeadlineKind.NEGOTIATION_TURN)
        assert moved is not None
        assert moved.due_at == opened.due_at + timedelta(days=2)
        complaint = world.lapse(complaint, DeadlineKind.NEGOTIATION_TURN)
        assert complaint.default_ruling is not None
        assert complaint.default_ruling.deadline == moved
        assert complaint.default_ruling.remedy == PARTIAL

    def test_a_case_not_decided_by_default_has_no_default_ruling(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        complaint = world.lapse(complaint, DeadlineKind.RESUBMISSION)
        assert complaint.lapsed_deadline is not None
        assert complaint.lapsed_deadline.kind is DeadlineKind.RESUBMISSION
        assert complaint.default_ruling is None
        assert world.ruled().default_ruling is None

    def test_a_consumer_who_does_not_resubmit_has_the_case_closed(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        complaint = world.lapse(complaint, DeadlineKind.RESUBMISSION)
        assert complaint.status is Status.CLOSED
        assert complaint.outcome is Outcome.EXPIRED_NO_INFO
        assert complaint.open_deadlines == []

    def test_a_consumer_silent_on_a_counter_offer_lets_the_case_lapse(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        complaint = world.app.make_offer(SELLER, complaint.id, PARTIAL)
        complaint = world.lapse(complaint, DeadlineKind.NEGOTIATION_TURN)
        assert complaint.status is Status.CLOSED
        assert complaint.outcome is Outcome.EXPIRED_NO_RESPONSE
        assert complaint.offers[-1].status is OfferStatus.EXPIRED

    def test_a_seller_silent_on_a_consumer_offer_grants_it_by_default(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        world.app.decline_offer(SELLER, complaint.id, "o1")
        complaint = world.app.make_offer(CONSUMER, complaint.id, PARTIAL)
        complaint = world.lapse(complaint, DeadlineKind.NEGOTIATION_TURN)
        assert (complaint.outcome, complaint.remedy) == (Outcome.CONSUMER_FAVOUR_PARTIAL, PARTIAL)
        assert complaint.decided_by_default

    def test_a_seller_silent_after_the_consumer_declined_is_escalated(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        world.app.make_offer(SELLER, complaint.id, PARTIAL)
        complaint = world.app.decline_offer(CONSUMER, complaint.id, "o2", "Too little")
        assert complaint.turn is Role.SELLER
        complaint = world.lapse(complaint, DeadlineKind.NEGOTIATION_TURN)
        assert complaint.status is Status.UNDER_REVIEW

    def test_no_agreement_within_the_window_escalates_to_the_platform(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        for _ in range(2):
            complaint = world.app.make_offer(SELLER, complaint.id, PARTIAL)
            world.clock.advance(timedelta(days=2))
            complaint = world.app.make_offer(CONSUMER, complaint.id, REFUND)
            world.clock.advance(timedelta(days=1))
        complaint = world.lapse(complaint, DeadlineKind.ESCALATION)
        assert complaint.status is Status.UNDER_REVIEW
        assert complaint.deadline_of(DeadlineKind.NEGOTIATION_TURN) is None
        assert complaint.deadline_of(DeadlineKind.PICKUP) is not None
        (escalated,) = events_named(world, complaint, "Escalated")
        assert escalated.enforced_deadline_id  # type: ignore[attr-defined]

    def test_overdue_intake_is_flagged_for_supervision_not_decided(self, world: Scenario) -> None:
        complaint = world.file()
        complaint = world.lapse(complaint, DeadlineKind.INTAKE)
        assert complaint.status is Status.SUBMITTED
        (intake,) = complaint.open_deadlines
        assert intake.overdue
        again = world.app.lapse_deadline(PLATFORM, complaint.id, intake.id)
        assert again.version == complaint.version
        complaint = world.app.accept_complaint(AGENT, complaint.id)
        assert complaint.deadline_of(DeadlineKind.INTAKE) is None

    def test_missed_evidence_leaves_the_arbiter_to_rule_on_what_there_is(
        self, world: Scenario
    ) -> None:
        complaint = world.under_review()
        complaint = world.app.request_evidence(ARBITER, complaint.id, Role.SELLER, ["chat_log"])
        complaint = world.lapse(complaint, DeadlineKind.EVIDENCE)
        assert complaint.status is Status.UNDER_REVIEW
        assert not complaint.evidence_requests[0].fulfilled
        assert events_named(world, complaint, "EvidenceMissed")
        world.app.record_finding(ARBITER, complaint.id, "The seller sent nothing.")
        complaint = world.app.issue_ruling(
            ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_FULL, "No rebuttal", REFUND, ["R-6.2"]
        )
        assert complaint.status is Status.RULED

    def test_the_ruling_becomes_final_when_the_appeal_window_closes(self, world: Scenario) -> None:
        complaint = world.ruled()
        window = complaint.deadline_of(DeadlineKind.APPEAL_WINDOW)
        assert window is not None
        complaint = world.lapse(complaint, DeadlineKind.APPEAL_WINDOW)
        assert complaint.final
        assert complaint.status is Status.FULFILLING
        assert complaint.enforced_deadline_id == window.id

    def test_an_explanation_becomes_final_and_closes(self, world: Scenario) -> None:
        complaint = world.ruled(outcome=Outcome.SELLER_FAVOUR_EXPLAINED, remedy=None)
        complaint = world.lapse(complaint, DeadlineKind.APPEAL_WINDOW)
        assert complaint.status is Status.CLOSED

    def test_the_window_closing_during_an_appeal_decides_nothing(self, world: Scenario) -> None:
        complaint = world.ruled()
        complaint = world.app.file_appeal(SELLER, complaint.id, "The photos are staged ones.")
        complaint = world.lapse(complaint, DeadlineKind.APPEAL_WINDOW)
        assert complaint.status is Status.APPEAL_REVIEW
        assert not complaint.final

    def test_a_seller_who_misses_the_refund_is_paid_for_from_the_deposit(
        self, world: Scenario
    ) -> None:
        complaint = world.fulfilling()
        complaint = world.lapse(complaint, DeadlineKind.REMEDY)
        assert complaint.status is Status.CLOSED
        assert complaint.advanced_refund == cny("199.00")
        seller = world.app.get_seller("acme")
        assert seller.deposit == cny("801.00")
        assert seller.ledger[-1].complaint_id == complaint.id

    def test_an_advance_beyond_the_deposit_becomes_a_debt(self, world: Scenario) -> None:
        world.seller("acme", deposit="50.00")
        complaint = world.fulfilling()
        world.lapse(complaint, DeadlineKind.REMEDY)
        seller = world.app.get_seller("acme")
        assert (seller.deposit, seller.outstanding_debt) == (cny("0.00"), cny("149.00"))

    def test_the_advance_is_paid_exactly_once(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        deadline = complaint.deadline_of(DeadlineKind.REMEDY)
        assert deadline is not None
        world.lapse(complaint, DeadlineKind.REMEDY)
        world.app.lapse_deadline(PLATFORM, complaint.id, deadline.id)
        assert world.app.get_seller("acme").deposit == cny("801.00")

    def test_a_consumer_who_does_not_ship_the_return_forfeits_the_remedy(
        self, world: Scenario
    ) -> None:
        complaint = world.fulfilling(remedy=Remedy(RemedyType.RETURN_AND_REFUND, cny("50")))
        complaint = world.lapse(complaint, DeadlineKind.RETURN_SHIPMENT)
        assert complaint.status is Status.CLOSED
        assert complaint.remedy_forfeited
        assert complaint.refunded is None

    def test_a_seller_silent_on_the_return_is_deemed_to_have_it(self, world: Scenario) -> None:
        complaint = world.fulfilling(remedy=Remedy(RemedyType.RETURN_AND_REFUND, cny("50")))
        complaint = world.app.ship_return(CONSUMER, complaint.id, "SF", "SF1")
        complaint = world.lapse(complaint, DeadlineKind.RETURN_RECEIPT)
        assert complaint.return_deemed_received
        assert complaint.current_step is FulfilmentStep.REFUND

    def test_a_missed_replacement_is_recorded_and_the_seller_given_a_new_deadline(
        self, clock: ManualClock, tmp_path: Path
    ) -> None:
        """While REPLACEMENT_ATTEMPTS last; then it becomes a refund (test_fulfilment.py)."""
        settings = Settings(
            database_url="memory://", replacement_attempts=2, upload_dir=tmp_path / "uploads"
        )
        world = Scenario(ComplaintsApp(settings, clock=clock), clock)
        complaint = world.fulfilling(remedy=Remedy(RemedyType.RESHIP))
        first = complaint.deadline_of(DeadlineKind.REMEDY)
        complaint = world.lapse(complaint, DeadlineKind.REMEDY)
        assert complaint.remedy_defaults == 1
        renewed = complaint.deadline_of(DeadlineKind.REMEDY)
        assert renewed is not None
        assert first is not None
        assert renewed.id != first.id
        assert complaint.status is Status.FULFILLING

    def test_the_survey_lapses_quietly(self, world: Scenario) -> None:
        complaint = world.closed()
        complaint = world.lapse(complaint, DeadlineKind.SURVEY)
        assert complaint.status is Status.CLOSED
        assert complaint.open_deadlines == []


class TestPolicyRecorded:
    def test_each_deadline_records_its_duration_and_the_policy_entry(self, world: Scenario) -> None:
        complaint = world.negotiating()
        opened = [
            e for e in world.app.history(complaint.id) if isinstance(e, Complaint.DeadlineSet)
        ]
        assert [(e.kind, e.duration_seconds, e.policy) for e in opened] == [
            (DeadlineKind.INTAKE, 86400, "intake=1d"),
            (DeadlineKind.SELLER_RESPONSE, 172800, "seller_response=2d"),
            (DeadlineKind.ESCALATION, 604800, "escalation=7d"),
        ]
        for e in opened:
            assert e.due_at - e.timestamp == timedelta(seconds=e.duration_seconds or 0)

    def test_a_due_time_a_person_chose_names_no_policy(self, world: Scenario) -> None:
        complaint = world.under_review()
        due = world.clock.now() + timedelta(hours=30)
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"], None, due)
        world.app.request_evidence(ARBITER, complaint.id, Role.SELLER, ["invoice"])
        opened = [
            e
            for e in world.app.history(complaint.id)
            if isinstance(e, Complaint.DeadlineSet) and e.kind is DeadlineKind.EVIDENCE
        ]
        assert [(e.duration_seconds, e.policy) for e in opened] == [
            (30 * 3600, None),
            (3 * 86400, "evidence=3d"),
        ]
