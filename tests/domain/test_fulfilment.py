"""R4 and R5: carrying out the remedy, execution issues, and the satisfaction survey."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.complaint.permissions import Action
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    AlreadyRated,
    ExecutionIssueNotFound,
    InvalidTransition,
    NoOpenExecutionIssue,
    NoRemedyToConfirm,
    NotCurrentStep,
    RoleNotAllowed,
    SurveyClosed,
    ValidationFailed,
)
from complaints.domain.values import (
    Category,
    FulfilmentStep,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
)
from complaints.settings import Settings
from tests.scenario import (
    AGENT,
    CONSUMER,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)

RETURN_AND_REFUND = Remedy(RemedyType.RETURN_AND_REFUND, cny("199.00"))


class TestSteps:
    def test_a_confirmed_refund_closes_the_case_and_opens_the_survey(self, world: Scenario) -> None:
        complaint = world.closed()
        assert complaint.status is Status.CLOSED
        assert complaint.refunded == cny("199.00")
        assert complaint.outcome is Outcome.SETTLED_BY_AGREEMENT
        (survey,) = complaint.open_deadlines
        assert survey.kind is DeadlineKind.SURVEY
        assert survey.due_at == world.clock.now() + timedelta(days=7)

    def test_return_and_refund_runs_its_steps_in_order(self, world: Scenario) -> None:
        complaint = world.fulfilling(remedy=RETURN_AND_REFUND)
        assert complaint.pending_steps == (
            FulfilmentStep.RETURN_SHIPMENT,
            FulfilmentStep.RETURN_RECEIPT,
            FulfilmentStep.REFUND,
        )
        shipment = complaint.deadline_of(DeadlineKind.RETURN_SHIPMENT)
        assert shipment is not None
        assert shipment.party is Role.CONSUMER
        complaint = world.app.ship_return(CONSUMER, complaint.id, "SF Express", "SF123456789")
        assert complaint.shipments[0].tracking_number.reveal() == "SF123456789"
        assert complaint.deadline_of(DeadlineKind.RETURN_RECEIPT) is not None
        complaint = world.app.confirm_return_received(SELLER, complaint.id)
        assert complaint.current_step is FulfilmentStep.REFUND
        complaint = world.app.confirm_refund(SELLER, complaint.id)
        assert complaint.status is Status.FULFILLING  # until the consumer says it arrived
        complaint = world.app.confirm_remedy_received(CONSUMER, complaint.id)
        assert complaint.status is Status.CLOSED

    def test_steps_out_of_order_are_refused(self, world: Scenario) -> None:
        complaint = world.fulfilling(remedy=RETURN_AND_REFUND)
        with pytest.raises(NotCurrentStep) as refused:
            world.app.confirm_refund(SELLER, complaint.id)
        assert refused.value.status is Status.FULFILLING
        with pytest.raises(NotCurrentStep):
            world.app.confirm_return_received(SELLER, complaint.id)

    @pytest.mark.parametrize("remedy_type", [RemedyType.EXCHANGE, RemedyType.REPAIR])
    def test_an_exchange_or_repair_ends_with_goods_shipped_back(
        self, world: Scenario, remedy_type: RemedyType
    ) -> None:
        complaint = world.fulfilling(remedy=Remedy(remedy_type))
        world.app.ship_return(CONSUMER, complaint.id, "YTO", "YT0001")
        world.app.confirm_return_received(SELLER, complaint.id)
        complaint = world.app.ship_replacement(SELLER, complaint.id, "YTO", "YT0002")
        complaint = world.app.confirm_remedy_received(CONSUMER, complaint.id)
        assert complaint.status is Status.CLOSED
        assert [s.step for s in complaint.shipments] == [
            FulfilmentStep.RETURN_SHIPMENT,
            FulfilmentStep.REPLACEMENT,
        ]

    def test_a_reship_needs_only_the_sellers_shipment(self, world: Scenario) -> None:
        complaint = world.fulfilling(remedy=Remedy(RemedyType.RESHIP))
        complaint = world.app.ship_replacement(SELLER, complaint.id, "EMS", "EE123")
        assert complaint.deadline_of(DeadlineKind.REMEDY_CONFIRMATION) is not None
        complaint = world.app.confirm_remedy_received(CONSUMER, complaint.id)
        assert complaint.status is Status.CLOSED

    def test_shipments_need_a_carrier_and_a_tracking_number(self, world: Scenario) -> None:
        complaint = world.fulfilling(remedy=RETURN_AND_REFUND)
        with pytest.raises(ValidationFailed) as refused:
            world.app.ship_return(CONSUMER, complaint.id, "", "")
        assert {f.field for f in refused.value.fields} == {"carrier", "tracking_number"}

    def test_only_the_seller_confirms_a_refund(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        with pytest.raises(RoleNotAllowed):
            world.app.confirm_refund(CONSUMER, complaint.id)

    def test_a_refund_is_never_confirmed_twice(self, world: Scenario) -> None:
        complaint = world.closed()
        with pytest.raises(InvalidTransition):
            world.app.confirm_refund(SELLER, complaint.id)


class TestTheConsumerConfirmsTheRemedy:
    def refunded(self, world: Scenario, remedy: Remedy = REFUND) -> Complaint:
        complaint = world.fulfilling(remedy=remedy)
        if remedy.type is RemedyType.RESHIP:
            return world.app.ship_replacement(SELLER, complaint.id, "EMS", "EE1")
        return world.app.confirm_refund(SELLER, complaint.id)

    def test_the_case_waits_for_the_consumer_who_confirms(self, world: Scenario) -> None:
        complaint = self.refunded(world)
        assert complaint.status is Status.FULFILLING
        waiting = complaint.deadline_of(DeadlineKind.REMEDY_CONFIRMATION)
        assert waiting is not None
        assert waiting.party is Role.CONSUMER
        assert waiting.due_at == world.clock.now() + timedelta(days=7)
        assert Action.CONFIRM_REMEDY_RECEIVED.value in complaint.allowed_actions(
            CONSUMER, world.clock.now()
        )
        complaint = world.app.confirm_remedy_received(CONSUMER, complaint.id)
        assert (complaint.status, complaint.outcome) == (
            Status.CLOSED,
            Outcome.SETTLED_BY_AGREEMENT,
        )
        assert complaint.deadline_of(DeadlineKind.SURVEY) is not None

    def test_silence_deems_the_remedy_received(self, world: Scenario) -> None:
        complaint = self.refunded(world)
        waiting = complaint.deadline_of(DeadlineKind.REMEDY_CONFIRMATION)
        assert waiting is not None
        complaint = world.lapse(complaint, DeadlineKind.REMEDY_CONFIRMATION)
        assert complaint.status is Status.CLOSED
        assert complaint.enforced_deadline_id == waiting.id
        confirmed = [
            e for e in world.app.history(complaint.id) if isinstance(e, Complaint.RemedyConfirmed)
        ]
        assert [(e.deemed, e.enforced_deadline_id) for e in confirmed] == [(True, waiting.id)]

    def test_only_the_consumer_confirms_and_only_once_the_seller_reported(
        self, world: Scenario
    ) -> None:
        complaint = world.fulfilling()
        with pytest.raises(NoRemedyToConfirm):
            world.app.confirm_remedy_received(CONSUMER, complaint.id)
        with pytest.raises(NoRemedyToConfirm):
            world.app.dispute_remedy(CONSUMER, complaint.id, "Nothing came.")
        complaint = world.app.confirm_refund(SELLER, complaint.id)
        with pytest.raises(RoleNotAllowed):
            world.app.confirm_remedy_received(SELLER, complaint.id)
        with pytest.raises(RoleNotAllowed):
            world.app.dispute_remedy(SUPERVISOR, complaint.id, "Nothing came.")

    def test_a_dispute_goes_to_supervision_with_a_due_time(self, world: Scenario) -> None:
        complaint = self.refunded(world)
        complaint = world.app.dispute_remedy(CONSUMER, complaint.id, "No money reached my card.")
        (issue,) = complaint.execution_issues
        assert (issue.dispute, issue.by, issue.is_open) == (True, Role.CONSUMER, True)
        assert issue.text.reveal() == "No money reached my card."
        assert complaint.deadline_of(DeadlineKind.REMEDY_CONFIRMATION) is None
        sla = complaint.deadline_of(DeadlineKind.EXECUTION_ISSUE)
        assert sla is not None
        assert (sla.ref, sla.party) == (issue.id, None)
        with pytest.raises(NoRemedyToConfirm):
            world.app.confirm_remedy_received(CONSUMER, complaint.id)
        # Missing the SLA flags the case for supervision; it decides nothing.
        complaint = world.lapse(complaint, DeadlineKind.EXECUTION_ISSUE)
        assert complaint.status is Status.FULFILLING
        assert complaint.execution_issues[0].is_open

    def test_supervision_advances_a_disputed_refund_with_a_strike(self, world: Scenario) -> None:
        complaint = self.refunded(world)
        world.app.dispute_remedy(CONSUMER, complaint.id, "No money reached my card.")
        complaint = world.app.resolve_execution_issue(
            SUPERVISOR, complaint.id, "The bank shows no payment.", None, True
        )
        assert complaint.status is Status.CLOSED
        assert complaint.advanced_refund == cny("199.00")
        assert complaint.execution_issues[0].advanced
        seller = world.app.get_seller("acme")
        assert seller.deposit == cny("801.00")
        assert [(s.offence.value, s.number) for s in seller.strikes] == [("REMEDY_MISSED", 1)]

    def test_supervision_dismisses_a_dispute_and_the_case_closes(self, world: Scenario) -> None:
        complaint = self.refunded(world)
        world.app.dispute_remedy(CONSUMER, complaint.id, "No money reached my card.")
        complaint = world.app.resolve_execution_issue(
            SUPERVISOR, complaint.id, "The bank confirms payment on the 3rd."
        )
        assert complaint.status is Status.CLOSED
        assert complaint.advanced_refund is None
        assert world.app.get_seller("acme").strikes == []

    def test_only_a_disputed_remedy_that_moves_money_is_advanced(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        world.app.raise_execution_issue(CONSUMER, complaint.id, "The seller is slow.")
        with pytest.raises(ValidationFailed) as refused:
            world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Paid.", None, True)
        assert [f.field for f in refused.value.fields] == ["advance_refund"]
        reship = self.refunded(world, Remedy(RemedyType.RESHIP))
        world.app.dispute_remedy(CONSUMER, reship.id, "The parcel was empty.")
        with pytest.raises(ValidationFailed) as refused:
            world.app.resolve_execution_issue(SUPERVISOR, reship.id, "Advance it.", None, True)
        assert "moves no money" in refused.value.fields[0].message


class TestExecutionIssues:
    def test_either_party_raises_and_a_supervisor_resolves(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        complaint = world.app.raise_execution_issue(SELLER, complaint.id, "Bank rejected it.")
        (issue,) = complaint.open_execution_issues
        assert (issue.id, issue.by) == ("x1", Role.SELLER)
        complaint = world.app.resolve_execution_issue(
            SUPERVISOR, complaint.id, "Refund by wallet instead."
        )
        assert complaint.open_execution_issues == []
        assert complaint.execution_issues[0].resolution == "Refund by wallet instead."

    def test_with_several_open_issues_the_one_resolved_must_be_named(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        world.app.raise_execution_issue(SELLER, complaint.id, "Bank rejected it.")
        world.app.raise_execution_issue(CONSUMER, complaint.id, "Nothing arrived yet.")
        with pytest.raises(ValidationFailed):
            world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Done")
        complaint = world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Done", "x2")
        assert [i.id for i in complaint.open_execution_issues] == ["x1"]

    def test_an_unknown_issue_is_not_found(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        world.app.raise_execution_issue(SELLER, complaint.id, "Bank rejected it.")
        with pytest.raises(ExecutionIssueNotFound):
            world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Done", "x9")

    def test_an_issue_is_resolved_once(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        world.app.raise_execution_issue(SELLER, complaint.id, "Bank rejected it.")
        world.app.raise_execution_issue(SELLER, complaint.id, "Again.")
        world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Done", "x1")
        with pytest.raises(NoOpenExecutionIssue):
            world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Done", "x1")

    def test_nothing_to_resolve_is_refused(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        with pytest.raises(NoOpenExecutionIssue):
            world.app.resolve_execution_issue(SUPERVISOR, complaint.id, "Done")

    def test_only_the_supervision_team_resolves(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        world.app.raise_execution_issue(SELLER, complaint.id, "Bank rejected it.")
        with pytest.raises(RoleNotAllowed):
            world.app.resolve_execution_issue(SELLER, complaint.id, "Fixed it myself")

    def test_issues_are_raised_during_execution_only(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(InvalidTransition):
            world.app.raise_execution_issue(CONSUMER, complaint.id, "Too early")


class TestSurvey:
    def test_each_party_rates_the_handling_once(self, world: Scenario) -> None:
        complaint = world.closed()
        complaint = world.app.rate_handling(CONSUMER, complaint.id, 5, "Quick and fair")
        assert complaint.ratings[Role.CONSUMER].score == 5
        with pytest.raises(AlreadyRated):
            world.app.rate_handling(CONSUMER, complaint.id, 4)
        complaint = world.app.rate_handling(SELLER, complaint.id, 3)
        assert complaint.deadline_of(DeadlineKind.SURVEY) is None

    @pytest.mark.parametrize("score", [0, 6, -1])
    def test_scores_run_from_one_to_five(self, world: Scenario, score: int) -> None:
        complaint = world.closed()
        with pytest.raises(ValidationFailed):
            world.app.rate_handling(CONSUMER, complaint.id, score)

    def test_the_survey_closes_with_its_window(self, world: Scenario) -> None:
        complaint = world.closed()
        world.clock.advance(timedelta(days=8))
        with pytest.raises(SurveyClosed):
            world.app.rate_handling(CONSUMER, complaint.id, 4)

    def test_an_open_case_is_not_rated_yet(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        with pytest.raises(InvalidTransition):
            world.app.rate_handling(CONSUMER, complaint.id, 4)

    def test_a_rejected_complaint_can_be_rated(self, world: Scenario) -> None:
        complaint = world.file()
        world.app.reject_complaint(AGENT, complaint.id, "Outside our platform.", "R-1.1")
        complaint = world.app.rate_handling(CONSUMER, complaint.id, 2, "Too strict")
        assert complaint.ratings[Role.CONSUMER].comment is not None

    def test_the_outcome_stays_as_it_was_when_rated(self, world: Scenario) -> None:
        complaint = world.closed()
        complaint = world.app.rate_handling(CONSUMER, complaint.id, 1)
        assert (complaint.status, complaint.remedy) == (Status.CLOSED, REFUND)


def reshipping(world: Scenario) -> Complaint:
    """The consumer asked for 199.00 back; they settled on a reshipment instead."""
    complaint = world.negotiating()
    world.app.make_offer(SELLER, complaint.id, Remedy(RemedyType.RESHIP))
    return world.app.accept_offer(CONSUMER, complaint.id, "o2")


class TestMissedReplacements:
    def test_a_missed_replacement_becomes_a_refund_the_platform_pays(self, world: Scenario) -> None:
        complaint = world.lapse(reshipping(world), DeadlineKind.REMEDY)
        assert complaint.status is Status.CLOSED
        assert complaint.advanced_refund == cny("199.00")
        seller = world.app.get_seller("acme")
        assert seller.deposit == cny("801.00")
        assert len(seller.strikes) == 1

    def test_more_attempts_when_the_settings_allow(self, clock: ManualClock) -> None:
        settings = Settings(database_url="memory://", replacement_attempts=2)
        app = ComplaintsApp(settings, clock=clock)
        world = Scenario(app, clock)
        complaint = world.lapse(reshipping(world), DeadlineKind.REMEDY)
        assert complaint.status is Status.FULFILLING
        assert complaint.deadline_of(DeadlineKind.REMEDY) is not None
        complaint = world.lapse(complaint, DeadlineKind.REMEDY)
        assert complaint.status is Status.CLOSED
        app.close()

    def test_with_no_value_to_refund_supervision_decides(self, world: Scenario) -> None:
        world.seller()
        filed = world.app.file_complaint(
            CONSUMER,
            "acme",
            world.order("order-77"),
            Category.WRONG_ITEM,
            "They sent a blue kettle, I ordered a red one.",
            Remedy(RemedyType.EXCHANGE),
        )
        world.app.accept_complaint(AGENT, filed.id)
        complaint = world.app.accept_offer(SELLER, filed.id, "o1")
        world.app.ship_return(CONSUMER, complaint.id, "SF", "SF1")
        complaint = world.app.confirm_return_received(SELLER, complaint.id)
        complaint = world.lapse(complaint, DeadlineKind.REMEDY)
        (issue,) = complaint.open_execution_issues
        assert issue.by is Role.SYSTEM
        assert complaint.deadline_of(DeadlineKind.EXECUTION_ISSUE) is not None
        assert complaint.deadline_of(DeadlineKind.REMEDY) is None
        complaint = world.app.resolve_execution_issue(
            SUPERVISOR, complaint.id, "Seller confirms stock; one more try."
        )
        assert complaint.deadline_of(DeadlineKind.REMEDY) is not None
