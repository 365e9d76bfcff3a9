"""R4 and R5: carrying out the remedy, execution issues, and the satisfaction survey."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    AlreadyRated,
    ExecutionIssueNotFound,
    InvalidTransition,
    NoOpenExecutionIssue,
    NotCurrentStep,
    RoleNotAllowed,
    SurveyClosed,
    ValidationFailed,
)
from complaints.domain.values import (
    FulfilmentStep,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
)
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
        assert complaint.status is Status.CLOSED
        assert [s.step for s in complaint.shipments] == [
            FulfilmentStep.RETURN_SHIPMENT,
            FulfilmentStep.REPLACEMENT,
        ]

    def test_a_reship_needs_only_the_sellers_shipment(self, world: Scenario) -> None:
        complaint = world.fulfilling(remedy=Remedy(RemedyType.RESHIP))
        complaint = world.app.ship_replacement(SELLER, complaint.id, "EMS", "EE123")
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
