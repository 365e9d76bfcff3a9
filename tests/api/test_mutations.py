"""Every mutation, through the schema: its success path and each of its error paths.

Each case sets the world up through the application, runs one mutation as one viewer, and checks
the payload's type and code. Errors come back as members of the payload union, never as
GraphQL errors, and field errors name the input's camelCase fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import Actor, Outcome, Role, SanctionKind, ViolationKind
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    MARKETPLACE,
    MEDIATOR,
    OTHER_ARBITER,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PARTIAL,
    PUBLIC,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    png,
    record_order,
)

MONEY = {"amount": "199", "currency": "CNY"}
REFUND_IN = {"type": "REFUND", "amount": MONEY}
PARTIAL_IN = {"type": "PARTIAL_REFUND", "amount": {"amount": "80", "currency": "CNY"}}
NOBODY = ids.global_id("Complaint", uuid4())
GROUNDS = "The courier's report shows no damage at all."

Setup = Callable[[Scenario], dict[str, Any]]


def cid(complaint: Any) -> str:
    return ids.global_id("Complaint", complaint.id)


def on(make: Callable[[Scenario], Any], **extra: Any) -> Setup:
    """Input for a complaint made by `make`, plus `extra` fields."""
    return lambda world: {"complaintId": cid(make(world)), **extra}


def ruled(world: Scenario) -> Any:
    return world.ruled()


def appealed(world: Scenario) -> Any:
    complaint = world.ruled()
    return world.app.file_appeal(SELLER, complaint.id, GROUNDS)


OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")
GROUNDS_S = "The labels were the supplier's own."


def warned(world: Scenario, appealed: bool = False, **extra: Any) -> dict[str, Any]:
    """A shop warned by a supervisor (sanction s1); its appeal filed, if asked."""
    world.seller()
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    if appealed:
        world.app.appeal_sanction(SELLER, "acme", "s1", GROUNDS_S)
    return {"shopId": "acme", "sanctionId": "s1", **extra}


def defaulted(world: Scenario) -> Any:
    """The seller never answered: the requested refund was granted by default."""
    return world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)


def refunded(world: Scenario) -> Any:
    """The seller reported the refund paid: the case waits for the consumer."""
    complaint = world.fulfilling()
    return world.app.confirm_refund(SELLER, complaint.id)


def disputed(world: Scenario) -> Any:
    complaint = refunded(world)
    return world.app.dispute_remedy(CONSUMER, complaint.id, "No money arrived.")


def evidence_requested(world: Scenario) -> Any:
    complaint = world.under_review()
    world.upload(CONSUMER)  # PHOTO
    return world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])


#: The consumer's upload in `evidence_requested`.
PHOTO = hashlib.sha256(png()).hexdigest()


def resubmitting(files: Callable[[Scenario], list[dict[str, Any]]]) -> Setup:
    """A resubmission of a complaint returned for information, attaching `files`."""

    def setup(world: Scenario) -> dict[str, Any]:
        return {
            "complaintId": cid(world.awaiting_info()),
            "description": "Here are the photos of the base.",
            "evidence": files(world),
        }

    return setup


def found(world: Scenario) -> Any:
    complaint = world.under_review()
    return world.app.record_finding(ARBITER, complaint.id, "Damaged in transit.")


def returning(world: Scenario) -> Any:
    from complaints.domain.values import Remedy, RemedyType

    return world.fulfilling(remedy=Remedy(RemedyType.RETURN_AND_REFUND, REFUND.amount))


def returned(world: Scenario) -> Any:
    complaint = returning(world)
    return world.app.ship_return(CONSUMER, complaint.id, "SF", "SF1")


def reshipping(world: Scenario) -> Any:
    from complaints.domain.values import Remedy, RemedyType

    return world.fulfilling(remedy=Remedy(RemedyType.RESHIP))


def with_issue(world: Scenario) -> Any:
    complaint = world.fulfilling()
    return world.app.raise_execution_issue(SELLER, complaint.id, "The bank refused it.")


def with_two_issues(world: Scenario) -> Any:
    complaint = with_issue(world)
    return world.app.raise_execution_issue(CONSUMER, complaint.id, "Nothing arrived.")


def countered(world: Scenario) -> Any:
    complaint = world.negotiating()
    return world.app.make_offer(SELLER, complaint.id, PARTIAL)


def paused(world: Scenario) -> Any:
    complaint = world.negotiating()
    return world.app.pause_clock(SUPERVISOR, complaint.id, "Carrier inquiry")


def shop(world: Scenario, **extra: Any) -> dict[str, Any]:
    world.seller()
    return {"shopId": "acme", **extra}


def violation(world: Scenario, decided: bool = False, answered: bool = False) -> dict[str, Any]:
    world.seller()
    reported = world.app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The logo is printed crooked."
    )
    if answered:
        world.app.respond_to_violation(SELLER, reported.id, ANSWER)
    if decided:
        world.confirm_violation(reported.id)
    return {"violationId": ids.global_id("Violation", reported.id)}


ANSWER = "Our invoices from the brand are attached to the listing."
#: A confirmation's reasons and rule.
REASONS = {"rationale": "The logo and the stitching are not the brand's.", "ruleCodes": ["R-8.1"]}
HOOK_URL = "https://93.184.216.34/hooks/complaints"  # a public address literal: no DNS here


def endpoint(w: Scenario, **values: Any) -> dict[str, Any]:
    """A webhook endpoint of acme's, registered by its staff."""
    w.seller()
    created = w.app.register_webhook(SELLER, "acme", HOOK_URL)
    return {"endpointId": ids.global_id("WebhookEndpoint", created.id), **values}


def marketplace_endpoint(w: Scenario, **values: Any) -> dict[str, Any]:
    """The marketplace's own endpoint."""
    created = w.app.register_marketplace_webhook(MARKETPLACE, HOOK_URL)
    return {"endpointId": ids.global_id("WebhookEndpoint", created.id), **values}


#: An order as the marketplace states it: paid three days before the clock's start.
PAID = "2026-01-02T10:00:00+00:00"
DELIVERED = "2026-01-04T10:00:00+00:00"
ORDER: dict[str, Any] = {
    "orderId": "o-7",
    "consumerId": CONSUMER.id,
    "amount": MONEY,
    "paidAt": PAID,
}


def order_in(w: Scenario, **values: Any) -> dict[str, Any]:
    """recordOrder's input for acme's order o-7, with `values` instead."""
    return shop(w, **{**ORDER, **values})


def recorded(w: Scenario, delivered: bool = False, **values: Any) -> dict[str, Any]:
    """acme's order o-7 recorded by the marketplace (and its delivery, if asked); an input
    naming it, with `values`."""
    w.seller()
    w.app.record_order(
        MARKETPLACE,
        "acme",
        "o-7",
        CONSUMER.id,
        cny("199"),
        datetime.fromisoformat(PAID),
        datetime.fromisoformat(DELIVERED) if delivered else None,
    )
    return {"shopId": "acme", "orderId": "o-7", **values}


def filing(w: Scenario, order_id: str) -> dict[str, Any]:
    """fileComplaint's input about acme's order `order_id`, asking a refund of 199 CNY."""
    return shop(
        w,
        orderId=order_id,
        category="DAMAGED",
        description="The vase arrived in pieces.",
        requestedRemedy=REFUND_IN,
    )


def old_order(w: Scenario) -> str:
    """An undelivered order paid a day longer ago than FILING_WINDOW_UNDELIVERED allows."""
    w.seller()
    return record_order(w.app, "o-old", paid_at=w.clock.now() - timedelta(days=31))


def cheap_order(w: Scenario) -> str:
    """An order that cost less than the refund `filing` asks."""
    w.seller()
    return record_order(w.app, "o-cheap", amount="99.00")


@dataclass(frozen=True)
class Case:
    mutation: str
    input_type: str
    setup: Setup
    actor: Actor
    typename: str
    code: str | None = None

    @property
    def id(self) -> str:
        return f"{self.mutation}-{self.typename}-{self.code or 'ok'}-{self.actor.role.value}"


def case(
    mutation: str,
    input_type: str,
    setup: Setup,
    actor: Actor,
    typename: str,
    code: str | None = None,
) -> Case:
    return Case(mutation, input_type, setup, actor, typename, code)


CA = "ComplaintActionInput"
CASES = [
    # sellers and policy
    case(
        "registerSeller",
        "RegisterSellerInput",
        lambda w: {"shopId": "initech", "name": "Initech", "deposit": MONEY},
        SUPERVISOR,
        "Seller",
    ),
    case(
        "registerSeller",
        "RegisterSellerInput",
        lambda w: {"shopId": "initech", "name": "Initech", "deposit": MONEY},
        CONSUMER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "registerSeller",
        "RegisterSellerInput",
        lambda w: {"shopId": "no spaces", "name": "", "deposit": MONEY},
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "registerSeller",
        "RegisterSellerInput",
        lambda w: shop(w, name="Again", deposit=MONEY),
        SUPERVISOR,
        "Conflict",
        "SELLER_ALREADY_REGISTERED",
    ),
    case(
        "setAfterSalesPolicy",
        "SetAfterSalesPolicyInput",
        lambda w: shop(
            w, returnWindowDays=7, exchangeAllowed=True, warrantyMonths=12, terms="Seven days."
        ),
        SELLER,
        "Seller",
    ),
    case(
        "setAfterSalesPolicy",
        "SetAfterSalesPolicyInput",
        lambda w: shop(
            w, returnWindowDays=7, exchangeAllowed=True, warrantyMonths=12, terms="Seven days."
        ),
        OTHER_SELLER,
        "NotAllowed",
        "NOT_ALLOWED",
    ),
    case(
        "setAfterSalesPolicy",
        "SetAfterSalesPolicyInput",
        lambda w: shop(w, returnWindowDays=-1, exchangeAllowed=True, warrantyMonths=12, terms="x"),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "setAfterSalesPolicy",
        "SetAfterSalesPolicyInput",
        lambda w: {
            "shopId": "nowhere",
            "returnWindowDays": 7,
            "exchangeAllowed": True,
            "warrantyMonths": 12,
            "terms": "x",
        },
        SELLER,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case("topUpDeposit", "TopUpDepositInput", lambda w: shop(w, amount=MONEY), SELLER, "Seller"),
    case(
        "topUpDeposit",
        "TopUpDepositInput",
        lambda w: shop(w, amount={"amount": "5", "currency": "USD"}),
        SELLER,
        "ValidationFailed",
        "CURRENCY_MISMATCH",
    ),
    case(
        "topUpDeposit",
        "TopUpDepositInput",
        lambda w: shop(w, amount=MONEY),
        CONSUMER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "topUpDeposit",
        "TopUpDepositInput",
        lambda w: {"shopId": "nowhere", "amount": MONEY},
        SELLER,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    # intake
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: shop(
            w,
            orderId=w.order("o-1"),
            category="DAMAGED",
            description="The vase arrived in pieces.",
            requestedRemedy=REFUND_IN,
        ),
        CONSUMER,
        "Complaint",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: filing(w, "o-unrecorded"),
        CONSUMER,
        "NotFound",
        "ORDER_NOT_FOUND",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: filing(w, w.order("o-bobs", consumer=OTHER_CONSUMER)),
        CONSUMER,
        "NotFound",
        "ORDER_NOT_FOUND",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: filing(w, old_order(w)),
        CONSUMER,
        "Conflict",
        "FILING_WINDOW_CLOSED",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: filing(w, cheap_order(w)),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: {
            **shop(
                w,
                orderId=w.file().order_id,
                category="DAMAGED",
                description="The vase arrived in pieces.",
                requestedRemedy=REFUND_IN,
            )
        },
        CONSUMER,
        "Conflict",
        "DUPLICATE_COMPLAINT",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: shop(
            w,
            orderId="o-1",
            category="DAMAGED",
            description="The vase arrived in pieces.",
            requestedRemedy=REFUND_IN,
            evidence=[{"sha256": "ab" * 32, "kind": "photo"}],
        ),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: {
            "shopId": "nowhere",
            "orderId": "o-1",
            "category": "DAMAGED",
            "description": "The vase arrived in pieces.",
            "requestedRemedy": REFUND_IN,
        },
        CONSUMER,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: shop(
            w,
            orderId="o-1",
            category="DAMAGED",
            description="short",
            requestedRemedy={"type": "REFUND"},
        ),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "fileComplaint",
        "FileComplaintInput",
        lambda w: shop(
            w,
            orderId="o-1",
            category="DAMAGED",
            description="The vase arrived in pieces.",
            requestedRemedy=REFUND_IN,
        ),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case("acceptComplaint", CA, on(lambda w: w.file()), AGENT, "Complaint"),
    case(
        "acceptComplaint",
        CA,
        lambda w: {"complaintId": NOBODY},
        AGENT,
        "NotFound",
        "COMPLAINT_NOT_FOUND",
    ),
    case(
        "acceptComplaint",
        CA,
        lambda w: {"complaintId": "not-an-id"},
        AGENT,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case("acceptComplaint", CA, on(lambda w: w.file()), CONSUMER, "NotAllowed", "ROLE_NOT_ALLOWED"),
    case(
        "acceptComplaint",
        CA,
        on(lambda w: w.negotiating()),
        AGENT,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "returnComplaintForInfo",
        "ReturnForInfoInput",
        on(lambda w: w.file(), reason="Photos please.", missing=["photos"]),
        AGENT,
        "Complaint",
    ),
    case(
        "returnComplaintForInfo",
        "ReturnForInfoInput",
        on(lambda w: w.file(), reason="", missing=[]),
        AGENT,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "returnComplaintForInfo",
        "ReturnForInfoInput",
        on(lambda w: w.negotiating(), reason="Photos", missing=["p"]),
        AGENT,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "returnComplaintForInfo",
        "ReturnForInfoInput",
        on(lambda w: w.file(), reason="Photos", missing=["p"]),
        MEDIATOR,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "rejectComplaint",
        "RejectComplaintInput",
        on(lambda w: w.file(), reason="Not our order.", ruleCode="R-1.1"),
        AGENT,
        "Complaint",
    ),
    case(
        "rejectComplaint",
        "RejectComplaintInput",
        on(lambda w: w.file(), reason="", ruleCode="bad code!"),
        AGENT,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "rejectComplaint",
        "RejectComplaintInput",
        on(lambda w: w.negotiating(), reason="Late"),
        AGENT,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "rejectComplaint",
        "RejectComplaintInput",
        on(lambda w: w.file(), reason="No"),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        on(lambda w: w.awaiting_info(), description="Here are the photos of the base."),
        CONSUMER,
        "Complaint",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        resubmitting(lambda w: [{"sha256": w.upload(CONSUMER), "kind": "photo"}]),
        CONSUMER,
        "Complaint",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        resubmitting(lambda w: [{"sha256": "ab" * 32, "kind": "photo"}]),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        resubmitting(lambda w: [{"sha256": w.upload(OTHER_CONSUMER), "kind": "photo"}]),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        resubmitting(lambda w: [{"sha256": w.upload(CONSUMER), "kind": "photo"}] * 11),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        on(lambda w: w.awaiting_info(), description="tiny"),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        on(lambda w: w.file(), description="Here are the photos of the base."),
        CONSUMER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        on(lambda w: w.awaiting_info(), description="Here are the photos of the base."),
        OTHER_CONSUMER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case("withdrawComplaint", CA, on(lambda w: w.negotiating()), CONSUMER, "Complaint"),
    case("withdrawComplaint", CA, on(ruled), CONSUMER, "InvalidTransition", "INVALID_TRANSITION"),
    case("withdrawComplaint", CA, on(lambda w: w.file()), SELLER, "NotAllowed", "ROLE_NOT_ALLOWED"),
    # negotiation
    case(
        "makeOffer",
        "MakeOfferInput",
        on(lambda w: w.negotiating(), remedy=PARTIAL_IN),
        SELLER,
        "Complaint",
    ),
    case(
        "makeOffer",
        "MakeOfferInput",
        on(lambda w: w.negotiating(), remedy=PARTIAL_IN),
        CONSUMER,
        "NotAllowed",
        "NOT_YOUR_TURN",
    ),
    case(
        "makeOffer",
        "MakeOfferInput",
        on(lambda w: w.negotiating(), remedy={"type": "PARTIAL_REFUND"}),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "makeOffer",
        "MakeOfferInput",
        on(lambda w: w.file(), remedy=PARTIAL_IN),
        SELLER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "acceptOffer",
        "OfferActionInput",
        on(lambda w: w.negotiating(), offerId="o1"),
        SELLER,
        "Complaint",
    ),
    case(
        "acceptOffer",
        "OfferActionInput",
        on(lambda w: w.negotiating(), offerId="o9"),
        SELLER,
        "NotFound",
        "OFFER_NOT_FOUND",
    ),
    case(
        "acceptOffer",
        "OfferActionInput",
        on(lambda w: w.negotiating(), offerId="o1"),
        CONSUMER,
        "NotAllowed",
        "CANNOT_ANSWER_OWN_OFFER",
    ),
    case(
        "acceptOffer",
        "OfferActionInput",
        on(countered, offerId="o1"),
        CONSUMER,
        "InvalidTransition",
        "OFFER_NOT_OPEN",
    ),
    case(
        "declineOffer",
        "OfferActionInput",
        on(lambda w: w.negotiating(), offerId="o1", reason="It arrived whole."),
        SELLER,
        "Complaint",
    ),
    case(
        "declineOffer",
        "OfferActionInput",
        on(lambda w: w.negotiating(), offerId="o1"),
        OTHER_SELLER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "declineOffer",
        "OfferActionInput",
        on(ruled, offerId="o1"),
        SELLER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "proposeSettlement",
        "MakeOfferInput",
        on(lambda w: w.negotiating(), remedy=PARTIAL_IN, message="Meet halfway"),
        MEDIATOR,
        "Complaint",
    ),
    case(
        "proposeSettlement",
        "MakeOfferInput",
        on(lambda w: w.negotiating(), remedy=PARTIAL_IN),
        ARBITER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "proposeSettlement",
        "MakeOfferInput",
        on(lambda w: w.negotiating(), remedy={"type": "REFUND"}),
        MEDIATOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "proposeSettlement",
        "MakeOfferInput",
        on(ruled, remedy=PARTIAL_IN),
        MEDIATOR,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case("requestIntervention", CA, on(lambda w: w.negotiating()), SELLER, "Complaint"),
    case(
        "requestIntervention",
        CA,
        on(lambda w: w.negotiating()),
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "requestIntervention",
        CA,
        on(lambda w: w.file()),
        CONSUMER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "postMessage",
        "PostMessageInput",
        on(lambda w: w.negotiating(), text="Hello"),
        CONSUMER,
        "Complaint",
    ),
    case(
        "postMessage",
        "PostMessageInput",
        on(lambda w: w.negotiating(), text="Psst", visibility="STAFF"),
        CONSUMER,
        "NotAllowed",
        "STAFF_VISIBILITY_RESERVED",
    ),
    case(
        "postMessage",
        "PostMessageInput",
        on(lambda w: w.negotiating(), text=" "),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "postMessage",
        "PostMessageInput",
        on(lambda w: w.closed(), text="Thanks"),
        CONSUMER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "assignMediator",
        "AssignMediatorInput",
        on(lambda w: w.under_review(assigned=False), mediatorId=MEDIATOR.id),
        SUPERVISOR,
        "Complaint",
    ),
    case(
        "assignMediator",
        "AssignMediatorInput",
        on(lambda w: w.under_review(assigned=False), mediatorId=" "),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "assignMediator",
        "AssignMediatorInput",
        on(lambda w: w.negotiating(), mediatorId=MEDIATOR.id),
        SUPERVISOR,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "assignMediator",
        "AssignMediatorInput",
        on(lambda w: w.under_review(assigned=False), mediatorId=MEDIATOR.id),
        MEDIATOR,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    # investigation
    case(
        "assignComplaint",
        "AssignComplaintInput",
        on(lambda w: w.under_review(assigned=False), arbiterId="arbiter-1"),
        SUPERVISOR,
        "Complaint",
    ),
    case(
        "assignComplaint",
        "AssignComplaintInput",
        on(lambda w: w.under_review(assigned=False), arbiterId=""),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "assignComplaint",
        "AssignComplaintInput",
        on(lambda w: w.negotiating(), arbiterId="arbiter-1"),
        SUPERVISOR,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "assignComplaint",
        "AssignComplaintInput",
        on(lambda w: w.under_review(assigned=False), arbiterId="arbiter-1"),
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "requestEvidence",
        "RequestEvidenceInput",
        on(lambda w: w.under_review(), party="CONSUMER", kinds=["photo"]),
        ARBITER,
        "Complaint",
    ),
    case(
        "requestEvidence",
        "RequestEvidenceInput",
        on(lambda w: w.under_review(), party="CONSUMER", kinds=["photo"]),
        OTHER_ARBITER,
        "NotAllowed",
        "NOT_ASSIGNED_ARBITER",
    ),
    case(
        "requestEvidence",
        "RequestEvidenceInput",
        on(lambda w: w.under_review(assigned=False), party="CONSUMER", kinds=["photo"]),
        ARBITER,
        "InvalidTransition",
        "NO_ARBITER_ASSIGNED",
    ),
    case(
        "requestEvidence",
        "RequestEvidenceInput",
        on(lambda w: w.under_review(), party="AGENT", kinds=[]),
        ARBITER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(evidence_requested, kind="photo", description="Front view", sha256=PHOTO),
        CONSUMER,
        "Complaint",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(evidence_requested, kind="photo", description="Front view", sha256="ab" * 32),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(evidence_requested, kind="photo", description="Front view", requestId="r9"),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(evidence_requested, kind="photo", description="Ours"),
        SELLER,
        "Complaint",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(evidence_requested, kind="photo", description="Ours", requestId="r1"),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(evidence_requested, kind="video", description="A video", requestId="r1"),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(lambda w: w.negotiating(), kind="photo", description="x"),
        CONSUMER,
        "Complaint",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(lambda w: w.negotiating(), kind="bad kind!", description="x"),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(lambda w: w.file(), kind="photo", description="x"),
        CONSUMER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "submitEvidence",
        "SubmitEvidenceInput",
        on(lambda w: w.negotiating(), kind="photo", description="x"),
        MEDIATOR,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "recordFinding",
        "RecordFindingInput",
        on(lambda w: w.under_review(), finding="Transit damage."),
        ARBITER,
        "Complaint",
    ),
    case(
        "recordFinding",
        "RecordFindingInput",
        on(lambda w: w.under_review(), finding=""),
        ARBITER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "recordFinding",
        "RecordFindingInput",
        on(lambda w: w.under_review(), finding="Mine"),
        MEDIATOR,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    # ruling
    case(
        "issueRuling",
        "IssueRulingInput",
        on(
            found,
            outcome="CONSUMER_FAVOUR_FULL",
            rationale="Damaged.",
            remedy=REFUND_IN,
            ruleCodes=["R-3.2"],
        ),
        ARBITER,
        "Complaint",
    ),
    case(
        "issueRuling",
        "IssueRulingInput",
        on(
            lambda w: w.under_review(),
            outcome="CONSUMER_FAVOUR_FULL",
            rationale="x",
            remedy=REFUND_IN,
        ),
        ARBITER,
        "InvalidTransition",
        "FINDING_REQUIRED",
    ),
    case(
        "issueRuling",
        "IssueRulingInput",
        on(found, outcome="WITHDRAWN", rationale="x"),
        ARBITER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "issueRuling",
        "IssueRulingInput",
        on(found, outcome="CONSUMER_FAVOUR_FULL", rationale="x", remedy=REFUND_IN),
        SUPERVISOR,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case("acknowledgeRuling", CA, on(ruled), SELLER, "Complaint"),
    case(
        "acknowledgeRuling",
        CA,
        on(lambda w: w.fulfilling()),
        SELLER,
        "InvalidTransition",
        "NOTHING_TO_ACKNOWLEDGE",
    ),
    case("acknowledgeRuling", CA, on(ruled), AGENT, "NotAllowed", "ROLE_NOT_ALLOWED"),
    case("fileAppeal", "FileAppealInput", on(ruled, grounds=GROUNDS), SELLER, "Complaint"),
    case(
        "fileAppeal",
        "FileAppealInput",
        on(appealed, grounds=GROUNDS),
        SELLER,
        "InvalidTransition",
        "ALREADY_APPEALED",
    ),
    case(
        "fileAppeal",
        "FileAppealInput",
        on(ruled, grounds="unfair"),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "fileAppeal",
        "FileAppealInput",
        on(ruled, grounds=GROUNDS),
        OTHER_SELLER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "decideAppeal",
        "DecideAppealInput",
        on(appealed, grant=False, rationale="The ruling stands."),
        SUPERVISOR,
        "Complaint",
    ),
    case(
        "decideAppeal",
        "DecideAppealInput",
        on(appealed, grant=False, rationale="Mine stands."),
        Actor(Role.SUPERVISOR, ARBITER.id),
        "NotAllowed",
        "SAME_REVIEWER",
    ),
    case(
        "decideAppeal",
        "DecideAppealInput",
        on(
            appealed,
            grant=True,
            rationale="Changed",
            outcome="CONSUMER_FAVOUR_FULL",
            remedy=REFUND_IN,
        ),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "decideAppeal",
        "DecideAppealInput",
        on(ruled, grant=False, rationale="x"),
        SUPERVISOR,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    # enforcement
    case("confirmRefund", CA, on(lambda w: w.fulfilling()), SELLER, "Complaint"),
    case("confirmRefund", CA, on(returning), SELLER, "InvalidTransition", "NOT_THE_CURRENT_STEP"),
    case(
        "confirmRefund",
        CA,
        on(lambda w: w.fulfilling()),
        CONSUMER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "shipReturn",
        "ShipReturnInput",
        on(returning, carrier="SF", trackingNumber="SF1"),
        CONSUMER,
        "Complaint",
    ),
    case(
        "shipReturn",
        "ShipReturnInput",
        on(returning, carrier="", trackingNumber=""),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "shipReturn",
        "ShipReturnInput",
        on(lambda w: w.fulfilling(), carrier="SF", trackingNumber="SF1"),
        CONSUMER,
        "InvalidTransition",
        "NOT_THE_CURRENT_STEP",
    ),
    case(
        "shipReturn",
        "ShipReturnInput",
        on(returning, carrier="SF", trackingNumber="SF1"),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case("confirmReturnReceived", CA, on(returned), SELLER, "Complaint"),
    case(
        "confirmReturnReceived",
        CA,
        on(returning),
        SELLER,
        "InvalidTransition",
        "NOT_THE_CURRENT_STEP",
    ),
    case("confirmReturnReceived", CA, on(returned), OTHER_SELLER, "NotAllowed", "NOT_A_PARTY"),
    case(
        "shipReplacement",
        "ShipReturnInput",
        on(reshipping, carrier="EMS", trackingNumber="E1"),
        SELLER,
        "Complaint",
    ),
    case(
        "shipReplacement",
        "ShipReturnInput",
        on(lambda w: w.fulfilling(), carrier="EMS", trackingNumber="E1"),
        SELLER,
        "InvalidTransition",
        "NOT_THE_CURRENT_STEP",
    ),
    case(
        "shipReplacement",
        "ShipReturnInput",
        on(reshipping, carrier="EMS", trackingNumber="E1"),
        CONSUMER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "raiseExecutionIssue",
        "PostMessageInput",
        on(lambda w: w.fulfilling(), text="The bank refused it."),
        SELLER,
        "Complaint",
    ),
    case(
        "raiseExecutionIssue",
        "PostMessageInput",
        on(lambda w: w.fulfilling(), text=""),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "raiseExecutionIssue",
        "PostMessageInput",
        on(lambda w: w.negotiating(), text="x"),
        SELLER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "raiseExecutionIssue",
        "PostMessageInput",
        on(lambda w: w.fulfilling(), text="x"),
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(with_issue, resolution="Paid."),
        SUPERVISOR,
        "Complaint",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(disputed, resolution="The bank shows no payment.", advanceRefund=True),
        SUPERVISOR,
        "Complaint",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(with_issue, resolution="Paid.", advanceRefund=True),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "fileAppeal",
        "FileAppealInput",
        on(defaulted, grounds="We never received the notice of this complaint."),
        SELLER,
        "Complaint",
    ),
    case(
        "fileAppeal",
        "FileAppealInput",
        on(defaulted, grounds="I would like more than I asked for."),
        CONSUMER,
        "NotAllowed",
        "NOT_THE_DEFAULTING_PARTY",
    ),
    case("confirmRemedyReceived", CA, on(refunded), CONSUMER, "Complaint"),
    case(
        "confirmRemedyReceived",
        CA,
        on(lambda w: w.fulfilling()),
        CONSUMER,
        "InvalidTransition",
        "NO_REMEDY_TO_CONFIRM",
    ),
    case("confirmRemedyReceived", CA, on(refunded), SELLER, "NotAllowed", "ROLE_NOT_ALLOWED"),
    case(
        "disputeRemedy",
        "DisputeRemedyInput",
        on(refunded, reason="The refund never reached my card."),
        CONSUMER,
        "Complaint",
    ),
    case(
        "disputeRemedy",
        "DisputeRemedyInput",
        on(refunded, reason=" "),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "disputeRemedy",
        "DisputeRemedyInput",
        on(refunded, reason="Nothing arrived."),
        OTHER_CONSUMER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "disputeRemedy",
        "DisputeRemedyInput",
        on(disputed, reason="Still nothing."),
        CONSUMER,
        "InvalidTransition",
        "NO_REMEDY_TO_CONFIRM",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(with_issue, resolution="Paid.", issueId="x9"),
        SUPERVISOR,
        "NotFound",
        "EXECUTION_ISSUE_NOT_FOUND",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(with_two_issues, resolution="Paid."),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(lambda w: w.fulfilling(), resolution="Paid."),
        SUPERVISOR,
        "InvalidTransition",
        "NO_OPEN_EXECUTION_ISSUE",
    ),
    case(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        on(with_issue, resolution="Paid."),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    # feedback
    case(
        "rateHandling",
        "RateHandlingInput",
        on(lambda w: w.closed(), score=5, comment="Fair"),
        CONSUMER,
        "Complaint",
    ),
    case(
        "rateHandling",
        "RateHandlingInput",
        on(lambda w: w.closed(), score=9),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "rateHandling",
        "RateHandlingInput",
        on(lambda w: w.negotiating(), score=3),
        CONSUMER,
        "InvalidTransition",
        "INVALID_TRANSITION",
    ),
    case(
        "rateHandling",
        "RateHandlingInput",
        on(lambda w: w.closed(), score=3),
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    # the clock
    case(
        "pauseClock",
        "PauseClockInput",
        on(lambda w: w.negotiating(), reason="Carrier inquiry"),
        SUPERVISOR,
        "Complaint",
    ),
    case(
        "pauseClock",
        "PauseClockInput",
        on(lambda w: w.negotiating(), reason=""),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "pauseClock",
        "PauseClockInput",
        on(paused, reason="Again"),
        SUPERVISOR,
        "InvalidTransition",
        "CLOCK_ALREADY_PAUSED",
    ),
    case(
        "pauseClock",
        "PauseClockInput",
        on(lambda w: w.negotiating(), reason="Mine"),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case("resumeClock", CA, on(paused), MEDIATOR, "Complaint"),
    case(
        "pauseClock",
        "PauseClockInput",
        on(lambda w: w.under_review(), reason="Lab test"),
        OTHER_ARBITER,
        "NotAllowed",
        "NOT_ASSIGNED_ARBITER",
    ),
    case(
        "resumeClock",
        CA,
        on(lambda w: w.negotiating()),
        MEDIATOR,
        "InvalidTransition",
        "CLOCK_NOT_PAUSED",
    ),
    case("resumeClock", CA, on(paused), CONSUMER, "NotAllowed", "ROLE_NOT_ALLOWED"),
    # violations, spot checks, sanctions
    case(
        "reportViolation",
        "ReportViolationInput",
        lambda w: shop(w, kind="COUNTERFEIT", description="The logo is printed crooked."),
        CONSUMER,
        "Violation",
    ),
    case(
        "reportViolation",
        "ReportViolationInput",
        lambda w: {"shopId": "nowhere", "kind": "FRAUD", "description": "Never shipped it."},
        CONSUMER,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case(
        "reportViolation",
        "ReportViolationInput",
        lambda w: shop(w, kind="FRAUD", description="Never shipped it."),
        PUBLIC,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "reportViolation",
        "ReportViolationInput",
        lambda w: shop(w, kind="FRAUD", description="bad"),
        CONSUMER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w), "response": ANSWER},
        SELLER,
        "Violation",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w), "response": ANSWER},
        OTHER_SELLER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w), "response": ANSWER},
        CONSUMER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w), "response": ANSWER},
        AUDITOR,
        "NotAllowed",
        "READ_ONLY_ROLE",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w, decided=True), "response": ANSWER},
        SELLER,
        "Conflict",
        "VIOLATION_ALREADY_DECIDED",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w, answered=True), "response": ANSWER},
        SELLER,
        "Conflict",
        "ALREADY_RESPONDED",
    ),
    case(
        "respondToViolation",
        "RespondToViolationInput",
        lambda w: {**violation(w), "response": "no"},
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "confirmViolation",
        "ViolationActionInput",
        lambda w: {**violation(w, answered=True), **REASONS},
        SUPERVISOR,
        "Violation",
    ),
    case(
        "confirmViolation",
        "ViolationActionInput",
        lambda w: {**violation(w), **REASONS},
        SUPERVISOR,
        "Conflict",
        "RESPONSE_WINDOW_OPEN",
    ),
    case(
        "confirmViolation",
        "ViolationActionInput",
        lambda w: violation(w, decided=True),
        SUPERVISOR,
        "Conflict",
        "VIOLATION_ALREADY_DECIDED",
    ),
    case(
        "confirmViolation",
        "ViolationActionInput",
        lambda w: {"violationId": ids.global_id("Violation", uuid4())},
        SUPERVISOR,
        "NotFound",
        "VIOLATION_NOT_FOUND",
    ),
    case(
        "confirmViolation",
        "ViolationActionInput",
        violation,
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "confirmViolation",
        "ViolationActionInput",
        lambda w: {"violationId": "garbage"},
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "dismissViolation",
        "DismissViolationInput",
        lambda w: {**violation(w), "reason": "The logo is genuine."},
        SUPERVISOR,
        "Violation",
    ),
    case(
        "dismissViolation",
        "DismissViolationInput",
        lambda w: {**violation(w, decided=True), "reason": "x"},
        SUPERVISOR,
        "Conflict",
        "VIOLATION_ALREADY_DECIDED",
    ),
    case(
        "recordSpotCheck",
        "RecordSpotCheckInput",
        lambda w: shop(w, passed=False, findings="Labels misleading."),
        SUPERVISOR,
        "Seller",
    ),
    case(
        "recordSpotCheck",
        "RecordSpotCheckInput",
        lambda w: shop(w, passed=True, findings=""),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "recordSpotCheck",
        "RecordSpotCheckInput",
        lambda w: {"shopId": "nowhere", "passed": True, "findings": "ok"},
        SUPERVISOR,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case(
        "recordSpotCheck",
        "RecordSpotCheckInput",
        lambda w: shop(w, passed=True, findings="ok"),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "sanctionSeller",
        "SanctionSellerInput",
        lambda w: shop(w, kind="FINE", reason="Counterfeit.", amount=MONEY),
        SUPERVISOR,
        "Seller",
    ),
    case(
        "sanctionSeller",
        "SanctionSellerInput",
        lambda w: shop(w, kind="FINE", reason="No amount"),
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "sanctionSeller",
        "SanctionSellerInput",
        lambda w: (
            (
                w.seller(),
                w.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud"),
            )
            and shop(w, kind="SHOP_CLOSED", reason="Again")
        ),
        SUPERVISOR,
        "Conflict",
        "SANCTION_ALREADY_ACTIVE",
    ),
    case(
        "sanctionSeller",
        "SanctionSellerInput",
        lambda w: shop(w, kind="WARNING", reason="Late"),
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "sanctionSeller",
        "SanctionSellerInput",
        lambda w: {"shopId": "nowhere", "kind": "WARNING", "reason": "Late"},
        SUPERVISOR,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case(
        "liftSanction",
        "LiftSanctionInput",
        lambda w: (
            (w.seller(), w.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late"))
            and shop(w, kind="WARNING", reason="Fixed")
        ),
        SUPERVISOR,
        "Seller",
    ),
    case(
        "appealSanction",
        "AppealSanctionInput",
        lambda w: warned(w, grounds=GROUNDS_S),
        SELLER,
        "Seller",
    ),
    case(
        "appealSanction",
        "AppealSanctionInput",
        lambda w: warned(w, appealed=True, grounds=GROUNDS_S),
        SELLER,
        "Conflict",
        "SANCTION_ALREADY_APPEALED",
    ),
    case(
        "appealSanction",
        "AppealSanctionInput",
        lambda w: {**warned(w, grounds=GROUNDS_S), "sanctionId": "s9"},
        SELLER,
        "NotFound",
        "SANCTION_NOT_FOUND",
    ),
    case(
        "appealSanction",
        "AppealSanctionInput",
        lambda w: warned(w, grounds=GROUNDS_S),
        OTHER_SELLER,
        "NotAllowed",
        "NOT_ALLOWED",
    ),
    case(
        "decideSanctionAppeal",
        "DecideSanctionAppealInput",
        lambda w: warned(w, appealed=True, grant=True, rationale="Late replies were excused."),
        OTHER_SUPERVISOR,
        "Seller",
    ),
    case(
        "decideSanctionAppeal",
        "DecideSanctionAppealInput",
        lambda w: warned(w, appealed=True, grant=True, rationale="x"),
        SUPERVISOR,
        "NotAllowed",
        "SAME_REVIEWER",
    ),
    case(
        "decideSanctionAppeal",
        "DecideSanctionAppealInput",
        lambda w: warned(w, grant=False, rationale="x"),
        OTHER_SUPERVISOR,
        "Conflict",
        "NO_PENDING_APPEAL",
    ),
    case(
        "liftSanction",
        "LiftSanctionInput",
        lambda w: shop(w, kind="SHOP_CLOSED", reason="Fixed"),
        SUPERVISOR,
        "Conflict",
        "SANCTION_NOT_ACTIVE",
    ),
    case(
        "liftSanction",
        "LiftSanctionInput",
        lambda w: shop(w, kind="WARNING", reason="Fixed"),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    # webhooks
    case(
        "registerWebhook",
        "RegisterWebhookInput",
        lambda w: shop(w, url=HOOK_URL, events=["Filed", "OfferMade"]),
        SELLER,
        "WebhookEndpointCreated",
    ),
    case(
        "registerWebhook",
        "RegisterWebhookInput",
        lambda w: shop(w, url="http://169.254.169.254/latest/meta-data/"),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "registerWebhook",
        "RegisterWebhookInput",
        lambda w: shop(w, url=HOOK_URL),
        OTHER_SELLER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "registerWebhook",
        "RegisterWebhookInput",
        lambda w: {"shopId": "nobody", "url": HOOK_URL},
        SUPERVISOR,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case("removeWebhook", "WebhookEndpointInput", endpoint, SELLER, "WebhookEndpoint"),
    case(
        "removeWebhook",
        "WebhookEndpointInput",
        lambda w: {"endpointId": ids.global_id("WebhookEndpoint", uuid4())},
        SELLER,
        "NotFound",
        "WEBHOOK_NOT_FOUND",
    ),
    case(
        "removeWebhook",
        "WebhookEndpointInput",
        endpoint,
        AUDITOR,
        "NotAllowed",
        "READ_ONLY_ROLE",
    ),
    case(
        "redeliverWebhooks",
        "RedeliverWebhooksInput",
        lambda w: endpoint(w, after=0),
        SELLER,
        "WebhookEndpoint",
    ),
    case(
        "redeliverWebhooks",
        "RedeliverWebhooksInput",
        lambda w: endpoint(w, after=10**9),
        SELLER,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "redeliverWebhooks",
        "RedeliverWebhooksInput",
        lambda w: endpoint(w, after=0),
        OTHER_SELLER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        lambda w: {"url": HOOK_URL, "events": ["seller.SanctionImposed", "violation.Confirmed"]},
        MARKETPLACE,
        "MarketplaceWebhookCreated",
    ),
    case(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        lambda w: {"url": HOOK_URL},
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        lambda w: {"url": HOOK_URL},
        SUPERVISOR,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        lambda w: {"url": "http://10.0.0.7/hooks"},
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        lambda w: {"url": "not a url"},
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        lambda w: {"url": HOOK_URL, "events": ["Filed"]},  # cases never go to the marketplace
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "removeWebhook",
        "WebhookEndpointInput",
        marketplace_endpoint,
        MARKETPLACE,
        "WebhookEndpoint",
    ),
    case(
        "removeWebhook", "WebhookEndpointInput", endpoint, MARKETPLACE, "NotAllowed", "NOT_A_PARTY"
    ),
    case(
        "removeWebhook",
        "WebhookEndpointInput",
        marketplace_endpoint,
        SELLER,
        "NotAllowed",
        "NOT_A_PARTY",
    ),
    case(
        "redeliverWebhooks",
        "RedeliverWebhooksInput",
        lambda w: marketplace_endpoint(w, after=0),
        MARKETPLACE,
        "WebhookEndpoint",
    ),
    # personal data
    case(
        "eraseSubject",
        "EraseSubjectInput",
        lambda w: (w.file(), {"subjectId": CONSUMER.id})[1],
        SUPERVISOR,
        "ErasureReceipt",
    ),
    case(
        "eraseSubject",
        "EraseSubjectInput",
        lambda w: {"subjectId": "u-nobody"},
        SUPERVISOR,
        "NotFound",
        "SUBJECT_NOT_FOUND",
    ),
    case(
        "eraseSubject",
        "EraseSubjectInput",
        lambda w: (w.file(), {"subjectId": CONSUMER.id})[1],
        AGENT,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
    case(
        "eraseSubject",
        "EraseSubjectInput",
        lambda w: {"subjectId": ""},
        SUPERVISOR,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    # orders, the marketplace's facts
    case("recordOrder", "RecordOrderInput", order_in, MARKETPLACE, "Order"),
    case(
        "recordOrder",
        "RecordOrderInput",
        lambda w: order_in(w, deliveredAt=DELIVERED, carrier="SF", trackingNumber="SF1"),
        MARKETPLACE,
        "Order",
    ),
    case("recordOrder", "RecordOrderInput", lambda w: recorded(w, **ORDER), MARKETPLACE, "Order"),
    case(
        "recordOrder",
        "RecordOrderInput",
        lambda w: recorded(w, **{**ORDER, "amount": {"amount": "250", "currency": "CNY"}}),
        MARKETPLACE,
        "Conflict",
        "ORDER_FACTS_DIFFER",
    ),
    case(
        "recordOrder",
        "RecordOrderInput",
        lambda w: order_in(w, amount={"amount": "0", "currency": "XYZ"}, orderId="o" * 65),
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "recordOrder",
        "RecordOrderInput",
        lambda w: order_in(w, deliveredAt="2026-01-01T10:00:00+00:00"),
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "recordOrder",
        "RecordOrderInput",
        lambda w: {**ORDER, "orderId": "o-7", "shopId": "nowhere"},
        MARKETPLACE,
        "NotFound",
        "SELLER_NOT_FOUND",
    ),
    case("recordOrder", "RecordOrderInput", order_in, CONSUMER, "NotAllowed", "ROLE_NOT_ALLOWED"),
    case("recordOrder", "RecordOrderInput", order_in, AUDITOR, "NotAllowed", "READ_ONLY_ROLE"),
    case(
        "recordDelivery",
        "RecordDeliveryInput",
        lambda w: recorded(w, deliveredAt=DELIVERED, carrier="SF", trackingNumber="SF1"),
        MARKETPLACE,
        "Order",
    ),
    case(
        "recordDelivery",
        "RecordDeliveryInput",
        lambda w: shop(w, orderId="o-unrecorded", deliveredAt=DELIVERED),
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "recordDelivery",
        "RecordDeliveryInput",
        lambda w: recorded(w, deliveredAt="2026-01-01T10:00:00+00:00"),
        MARKETPLACE,
        "ValidationFailed",
        "VALIDATION_FAILED",
    ),
    case(
        "recordDelivery",
        "RecordDeliveryInput",
        lambda w: recorded(w, delivered=True, deliveredAt="2026-01-04T18:00:00+00:00"),
        MARKETPLACE,
        "Conflict",
        "ORDER_FACTS_DIFFER",
    ),
    case(
        "recordDelivery",
        "RecordDeliveryInput",
        lambda w: recorded(w, deliveredAt=DELIVERED),
        SELLER,
        "NotAllowed",
        "ROLE_NOT_ALLOWED",
    ),
]


def test_every_mutation_has_a_success_and_an_error_case() -> None:
    from graphql import build_schema

    from complaints.graphql.schema import schema

    mutation_type = build_schema(schema.as_str()).mutation_type
    assert mutation_type is not None
    names = set(mutation_type.fields)
    covered = {c.mutation for c in CASES}
    assert names <= covered, names - covered
    for name in names:
        kinds = {c.typename for c in CASES if c.mutation == name}
        assert len(kinds) >= 2, name


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_mutation(c: Case, gql: GraphQL, world: Scenario) -> None:
    values = c.setup(world)
    payload = gql.mutate(c.mutation, c.input_type, values, actor=c.actor)
    assert payload["__typename"] == c.typename, payload
    if c.code is not None:
        assert payload["code"] == c.code, payload
        assert payload["message"]
    if c.typename == "ValidationFailed":
        assert payload["fields"], payload
        for field in payload["fields"]:
            assert "_" not in field["field"], field


def test_field_errors_name_the_inputs_camel_case_fields(gql: GraphQL, world: Scenario) -> None:
    world.seller()
    payload = gql.mutate(
        "fileComplaint",
        "FileComplaintInput",
        {
            "shopId": "acme",
            "orderId": "bad id!",
            "category": "DAMAGED",
            "description": "short",
            "requestedRemedy": {"type": "REFUND", "amount": {"amount": "1", "currency": "yuan"}},
        },
        actor=CONSUMER,
    )
    assert {f["field"] for f in payload["fields"]} == {
        "orderId",
        "description",
        "requestedRemedy.amount.currency",
    }


def test_a_refused_mutation_changes_nothing(gql: GraphQL, world: Scenario) -> None:
    complaint = world.negotiating()
    head = world.app.recorder.max_notification_id()
    payload = gql.mutate(
        "makeOffer",
        "MakeOfferInput",
        {"complaintId": cid(complaint), "remedy": PARTIAL_IN},
        actor=CONSUMER,
    )
    assert payload["code"] == "NOT_YOUR_TURN"
    assert world.app.recorder.max_notification_id() == head


def test_an_idempotency_key_returns_the_first_result(gql: GraphQL, world: Scenario) -> None:
    complaint = world.fulfilling()
    values = {"complaintId": cid(complaint), "idempotencyKey": "refund-1"}
    first = gql.mutate("confirmRefund", CA, values, actor=SELLER)
    again = gql.mutate("confirmRefund", CA, values, actor=SELLER)
    assert (first["__typename"], again["__typename"]) == ("Complaint", "Complaint")
    assert again["version"] == first["version"]
    reused = gql.mutate(
        "raiseExecutionIssue", "PostMessageInput", {**values, "text": "x"}, actor=SELLER
    )
    assert (reused["__typename"], reused["code"]) == ("Conflict", "IDEMPOTENCY_KEY_REUSED")


def test_a_reused_key_with_other_input_is_a_conflict(gql: GraphQL, world: Scenario) -> None:
    world.order("o-1")
    base = {
        "shopId": "acme",
        "orderId": "o-1",
        "category": "DAMAGED",
        "requestedRemedy": REFUND_IN,
        "idempotencyKey": "k",
    }
    gql.mutate(
        "fileComplaint",
        "FileComplaintInput",
        {**base, "description": "The vase arrived in pieces."},
        actor=CONSUMER,
    )
    payload = gql.mutate(
        "fileComplaint",
        "FileComplaintInput",
        {**base, "description": "Something else entirely."},
        actor=CONSUMER,
    )
    assert (payload["__typename"], payload["code"]) == ("Conflict", "IDEMPOTENCY_KEY_REUSED")


def test_a_mutation_answers_with_the_case_as_it_now_stands(gql: GraphQL, world: Scenario) -> None:
    complaint = world.negotiating()
    data = gql.data(
        'mutation($id: ID!) { acceptOffer(input: {complaintId: $id, offerId: "o1"}) {'
        " ... on Complaint { status outcome remedy { type amount { amount currency } }"
        " allowedActions deadlines { kind party } offers { id status } } } }",
        {"id": cid(complaint)},
        actor=SELLER,
    )["acceptOffer"]
    assert data["status"] == "FULFILLING"
    assert data["outcome"] == Outcome.SETTLED_BY_AGREEMENT.value
    assert data["remedy"] == {"type": "REFUND", "amount": {"amount": "199.00", "currency": "CNY"}}
    assert data["allowedActions"] == ["postMessage", "confirmRefund", "raiseExecutionIssue"]
    assert data["deadlines"] == [{"kind": "remedy", "party": "SELLER"}]
    assert data["offers"] == [{"id": "o1", "status": "ACCEPTED"}]


def test_a_refused_resubmission_names_each_bad_file_and_changes_nothing(
    gql: GraphQL, world: Scenario
) -> None:
    complaint = world.awaiting_info()
    theirs = world.upload(OTHER_CONSUMER, png("theirs"))
    head = world.app.recorder.max_notification_id()
    payload = gql.mutate(
        "resubmitComplaint",
        "ResubmitComplaintInput",
        {
            "complaintId": cid(complaint),
            "description": "Here are the photos of the base.",
            "evidence": [
                {"sha256": theirs, "kind": "photo"},
                {"sha256": "ab" * 32, "kind": "photo"},
                {"sha256": "not-a-hash", "kind": "bad kind!"},
            ],
        },
        actor=CONSUMER,
    )
    assert [f["field"] for f in payload["fields"]] == [
        "evidence.0.sha256",
        "evidence.1.sha256",
        "evidence.2.kind",
        "evidence.2.sha256",
    ]
    assert world.app.recorder.max_notification_id() == head
