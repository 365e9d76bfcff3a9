"""Mutation inputs, named and shaped as the contract says. Every input takes an optional
`idempotencyKey`: the same key with the same input returns the first result."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from complaints.domain.values import Money, Remedy
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


def remedy_or_none(remedy: RemedyInput | None) -> Remedy | None:
    return None if remedy is None else remedy.value()


@strawberry.input
class ComplaintFilter:
    status: list[ComplaintStatus] | None = None
    shop_id: str | None = None
    category: ComplaintCategory | None = None
    overdue: bool | None = None
    search: str | None = None


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


@strawberry.input
class FileComplaintInput:
    shop_id: str
    order_id: str
    category: ComplaintCategory
    description: str
    requested_remedy: RemedyInput
    idempotency_key: str | None = key_field()


@strawberry.input
class ComplaintActionInput:
    complaint_id: strawberry.ID
    idempotency_key: str | None = key_field()


@strawberry.input
class ReturnForInfoInput:
    complaint_id: strawberry.ID
    reason: str
    missing: list[str]
    rule_codes: list[str] | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class RejectComplaintInput:
    complaint_id: strawberry.ID
    reason: str
    rule_code: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ResubmitComplaintInput:
    complaint_id: strawberry.ID
    description: str
    idempotency_key: str | None = key_field()


@strawberry.input
class MakeOfferInput:
    complaint_id: strawberry.ID
    remedy: RemedyInput
    message: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class OfferActionInput:
    complaint_id: strawberry.ID
    offer_id: strawberry.ID
    reason: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class PostMessageInput:
    complaint_id: strawberry.ID
    text: str
    visibility: MessageVisibility | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class AssignComplaintInput:
    complaint_id: strawberry.ID
    arbiter_id: str
    idempotency_key: str | None = key_field()


@strawberry.input
class RequestEvidenceInput:
    complaint_id: strawberry.ID
    party: Role
    kinds: list[str]
    note: str | None = None
    due_at: datetime | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class SubmitEvidenceInput:
    complaint_id: strawberry.ID
    kind: str
    description: str
    sha256: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class RecordFindingInput:
    complaint_id: strawberry.ID
    finding: str
    idempotency_key: str | None = key_field()


@strawberry.input
class IssueRulingInput:
    complaint_id: strawberry.ID
    outcome: Outcome
    rationale: str
    remedy: RemedyInput | None = None
    rule_codes: list[str] | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class FileAppealInput:
    complaint_id: strawberry.ID
    grounds: str
    idempotency_key: str | None = key_field()


@strawberry.input
class DecideAppealInput:
    complaint_id: strawberry.ID
    grant: bool
    rationale: str
    outcome: Outcome | None = None
    remedy: RemedyInput | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ShipReturnInput:
    complaint_id: strawberry.ID
    carrier: str
    tracking_number: str
    idempotency_key: str | None = key_field()


@strawberry.input
class ResolveIssueInput:
    complaint_id: strawberry.ID
    resolution: str
    issue_id: strawberry.ID | None = strawberry.field(
        default=None, description="Which issue; may be left out when only one is open"
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class RateHandlingInput:
    complaint_id: strawberry.ID
    score: int
    comment: str | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ReportViolationInput:
    shop_id: str
    kind: ViolationKind
    description: str
    complaint_id: strawberry.ID | None = None
    idempotency_key: str | None = key_field()


@strawberry.input
class ViolationActionInput:
    violation_id: strawberry.ID
    idempotency_key: str | None = key_field()


@strawberry.input
class DismissViolationInput:
    violation_id: strawberry.ID
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
    complaint_id: strawberry.ID | None = None
    amount: MoneyInput | None = strawberry.field(
        default=None, description="Required for a FINE: taken from the deposit"
    )
    idempotency_key: str | None = key_field()


@strawberry.input
class LiftSanctionInput:
    shop_id: str
    kind: SanctionKind
    reason: str
    idempotency_key: str | None = key_field()


@strawberry.input
class PauseClockInput:
    complaint_id: strawberry.ID
    reason: str
    idempotency_key: str | None = key_field()


@strawberry.input
class EraseSubjectInput:
    subject_id: str
    idempotency_key: str | None = key_field()
