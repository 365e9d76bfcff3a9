"""R6: negotiation and mediation: offers, counter-offers, turns, proposals, intervention."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    AlreadyAnswered,
    InvalidTransition,
    NotAParty,
    NotAssignedMediator,
    NotYourTurn,
    OfferNotFound,
    OfferNotOpen,
    OwnOffer,
    RoleNotAllowed,
    StaffOnlyVisibility,
    ValidationFailed,
)
from complaints.domain.values import (
    Actor,
    FulfilmentStep,
    OfferStatus,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
    Visibility,
)
from tests.scenario import (
    AGENT,
    ARBITER,
    CONSUMER,
    MEDIATOR,
    OTHER_SELLER,
    PARTIAL,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    posted_messages,
)


class TestOffers:
    def test_seller_accepting_the_requested_remedy_settles_the_case(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.accept_offer(SELLER, complaint.id, "o1")
        assert complaint.status is Status.FULFILLING
        assert complaint.outcome is Outcome.SETTLED_BY_AGREEMENT
        assert complaint.remedy == REFUND
        assert complaint.offers[0].status is OfferStatus.ACCEPTED
        assert complaint.pending_steps == (FulfilmentStep.REFUND,)
        assert [d.kind for d in complaint.open_deadlines] == [DeadlineKind.REMEDY]

    def test_a_counter_offer_passes_the_turn(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.make_offer(SELLER, complaint.id, PARTIAL, "We can refund 80.")
        first, counter = complaint.offers
        assert first.status is OfferStatus.COUNTERED
        assert (counter.by, counter.remedy, counter.status) == (
            Role.SELLER,
            PARTIAL,
            OfferStatus.OPEN,
        )
        assert counter.message is not None
        assert counter.message.reveal() == "We can refund 80."
        assert complaint.turn is Role.CONSUMER
        turn = complaint.deadline_of(DeadlineKind.NEGOTIATION_TURN)
        assert turn is not None
        assert turn.party is Role.CONSUMER
        assert complaint.deadline_of(DeadlineKind.SELLER_RESPONSE) is None

    def test_the_consumer_accepts_a_counter_offer(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.make_offer(SELLER, complaint.id, PARTIAL)
        complaint = world.app.accept_offer(CONSUMER, complaint.id, "o2")
        assert complaint.outcome is Outcome.SETTLED_BY_AGREEMENT
        assert complaint.remedy == PARTIAL

    def test_a_party_cannot_offer_out_of_turn(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(NotYourTurn):
            world.app.make_offer(CONSUMER, complaint.id, PARTIAL)

    def test_declining_hands_the_turn_back_to_the_offerer(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.decline_offer(SELLER, complaint.id, "o1", "The vase was intact.")
        assert complaint.offers[0].status is OfferStatus.DECLINED
        assert complaint.turn is Role.CONSUMER
        complaint = world.app.make_offer(CONSUMER, complaint.id, PARTIAL)
        assert complaint.turn is Role.SELLER

    def test_a_party_cannot_answer_its_own_offer(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(OwnOffer):
            world.app.accept_offer(CONSUMER, complaint.id, "o1")

    def test_an_unknown_offer_is_not_found(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(OfferNotFound):
            world.app.accept_offer(SELLER, complaint.id, "o99")

    def test_a_countered_offer_can_no_longer_be_accepted(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.make_offer(SELLER, complaint.id, PARTIAL)
        world.app.make_offer(CONSUMER, complaint.id, Remedy(RemedyType.PARTIAL_REFUND, cny("150")))
        with pytest.raises(OfferNotOpen):
            world.app.accept_offer(CONSUMER, complaint.id, "o2")

    def test_an_offer_needs_a_valid_remedy(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(ValidationFailed) as refused:
            world.app.make_offer(
                SELLER, complaint.id, Remedy(RemedyType.PARTIAL_REFUND), "x" * 2001
            )
        assert {f.field for f in refused.value.fields} == {"remedy.amount", "message"}

    def test_another_shop_cannot_take_part(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(NotAParty):
            world.app.accept_offer(OTHER_SELLER, complaint.id, "o1")

    def test_no_offers_before_acceptance(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(InvalidTransition):
            world.app.make_offer(SELLER, complaint.id, PARTIAL)


class TestMediation:
    def test_a_proposal_binds_only_when_both_parties_accept(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL, "Meet halfway")
        proposal = complaint.offers[-1]
        assert proposal.by is Role.MEDIATOR
        assert complaint.offers[0].status is OfferStatus.SUPERSEDED
        assert complaint.turn is None
        complaint = world.app.accept_offer(CONSUMER, complaint.id, proposal.id)
        assert complaint.status is Status.NEGOTIATING
        complaint = world.app.accept_offer(SELLER, complaint.id, proposal.id)
        assert complaint.status is Status.FULFILLING
        assert complaint.remedy == PARTIAL

    def test_a_party_accepts_a_proposal_only_once(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
        world.app.accept_offer(CONSUMER, complaint.id, "o2")
        with pytest.raises(AlreadyAnswered):
            world.app.accept_offer(CONSUMER, complaint.id, "o2")

    def test_a_declined_proposal_leaves_the_parties_free_to_offer(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
        complaint = world.app.decline_offer(SELLER, complaint.id, "o2")
        assert complaint.offers[-1].status is OfferStatus.DECLINED
        assert complaint.status is Status.NEGOTIATING
        complaint = world.app.make_offer(
            SELLER, complaint.id, Remedy(RemedyType.PARTIAL_REFUND, cny("50"))
        )
        assert complaint.turn is Role.CONSUMER

    def test_a_proposal_can_settle_a_case_under_review(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
        world.app.accept_offer(SELLER, complaint.id, "o2")
        complaint = world.app.accept_offer(CONSUMER, complaint.id, "o2")
        assert complaint.outcome is Outcome.SETTLED_BY_AGREEMENT
        assert complaint.status is Status.FULFILLING

    def test_only_a_mediator_proposes(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(RoleNotAllowed):
            world.app.propose_settlement(ARBITER, complaint.id, PARTIAL)


class TestIntervention:
    @pytest.mark.parametrize("party", [CONSUMER, SELLER])
    def test_either_party_asks_the_platform_to_step_in(
        self, world: Scenario, party: object
    ) -> None:
        complaint = world.negotiating()
        complaint = world.app.request_intervention(party, complaint.id)  # type: ignore[call-overload]
        assert complaint.status is Status.UNDER_REVIEW
        assert complaint.offers[0].status is OfferStatus.EXPIRED
        assert [d.kind for d in complaint.open_deadlines] == [DeadlineKind.PICKUP]

    def test_an_agent_cannot_request_intervention(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(RoleNotAllowed):
            world.app.request_intervention(AGENT, complaint.id)


class TestMessages:
    def test_parties_write_to_each_other(self, world: Scenario) -> None:
        complaint = world.negotiating()
        world.app.post_message(CONSUMER, complaint.id, "Could you look at the photos?")
        complaint = world.app.post_message(SELLER, complaint.id, "Yes, we are checking.")
        posted = posted_messages(world.app, complaint.id)
        assert [(m.actor.role, m.visibility) for m in posted] == [
            (Role.CONSUMER, Visibility.PARTIES),
            (Role.SELLER, Visibility.PARTIES),
        ]
        assert [m.message_id for m in posted] == ["m1", "m2"]
        assert posted[1].text.reveal() == "Yes, we are checking."
        assert complaint.messages_posted == 2

    def test_staff_write_internal_notes(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.post_message(
            MEDIATOR, complaint.id, "Seller has three similar cases.", Visibility.STAFF
        )
        assert posted_messages(world.app, complaint.id)[0].visibility is Visibility.STAFF

    def test_parties_cannot_write_internal_notes(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(StaffOnlyVisibility):
            world.app.post_message(CONSUMER, complaint.id, "Just for staff", Visibility.STAFF)

    def test_an_empty_message_is_refused(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(ValidationFailed):
            world.app.post_message(CONSUMER, complaint.id, "   ")

    def test_a_closed_case_takes_no_more_messages(self, world: Scenario) -> None:
        complaint = world.closed()
        with pytest.raises(InvalidTransition):
            world.app.post_message(CONSUMER, complaint.id, "Thanks!")


class TestMediationTeam:
    """A supervisor assigns a mediator to a case under intervention; that mediator alone
    proposes; a proposal waits for answers until settlement_answer, and a lapse counts as
    declined."""

    def intervened(self, world: Scenario) -> UUID:
        complaint = world.negotiating()
        return world.app.request_intervention(CONSUMER, complaint.id).id

    def test_a_supervisor_assigns_a_mediator_to_a_case_under_intervention(
        self, world: Scenario
    ) -> None:
        cid = self.intervened(world)
        complaint = world.app.assign_mediator(SUPERVISOR, cid, MEDIATOR.id)
        assert complaint.assigned_mediator_id == MEDIATOR.id
        complaint = world.app.assign_mediator(SUPERVISOR, cid, OTHER_MEDIATOR.id)
        assert complaint.assigned_mediator_id == OTHER_MEDIATOR.id

    def test_assigning_a_mediator_is_refused_outside_intervention_by_role_and_on_bad_ids(
        self, world: Scenario
    ) -> None:
        negotiating = world.negotiating()
        with pytest.raises(InvalidTransition):
            world.app.assign_mediator(SUPERVISOR, negotiating.id, MEDIATOR.id)
        cid = self.intervened(world)
        for actor in (MEDIATOR, AGENT, ARBITER, CONSUMER):
            with pytest.raises(RoleNotAllowed):
                world.app.assign_mediator(actor, cid, MEDIATOR.id)
        with pytest.raises(ValidationFailed) as refused:
            world.app.assign_mediator(SUPERVISOR, cid, "not an id!")
        assert [f.field for f in refused.value.fields] == ["mediator_id"]
        assert world.app.get_complaint(cid).assigned_mediator_id is None

    def test_once_assigned_only_that_mediator_proposes(self, world: Scenario) -> None:
        cid = self.intervened(world)
        world.app.propose_settlement(OTHER_MEDIATOR, cid, PARTIAL)  # anyone of the team, before
        world.app.assign_mediator(SUPERVISOR, cid, MEDIATOR.id)
        with pytest.raises(NotAssignedMediator) as refused:
            world.app.propose_settlement(OTHER_MEDIATOR, cid, PARTIAL)
        assert refused.value.code == "NOT_ASSIGNED_MEDIATOR"
        complaint = world.app.propose_settlement(MEDIATOR, cid, PARTIAL)
        assert (
            complaint.allowed_actions(MEDIATOR, world.clock.now()).count("proposeSettlement") == 1
        )
        assert "proposeSettlement" not in complaint.allowed_actions(
            OTHER_MEDIATOR, world.clock.now()
        )

    def test_a_proposal_waits_for_answers_until_its_deadline(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
        proposal = complaint.offers[-1]
        deadline = complaint.deadline_of(DeadlineKind.SETTLEMENT_ANSWER, proposal.id)
        assert deadline is not None
        assert deadline.due_at == world.clock.now() + timedelta(days=3)
        # A new proposal replaces the old one, and its deadline.
        complaint = world.app.propose_settlement(MEDIATOR, complaint.id, REFUND)
        answers = [d for d in complaint.open_deadlines if d.kind is DeadlineKind.SETTLEMENT_ANSWER]
        assert [d.ref for d in answers] == [complaint.offers[-1].id]
        # Declined, it waits no more.
        complaint = world.app.decline_offer(SELLER, complaint.id, complaint.offers[-1].id)
        assert complaint.deadline_of(DeadlineKind.SETTLEMENT_ANSWER) is None

    def test_a_lapse_counts_as_declined_and_the_case_goes_to_review(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
        complaint = world.app.accept_offer(CONSUMER, complaint.id, complaint.offers[-1].id)
        deadline = complaint.deadline_of(DeadlineKind.SETTLEMENT_ANSWER)
        assert deadline is not None
        complaint = world.lapse(complaint, DeadlineKind.SETTLEMENT_ANSWER)
        assert complaint.offers[-1].status is OfferStatus.DECLINED
        assert complaint.status is Status.UNDER_REVIEW
        lapsed = [e for e in world.app.history(complaint.id) if type(e).__name__ in NAMES]
        assert [type(e).__name__ for e in lapsed] == ["ProposalLapsed", "Escalated"]
        assert all(e.enforced_deadline_id == deadline.id for e in lapsed)  # type: ignore[attr-defined]

    def test_under_review_a_lapsed_proposal_leaves_the_review_going(self, world: Scenario) -> None:
        cid = self.intervened(world)
        complaint = world.app.propose_settlement(MEDIATOR, cid, PARTIAL)
        complaint = world.lapse(complaint, DeadlineKind.SETTLEMENT_ANSWER)
        assert complaint.status is Status.UNDER_REVIEW
        assert complaint.offers[-1].status is OfferStatus.DECLINED
        assert "Escalated" not in [type(e).__name__ for e in world.app.history(cid)]


NAMES = {"ProposalLapsed", "Escalated"}
OTHER_MEDIATOR = Actor(Role.MEDIATOR, "mediator-2")


def test_a_partys_counter_offer_to_a_proposal_ends_its_wait(world: Scenario) -> None:
    complaint = world.negotiating()
    complaint = world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
    complaint = world.app.make_offer(SELLER, complaint.id, PARTIAL)
    assert complaint.offers[-2].status is OfferStatus.SUPERSEDED
    assert complaint.deadline_of(DeadlineKind.SETTLEMENT_ANSWER) is None
    assert complaint.status is Status.NEGOTIATING
