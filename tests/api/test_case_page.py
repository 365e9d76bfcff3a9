"""A case page drawn from typed fields, redacted for each viewer (contract case.graphql)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import Attachment, Remedy, RemedyType, Role
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    png,
)
from tests.store.test_snapshots import (
    INTAKE_ENDINGS,
    lapse_version,
    snapshot_before_the_default_ruling_record,
    snapshot_before_the_resubmission_count,
)

PAGE = """query($id: ID!) { complaint(id: $id) {
  deadlines { id kind }
  evidenceRequests { id party kinds note requestedAt dueAt status }
  evidence { id party kind description sha256 submittedAt requestId
    file { sha256 mediaType size url } }
  findings { text recordedAt }
  appeal { by grounds filedAt granted decidedAt rationale }
  executionIssues { id raisedBy text raisedAt dueAt resolution resolvedAt }
  ratings { by score comment ratedAt }
} }"""
PHOTO = hashlib.sha256(png()).hexdigest()


def page(gql: GraphQL, complaint_id: Any, actor: Any) -> Any:
    return gql.data(PAGE, {"id": ids.global_id("Complaint", complaint_id)}, actor=actor)[
        "complaint"
    ]


@pytest.fixture
def reviewed(world: Scenario) -> Any:
    """Under review: one request answered, one missed, one open; a finding recorded."""
    app = world.app
    case = world.under_review()
    app.request_evidence(ARBITER, case.id, Role.CONSUMER, ["photo"], "The box, please.")
    assert world.upload(CONSUMER) == PHOTO
    app.submit_evidence(CONSUMER, case.id, "photo", "The crushed box.", PHOTO)
    case = app.request_evidence(ARBITER, case.id, Role.SELLER, ["invoice"])
    world.lapse(case, DeadlineKind.EVIDENCE)
    app.request_evidence(ARBITER, case.id, Role.CONSUMER, ["video"])
    app.record_finding(ARBITER, case.id, "The parcel was crushed in transit.")
    return app.get_complaint(case.id)


def test_evidence_requests_and_evidence_as_the_consumer_sees_them(
    gql: GraphQL, reviewed: Any
) -> None:
    shown = page(gql, reviewed.id, CONSUMER)
    requests = shown["evidenceRequests"]
    assert [(r["party"], r["kinds"], r["status"]) for r in requests] == [
        ("CONSUMER", ["photo"], "FULFILLED"),
        ("SELLER", ["invoice"], "MISSED"),
        ("CONSUMER", ["video"], "OPEN"),
    ]
    assert requests[0]["note"] == "The box, please."
    (evidence,) = shown["evidence"]
    assert evidence == {
        "id": evidence["id"],
        "party": "CONSUMER",
        "kind": "photo",
        "description": "The crushed box.",
        "sha256": PHOTO,
        "submittedAt": evidence["submittedAt"],
        "requestId": requests[0]["id"],
        "file": {
            "sha256": PHOTO,
            "mediaType": "image/png",
            "size": len(png()),
            "url": f"/uploads/{PHOTO}",
        },
    }
    assert shown["findings"] == []
    open_request = next(d for d in shown["deadlines"] if d["kind"] == "evidence")
    assert open_request["id"].isdigit()


VOLUNTEERED = """query($id: ID!) { complaint(id: $id) { allowedActions
  evidence { party kind description requestId file { sha256 } } } }"""


@pytest.mark.parametrize("viewer", [CONSUMER, SELLER, ARBITER, SUPERVISOR, AUDITOR])
def test_evidence_a_party_volunteered_as_each_viewer_sees_it(
    gql: GraphQL, world: Scenario, viewer: Any
) -> None:
    case = world.negotiating()
    chat = world.upload(SELLER, png("chat"))
    world.app.submit_evidence(SELLER, case.id, "chat_log", "The chat with the buyer.", chat)
    shown = gql.data(VOLUNTEERED, {"id": ids.global_id("Complaint", case.id)}, actor=viewer)
    assert shown["complaint"]["evidence"] == [
        {
            "party": "SELLER",
            "kind": "chat_log",
            "description": "The chat with the buyer.",
            "requestId": None,
            "file": {"sha256": chat},
        }
    ]
    offered = "submitEvidence" in shown["complaint"]["allowedActions"]
    assert offered is (viewer in (CONSUMER, SELLER))


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (CONSUMER, False),
        (SELLER, False),
        (AGENT, True),
        (ARBITER, True),
        (SUPERVISOR, True),
        (AUDITOR, True),
    ],
)
def test_findings_are_for_staff_and_auditors(
    gql: GraphQL, reviewed: Any, viewer: Any, sees: bool
) -> None:
    findings = page(gql, reviewed.id, viewer)["findings"]
    assert [f["text"] for f in findings] == (["The parcel was crushed in transit."] if sees else [])


@pytest.mark.parametrize("outsider", [OTHER_CONSUMER, OTHER_SELLER, PUBLIC])
def test_outsiders_see_no_case_at_all(gql: GraphQL, reviewed: Any, outsider: Any) -> None:
    assert page(gql, reviewed.id, outsider) is None


def test_the_appeal_with_its_decision(gql: GraphQL, world: Scenario) -> None:
    ruled = world.ruled()
    world.app.file_appeal(SELLER, ruled.id, "The photos are staged ones.")
    pending = page(gql, ruled.id, CONSUMER)["appeal"]
    assert pending["by"] == "SELLER"
    assert pending["grounds"] == "The photos are staged ones."
    assert (pending["granted"], pending["decidedAt"], pending["rationale"]) == (None, None, None)
    world.app.decide_appeal(SUPERVISOR, ruled.id, False, "The ruling stands.")
    decided = page(gql, ruled.id, SELLER)["appeal"]
    assert decided["granted"] is False
    assert decided["rationale"] == "The ruling stands."
    assert decided["decidedAt"] >= decided["filedAt"]


def test_execution_issues_open_and_resolved(gql: GraphQL, world: Scenario) -> None:
    case = world.fulfilling()
    world.app.raise_execution_issue(CONSUMER, case.id, "The refund never arrived.")
    (issue,) = page(gql, case.id, SELLER)["executionIssues"]
    assert (issue["raisedBy"], issue["text"], issue["resolution"]) == (
        "CONSUMER",
        "The refund never arrived.",
        None,
    )
    assert issue["dueAt"] is None  # a staff deadline: the parties do not see it
    (issue,) = page(gql, case.id, SUPERVISOR)["executionIssues"]
    assert issue["dueAt"] == (world.clock.now() + timedelta(days=3)).isoformat()
    world.app.resolve_execution_issue(SUPERVISOR, case.id, "Bank delay; paid now.")
    (issue,) = page(gql, case.id, CONSUMER)["executionIssues"]
    assert issue["resolution"] == "Bank delay; paid now."
    assert issue["resolvedAt"] is not None


@pytest.mark.parametrize(
    ("viewer", "seen"),
    [
        (CONSUMER, ["CONSUMER"]),
        (SELLER, ["SELLER"]),
        (SUPERVISOR, ["CONSUMER", "SELLER"]),
        (AUDITOR, ["CONSUMER", "SELLER"]),
    ],
)
def test_a_party_sees_its_own_rating_and_staff_see_all(
    gql: GraphQL, world: Scenario, viewer: Any, seen: list[str]
) -> None:
    case = world.closed()
    world.app.rate_handling(CONSUMER, case.id, 4, "Quick and fair.")
    world.app.rate_handling(SELLER, case.id, 2)
    ratings = page(gql, case.id, viewer)["ratings"]
    assert [r["by"] for r in ratings] == seen
    by = {r["by"]: r for r in ratings}
    if "CONSUMER" in by:
        assert (by["CONSUMER"]["score"], by["CONSUMER"]["comment"]) == (4, "Quick and fair.")
    if "SELLER" in by:
        assert (by["SELLER"]["score"], by["SELLER"]["comment"]) == (2, None)


RULING = """query($id: ID!) { complaint(id: $id) { ruling {
  outcome remedy { type amount { amount currency } } rationale rules { code title }
  decidedAt byDefault enforcedDeadline { id kind dueAt party } acknowledgedBy
} } }"""


def ruling(gql: GraphQL, complaint_id: Any, actor: Any = CONSUMER) -> Any:
    data = gql.data(RULING, {"id": ids.global_id("Complaint", complaint_id)}, actor=actor)
    return data["complaint"]["ruling"]


def test_the_arbiters_ruling_with_its_rules_and_acknowledgements(
    gql: GraphQL, world: Scenario
) -> None:
    assert ruling(gql, world.under_review().id) is None
    ruled = world.ruled()
    shown = ruling(gql, ruled.id)
    assert shown["outcome"] == "CONSUMER_FAVOUR_FULL"
    assert shown["remedy"] == {"type": "REFUND", "amount": {"amount": "199.00", "currency": "CNY"}}
    assert shown["rationale"] == "Goods arrived damaged."
    assert shown["rules"] == [{"code": "R-3.2", "title": "Damage in transit"}]
    assert (shown["byDefault"], shown["enforcedDeadline"], shown["acknowledgedBy"]) == (
        False,
        None,
        [],
    )
    world.app.acknowledge_ruling(SELLER, ruled.id)
    world.app.acknowledge_ruling(CONSUMER, ruled.id)
    assert ruling(gql, ruled.id, SELLER)["acknowledgedBy"] == ["CONSUMER", "SELLER"]


def test_a_ruling_by_default_names_the_deadline_it_enforced(gql: GraphQL, world: Scenario) -> None:
    case = world.negotiating()
    deadline = case.deadline_of(DeadlineKind.SELLER_RESPONSE)
    assert deadline is not None
    world.lapse(case, DeadlineKind.SELLER_RESPONSE)
    shown = ruling(gql, case.id, SELLER)
    assert shown["byDefault"] is True
    assert shown["outcome"] == "CONSUMER_FAVOUR_FULL"
    assert shown["rules"] == [{"code": "R-6.1", "title": "Answering in time"}]
    assert shown["rationale"] == "The seller response deadline passed without an answer."
    assert shown["enforcedDeadline"] == {
        "id": str(deadline.id),
        "kind": "seller_response",
        "dueAt": shown["enforcedDeadline"]["dueAt"],
        "party": "SELLER",
    }
    assert shown["enforcedDeadline"]["dueAt"] <= shown["decidedAt"]


def test_a_ruling_by_default_reads_the_same_after_an_older_snapshot(
    gql: GraphQL, world: Scenario
) -> None:
    """A snapshot taken before the state kept the ruling by default (of the lapse, or of the
    ruling itself) cannot say it; the case's events still do."""
    case = world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
    shown = ruling(gql, case.id, SELLER)
    assert world.app.snapshots is not None
    for version in (lapse_version(world, case), case.version):
        older = world.app.complaint_as_of(case.id, version=version)
        world.app.snapshots.put([snapshot_before_the_default_ruling_record(older)])
        world.app.read_cache.clear()
        assert world.app.repository.get(case.id).default_ruling is None  # the snapshot's
        assert world.app.get_complaint(case.id).default_ruling == case.default_ruling
        assert ruling(gql, case.id, SELLER) == shown


INTAKE = """query($id: ID!, $version: Int) {
  complaint(id: $id) { ...intake evidence { kind requestId } }
  complaintAsOf(id: $id, version: $version) { ...intake }
}
fragment intake on Complaint { intake {
  returnedFor missing rejectedReason rules { code version title } resubmissions } }"""
RESUBMITTED = "Here are the photos of the crushed box and its label."


def intake(gql: GraphQL, complaint_id: Any, actor: Any = CONSUMER, version: int = 1) -> Any:
    variables = {"id": ids.global_id("Complaint", complaint_id), "version": version}
    return gql.data(INTAKE, variables, actor=actor)


def test_a_new_complaint_shows_no_intake_decision(gql: GraphQL, world: Scenario) -> None:
    shown = intake(gql, world.file().id)["complaint"]["intake"]
    assert shown == {
        "returnedFor": None,
        "missing": [],
        "rejectedReason": None,
        "rules": [],
        "resubmissions": 0,
    }


@pytest.mark.parametrize("viewer", [CONSUMER, SELLER, AGENT, SUPERVISOR, AUDITOR])
def test_returns_resubmissions_and_their_files_as_each_viewer_sees_them(
    gql: GraphQL, world: Scenario, viewer: Any
) -> None:
    case = world.file()
    world.app.return_complaint_for_info(
        AGENT, case.id, "Which order was it?", ["order number"], ["R-1.1"]
    )
    world.app.resubmit_complaint(CONSUMER, case.id, RESUBMITTED)
    world.app.return_complaint_for_info(
        AGENT, case.id, "Photos, please.", ["photo of the box", "the label"], ["R-1.4"]
    )
    photo = world.upload(CONSUMER)
    case = world.app.resubmit_complaint(
        CONSUMER, case.id, RESUBMITTED, [Attachment(photo, "photo", "The box")]
    )
    shown = intake(gql, case.id, viewer, version=case.version - 4)  # before it resubmitted
    assert shown["complaint"]["intake"] == {
        "returnedFor": "Photos, please.",
        "missing": ["photo of the box", "the label"],
        "rejectedReason": None,
        "rules": [
            {"code": "R-1.1", "version": 1, "title": "Orders on this platform"},
            {"code": "R-1.4", "version": 1, "title": "A complaint must say what went wrong"},
        ],
        "resubmissions": 2,
    }
    assert shown["complaint"]["evidence"] == [{"kind": "photo", "requestId": None}]
    if viewer in (CONSUMER, SELLER):
        assert shown["complaintAsOf"] is None  # history is for staff and auditors
    else:
        assert shown["complaintAsOf"]["intake"]["resubmissions"] == 1


def test_a_rejection_with_its_rule(gql: GraphQL, world: Scenario) -> None:
    case = world.file()
    world.app.reject_complaint(AGENT, case.id, "The order was placed elsewhere.", "R-1.1")
    shown = intake(gql, case.id, SELLER)["complaint"]["intake"]
    assert shown["rejectedReason"] == "The order was placed elsewhere."
    assert [r["code"] for r in shown["rules"]] == ["R-1.1"]
    assert (shown["returnedFor"], shown["resubmissions"]) == (None, 0)


@pytest.mark.parametrize("outsider", [OTHER_CONSUMER, OTHER_SELLER, PUBLIC])
def test_outsiders_see_no_intake(gql: GraphQL, world: Scenario, outsider: Any) -> None:
    case = world.awaiting_info()
    assert intake(gql, case.id, outsider) == {"complaint": None, "complaintAsOf": None}


@pytest.mark.parametrize("ending", list(INTAKE_ENDINGS))
def test_intake_reads_the_same_after_an_older_snapshot(
    gql: GraphQL, world: Scenario, ending: str
) -> None:
    """A snapshot taken before the state counted resubmissions tells the count, or the case's
    events do."""
    case = INTAKE_ENDINGS[ending](world)
    shown = intake(gql, case.id, AGENT, version=case.version)
    assert shown["complaint"]["intake"] == shown["complaintAsOf"]["intake"]
    assert world.app.snapshots is not None
    world.app.snapshots.put([snapshot_before_the_resubmission_count(case)])
    world.app.read_cache.clear()
    assert intake(gql, case.id, AGENT, version=case.version) == shown


FULFILMENT = """query($id: ID!) { complaint(id: $id) { fulfilment {
  steps { kind party done dueAt doneAt carrier trackingNumber }
  advancedByPlatform { amount currency }
} } }"""


def fulfilment_of(gql: GraphQL, complaint_id: Any, actor: Any = CONSUMER) -> Any:
    data = gql.data(FULFILMENT, {"id": ids.global_id("Complaint", complaint_id)}, actor=actor)
    return data["complaint"]["fulfilment"]


def test_a_return_and_refund_step_by_step(gql: GraphQL, world: Scenario) -> None:
    assert fulfilment_of(gql, world.negotiating().id) is None
    case = world.fulfilling(remedy=Remedy(RemedyType.RETURN_AND_REFUND, cny("199.00")))
    steps = fulfilment_of(gql, case.id)["steps"]
    assert [(s["kind"], s["party"], s["done"]) for s in steps] == [
        ("return_shipment", "CONSUMER", False),
        ("return_receipt", "SELLER", False),
        ("refund", "SELLER", False),
    ]
    assert steps[0]["dueAt"] is not None
    assert steps[1]["dueAt"] is None  # its deadline opens when the goods are on their way
    world.app.ship_return(CONSUMER, case.id, "SF Express", "SF123456789")
    world.app.confirm_return_received(SELLER, case.id)
    world.app.confirm_refund(SELLER, case.id)
    shown = fulfilment_of(gql, case.id, SELLER)
    steps = shown["steps"]
    assert [s["done"] for s in steps] == [True, True, True]
    assert (steps[0]["carrier"], steps[0]["trackingNumber"]) == ("SF Express", "SF123456789")
    assert all(s["doneAt"] and s["dueAt"] for s in steps)
    assert shown["advancedByPlatform"] is None


def test_a_refund_the_platform_advanced(gql: GraphQL, world: Scenario) -> None:
    case = world.fulfilling()
    world.lapse(case, DeadlineKind.REMEDY)
    shown = fulfilment_of(gql, case.id, SUPERVISOR)
    (refund,) = shown["steps"]
    assert (refund["kind"], refund["done"]) == ("refund", True)
    assert shown["advancedByPlatform"] == {"amount": "199.00", "currency": "CNY"}


def test_due_times_follow_a_resumed_clock(gql: GraphQL, world: Scenario) -> None:
    case = world.fulfilling()
    world.app.pause_clock(SUPERVISOR, case.id, "Waiting for the bank's investigation.")
    world.clock.advance(timedelta(days=3))
    world.app.resume_clock(SUPERVISOR, case.id)
    shown = gql.data(
        "query($id: ID!) { complaint(id: $id) { deadlines { kind dueAt }"
        " fulfilment { steps { kind dueAt } } } }",
        {"id": ids.global_id("Complaint", case.id)},
        actor=CONSUMER,
    )["complaint"]
    remedy = next(d for d in shown["deadlines"] if d["kind"] == "remedy")
    (refund,) = shown["fulfilment"]["steps"]
    assert refund["dueAt"] == remedy["dueAt"]

    reviewed = world.under_review()
    world.app.request_evidence(ARBITER, reviewed.id, Role.CONSUMER, ["photo"])
    world.app.pause_clock(SUPERVISOR, reviewed.id, "Waiting for the carrier's report.")
    world.clock.advance(timedelta(days=2))
    world.app.resume_clock(SUPERVISOR, reviewed.id)
    shown = gql.data(
        "query($id: ID!) { complaint(id: $id) { deadlines { kind dueAt }"
        " evidenceRequests { status dueAt } } }",
        {"id": ids.global_id("Complaint", reviewed.id)},
        actor=CONSUMER,
    )["complaint"]
    evidence = next(d for d in shown["deadlines"] if d["kind"] == "evidence")
    (request,) = shown["evidenceRequests"]
    assert (request["status"], request["dueAt"]) == ("OPEN", evidence["dueAt"])


def test_the_timeline_shows_a_rating_to_staff_only(gql: GraphQL, world: Scenario) -> None:
    case = world.closed()
    world.app.rate_handling(SELLER, case.id, 1, "The consumer was rude.")
    gql.read_models.catch_up()
    query = (
        "query($id: ID!) { complaint(id: $id) { timeline(first: 50)"
        " { edges { node { type text } } } } }"
    )
    for viewer, sees in ((CONSUMER, False), (SELLER, False), (SUPERVISOR, True), (AUDITOR, True)):
        data = gql.data(query, {"id": ids.global_id("Complaint", case.id)}, actor=viewer)
        nodes = [e["node"] for e in data["complaint"]["timeline"]["edges"]]
        rated = [n for n in nodes if n["type"] == "Rated"]
        assert bool(rated) is sees, viewer
        if sees:
            assert rated[0]["text"] == "The consumer was rude."
