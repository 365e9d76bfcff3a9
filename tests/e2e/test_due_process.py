"""Due process for shops over the wire, on SQLite and PostgreSQL, with short deadlines: a report
cannot be confirmed while the shop may answer, nor without reasons and rules; a report and a
sanction's appeal wait in the supervision queue, overdue once their deadline passes, and leave
it when decided."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from complaints.domain.seller import seller_id
from complaints.domain.values import Actor, Role
from complaints.graphql.ids import parse_uuid
from tests.e2e.conftest import SUPERVISOR, Server, until
from tests.store.test_audit import Tamper

CONSUMER = Actor(Role.CONSUMER, "u-dana")
AGENT = Actor(Role.AGENT, "agent-1")
AUDITOR = Actor(Role.AUDITOR, "auditor-1")
OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")
#: The shop's window, the decision's deadline and the appeal's, in seconds.
WINDOW, DECISION, APPEAL = 2, 4, 2

REPORT = """mutation($shop: String!) { reportViolation(input: {shopId: $shop, kind: COUNTERFEIT,
  description: "The handbag's logo is printed crooked."}) { __typename ... on Violation {
  id responseDueAt decisionDueAt allowedActions } } }"""
CONFIRM = """mutation($input: ViolationActionInput!) { confirmViolation(input: $input) {
  __typename ... on Error { code } ... on ValidationFailed { fields { field } }
  ... on Violation { status rationale rules { code } } } }"""
QUEUE = """{ supervisionQueue(first: 100) { edges { node { kind shopId sanctionId dueAt
  violation { id } } } } }"""
REASONS = {"rationale": "The logo and the stitching are not the brand's.", "ruleCodes": ["R-8.1"]}


@pytest.fixture(scope="module")
def served(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(
        store,
        tmp_path_factory.mktemp("dueprocess"),
        DEADLINES=f"violation_response={WINDOW}s,violation_decision={DECISION}s,"
        f"sanction_appeal_review={APPEAL}s,seller_response=2s",
        DEADLINE_POLL_SECONDS="0.2",
        MAX_PAUSE="2s",
    )
    yield running
    running.stop()


def register_shop(server: Server) -> str:
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    server.data(
        'mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",'
        ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    return shop


def items(server: Server, shop: str) -> list[dict[str, Any]]:
    edges = server.data(QUEUE, actor=SUPERVISOR)["supervisionQueue"]["edges"]
    return [e["node"] for e in edges if e["node"]["shopId"] == shop]


def kinds(server: Server, shop: str) -> list[str]:
    return [i["kind"] for i in items(server, shop)]


def test_a_report_is_heard_reasoned_and_queued(served: Server) -> None:
    shop = register_shop(served)
    reported = served.data(REPORT, {"shop": shop}, CONSUMER)["reportViolation"]
    assert reported["__typename"] == "Violation"
    assert reported["responseDueAt"] < reported["decisionDueAt"]
    started = time.monotonic()
    confirm: dict[str, Any] = {"violationId": reported["id"], **REASONS}
    early = served.data(CONFIRM, {"input": confirm}, SUPERVISOR)["confirmViolation"]
    assert (early["__typename"], early["code"]) == ("Conflict", "RESPONSE_WINDOW_OPEN")
    (waiting,) = until(lambda: items(served, shop), "the report in the queue")
    assert waiting == {
        "kind": "violation_waiting",
        "shopId": shop,
        "sanctionId": None,
        "dueAt": reported["decisionDueAt"],
        "violation": {"id": reported["id"]},
    }
    time.sleep(max(0.0, WINDOW + 0.2 - (time.monotonic() - started)))
    bare = served.data(CONFIRM, {"input": {"violationId": reported["id"]}}, SUPERVISOR)
    refused = bare["confirmViolation"]
    assert refused["__typename"] == "ValidationFailed"
    assert sorted(f["field"] for f in refused["fields"]) == ["rationale", "ruleCodes"]
    until(lambda: kinds(served, shop) == ["violation_overdue"], "the report overdue")
    confirmed = served.data(CONFIRM, {"input": confirm}, SUPERVISOR)["confirmViolation"]
    assert confirmed == {
        "__typename": "Violation",
        "status": "CONFIRMED",
        "rationale": REASONS["rationale"],
        "rules": [{"code": "R-8.1"}],
    }
    until(lambda: kinds(served, shop) == [], "the decided report out of the queue")


def test_a_sanction_appeal_is_timed_and_queued(served: Server) -> None:
    shop = register_shop(served)
    seller = Actor(Role.SELLER, "staff-1", shop)
    served.data(
        "mutation($shop: String!) { sanctionSeller(input: {shopId: $shop, kind: WARNING,"
        ' reason: "Late replies."}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    appealed = served.data(
        'mutation($shop: String!) { appealSanction(input: {shopId: $shop, sanctionId: "s1",'
        ' grounds: "Our replies were late over a public holiday."}) { __typename'
        " ... on Seller { sanctions { appeal { decisionDueAt } } } } }",
        {"shop": shop},
        seller,
    )["appealSanction"]
    due = appealed["sanctions"][0]["appeal"]["decisionDueAt"]
    assert due is not None
    (waiting,) = until(lambda: items(served, shop), "the appeal in the queue")
    assert (waiting["kind"], waiting["sanctionId"], waiting["dueAt"]) == (
        "sanction_appeal",
        "s1",
        due,
    )
    until(lambda: kinds(served, shop) == ["sanction_appeal_overdue"], "the appeal overdue")
    decided = served.data(
        "mutation($shop: String!) { decideSanctionAppeal(input: {shopId: $shop,"
        ' sanctionId: "s1", grant: false, rationale: "The holiday was not notified."})'
        " { __typename } }",
        {"shop": shop},
        OTHER_SUPERVISOR,
    )["decideSanctionAppeal"]
    assert decided["__typename"] == "Seller"
    until(lambda: kinds(served, shop) == [], "the decided appeal out of the queue")


FILE = """mutation($order: String!, $shop: String!) { fileComplaint(input: {
  shopId: $shop, orderId: $order, category: NOT_AS_DESCRIBED,
  description: "The lamp is plastic, not the brass listed.",
  requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
  __typename ... on Complaint { id } ... on Error { code message } } }"""
DECIDED = """query($id: ID!) { complaint(id: $id) { decidedByDefault
  ruling { byDefault rules { code } acknowledgedBy }
  appealDecision { granted rules { code } acknowledgedBy } } }"""
ACKNOWLEDGE = """mutation($id: ID!) { acknowledgeRuling(input: {complaintId: $id}) {
  __typename ... on Error { code } } }"""
DECIDE = """mutation($input: DecideAppealInput!) { decideAppeal(input: $input) {
  __typename ... on Error { code } ... on ValidationFailed { fields { field } } } }"""


def open_case(served: Server, shop: str) -> str:
    """A complaint against the shop, accepted: the shop's answer is due in two seconds."""
    order = served.record_order(f"order-{shop}", shop=shop, consumer=CONSUMER)
    filed = served.data(FILE, {"order": order, "shop": shop}, CONSUMER)["fileComplaint"]
    assert filed["__typename"] == "Complaint", filed
    served.data(
        "mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) { __typename } }",
        {"id": filed["id"]},
        AGENT,
    )
    complaint_id: str = filed["id"]
    return complaint_id


def test_a_paused_clock_resumes_by_itself_at_its_limit(served: Server) -> None:
    shop = register_shop(served)
    complaint_id = open_case(served, shop)
    paused = served.data(
        'mutation($id: ID!) { pauseClock(input: {complaintId: $id, reason: "Courier inquiry"})'
        " { __typename ... on Complaint { clockPaused } } }",
        {"id": complaint_id},
        SUPERVISOR,
    )["pauseClock"]
    assert paused == {"__typename": "Complaint", "clockPaused": True}
    (item,) = until(
        lambda: [i for i in items(served, shop) if i["kind"] == "pause_limit"],
        "the clock resumed at its limit, in the queue",
    )
    assert item["shopId"] == shop
    case = served.data(
        "query($id: ID!) { complaint(id: $id) { clockPaused"
        " timeline(first: 50) { edges { node { type summary } } } } }",
        {"id": complaint_id},
        SUPERVISOR,
    )["complaint"]
    assert case["clockPaused"] is False
    (resumed,) = [
        e["node"]["summary"]
        for e in case["timeline"]["edges"]
        if e["node"]["type"] == "ClockResumed"
    ]
    assert "(MAX_PAUSE=2s)" in resumed


def test_a_ruling_by_default_is_reasoned_acknowledged_and_so_is_its_appeal(
    served: Server,
) -> None:
    shop = register_shop(served)
    seller = Actor(Role.SELLER, "staff-1", shop)
    complaint_id = open_case(served, shop)
    filed = {"id": complaint_id}
    # The shop says nothing for two seconds: the platform rules by default, citing.
    case = until(
        lambda: (
            (c := served.data(DECIDED, {"id": filed["id"]}, SUPERVISOR)["complaint"])[
                "decidedByDefault"
            ]
            and c
        ),
        "the ruling by default",
    )
    assert case["ruling"] == {"byDefault": True, "rules": [{"code": "R-6.1"}], "acknowledgedBy": []}
    for party in (CONSUMER, seller):
        acknowledged = served.data(ACKNOWLEDGE, {"id": filed["id"]}, party)["acknowledgeRuling"]
        assert acknowledged == {"__typename": "Complaint"}
    appealed = served.data(
        "mutation($id: ID!) { fileAppeal(input: {complaintId: $id,"
        ' grounds: "We never received the message about this case."}) { __typename } }',
        {"id": filed["id"]},
        seller,
    )["fileAppeal"]
    assert appealed == {"__typename": "Complaint"}
    granted: dict[str, Any] = {
        "complaintId": filed["id"],
        "grant": True,
        "rationale": "The lamp is brass-plated, as listed.",
        "outcome": "SELLER_FAVOUR_EXPLAINED",
    }
    refused = served.data(DECIDE, {"input": granted}, SUPERVISOR)["decideAppeal"]
    assert refused == {
        "__typename": "ValidationFailed",
        "code": "VALIDATION_FAILED",
        "fields": [{"field": "ruleCodes"}],
    }
    decided = served.data(DECIDE, {"input": {**granted, "ruleCodes": ["R-3.1"]}}, SUPERVISOR)
    assert decided["decideAppeal"] == {"__typename": "Complaint"}
    acknowledged = served.data(ACKNOWLEDGE, {"id": filed["id"]}, seller)["acknowledgeRuling"]
    assert acknowledged == {"__typename": "Complaint"}
    case = served.data(DECIDED, {"id": filed["id"]}, SUPERVISOR)["complaint"]
    assert case["ruling"]["acknowledgedBy"] == ["CONSUMER", "SELLER"]
    assert case["appealDecision"] == {
        "granted": True,
        "rules": [{"code": "R-3.1"}],
        "acknowledgedBy": ["SELLER"],
    }


@pytest.fixture(scope="module")
def mediating(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose mediators' proposals wait two seconds for answers."""
    running = Server(
        store,
        tmp_path_factory.mktemp("mediating"),
        DEADLINES="settlement_answer=2s",
        DEADLINE_POLL_SECONDS="0.2",
    )
    yield running
    running.stop()


MEDIATOR = Actor(Role.MEDIATOR, "med-3")
MEDIATED = """query($id: ID!) { complaint(id: $id) { status assignedMediatorId
  offers { by status answerDueAt } timeline(first: 50) { edges { node { type summary } } } } }"""


def test_a_mediator_is_assigned_and_an_unanswered_proposal_lapses(mediating: Server) -> None:
    served = mediating
    shop = register_shop(served)
    complaint_id = open_case(served, shop)
    served.data(
        "mutation($id: ID!) { requestIntervention(input: {complaintId: $id}) { __typename } }",
        {"id": complaint_id},
        CONSUMER,
    )
    until(
        lambda: [i for i in items(served, shop) if i["kind"] == "mediator_needed"],
        "the case waiting for a mediator",
    )
    assigned = served.data(
        'mutation($id: ID!) { assignMediator(input: {complaintId: $id, mediatorId: "med-3"})'
        " { __typename } }",
        {"id": complaint_id},
        SUPERVISOR,
    )["assignMediator"]
    assert assigned == {"__typename": "Complaint"}
    until(lambda: kinds(served, shop) == [], "the mediator's assignment to empty the queue")
    mine = served.data(
        '{ complaints(filter: {assignedMediatorId: "med-3"}) { edges { node { id } } } }',
        actor=MEDIATOR,
    )["complaints"]["edges"]
    assert [e["node"]["id"] for e in mine] == [complaint_id]
    proposed = served.data(
        "mutation($id: ID!) { proposeSettlement(input: {complaintId: $id,"
        ' remedy: {type: PARTIAL_REFUND, amount: {amount: "80", currency: "CNY"}}})'
        " { __typename ... on Complaint { offers { by answerDueAt } } } }",
        {"id": complaint_id},
        MEDIATOR,
    )["proposeSettlement"]
    assert proposed["offers"][-1]["by"] == "MEDIATOR"
    assert proposed["offers"][-1]["answerDueAt"] is not None
    case = until(
        lambda: (
            (c := served.data(MEDIATED, {"id": complaint_id}, SUPERVISOR)["complaint"])["offers"][
                -1
            ]["status"]
            == "DECLINED"
            and c
        ),
        "the unanswered proposal to lapse",
    )
    assert case["status"] == "UNDER_REVIEW"
    assert case["assignedMediatorId"] == "med-3"
    assert case["offers"][-1]["answerDueAt"] is None
    summaries = until(
        lambda: [
            e["node"]["summary"]
            for e in served.data(MEDIATED, {"id": complaint_id}, SUPERVISOR)["complaint"][
                "timeline"
            ]["edges"]
            if e["node"]["type"] == "ProposalLapsed"
        ],
        "the lapse in the timeline",
    )
    assert "counts as declined" in summaries[0]
    assert "deadline #" in summaries[0]


TRAIL = """query($shop: String!) { shopAuditTrail(shopId: $shop) { verified firstBrokenVersion
  events { version type } } }"""


def test_a_shops_history_is_verified_and_a_tampered_row_found_at_its_version(
    served: Server, store: str
) -> None:
    shop = register_shop(served)
    for reason in ("Late replies.", "Late again."):
        served.data(
            "mutation($shop: String!, $reason: String!) { sanctionSeller(input: {shopId: $shop,"
            " kind: WARNING, reason: $reason}) { __typename } }",
            {"shop": shop, "reason": reason},
            SUPERVISOR,
        )
    trail = served.data(TRAIL, {"shop": shop}, AUDITOR)["shopAuditTrail"]
    assert trail["verified"] is True
    assert [e["type"] for e in trail["events"]] == [
        "Registered",
        "SanctionImposed",
        "SanctionImposed",
    ]
    Tamper(store).delete(seller_id(shop), 2)
    broken = served.data(TRAIL, {"shop": shop}, AUDITOR)["shopAuditTrail"]
    assert (broken["verified"], broken["firstBrokenVersion"]) == (False, 2)


CASE_TRAIL = """query($id: ID!) { auditTrail(complaintId: $id) { verified firstBrokenVersion
  events { version type } } }"""


def test_a_cases_trail_shows_a_deleted_row_where_the_case_no_longer_loads(
    served: Server, store: str
) -> None:
    complaint_id = open_case(served, register_shop(served))
    trail = served.data(CASE_TRAIL, {"id": complaint_id}, AUDITOR)["auditTrail"]
    assert trail["verified"] is True
    Tamper(store).delete(parse_uuid("Complaint", complaint_id, "id"), 2)
    broken = served.data(CASE_TRAIL, {"id": complaint_id}, AUDITOR)["auditTrail"]
    assert (broken["verified"], broken["firstBrokenVersion"]) == (False, 2)
    assert 2 not in [e["version"] for e in broken["events"]]
