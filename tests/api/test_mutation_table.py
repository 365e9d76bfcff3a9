"""Each mutation binds its input to one application command by name, and the binding is checked
when the schema is built: a field or parameter left unmatched fails then, not at request time."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
import strawberry

from complaints.application import ComplaintsApp
from complaints.domain.errors import ValidationFailed
from complaints.domain.seller import AfterSalesPolicy
from complaints.domain.values import Money, Remedy, RemedyType, ViolationKind, Visibility
from complaints.graphql import ids
from complaints.graphql.inputs import (
    ComplaintId,
    MakeOfferInput,
    MoneyInput,
    OfferActionInput,
    PostMessageInput,
    RemedyInput,
    ReportViolationInput,
    SetAfterSalesPolicyInput,
    key_field,
)
from complaints.graphql.mutations import Mutation
from complaints.graphql.mutations.arguments import bind

PARTIAL = RemedyInput(
    type=RemedyType.PARTIAL_REFUND, amount=MoneyInput(amount=Decimal("80"), currency="CNY")
)


@strawberry.input
class OfferWithMood:
    complaint_id: ComplaintId
    remedy: RemedyInput
    message: str | None = None
    mood: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class OfferWithoutMessage:
    complaint_id: ComplaintId
    remedy: RemedyInput
    idempotency_key: str | None = key_field()


def test_every_mutation_runs_the_command_it_is_named_after() -> None:
    fields = Mutation.__strawberry_definition__.fields  # type: ignore[attr-defined]
    assert len(fields) == 51
    for field in fields:
        assert field.base_resolver.wrapped_func.__name__ == field.python_name


class TestBinding:
    def test_a_field_the_command_does_not_take_is_refused(self) -> None:
        with pytest.raises(TypeError, match="mood"):
            bind(ComplaintsApp.make_offer, OfferWithMood)

    def test_a_parameter_no_field_supplies_is_refused(self) -> None:
        with pytest.raises(TypeError, match="message"):
            bind(ComplaintsApp.make_offer, OfferWithoutMessage)

    def test_ignoring_a_field_the_input_does_not_have_is_refused(self) -> None:
        with pytest.raises(TypeError, match="mood"):
            bind(ComplaintsApp.accept_offer, OfferActionInput, ignoring={"reason", "mood"})

    def test_fields_become_arguments_by_name_and_type(self) -> None:
        complaint_id = uuid4()
        binding = bind(ComplaintsApp.make_offer, MakeOfferInput)
        offer = MakeOfferInput(
            complaint_id=strawberry.ID(ids.global_id("Complaint", complaint_id)), remedy=PARTIAL
        )
        assert binding.arguments(offer) == {
            "complaint_id": complaint_id,
            "remedy": Remedy(RemedyType.PARTIAL_REFUND, Money(Decimal("80"), "CNY")),
            "message": None,
        }

    def test_a_bad_global_id_is_refused_naming_its_field(self) -> None:
        binding = bind(ComplaintsApp.make_offer, MakeOfferInput)
        with pytest.raises(ValidationFailed) as refused:
            binding.arguments(MakeOfferInput(complaint_id=strawberry.ID("nope"), remedy=PARTIAL))
        assert [f.field for f in refused.value.fields] == ["complaintId"]

    def test_an_optional_id_left_blank_is_absent(self) -> None:
        binding = bind(ComplaintsApp.report_violation, ReportViolationInput)
        report = ReportViolationInput(
            shop_id="acme",
            kind=ViolationKind.COUNTERFEIT,
            description="The logo is printed crooked.",
            complaint_id=strawberry.ID(""),
        )
        assert binding.arguments(report)["complaint_id"] is None

    def test_a_field_left_null_passes_the_commands_default(self) -> None:
        binding = bind(ComplaintsApp.post_message, PostMessageInput)
        message = PostMessageInput(complaint_id=strawberry.ID(str(uuid4())), text="Hello.")
        assert binding.arguments(message)["visibility"] is Visibility.PARTIES

    def test_a_policy_is_assembled_from_the_fields_named_like_its_own(self) -> None:
        binding = bind(
            ComplaintsApp.set_after_sales_policy,
            SetAfterSalesPolicyInput,
            assemble={"policy": AfterSalesPolicy},
        )
        policy = SetAfterSalesPolicyInput(
            shop_id="acme",
            return_window_days=7,
            exchange_allowed=True,
            warranty_months=12,
            terms="Seven days.",
        )
        assert binding.arguments(policy) == {
            "shop_id": "acme",
            "policy": AfterSalesPolicy(7, True, 12, "Seven days."),
        }
