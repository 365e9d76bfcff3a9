"""R8, R9, R10: the seller's policy, deposit, sanctions, spot checks and violations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from complaints.domain.errors import (
    AlreadyResponded,
    ComplaintNotFound,
    CurrencyMismatch,
    NotAllowed,
    NotAParty,
    ReadOnlyRole,
    RoleNotAllowed,
    SanctionAlreadyActive,
    SanctionNotActive,
    SellerAlreadyRegistered,
    SellerNotFound,
    ValidationFailed,
    ViolationAlreadyDecided,
)
from complaints.domain.seller import AfterSalesPolicy, ConfirmedViolation, ShopStatus
from complaints.domain.values import Money, SanctionKind, ViolationKind, ViolationStatus
from tests.scenario import (
    AGENT,
    AUDITOR,
    CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)

POLICY = AfterSalesPolicy(7, True, 12, "Returns within 7 days in original packaging.")


class TestRegistration:
    def test_a_supervisor_registers_a_shop_with_its_deposit(self, world: Scenario) -> None:
        seller = world.app.register_seller(SUPERVISOR, "acme", " ACME Store ", cny("500"))
        assert (seller.shop_id, seller.name) == ("acme", "ACME Store")
        assert seller.deposit == cny("500.00")
        assert seller.status == ShopStatus.OPEN
        assert world.app.get_seller("acme").id == seller.id

    def test_a_shop_is_registered_once(self, world: Scenario) -> None:
        world.seller("acme")
        with pytest.raises(SellerAlreadyRegistered):
            world.app.register_seller(SUPERVISOR, "acme", "Another", cny("1"))

    def test_only_a_supervisor_registers(self, world: Scenario) -> None:
        with pytest.raises(RoleNotAllowed):
            world.app.register_seller(SELLER, "acme", "ACME", cny("1"))

    def test_registration_checks_its_fields(self, world: Scenario) -> None:
        with pytest.raises(ValidationFailed) as refused:
            world.app.register_seller(SUPERVISOR, "no spaces!", "", Money(Decimal("-1"), "CNY"))
        assert {f.field for f in refused.value.fields} == {"shop_id", "name", "deposit.amount"}

    def test_an_unknown_shop_is_not_found(self, world: Scenario) -> None:
        with pytest.raises(SellerNotFound):
            world.app.get_seller("nowhere")


class TestAfterSalesPolicy:
    def test_the_seller_states_its_policy(self, world: Scenario) -> None:
        world.seller()
        seller = world.app.set_after_sales_policy(SELLER, "acme", POLICY)
        assert seller.policy == POLICY

    def test_another_shop_cannot_set_it(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(NotAllowed):
            world.app.set_after_sales_policy(OTHER_SELLER, "acme", POLICY)

    def test_staff_do_not_set_a_shops_policy(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(RoleNotAllowed):
            world.app.set_after_sales_policy(SUPERVISOR, "acme", POLICY)

    def test_policy_terms_are_checked(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed) as refused:
            world.app.set_after_sales_policy(SELLER, "acme", AfterSalesPolicy(-1, False, 999, ""))
        assert {f.field for f in refused.value.fields} == {
            "return_window_days",
            "warranty_months",
            "terms",
        }


class TestDeposit:
    def test_the_seller_tops_up_its_deposit(self, world: Scenario) -> None:
        world.seller()
        seller = world.app.top_up_deposit(SELLER, "acme", cny("250.5"))
        assert seller.deposit == cny("1250.50")
        assert seller.ledger[-1].amount == Decimal("250.50")

    def test_a_top_up_in_another_currency_is_refused(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(CurrencyMismatch):
            world.app.top_up_deposit(SELLER, "acme", Money(Decimal("10"), "USD"))

    def test_another_shop_cannot_top_up(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(NotAllowed):
            world.app.top_up_deposit(OTHER_SELLER, "acme", cny("10"))

    def test_a_top_up_first_repays_debt(self, world: Scenario) -> None:
        world.seller("acme", deposit="100.00")
        world.app.sanction_seller(
            SUPERVISOR, "acme", SanctionKind.FINE, "Fake goods", fine=cny("150")
        )
        seller = world.app.top_up_deposit(SELLER, "acme", cny("80"))
        assert (seller.deposit, seller.outstanding_debt) == (cny("30.00"), cny("0.00"))


class TestSanctions:
    def test_a_restriction_shows_on_the_shop_until_lifted(self, world: Scenario) -> None:
        world.seller()
        seller = world.app.sanction_seller(
            SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Repeated non-compliance"
        )
        assert seller.status == ShopStatus.TRADING_RESTRICTED
        seller = world.app.lift_sanction(
            SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Compliance restored"
        )
        assert seller.status == ShopStatus.OPEN
        assert seller.sanctions[0].lifted_at is not None

    def test_a_closed_shop_outranks_a_restriction(self, world: Scenario) -> None:
        world.seller()
        world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "A")
        seller = world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "B")
        assert seller.status == ShopStatus.CLOSED

    def test_the_same_restriction_is_not_imposed_twice(self, world: Scenario) -> None:
        world.seller()
        world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud")
        with pytest.raises(SanctionAlreadyActive):
            world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Again")

    def test_lifting_a_sanction_that_is_not_active_is_refused(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(SanctionNotActive):
            world.app.lift_sanction(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Why")

    def test_a_fine_is_taken_from_the_deposit(self, world: Scenario) -> None:
        world.seller()
        seller = world.app.sanction_seller(
            SUPERVISOR, "acme", SanctionKind.FINE, "Counterfeit listing", fine=cny("300")
        )
        assert seller.deposit == cny("700.00")
        assert seller.ledger[-1].reason == "fine: Counterfeit listing"

    def test_a_fine_needs_an_amount_and_nothing_else_takes_one(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed):
            world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.FINE, "No amount")
        with pytest.raises(ValidationFailed):
            world.app.sanction_seller(
                SUPERVISOR, "acme", SanctionKind.WARNING, "Warn", fine=cny("1")
            )

    def test_only_a_supervisor_sanctions(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(RoleNotAllowed):
            world.app.sanction_seller(AGENT, "acme", SanctionKind.WARNING, "Warn")
        with pytest.raises(ReadOnlyRole):
            world.app.sanction_seller(AUDITOR, "acme", SanctionKind.WARNING, "Warn")


class TestSpotChecks:
    def test_a_supervisor_records_a_spot_check(self, world: Scenario) -> None:
        world.seller()
        seller = world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading")
        assert [(c.passed, c.findings) for c in seller.spot_checks] == [
            (False, "Labels misleading")
        ]

    def test_only_a_supervisor_spot_checks(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(RoleNotAllowed):
            world.app.record_spot_check(CONSUMER, "acme", True, "Looked fine to me")


class TestViolations:
    def test_anyone_signed_in_reports_and_a_supervisor_confirms(self, world: Scenario) -> None:
        world.seller()
        violation = world.app.report_violation(
            CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is an obvious fake."
        )
        assert violation.status is ViolationStatus.REPORTED
        violation = world.confirm_violation(violation.id)
        assert violation.status is ViolationStatus.CONFIRMED
        assert world.app.get_seller("acme").violations == [
            ConfirmedViolation(violation.id, ViolationKind.COUNTERFEIT)
        ]

    def test_a_report_may_point_at_a_complaint(self, world: Scenario) -> None:
        complaint = world.file()
        violation = world.app.report_violation(
            CONSUMER,
            "acme",
            ViolationKind.FRAUD,
            "Never shipped; asked to pay off-platform.",
            complaint.id,
        )
        assert violation.complaint_id == complaint.id

    def test_a_report_about_an_unknown_complaint_is_refused(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ComplaintNotFound):
            world.app.report_violation(
                CONSUMER,
                "acme",
                ViolationKind.FRAUD,
                "Something is wrong here.",
                complaint.id.__class__(int=1),
            )

    def test_the_public_must_sign_in_to_report(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(RoleNotAllowed):
            world.app.report_violation(PUBLIC, "acme", ViolationKind.OTHER, "Anonymous tip here")

    def test_a_violation_is_decided_once(self, world: Scenario) -> None:
        world.seller()
        violation = world.app.report_violation(
            CONSUMER, "acme", ViolationKind.MISREPRESENTATION, "Photos are not the product."
        )
        world.app.dismiss_violation(SUPERVISOR, violation.id, "Photos match the listing.")
        with pytest.raises(ViolationAlreadyDecided):
            world.confirm_violation(violation.id)

    def test_the_reported_shop_responds_once_before_the_decision(self, world: Scenario) -> None:
        world.seller()
        violation = world.app.report_violation(
            CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is an obvious fake."
        )
        answer = "Bought from the brand's distributor; invoice attached to the listing."
        violation = world.app.respond_to_violation(SELLER, violation.id, answer)
        assert violation.seller_response is not None
        assert violation.seller_response.reveal() == answer
        assert violation.seller_response.subject == SELLER.id  # personal data of its author
        assert violation.status is ViolationStatus.REPORTED
        with pytest.raises(AlreadyResponded):
            world.app.respond_to_violation(SELLER, violation.id, answer)
        world.confirm_violation(violation.id)
        assert world.app.get_violation(violation.id).seller_response is not None

    def test_only_the_reported_shop_responds_and_only_before_the_decision(
        self, world: Scenario
    ) -> None:
        world.seller()
        violation = world.app.report_violation(
            CONSUMER, "acme", ViolationKind.OTHER, "Rude and threatening messages."
        )
        answer = "We apologised to the buyer the same day."
        with pytest.raises(NotAParty):
            world.app.respond_to_violation(OTHER_SELLER, violation.id, answer)
        for actor in (CONSUMER, AGENT, SUPERVISOR):
            with pytest.raises(RoleNotAllowed):
                world.app.respond_to_violation(actor, violation.id, answer)
        with pytest.raises(ReadOnlyRole):
            world.app.respond_to_violation(AUDITOR, violation.id, answer)
        with pytest.raises(ValidationFailed):
            world.app.respond_to_violation(SELLER, violation.id, "   ")
        world.app.dismiss_violation(SUPERVISOR, violation.id, "Firm but polite.")
        with pytest.raises(ViolationAlreadyDecided):
            world.app.respond_to_violation(SELLER, violation.id, answer)
        assert world.app.get_violation(violation.id).seller_response is None

    def test_only_a_supervisor_decides(self, world: Scenario) -> None:
        world.seller()
        violation = world.app.report_violation(
            CONSUMER, "acme", ViolationKind.OTHER, "Rude and threatening messages."
        )
        with pytest.raises(RoleNotAllowed):
            world.confirm_violation(violation.id, AGENT)

    def test_a_report_needs_a_description(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed):
            world.app.report_violation(CONSUMER, "acme", ViolationKind.OTHER, "bad")
