"""Mutation inputs, named and shaped as the contract says. Every input takes an optional
`idempotencyKey`: the same key with the same input returns the first result.

A command input's fields are named after the parameters of its application command, which
receives them by name (mutations/arguments.py); a field's type says how it is converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from complaints.domain.values import Attachment, Money, Remedy
from complaints.graphql.enums import (
    ComplaintCategory,
    ComplaintStatus,
    MessageVisibility,
    Outcome,
    RemedyType,
    Role,
    SanctionKind,
    ViolationKind,
)

KEY = "Retrying with the same key and input returns the first result and changes nothing"


def key_field() -> Any:
    return strawberry.field(default=None, description=KEY)


@dataclass(frozen=True)
class GlobalIdOf:
    """Marks an input field as the global id of a `kind`: its command receives the UUID."""

    kind: str


ComplaintId = Annotated[strawberry.ID, GlobalIdOf("Complaint")]
ViolationId = Annotated[strawberry.ID, GlobalIdOf("Violation")]
WebhookEndpointId = Annotated[strawberry.ID, GlobalIdOf("WebhookEndpoint")]


@strawberry.input
class MoneyInput:
    amount: Decimal
    currency: str

    def value(self) -> Money:
        return Money(self.amount, self.currency)


@strawberry.input
class RemedyInput:
    type: RemedyType
    amount: MoneyInput | None = None

    def value(self) -> Remedy:
        return Remedy(self.type, self.amount.value() if self.amount else None)


@strawberry.input
class ComplaintFilter:
    status: list[ComplaintStatus] | None = None
    shop_id: str | None = None
    category: ComplaintCategory | None = None
    overdue: bool | None = None
    search: str | None = None
    assigned_arbiter_id: str | None = strawberry.field(
        default=None, description="Staff and auditors: the cases assigned to this arbiter"
    )
    assigned_mediator_id: str | None = strawberry.field(
        default=None, description="Staff and auditors: a mediator's own queue"
    )
    consumer_id: str | None = strawberry.field(
        default=None, description="Staff and auditors: one consumer's cases"
    )
    escalated: bool | None = strawberry.field(
        default=None, description="Cases that went to platform review (true) or never did"
    )


@strawberry.input
class ViolationFilter:
    status: list[str] | None = strawberry.field(
        default=None, description="REPORTED, CONFIRMED or DISMISSED"
    )
    shop_id: str | None = None
    kind: ViolationKind | None = None


@strawberry.input
class RegisterSellerInput:
    shop_id: str
    name: str
    deposit: MoneyInput
    idempotency_key: str | None = key_field()


@strawberry.input
class SetAfterSalesPolicyInput:
    shop_id: str
    return_window_days: int
    exchange_allowed: bool
    warranty_months: int
    terms: str
    idempotency_key: str | None = key_field()


@strawberry.input
class TopUpDepositInput:
    shop_id: str
    amount: MoneyInput
    idempotency_key: str | None = key_field()


@strawberry.input(description="A file uploaded with POST /uploads, attached as evidence")
class EvidenceFileInput:
    sha256: str = strawberry.field(description="As POST /uploads answered it")
    kind: str = strawberry.field(description="What it is evidence of: photo, video, chat_log...")
    description: str | None = None

    def value(self) -> Attachment:
        return Attachment(self.sha256, self.kind, self.description)


@strawberry.input
class FileComplaintInput:
    shop_id: str
    order_id: str
    category: ComplaintCategory
    description: str
    requested_remedy: RemedyInput
    evidence: list[EvidenceFileInput] | None = strawberry.field(
        default=None, description="Files you uploaded, attached as evidence (at most 10)"
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="An order as the marketplace records it")
class RecordOrderInput:
    order_id: str
    shop_id: str
    consumer_id: str = strawberry.field(description="The consumer's id, as their token's subject")
    amount: MoneyInput
    paid_at: datetime
    delivered_at: datetime | None = strawberry.field(
        default=None, description="Known already: the delivery is recorded with the order"
    )
    carrier: str | None = None
    tracking_number: str | None = strawberry.field(
        default=None, description="Kept as the consumer's personal data"
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class RecordDeliveryInput:
    shop_id: str
    order_id: str
    delivered_at: datetime
    carrier: str | None = None
    tracking_number: str | None = strawberry.field(
        default=None, description="Kept as the consumer's personal data"
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class ComplaintActionInput:
    complaint_id: ComplaintId
    idempotency_key: str | None = key_field()


@strawberry.input
class ReturnForInfoInput:
    complaint_id: ComplaintId
    reason: str
    missing: list[str]
    rule_codes: list[str] | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class RejectComplaintInput:
    complaint_id: ComplaintId
    reason: str
    rule_code: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ResubmitComplaintInput:
    complaint_id: ComplaintId
    description: str
    evidence: list[EvidenceFileInput] | None = strawberry.field(
        default=None,
        description="Files you uploaded of what the agent said was missing, attached as"
        " evidence (at most 10)",
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class MakeOfferInput:
    complaint_id: ComplaintId
    remedy: RemedyInput
    message: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class OfferActionInput:
    complaint_id: ComplaintId
    offer_id: strawberry.ID
    reason: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class PostMessageInput:
    complaint_id: ComplaintId
    text: str
    visibility: MessageVisibility | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class AssignComplaintInput:
    complaint_id: ComplaintId
    arbiter_id: str
    idempotency_key: str | None = key_field()


@strawberry.input
class AssignMediatorInput:
    complaint_id: ComplaintId
    mediator_id: str = strawberry.field(description="The mediator of the team who takes the case")
    idempotency_key: str | None = key_field()


@strawberry.input
class RequestEvidenceInput:
    complaint_id: ComplaintId
    party: Role
    kinds: list[str]
    note: str | None = None
    due_at: datetime | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class SubmitEvidenceInput:
    complaint_id: ComplaintId
    kind: str
    description: str
    sha256: str | None = None
    request_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The request it answers; by default the oldest open one asking for `kind`,"
        " and with none such the evidence is volunteered (it answers no request)",
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class RecordFindingInput:
    complaint_id: ComplaintId
    finding: str
    idempotency_key: str | None = key_field()


@strawberry.input
class IssueRulingInput:
    complaint_id: ComplaintId
    outcome: Outcome
    rationale: str
    remedy: RemedyInput | None = None
    rule_codes: list[str] | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class FileAppealInput:
    complaint_id: ComplaintId
    grounds: str
    idempotency_key: str | None = key_field()


@strawberry.input
class DecideAppealInput:
    complaint_id: ComplaintId
    grant: bool
    rationale: str
    outcome: Outcome | None = None
    remedy: RemedyInput | None = None
    rule_codes: list[str] | None = strawberry.field(
        default=None,
        description="The rules the decision rests on: at least one when the appeal is granted",
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class ShipReturnInput:
    complaint_id: ComplaintId
    carrier: str
    tracking_number: str
    idempotency_key: str | None = key_field()


@strawberry.input
class ResolveIssueInput:
    complaint_id: ComplaintId
    resolution: str
    issue_id: strawberry.ID | None = strawberry.field(
        default=None, description="Which issue; may be left out when only one is open"
    )
    advance_refund: bool | None = strawberry.field(
        default=None,
        description="For a disputed remedy: the platform pays it from the seller's deposit, with"
        " a strike; left out, the dispute is dismissed. The case closes either way.",
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class DisputeRemedyInput:
    complaint_id: ComplaintId
    reason: str = strawberry.field(description="What did not arrive, or what was wrong")
    idempotency_key: str | None = key_field()


@strawberry.input
class RateHandlingInput:
    complaint_id: ComplaintId
    score: int
    comment: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ReportViolationInput:
    shop_id: str
    kind: ViolationKind
    description: str
    complaint_id: ComplaintId | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ViolationActionInput:
    violation_id: ViolationId
    rationale: str | None = strawberry.field(
        default=None, description="Why the report is confirmed (required)"
    )
    rule_codes: list[str] | None = strawberry.field(
        default=None, description="The rules the shop broke, at least one"
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class RespondToViolationInput:
    violation_id: ViolationId
    response: str
    idempotency_key: str | None = key_field()


@strawberry.input
class DismissViolationInput:
    violation_id: ViolationId
    reason: str
    idempotency_key: str | None = key_field()


@strawberry.input
class RecordSpotCheckInput:
    shop_id: str
    passed: bool
    findings: str
    idempotency_key: str | None = key_field()


@strawberry.input
class SanctionSellerInput:
    shop_id: str
    kind: SanctionKind
    reason: str
    complaint_id: ComplaintId | None = None
    fine: MoneyInput | None = strawberry.field(
        name="amount", default=None, description="Required for a FINE: taken from the deposit"
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class LiftSanctionInput:
    shop_id: str
    kind: SanctionKind
    reason: str
    idempotency_key: str | None = key_field()


@strawberry.input
class AppealSanctionInput:
    shop_id: str
    sanction_id: strawberry.ID = strawberry.field(description="Sanction.id, e.g. s2")
    grounds: str
    idempotency_key: str | None = key_field()


@strawberry.input
class DecideSanctionAppealInput:
    shop_id: str
    sanction_id: strawberry.ID
    grant: bool = strawberry.field(
        description="Granted: the sanction is lifted and its fine returned (debt first)"
    )
    rationale: str
    idempotency_key: str | None = key_field()


@strawberry.input
class PauseClockInput:
    complaint_id: ComplaintId
    reason: str
    idempotency_key: str | None = key_field()


@strawberry.input
class EraseSubjectInput:
    subject_id: str
    idempotency_key: str | None = key_field()


@strawberry.input
class RegisterWebhookInput:
    shop_id: str
    url: str = strawberry.field(description="https://... (public addresses only)")
    events: list[str] | None = strawberry.field(
        default=None, description="Timeline entry types to send (e.g. Filed, OfferMade); none: all"
    )
    locale: str | None = strawberry.field(
        default=None,
        description="The language of the entries' summaries and texts sent: en, zh-Hans or"
        " zh-Hant (Query.locales); default en",
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class RegisterMarketplaceWebhookInput:
    url: str = strawberry.field(description="https://... (public addresses only)")
    events: list[str] | None = strawberry.field(
        default=None,
        description="Shop event types to send (e.g. seller.SanctionImposed); none: all",
    )
    locale: str | None = strawberry.field(
        default=None,
        description="The language of the texts sent: en, zh-Hans or zh-Hant; default en",
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class WebhookEndpointInput:
    endpoint_id: WebhookEndpointId
    idempotency_key: str | None = key_field()


@strawberry.input
class RedeliverWebhooksInput:
    endpoint_id: WebhookEndpointId
    after: int = strawberry.field(description="A log position: every entry after it is sent again")
    idempotency_key: str | None = key_field()
