"""R1: intake and review. Filing, acceptance, returns for information, rejection, withdrawal."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    DuplicateComplaint,
    InvalidTransition,
    NotAParty,
    ReadOnlyRole,
    ResubmissionWindowClosed,
    RoleNotAllowed,
    SellerNotFound,
    ValidationFailed,
)
from complaints.domain.values import (
    Actor,
    Attachment,
    Category,
    Money,
    OfferStatus,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
)
from tests.scenario import (
    AGENT,
    AUDITOR,
    CONSUMER,
    DESCRIPTION,
    OTHER_CONSUMER,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    png,
)

RESUBMITTED = "Photos attached: the left side of the box is crushed."


def fields(error: ValidationFailed) -> set[str]:
    return {f.field for f in error.fields}


class TestFiling:
    def test_consumer_files_a_complaint_that_awaits_intake(self, world: Scenario) -> None:
        complaint = world.file()
        assert complaint.status is Status.SUBMITTED
        assert re.fullmatch(r"C-2026-[0-9A-HJKMNP-TV-Z]{8}", complaint.reference)
        assert complaint.consumer_id == CONSUMER.id
        assert complaint.shop_id == "acme"
        assert complaint.description.reveal() == DESCRIPTION
        assert complaint.requested_remedy == Remedy(RemedyType.REFUND, cny("199.00"))
        (intake,) = complaint.open_deadlines
        assert intake.kind is DeadlineKind.INTAKE
        assert intake.due_at == world.clock.now() + timedelta(hours=24)

    def test_amounts_are_kept_in_the_currencys_minor_unit(self, world: Scenario) -> None:
        complaint = world.file(remedy=Remedy(RemedyType.REFUND, cny("12.5")))
        assert complaint.requested_remedy.amount == cny("12.50")

    def test_each_complaint_gets_its_own_reference(self, world: Scenario) -> None:
        references = {world.file().reference for _ in range(20)}
        assert len(references) == 20

    def test_a_complaint_can_be_found_by_its_reference(self, world: Scenario) -> None:
        complaint = world.file()
        assert world.app.get_complaint_by_reference(complaint.reference).id == complaint.id

    def test_filing_against_an_unknown_shop_is_refused(self, world: Scenario) -> None:
        with pytest.raises(SellerNotFound):
            world.app.file_complaint(
                CONSUMER, "no-such-shop", "order-1", Category.DAMAGED, DESCRIPTION, REFUND
            )

    @pytest.mark.parametrize("actor", [SELLER, AGENT, SUPERVISOR])
    def test_only_a_consumer_files(self, world: Scenario, actor: Actor) -> None:
        world.seller()
        with pytest.raises(RoleNotAllowed):
            world.app.file_complaint(
                actor,
                "acme",
                "order-1",
                Category.DAMAGED,
                DESCRIPTION,
                REFUND,
            )

    def test_an_auditor_files_nothing(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ReadOnlyRole):
            world.app.file_complaint(
                AUDITOR, "acme", "order-1", Category.DAMAGED, DESCRIPTION, REFUND
            )

    def test_filing_reports_every_bad_field_at_once(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed) as refused:
            world.app.file_complaint(
                CONSUMER,
                "acme",
                "bad id!",
                Category.DAMAGED,
                "short",
                Remedy(RemedyType.REFUND),
            )
        assert fields(refused.value) == {"order_id", "description", "requested_remedy.amount"}

    @pytest.mark.parametrize(
        ("amount", "currency", "field"),
        [
            ("0", "CNY", "requested_remedy.amount.amount"),
            ("-5", "CNY", "requested_remedy.amount.amount"),
            ("1.005", "CNY", "requested_remedy.amount.amount"),
            ("10", "yuan", "requested_remedy.amount.currency"),
            ("1E+12", "CNY", "requested_remedy.amount.amount"),
        ],
    )
    def test_refund_amounts_must_be_real_money(
        self, world: Scenario, amount: str, currency: str, field: str
    ) -> None:
        world.seller()
        remedy = Remedy(RemedyType.REFUND, Money(Decimal(amount), currency))
        with pytest.raises(ValidationFailed) as refused:
            world.app.file_complaint(
                CONSUMER, "acme", "order-1", Category.DAMAGED, DESCRIPTION, remedy
            )
        assert field in fields(refused.value)

    def test_an_explanation_takes_no_amount(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed):
            world.app.file_complaint(
                CONSUMER,
                "acme",
                "order-1",
                Category.OTHER,
                DESCRIPTION,
                Remedy(RemedyType.EXPLANATION_ONLY, cny("1.00")),
            )

    def test_a_refused_filing_stores_nothing(self, world: Scenario) -> None:
        world.seller()
        head = world.app.recorder.max_notification_id()
        with pytest.raises(ValidationFailed):
            world.app.file_complaint(CONSUMER, "acme", "order-1", Category.DAMAGED, "", REFUND)
        assert world.app.recorder.max_notification_id() == head


class TestOneOpenComplaintPerOrder:
    def file(self, world: Scenario, consumer: Actor = CONSUMER, **where: str) -> Complaint:
        world.seller("acme")
        world.seller("globex")
        shop = where.get("shop", "acme")
        return world.app.file_complaint(
            consumer,
            shop,
            world.order(where.get("order", "order-9"), shop=shop, consumer=consumer),
            Category.DAMAGED,
            DESCRIPTION,
            REFUND,
        )

    def test_a_second_open_complaint_about_an_order_is_refused(self, world: Scenario) -> None:
        first = self.file(world)
        world.app.accept_complaint(AGENT, first.id)
        with pytest.raises(DuplicateComplaint) as refused:
            self.file(world)
        assert refused.value.code == "DUPLICATE_COMPLAINT"
        assert refused.value.reference == first.reference
        assert first.reference in str(refused.value)

    def test_other_orders_shops_and_consumers_are_not_affected(
        self, unchecked_world: Scenario
    ) -> None:
        # Another consumer's complaint about the same order id is one only an application that
        # does not check orders takes (ORDER_CHECK=off); the index keeps them apart there too.
        world = unchecked_world
        first = self.file(world)
        world.app.accept_complaint(AGENT, first.id)
        others = [
            self.file(world, order="order-10"),
            self.file(world, shop="globex"),
            self.file(world, OTHER_CONSUMER),
        ]
        assert len({first.reference, *(c.reference for c in others)}) == 4
        for other in others:
            assert world.app.get_complaint(other.id).status is Status.SUBMITTED

    @pytest.mark.parametrize("end", ["withdraw", "reject", "close"])
    def test_once_the_case_has_ended_a_new_one_may_be_filed(
        self, world: Scenario, end: str
    ) -> None:
        first = self.file(world)
        if end == "withdraw":
            world.app.withdraw_complaint(CONSUMER, first.id)
        elif end == "reject":
            world.app.reject_complaint(AGENT, first.id, "Outside the after-sales window.", "R-1.2")
        else:
            world.app.accept_complaint(AGENT, first.id)
            world.app.accept_offer(SELLER, first.id, "o1")
            world.app.confirm_refund(SELLER, first.id)
            world.app.confirm_remedy_received(CONSUMER, first.id)
        assert world.app.get_complaint(first.id).status.value in {"WITHDRAWN", "REJECTED", "CLOSED"}
        again = self.file(world)
        assert again.reference != first.reference
        with pytest.raises(DuplicateComplaint) as refused:
            self.file(world)
        assert refused.value.reference == again.reference


class TestAcceptance:
    def test_agent_accepts_and_the_requested_remedy_is_the_first_offer(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        assert complaint.status is Status.NEGOTIATING
        (offer,) = complaint.offers
        assert (offer.by, offer.remedy, offer.status) == (Role.CONSUMER, REFUND, OfferStatus.OPEN)
        assert complaint.turn is Role.SELLER
        kinds = {d.kind for d in complaint.open_deadlines}
        assert kinds == {DeadlineKind.SELLER_RESPONSE, DeadlineKind.ESCALATION}
        response = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert response is not None
        assert response.due_at == world.clock.now() + timedelta(hours=48)
        assert response.party is Role.SELLER

    @pytest.mark.parametrize("category", [Category.COUNTERFEIT, Category.FRAUD])
    def test_counterfeit_and_fraud_go_straight_to_the_platform(
        self, world: Scenario, category: Category
    ) -> None:
        complaint = world.file(category=category)
        complaint = world.app.accept_complaint(AGENT, complaint.id)
        assert complaint.status is Status.UNDER_REVIEW
        assert complaint.offers == []
        assert [d.kind for d in complaint.open_deadlines] == [DeadlineKind.PICKUP]

    def test_only_an_agent_reviews_intake(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(RoleNotAllowed):
            world.app.accept_complaint(SUPERVISOR, complaint.id)

    def test_accepting_twice_is_an_invalid_transition(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(InvalidTransition) as refused:
            world.app.accept_complaint(AGENT, complaint.id)
        assert refused.value.status is Status.NEGOTIATING
        assert refused.value.code == "INVALID_TRANSITION"


class TestReturnForInformation:
    def test_agent_returns_the_complaint_saying_what_is_missing(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        assert complaint.status is Status.AWAITING_INFO
        (request,) = complaint.info_requests
        assert request.reason == "We need the order photos."
        assert request.missing == ("photos of the damage",)
        (window,) = complaint.open_deadlines
        assert window.kind is DeadlineKind.RESUBMISSION
        assert window.due_at == world.clock.now() + timedelta(days=7)

    def test_a_return_needs_a_reason_and_what_is_missing(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ValidationFailed) as refused:
            world.app.return_complaint_for_info(AGENT, complaint.id, " ", [])
        assert fields(refused.value) == {"reason", "missing"}

    def test_consumer_resubmits_and_the_complaint_returns_to_intake(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        complaint = world.app.resubmit_complaint(
            CONSUMER, complaint.id, "Photos attached: the left side of the box is crushed."
        )
        assert complaint.status is Status.SUBMITTED
        assert complaint.description.reveal().startswith("Photos attached")
        assert [d.kind for d in complaint.open_deadlines] == [DeadlineKind.INTAKE]

    def test_resubmitting_after_the_window_is_refused(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        world.clock.advance(timedelta(days=7, seconds=1))
        with pytest.raises(ResubmissionWindowClosed):
            world.app.resubmit_complaint(CONSUMER, complaint.id, "Here are the photos now.")

    def test_only_the_complaining_consumer_resubmits(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        with pytest.raises(NotAParty):
            world.app.resubmit_complaint(OTHER_CONSUMER, complaint.id, "Not my complaint at all.")


class TestResubmissionWithEvidence:
    def test_files_attached_when_resubmitting_are_evidence(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        photo = world.upload(CONSUMER)
        video = world.upload(CONSUMER, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40)
        complaint = world.app.resubmit_complaint(
            CONSUMER,
            complaint.id,
            RESUBMITTED,
            [Attachment(photo, "photo", "The crushed side"), Attachment(video, "unboxing")],
        )
        assert complaint.status is Status.SUBMITTED
        assert [(e.id, e.request_id, e.by, e.kind, e.sha256) for e in complaint.evidence] == [
            ("e1", None, Role.CONSUMER, "photo", photo),
            ("e2", None, Role.CONSUMER, "unboxing", video),
        ]
        assert complaint.evidence[0].description is not None
        assert complaint.evidence[0].description.reveal() == "The crushed side"
        assert (complaint.evidence[0].media_type, complaint.evidence[0].size) == (
            "image/png",
            len(png()),
        )
        assert [d.kind for d in complaint.open_deadlines] == [DeadlineKind.INTAKE]

    def test_they_follow_the_resubmission_in_one_command(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        before = complaint.version
        photo = world.upload(CONSUMER)
        complaint = world.app.resubmit_complaint(
            CONSUMER, complaint.id, RESUBMITTED, [Attachment(photo, "photo")]
        )
        events = [type(e).__name__ for e in world.app.history(complaint.id)[before:]]
        assert events == ["Resubmitted", "EvidenceSubmitted", "DeadlineCleared", "DeadlineSet"]
        assert len({e.timestamp for e in world.app.history(complaint.id)[before:]}) == 1

    def test_they_add_to_the_evidence_attached_when_filing(self, world: Scenario) -> None:
        world.seller()
        first = world.upload(CONSUMER)
        complaint = world.app.file_complaint(
            CONSUMER,
            "acme",
            world.order("order-7"),
            Category.DAMAGED,
            DESCRIPTION,
            REFUND,
            [Attachment(first, "photo")],
        )
        world.app.return_complaint_for_info(AGENT, complaint.id, "And the label?", ["label"])
        label = world.upload(CONSUMER, png("label"))
        complaint = world.app.resubmit_complaint(
            CONSUMER, complaint.id, RESUBMITTED, [Attachment(label, "label")]
        )
        assert [(e.id, e.kind) for e in complaint.evidence] == [("e1", "photo"), ("e2", "label")]

    def test_a_keyed_resubmission_retried_attaches_its_files_once(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        files = [Attachment(world.upload(CONSUMER), "photo")]
        first = world.app.resubmit_complaint(
            CONSUMER, complaint.id, RESUBMITTED, files, idempotency_key="resubmit-1"
        )
        again = world.app.resubmit_complaint(
            CONSUMER, complaint.id, RESUBMITTED, files, idempotency_key="resubmit-1"
        )
        assert again.version == first.version
        assert len(world.app.get_complaint(complaint.id).evidence) == 1

    def test_each_file_must_be_an_upload_of_the_consumers_own(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        theirs = world.upload(OTHER_CONSUMER)
        with pytest.raises(ValidationFailed) as refused:
            world.app.resubmit_complaint(
                CONSUMER,
                complaint.id,
                "tiny",
                [
                    Attachment(theirs, "photo"),
                    Attachment("nope", "bad kind!"),
                    Attachment("9f" * 32, "photo", " "),
                ],
            )
        assert [f.field for f in refused.value.fields] == [
            "description",
            "evidence.0.sha256",
            "evidence.1.kind",
            "evidence.1.sha256",
            "evidence.2.description",
            "evidence.2.sha256",
        ]
        assert "POST /uploads" in refused.value.fields[1].message

    def test_at_most_ten_files_are_attached_at_once(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        photo = world.upload(CONSUMER)
        with pytest.raises(ValidationFailed) as refused:
            world.app.resubmit_complaint(
                CONSUMER, complaint.id, RESUBMITTED, [Attachment(photo, "photo")] * 11
            )
        assert fields(refused.value) == {"evidence"}

    def test_a_refused_resubmission_stores_nothing(self, world: Scenario) -> None:
        complaint = world.awaiting_info()
        head = world.app.recorder.max_notification_id()
        with pytest.raises(ValidationFailed):
            world.app.resubmit_complaint(
                CONSUMER, complaint.id, RESUBMITTED, [Attachment("9f" * 32, "photo")]
            )
        assert world.app.recorder.max_notification_id() == head
        complaint = world.app.get_complaint(complaint.id)
        assert (complaint.status, complaint.evidence, complaint.resubmissions) == (
            Status.AWAITING_INFO,
            [],
            0,
        )

    def test_files_come_only_while_a_resubmission_is_open(self, world: Scenario) -> None:
        photo = world.upload(CONSUMER)
        complaint = world.file()
        with pytest.raises(InvalidTransition):
            world.app.resubmit_complaint(
                CONSUMER, complaint.id, RESUBMITTED, [Attachment(photo, "photo")]
            )
        complaint = world.awaiting_info()
        world.clock.advance(timedelta(days=7, seconds=1))
        with pytest.raises(ResubmissionWindowClosed):
            world.app.resubmit_complaint(
                CONSUMER, complaint.id, RESUBMITTED, [Attachment(photo, "photo")]
            )


class TestWhatIntakeDecided:
    def test_a_new_complaint_has_no_decision_yet(self, world: Scenario) -> None:
        complaint = world.file()
        assert complaint.latest_info_request is None
        assert complaint.intake_citations == []
        assert complaint.resubmissions == 0

    def test_returns_and_resubmissions_are_kept(self, world: Scenario) -> None:
        complaint = world.file()
        first_at = world.clock.now()
        world.app.return_complaint_for_info(
            AGENT, complaint.id, "Which order?", ["order number"], ["R-1.1"]
        )
        world.app.resubmit_complaint(CONSUMER, complaint.id, RESUBMITTED)
        world.clock.advance(timedelta(days=1))
        second_at = world.clock.now()
        world.app.return_complaint_for_info(
            AGENT, complaint.id, "Photos, please.", ["photo of the box"], ["R-1.4", "R-1.1"]
        )
        complaint = world.app.resubmit_complaint(CONSUMER, complaint.id, RESUBMITTED)
        latest = complaint.latest_info_request
        assert latest is not None
        assert (latest.reason, latest.missing) == ("Photos, please.", ("photo of the box",))
        assert complaint.intake_citations == [("R-1.1", first_at), ("R-1.4", second_at)]
        assert complaint.resubmissions == 2

    def test_a_rejection_cites_its_rule_as_of_when_it_was_made(self, world: Scenario) -> None:
        complaint = world.file()
        world.app.return_complaint_for_info(AGENT, complaint.id, "Which order?", ["order"])
        world.app.resubmit_complaint(CONSUMER, complaint.id, RESUBMITTED)
        world.clock.advance(timedelta(hours=3))
        complaint = world.app.reject_complaint(AGENT, complaint.id, "Bought elsewhere.", "R-1.1")
        assert complaint.rejection == ("Bought elsewhere.", "R-1.1")
        assert complaint.intake_citations == [("R-1.1", world.clock.now())]
        assert complaint.resubmissions == 1


class TestRejection:
    def test_agent_rejects_with_a_reason_and_rule_code(self, world: Scenario) -> None:
        complaint = world.file()
        complaint = world.app.reject_complaint(
            AGENT, complaint.id, "The order was placed on another platform.", "R-1.4"
        )
        assert complaint.status is Status.REJECTED
        assert complaint.outcome is Outcome.REJECTED_INVALID
        assert complaint.rejection == ("The order was placed on another platform.", "R-1.4")
        assert [d.kind for d in complaint.open_deadlines] == [DeadlineKind.SURVEY]

    def test_a_rejected_complaint_stays_rejected(self, world: Scenario) -> None:
        complaint = world.file()
        world.app.reject_complaint(AGENT, complaint.id, "Duplicate of another complaint.", "R-1.3")
        with pytest.raises(InvalidTransition):
            world.app.accept_complaint(AGENT, complaint.id)
        with pytest.raises(InvalidTransition):
            world.app.withdraw_complaint(CONSUMER, complaint.id)

    def test_a_bad_rule_code_is_refused(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ValidationFailed):
            world.app.reject_complaint(AGENT, complaint.id, "No reason.", "not a code!")


class TestWithdrawal:
    def test_consumer_withdraws_and_every_deadline_closes(self, world: Scenario) -> None:
        complaint = world.negotiating()
        complaint = world.app.withdraw_complaint(CONSUMER, complaint.id)
        assert complaint.status is Status.WITHDRAWN
        assert complaint.outcome is Outcome.WITHDRAWN
        assert complaint.open_deadlines == []
        assert complaint.offers[0].status is OfferStatus.EXPIRED

    def test_withdrawal_after_a_ruling_is_refused(self, world: Scenario) -> None:
        complaint = world.ruled()
        with pytest.raises(InvalidTransition) as refused:
            world.app.withdraw_complaint(CONSUMER, complaint.id)
        assert refused.value.status is Status.RULED

    def test_a_seller_cannot_withdraw_a_consumers_complaint(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(RoleNotAllowed):
            world.app.withdraw_complaint(SELLER, complaint.id)
