"""The authorization matrix: every role, every operation, own party and other party.

Each cell asserts either that the operation is allowed (whatever else it may then say) or that it
is refused with NotAllowed (or comes back null), and that nothing redacted leaks on the way.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from complaints.domain.complaint.permissions import PERMISSIONS, Action
from complaints.domain.values import PARTIES, Actor, Role, SanctionKind, Visibility
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    MEDIATOR,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
)

VIEWERS: dict[str, Actor] = {
    "own consumer": CONSUMER,
    "other consumer": OTHER_CONSUMER,
    "own seller": SELLER,
    "other seller": OTHER_SELLER,
    "agent": AGENT,
    "mediator": MEDIATOR,
    "arbiter": ARBITER,
    "supervisor": SUPERVISOR,
    "auditor": AUDITOR,
    "public": PUBLIC,
}
OWN = {CONSUMER, SELLER}
PRIVATE = "Call me on 139-8888-7777 at Flat 9, Lotus Lane."

REMEDY = {"type": "PARTIAL_REFUND", "amount": {"amount": "10", "currency": "CNY"}}
COMPLAINT_MUTATIONS: dict[Action, tuple[str, str, dict[str, Any]]] = {
    Action.ACCEPT: ("acceptComplaint", "ComplaintActionInput", {}),
    Action.RETURN_FOR_INFO: (
        "returnComplaintForInfo",
        "ReturnForInfoInput",
        {"reason": "r", "missing": ["m"]},
    ),
    Action.REJECT: ("rejectComplaint", "RejectComplaintInput", {"reason": "r"}),
    Action.RESUBMIT: (
        "resubmitComplaint",
        "ResubmitComplaintInput",
        {"description": "Some more detail here."},
    ),
    Action.WITHDRAW: ("withdrawComplaint", "ComplaintActionInput", {}),
    Action.MAKE_OFFER: ("makeOffer", "MakeOfferInput", {"remedy": REMEDY}),
    Action.ACCEPT_OFFER: ("acceptOffer", "OfferActionInput", {"offerId": "o1"}),
    Action.DECLINE_OFFER: ("declineOffer", "OfferActionInput", {"offerId": "o1"}),
    Action.PROPOSE_SETTLEMENT: ("proposeSettlement", "MakeOfferInput", {"remedy": REMEDY}),
    Action.REQUEST_INTERVENTION: ("requestIntervention", "ComplaintActionInput", {}),
    Action.POST_MESSAGE: ("postMessage", "PostMessageInput", {"text": "hello"}),
    Action.ASSIGN: ("assignComplaint", "AssignComplaintInput", {"arbiterId": "arbiter-1"}),
    Action.ASSIGN_MEDIATOR: ("assignMediator", "AssignMediatorInput", {"mediatorId": "med-1"}),
    Action.REQUEST_EVIDENCE: (
        "requestEvidence",
        "RequestEvidenceInput",
        {"party": "CONSUMER", "kinds": ["photo"]},
    ),
    Action.SUBMIT_EVIDENCE: (
        "submitEvidence",
        "SubmitEvidenceInput",
        {"kind": "photo", "description": "d"},
    ),
    Action.RECORD_FINDING: ("recordFinding", "RecordFindingInput", {"finding": "f"}),
    Action.ISSUE_RULING: (
        "issueRuling",
        "IssueRulingInput",
        {"outcome": "SELLER_FAVOUR_EXPLAINED", "rationale": "r"},
    ),
    Action.ACKNOWLEDGE_RULING: ("acknowledgeRuling", "ComplaintActionInput", {}),
    Action.FILE_APPEAL: ("fileAppeal", "FileAppealInput", {"grounds": "These are my grounds."}),
    Action.DECIDE_APPEAL: ("decideAppeal", "DecideAppealInput", {"grant": False, "rationale": "r"}),
    Action.CONFIRM_REFUND: ("confirmRefund", "ComplaintActionInput", {}),
    Action.SHIP_RETURN: ("shipReturn", "ShipReturnInput", {"carrier": "c", "trackingNumber": "t"}),
    Action.CONFIRM_RETURN_RECEIVED: ("confirmReturnReceived", "ComplaintActionInput", {}),
    Action.SHIP_REPLACEMENT: (
        "shipReplacement",
        "ShipReturnInput",
        {"carrier": "c", "trackingNumber": "t"},
    ),
    Action.RAISE_EXECUTION_ISSUE: ("raiseExecutionIssue", "PostMessageInput", {"text": "t"}),
    Action.RESOLVE_EXECUTION_ISSUE: (
        "resolveExecutionIssue",
        "ResolveIssueInput",
        {"resolution": "r"},
    ),
    Action.RATE_HANDLING: ("rateHandling", "RateHandlingInput", {"score": 3}),
    Action.PAUSE_CLOCK: ("pauseClock", "PauseClockInput", {"reason": "waiting on the carrier"}),
    Action.RESUME_CLOCK: ("resumeClock", "ComplaintActionInput", {}),
}


def expected_allowed(action: Action, viewer: Actor) -> bool:
    if viewer.role not in PERMISSIONS[action].roles:
        return False
    return viewer.role not in PARTIES or viewer in OWN


MATRIX = [
    (action, name, viewer) for action in COMPLAINT_MUTATIONS for name, viewer in VIEWERS.items()
]


@pytest.mark.parametrize(
    ("action", "viewer_name", "viewer"), MATRIX, ids=[f"{a.value}-{n}" for a, n, _ in MATRIX]
)
def test_complaint_mutation_matrix(
    action: Action, viewer_name: str, viewer: Actor, gql: GraphQL, world: Scenario
) -> None:
    complaint = world.file(description=PRIVATE)
    mutation, input_type, extra = COMPLAINT_MUTATIONS[action]
    values = {"complaintId": ids.global_id("Complaint", complaint.id), **extra}
    payload = gql.mutate(mutation, input_type, values, actor=viewer)
    if expected_allowed(action, viewer):
        assert payload["__typename"] != "NotAllowed", payload
    else:
        assert payload["__typename"] == "NotAllowed", payload
        assert PRIVATE not in json.dumps(payload)


SELLER_MUTATIONS: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "registerSeller": (
        "RegisterSellerInput",
        {"shopId": "newshop", "name": "New", "deposit": {"amount": "1", "currency": "CNY"}},
        {"supervisor"},
    ),
    "setAfterSalesPolicy": (
        "SetAfterSalesPolicyInput",
        {
            "shopId": "acme",
            "returnWindowDays": 7,
            "exchangeAllowed": True,
            "warrantyMonths": 1,
            "terms": "t",
        },
        {"own seller"},
    ),
    "topUpDeposit": (
        "TopUpDepositInput",
        {"shopId": "acme", "amount": {"amount": "1", "currency": "CNY"}},
        {"own seller", "supervisor"},
    ),
    "recordSpotCheck": (
        "RecordSpotCheckInput",
        {"shopId": "acme", "passed": True, "findings": "ok"},
        {"supervisor"},
    ),
    "sanctionSeller": (
        "SanctionSellerInput",
        {"shopId": "acme", "kind": "WARNING", "reason": "late"},
        {"supervisor"},
    ),
    "liftSanction": (
        "LiftSanctionInput",
        {"shopId": "acme", "kind": "WARNING", "reason": "fixed"},
        {"supervisor"},
    ),
    "reportViolation": (
        "ReportViolationInput",
        {"shopId": "acme", "kind": "OTHER", "description": "Rude replies again."},
        set(VIEWERS) - {"auditor", "public"},
    ),
    "eraseSubject": ("EraseSubjectInput", {"subjectId": "u-alice"}, {"supervisor"}),
}
SELLER_MATRIX = [(m, n) for m in SELLER_MUTATIONS for n in VIEWERS]


@pytest.mark.parametrize(
    ("mutation", "viewer_name"), SELLER_MATRIX, ids=[f"{m}-{n}" for m, n in SELLER_MATRIX]
)
def test_platform_mutation_matrix(
    mutation: str, viewer_name: str, gql: GraphQL, world: Scenario
) -> None:
    world.file()
    input_type, values, allowed = SELLER_MUTATIONS[mutation]
    payload = gql.mutate(mutation, input_type, values, actor=VIEWERS[viewer_name])
    if viewer_name in allowed:
        assert payload["__typename"] != "NotAllowed", payload
    else:
        assert payload["__typename"] == "NotAllowed", payload


@pytest.fixture
def case(world: Scenario) -> Any:
    """A case with a private description, an internal note and a finding."""
    complaint = world.under_review()
    app = world.app
    app.post_message(
        MEDIATOR, complaint.id, "Internal: seller has 3 similar cases.", Visibility.STAFF
    )
    app.record_finding(ARBITER, complaint.id, "Preliminary: packaging inadequate.")
    app.post_message(CONSUMER, complaint.id, PRIVATE)
    return app.get_complaint(complaint.id)


QUERY = """query($id: ID!) {
  complaint(id: $id) { reference description
    timeline(first: 100) { edges { node { type summary actorId text } } } }
  node(id: $id) { id }
  complaintAsOf(id: $id, version: 2) { reference }
  complaints { totalCount }
}"""
SEES_CASE = {"own consumer", "own seller", "agent", "mediator", "arbiter", "supervisor", "auditor"}
STAFF_OR_AUDITOR = {"agent", "mediator", "arbiter", "supervisor", "auditor"}


@pytest.mark.parametrize("viewer_name", list(VIEWERS))
def test_query_matrix_and_redaction(
    viewer_name: str, case: Any, gql: GraphQL, world: Scenario
) -> None:
    viewer = VIEWERS[viewer_name]
    gql.read_models.catch_up()
    data = gql.data(QUERY, {"id": ids.global_id("Complaint", case.id)}, actor=viewer)
    dumped = json.dumps(data)
    if viewer_name not in SEES_CASE:
        assert data["complaint"] is None
        assert data["node"] is None
        assert data["complaintAsOf"] is None
        assert data["complaints"]["totalCount"] == 0
        assert PRIVATE not in dumped
        assert case.reference not in dumped
        return
    complaint = data["complaint"]
    assert complaint["reference"] == case.reference
    assert data["node"] is not None
    assert data["complaints"]["totalCount"] == 1
    entries = [e["node"] for e in complaint["timeline"]["edges"]]
    types = [e["type"] for e in entries]
    if viewer_name in STAFF_OR_AUDITOR:
        assert data["complaintAsOf"] == {"reference": case.reference}
        assert "FindingRecorded" in types
        assert "Internal: seller has 3 similar cases." in dumped
        assert any(e["actorId"] == MEDIATOR.id for e in entries)
    else:
        assert data["complaintAsOf"] is None
        assert "FindingRecorded" not in types
        assert "Internal: seller" not in dumped
        assert "packaging inadequate" not in dumped
        assert {e["actorId"] for e in entries} <= {None, viewer.id}
    assert PRIVATE in dumped  # the consumer's message is for both parties and staff


AUDIT = "query($id: ID!) { auditTrail(complaintId: $id) { verified events { version hash } } }"


@pytest.mark.parametrize("viewer_name", list(VIEWERS))
def test_audit_trails_are_for_staff_and_auditors(viewer_name: str, case: Any, gql: GraphQL) -> None:
    result = gql.run(AUDIT, {"id": ids.global_id("Complaint", case.id)}, actor=VIEWERS[viewer_name])
    if viewer_name in STAFF_OR_AUDITOR:
        assert result.errors is None
        assert result.data["auditTrail"]["verified"] is True
        assert len(result.data["auditTrail"]["events"]) == case.version
    else:
        assert result.errors is not None
        assert result.errors[0].extensions["code"] == "NOT_ALLOWED"


SELLER_QUERY = """query { seller(shopId: "acme") { shopId depositBalance { amount }
  scorecard { complaints } } }"""
SEES_DEPOSIT = {"own seller", "agent", "mediator", "arbiter", "supervisor", "auditor"}


@pytest.mark.parametrize("viewer_name", list(VIEWERS))
def test_a_deposit_is_shown_to_its_shop_and_to_staff_only(
    viewer_name: str, gql: GraphQL, world: Scenario
) -> None:
    world.seller()
    gql.read_models.catch_up()
    seller = gql.data(SELLER_QUERY, actor=VIEWERS[viewer_name])["seller"]
    assert seller["shopId"] == "acme"
    if viewer_name in SEES_DEPOSIT:
        assert seller["depositBalance"] == {"amount": "1000.00"}
    else:
        assert seller["depositBalance"] is None


def test_the_public_reads_statistics_and_sanctions(gql: GraphQL, world: Scenario) -> None:
    world.closed()
    gql.read_models.catch_up()
    data = gql.data(
        'query { statistics(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z")'
        " { filed closed byOutcome } sanctionedSellers { totalCount } viewerRole }"
    )
    assert data["statistics"]["filed"] == 1
    assert data["viewerRole"] == Role.PUBLIC.value


QUEUE = "{ supervisionQueue { totalCount edges { node { kind complaint { reference } } } } }"
READS_QUEUE = {"supervisor", "auditor"}


@pytest.mark.parametrize("viewer_name", list(VIEWERS))
def test_the_supervision_queue_is_for_supervisors_and_auditors(
    viewer_name: str, case: Any, gql: GraphQL, world: Scenario
) -> None:
    world.clock.advance(timedelta(days=60))  # the arbiter's ruling deadline has passed
    gql.read_models.catch_up()
    result = gql.run(QUEUE, actor=VIEWERS[viewer_name])
    if viewer_name in READS_QUEUE:
        assert result.errors is None, result.errors
        queue = result.data["supervisionQueue"]
        assert queue["totalCount"] == len(queue["edges"]) == 2, queue
        # The case asked for intervention and has no mediator yet; its ruling is past due.
        assert sorted(e["node"]["kind"] for e in queue["edges"]) == ["mediator_needed", "past_due"]
        assert {e["node"]["complaint"]["reference"] for e in queue["edges"]} == {case.reference}
    else:
        assert result.data is None
        (error,) = result.errors
        assert error.extensions["code"] == "NOT_ALLOWED"


MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
EVERYONE = {**VIEWERS, "marketplace": MARKETPLACE}
STANDING = """query { sellerStanding(shopId: "acme") { shopId status canTakeOrders
  canListProducts restrictedUntil activeSanctions { id kind reason until appeal { grounds } } } }"""


def test_a_shops_standing_is_public_and_the_same_for_everyone(
    gql: GraphQL, world: Scenario
) -> None:
    world.seller()
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    world.app.appeal_sanction(SELLER, "acme", "s1", PRIVATE)
    gql.read_models.catch_up()
    answers = {name: gql.data(STANDING, actor=viewer) for name, viewer in EVERYONE.items()}
    appeals = {}
    for name, answer in answers.items():
        (sanction,) = answer["sellerStanding"]["activeSanctions"]
        # The shop's own appeal: for its staff and the platform only.
        appeals[name] = sanction.pop("appeal")
    for name, answer in answers.items():
        assert answer == answers["public"], name
    assert appeals["own seller"] == {"grounds": PRIVATE}
    assert appeals["public"] is appeals["marketplace"] is appeals["other seller"] is None


@pytest.mark.parametrize("viewer_name", list(EVERYONE))
def test_only_the_marketplace_registers_the_marketplaces_webhook(
    viewer_name: str, gql: GraphQL, world: Scenario
) -> None:
    values = {"url": "https://93.184.216.34/hooks/marketplace"}
    payload = gql.mutate(
        "registerMarketplaceWebhook",
        "RegisterMarketplaceWebhookInput",
        values,
        actor=EVERYONE[viewer_name],
    )
    if viewer_name == "marketplace":
        assert payload["__typename"] == "MarketplaceWebhookCreated", payload
        assert payload["endpoint"] == {"shopId": "*", "marketplace": True}
    else:
        assert payload["__typename"] == "NotAllowed", payload
