"""R3: ruling, written notice and one appeal decided by a different reviewer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DEFAULT_RULING_RULES, DeadlineKind
from complaints.domain.errors import (
    AlreadyAcknowledged,
    AlreadyAppealed,
    AppealWindowClosed,
    FindingRequired,
    InvalidTransition,
    NothingToAcknowledge,
    NotTheDefaultingParty,
    RoleNotAllowed,
    SameReviewer,
    ValidationFailed,
)
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.values import (
    Actor,
    FulfilmentStep,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
)
from tests.scenario import (
    ARBITER,
    CONSUMER,
    PARTIAL,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
)

GROUNDS = "The arbiter ignored the courier's damage report."


class TestRuling:
    def test_a_ruling_needs_a_preliminary_finding_first(self, world: Scenario) -> None:
        complaint = world.under_review()
        with pytest.raises(FindingRequired):
            world.app.issue_ruling(
                ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_FULL, "Damaged", REFUND
            )

    def test_the_arbiter_rules_and_the_appeal_window_opens(self, world: Scenario) -> None:
        complaint = world.ruled()
        assert complaint.status is Status.RULED
        (ruling,) = complaint.rulings
        assert (ruling.level, ruling.outcome, ruling.remedy) == (
            1,
            Outcome.CONSUMER_FAVOUR_FULL,
            REFUND,
        )
        assert ruling.rule_codes == ("R-3.2",)
        assert ruling.decided_by == ARBITER.id
        (window,) = complaint.open_deadlines
        assert window.kind is DeadlineKind.APPEAL_WINDOW
        assert window.due_at == world.clock.now() + timedelta(days=15)

    def test_a_ruling_for_the_consumer_grants_a_remedy(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.record_finding(ARBITER, complaint.id, "Damaged.")
        with pytest.raises(ValidationFailed) as refused:
            world.app.issue_ruling(ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_FULL, "Ok")
        assert refused.value.fields[0].field == "remedy"

    def test_a_ruling_for_the_seller_grants_an_explanation(self, world: Scenario) -> None:
        complaint = world.ruled(outcome=Outcome.SELLER_FAVOUR_EXPLAINED, remedy=None)
        assert complaint.remedy == Remedy(RemedyType.EXPLANATION_ONLY)

    def test_a_ruling_for_the_seller_grants_no_money(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.record_finding(ARBITER, complaint.id, "As described.")
        with pytest.raises(ValidationFailed):
            world.app.issue_ruling(
                ARBITER, complaint.id, Outcome.SELLER_FAVOUR_EXPLAINED, "Fine", REFUND
            )

    @pytest.mark.parametrize(
        "outcome", [Outcome.SETTLED_BY_AGREEMENT, Outcome.WITHDRAWN, Outcome.EXPIRED_NO_INFO]
    )
    def test_an_arbiter_rules_only_on_the_merits(self, world: Scenario, outcome: Outcome) -> None:
        complaint = world.under_review()
        world.app.record_finding(ARBITER, complaint.id, "Hmm.")
        with pytest.raises(ValidationFailed):
            world.app.issue_ruling(ARBITER, complaint.id, outcome, "Because", REFUND)

    def test_a_ruling_needs_a_rationale(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.record_finding(ARBITER, complaint.id, "Damaged.")
        with pytest.raises(ValidationFailed):
            world.app.issue_ruling(ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_FULL, "", REFUND)

    def test_a_ruled_case_is_not_ruled_again(self, world: Scenario) -> None:
        complaint = world.ruled()
        with pytest.raises(InvalidTransition):
            world.app.issue_ruling(
                ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_PARTIAL, "Again", PARTIAL
            )


class TestWrittenNotice:
    def test_each_party_acknowledges_the_ruling_once(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.acknowledge_ruling(CONSUMER, complaint.id)
        complaint = world.app.acknowledge_ruling(SELLER, complaint.id)
        assert complaint.acknowledgements == {(1, Role.CONSUMER), (1, Role.SELLER)}
        with pytest.raises(AlreadyAcknowledged):
            world.app.acknowledge_ruling(SELLER, complaint.id)

    def test_a_settled_case_has_no_ruling_to_acknowledge(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        with pytest.raises(NothingToAcknowledge):
            world.app.acknowledge_ruling(CONSUMER, complaint.id)

    def test_the_appeal_decision_is_a_new_notice(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.acknowledge_ruling(SELLER, complaint.id)
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        world.app.decide_appeal(SUPERVISOR, complaint.id, False, "The ruling stands.")
        complaint = world.app.acknowledge_ruling(SELLER, complaint.id)
        assert (2, Role.SELLER) in complaint.acknowledgements


class TestReasonedAndAcknowledged:
    """A ruling by default cites the rule of the deadline it enforced; a granted appeal cites
    the rules it rests on; both parties acknowledge the latest decision, whatever made it."""

    def defaulted(self, world: Scenario) -> Complaint:
        return world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)

    def test_every_deadline_a_default_ruling_enforces_names_a_rule_of_the_rulebook(
        self,
    ) -> None:
        assert set(DEFAULT_RULING_RULES) == {
            DeadlineKind.SELLER_RESPONSE,
            DeadlineKind.NEGOTIATION_TURN,
        }
        for codes in DEFAULT_RULING_RULES.values():
            assert codes
            assert all(RULEBOOK.rule(code) is not None for code in codes)

    def test_a_ruling_by_default_cites_the_rule_of_its_deadline(self, world: Scenario) -> None:
        complaint = self.defaulted(world)
        assert complaint.default_ruling is not None
        assert complaint.default_ruling.rule_codes == ("R-6.1",)

    def test_both_parties_acknowledge_a_ruling_by_default_once(self, world: Scenario) -> None:
        complaint = self.defaulted(world)
        world.app.acknowledge_ruling(CONSUMER, complaint.id)
        complaint = world.app.acknowledge_ruling(SELLER, complaint.id)
        assert complaint.acknowledgements == {(1, Role.CONSUMER), (1, Role.SELLER)}
        with pytest.raises(AlreadyAcknowledged) as refused:
            world.app.acknowledge_ruling(CONSUMER, complaint.id)
        assert refused.value.code == "ALREADY_ACKNOWLEDGED"

    def test_the_decision_on_a_default_rulings_appeal_is_acknowledged_anew(
        self, world: Scenario
    ) -> None:
        complaint = self.defaulted(world)
        world.app.acknowledge_ruling(SELLER, complaint.id)
        world.app.file_appeal(SELLER, complaint.id, "The goods were returned unused.")
        world.app.decide_appeal(SUPERVISOR, complaint.id, False, "The refund stands.")
        world.app.acknowledge_ruling(CONSUMER, complaint.id)
        complaint = world.app.acknowledge_ruling(SELLER, complaint.id)
        assert {(2, Role.CONSUMER), (2, Role.SELLER)} <= complaint.acknowledgements

    def test_a_granted_appeal_must_cite_a_rule(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        for codes in ([], ["R-99"]):
            with pytest.raises(ValidationFailed) as refused:
                world.app.decide_appeal(
                    SUPERVISOR,
                    complaint.id,
                    True,
                    "The courier report shows no damage.",
                    Outcome.SELLER_FAVOUR_EXPLAINED,
                    None,
                    codes,
                )
            assert [f.field for f in refused.value.fields] == ["rule_codes"], codes
        assert world.app.get_complaint(complaint.id).status is Status.APPEAL_REVIEW

    def test_a_decision_records_the_rules_it_cites(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        complaint = world.app.decide_appeal(
            SUPERVISOR, complaint.id, False, "The ruling stands.", None, None, ["R-6.4"]
        )
        assert complaint.rulings[-1].rule_codes == ("R-6.4",)
        other = world.ruled()
        world.app.file_appeal(SELLER, other.id, GROUNDS)
        with pytest.raises(ValidationFailed):
            world.app.decide_appeal(SUPERVISOR, other.id, False, "No.", None, None, ["nope!"])


class TestAppeal:
    def test_a_party_appeals_within_the_window(self, world: Scenario) -> None:
        complaint = world.ruled()
        complaint = world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        assert complaint.status is Status.APPEAL_REVIEW
        assert complaint.appeals[0].grounds.reveal() == GROUNDS
        assert complaint.deadline_of(DeadlineKind.APPEAL_WINDOW) is not None

    def test_an_appeal_puts_supervision_on_a_deadline(self, world: Scenario) -> None:
        complaint = world.ruled()
        complaint = world.app.file_appeal(SELLER, complaint.id, "The photos show older damage.")
        review = complaint.deadline_of(DeadlineKind.APPEAL_REVIEW)
        assert review is not None
        assert (review.party, review.due_at) == (None, world.clock.now() + timedelta(days=5))
        complaint = world.app.file_appeal(CONSUMER, complaint.id, "The remedy is too small.")
        assert (
            len([d for d in complaint.open_deadlines if d.kind is DeadlineKind.APPEAL_REVIEW]) == 1
        )
        complaint = world.lapse(complaint, DeadlineKind.APPEAL_REVIEW)
        assert complaint.status is Status.APPEAL_REVIEW  # overdue for supervision, not decided
        overdue = complaint.deadline_of(DeadlineKind.APPEAL_REVIEW)
        assert overdue is not None
        assert overdue.overdue
        complaint = world.app.decide_appeal(SUPERVISOR, complaint.id, False, "The ruling stands.")
        assert complaint.deadline_of(DeadlineKind.APPEAL_REVIEW) is None

    def test_each_party_appeals_at_most_once(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        with pytest.raises(AlreadyAppealed):
            world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        complaint = world.app.file_appeal(CONSUMER, complaint.id, "The refund is too small.")
        assert [a.by for a in complaint.appeals] == [Role.SELLER, Role.CONSUMER]
        assert complaint.deadline_of(DeadlineKind.APPEAL_WINDOW) is None

    def test_an_appeal_after_the_window_is_refused(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.clock.advance(timedelta(days=15, seconds=1))
        with pytest.raises(AppealWindowClosed):
            world.app.file_appeal(SELLER, complaint.id, GROUNDS)

    def test_appeal_grounds_must_say_something(self, world: Scenario) -> None:
        complaint = world.ruled()
        with pytest.raises(ValidationFailed):
            world.app.file_appeal(SELLER, complaint.id, "unfair")

    def test_a_dismissed_appeal_leaves_the_ruling_final(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        complaint = world.app.decide_appeal(SUPERVISOR, complaint.id, False, "Photos are clear.")
        assert complaint.rulings[-1].granted is False
        assert (complaint.outcome, complaint.remedy) == (Outcome.CONSUMER_FAVOUR_FULL, REFUND)
        assert complaint.final
        assert complaint.status is Status.FULFILLING
        assert complaint.pending_steps == (FulfilmentStep.REFUND,)

    def test_a_granted_appeal_changes_the_outcome(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        complaint = world.app.decide_appeal(
            SUPERVISOR,
            complaint.id,
            True,
            "The courier report shows no damage.",
            Outcome.SELLER_FAVOUR_EXPLAINED,
            None,
            ["R-3.2"],
        )
        assert complaint.outcome is Outcome.SELLER_FAVOUR_EXPLAINED
        assert complaint.status is Status.CLOSED
        assert [r.level for r in complaint.rulings] == [1, 2]

    def test_the_arbiter_who_ruled_never_decides_the_appeal(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        same_person = Actor(Role.SUPERVISOR, ARBITER.id)
        with pytest.raises(SameReviewer):
            world.app.decide_appeal(same_person, complaint.id, False, "I stand by it.")

    def test_only_a_supervisor_decides_appeals(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        with pytest.raises(RoleNotAllowed):
            world.app.decide_appeal(ARBITER, complaint.id, False, "No.")

    def test_a_granted_appeal_must_change_something(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        with pytest.raises(ValidationFailed):
            world.app.decide_appeal(
                SUPERVISOR,
                complaint.id,
                True,
                "Same",
                Outcome.CONSUMER_FAVOUR_FULL,
                REFUND,
                ["R-3.2"],
            )

    def test_a_dismissed_appeal_takes_no_new_outcome(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        with pytest.raises(ValidationFailed) as refused:
            world.app.decide_appeal(
                SUPERVISOR, complaint.id, False, "No", Outcome.CONSUMER_FAVOUR_PARTIAL, PARTIAL
            )
        assert {f.field for f in refused.value.fields} == {"outcome", "remedy"}

    def test_there_is_no_second_appeal_after_the_decision(self, world: Scenario) -> None:
        complaint = world.ruled()
        world.app.file_appeal(SELLER, complaint.id, GROUNDS)
        world.app.decide_appeal(SUPERVISOR, complaint.id, False, "Stands.")
        with pytest.raises(InvalidTransition):
            world.app.file_appeal(CONSUMER, complaint.id, "I want more than the refund.")


class TestAppealingADefaultRuling:
    def defaulted(self, world: Scenario) -> Complaint:
        """The seller never answered: the consumer's requested refund is granted by default."""
        return world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)

    def test_the_party_that_missed_the_deadline_may_appeal_while_the_remedy_waits(
        self, world: Scenario
    ) -> None:
        complaint = self.defaulted(world)
        assert (complaint.status, complaint.decided_by_default) == (Status.FULFILLING, True)
        window = complaint.deadline_of(DeadlineKind.APPEAL_WINDOW)
        assert window is not None
        assert window.party is Role.SELLER
        assert complaint.deadline_of(DeadlineKind.REMEDY) is not None
        with pytest.raises(NotTheDefaultingParty):
            world.app.file_appeal(CONSUMER, complaint.id, "I want more than I asked for.")
        complaint = world.app.file_appeal(SELLER, complaint.id, "We never got the notice.")
        assert complaint.status is Status.APPEAL_REVIEW
        assert complaint.deadline_of(DeadlineKind.REMEDY) is None  # waits for the decision
        assert complaint.deadline_of(DeadlineKind.APPEAL_WINDOW) is None
        assert complaint.deadline_of(DeadlineKind.APPEAL_REVIEW) is not None
        with pytest.raises((AlreadyAppealed, InvalidTransition)):
            world.app.file_appeal(SELLER, complaint.id, "Once more, with feeling.")

    def test_a_refused_appeal_lets_the_remedy_go_ahead(self, world: Scenario) -> None:
        complaint = self.defaulted(world)
        world.app.file_appeal(SELLER, complaint.id, "We never got the notice.")
        complaint = world.app.decide_appeal(SUPERVISOR, complaint.id, False, "It was sent.")
        assert complaint.status is Status.FULFILLING
        assert complaint.remedy == REFUND
        assert complaint.deadline_of(DeadlineKind.REMEDY) is not None

    def test_a_granted_appeal_changes_the_outcome(self, world: Scenario) -> None:
        complaint = self.defaulted(world)
        world.app.file_appeal(SELLER, complaint.id, "The goods were returned unused.")
        complaint = world.app.decide_appeal(
            SUPERVISOR,
            complaint.id,
            True,
            "The seller had already refunded outside the platform.",
            Outcome.SELLER_FAVOUR_EXPLAINED,
            None,
            ["R-7.1"],
        )
        assert (complaint.status, complaint.outcome) == (
            Status.CLOSED,
            Outcome.SELLER_FAVOUR_EXPLAINED,
        )

    def test_once_the_remedy_is_carried_out_the_window_has_closed(self, world: Scenario) -> None:
        complaint = self.defaulted(world)
        world.app.confirm_refund(SELLER, complaint.id)
        with pytest.raises(AppealWindowClosed):
            world.app.file_appeal(SELLER, complaint.id, "On reflection, we disagree.")

    def test_a_window_that_lapses_changes_nothing(self, world: Scenario) -> None:
        complaint = self.defaulted(world)
        world.app.pause_clock(SUPERVISOR, complaint.id, "A bank holiday.")
        world.app.resume_clock(SUPERVISOR, complaint.id)
        complaint = world.app.get_complaint(complaint.id)
        window = complaint.deadline_of(DeadlineKind.APPEAL_WINDOW)
        assert window is not None
        # The remedy deadline (48 h) comes first; confirm in time, then let the window pass.
        complaint = world.app.confirm_refund(SELLER, complaint.id)
        assert complaint.deadline_of(DeadlineKind.APPEAL_WINDOW) is not None
        complaint = world.lapse(complaint, DeadlineKind.APPEAL_WINDOW)
        assert complaint.status is Status.FULFILLING
        assert complaint.deadline_of(DeadlineKind.REMEDY_CONFIRMATION) is not None
