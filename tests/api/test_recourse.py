"""Recourse and enforcement over the API (contract recourse.graphql)."""

from __future__ import annotations

from datetime import timedelta

from complaints.domain.values import Actor, Role
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.domain.test_sanctions import platform_ruled
from tests.scenario import AUDITOR, CONSUMER, OTHER_SELLER, PUBLIC, SELLER, SUPERVISOR, Scenario

OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")


def test_an_upheld_counterfeit_ruling_lists_a_confirmed_violation_of_the_case(
    gql: GraphQL, world: Scenario
) -> None:
    complaint = platform_ruled(world)
    world.app.file_appeal(SELLER, complaint.id, "Our supplier certified the goods genuine.")
    gid = ids.global_id("Complaint", complaint.id)
    decided = gql.mutate(
        "decideAppeal",
        "DecideAppealInput",
        {"complaintId": gid, "grant": False, "rationale": "The certificate is forged."},
        actor=SUPERVISOR,
    )
    assert decided["__typename"] == "Complaint", decided
    listed = gql.data(
        "{ violations { edges { node { kind status reportedBy complaintId } } } }",
        actor=SELLER,
    )["violations"]["edges"]
    assert [e["node"] for e in listed] == [
        {
            "kind": "COUNTERFEIT",
            "status": "CONFIRMED",
            "reportedBy": "SUPERVISOR",
            "complaintId": gid,
        }
    ]
    seller = gql.data('{ seller(shopId: "acme") { sanctions { kind } } }', actor=SELLER)
    assert seller["seller"]["sanctions"] == [{"kind": "WARNING"}]


SANCTIONS = """query($shop: String!) { seller(shopId: $shop) { sanctions { id kind until liftedAt
  appeal { by grounds filedAt granted decidedAt rationale } } } }"""


def test_a_sanctions_end_and_its_appeal_are_shown_to_the_shop_and_staff_only(
    gql: GraphQL, world: Scenario
) -> None:
    world.seller()
    world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
    now = world.clock.now()
    appealed = gql.mutate(
        "appealSanction",
        "AppealSanctionInput",
        {"shopId": "acme", "sanctionId": "s1", "grounds": "The labels were the supplier's own."},
        actor=SELLER,
    )
    assert appealed["__typename"] == "Seller", appealed
    for viewer in (SELLER, SUPERVISOR, AUDITOR):
        (sanction,) = gql.data(SANCTIONS, {"shop": "acme"}, actor=viewer)["seller"]["sanctions"]
        assert sanction["id"] == "s1"
        assert sanction["until"] == (now + timedelta(days=90)).isoformat()
        assert sanction["appeal"]["by"] == "SELLER"
        assert sanction["appeal"]["grounds"] == "The labels were the supplier's own."
        assert sanction["appeal"]["granted"] is None
    for outsider in (OTHER_SELLER, CONSUMER, PUBLIC):
        (sanction,) = gql.data(SANCTIONS, {"shop": "acme"}, actor=outsider)["seller"]["sanctions"]
        assert sanction["appeal"] is None
    decided = gql.mutate(
        "decideSanctionAppeal",
        "DecideSanctionAppealInput",
        {"shopId": "acme", "sanctionId": "s1", "grant": True, "rationale": "Approved labels."},
        actor=OTHER_SUPERVISOR,
    )
    assert decided["__typename"] == "Seller", decided
    (sanction,) = gql.data(SANCTIONS, {"shop": "acme"}, actor=SELLER)["seller"]["sanctions"]
    assert sanction["liftedAt"] is not None
    assert (sanction["appeal"]["granted"], sanction["appeal"]["rationale"]) == (
        True,
        "Approved labels.",
    )
    public = gql.data("{ sanctionedSellers { totalCount } }", actor=PUBLIC)
    assert public["sanctionedSellers"]["totalCount"] == 0


def test_the_consumer_confirms_or_disputes_the_remedy(gql: GraphQL, world: Scenario) -> None:
    case = world.fulfilling()
    world.app.confirm_refund(SELLER, case.id)
    gid = ids.global_id("Complaint", case.id)
    shown = gql.data(
        "query($id: ID!) { complaint(id: $id) { status allowedActions deadlines { kind party } } }",
        {"id": gid},
        actor=CONSUMER,
    )["complaint"]
    assert shown["status"] == "FULFILLING"
    assert {"confirmRemedyReceived", "disputeRemedy"} <= set(shown["allowedActions"])
    assert {"kind": "remedy_confirmation", "party": "CONSUMER"} in shown["deadlines"]
    disputed = gql.mutate(
        "disputeRemedy",
        "DisputeRemedyInput",
        {"complaintId": gid, "reason": "No money reached my card."},
        actor=CONSUMER,
    )
    assert disputed["__typename"] == "Complaint", disputed
    issues = gql.data(
        "query($id: ID!) { complaint(id: $id) { executionIssues { dispute dueAt text } } }",
        {"id": gid},
        actor=SUPERVISOR,
    )["complaint"]["executionIssues"]
    assert issues == [
        {
            "dispute": True,
            "dueAt": (world.clock.now() + timedelta(days=3)).isoformat(),
            "text": "No money reached my card.",
        }
    ]
    resolved = gql.mutate(
        "resolveExecutionIssue",
        "ResolveIssueInput",
        {"complaintId": gid, "resolution": "The bank shows no payment.", "advanceRefund": True},
        actor=SUPERVISOR,
    )
    assert resolved["__typename"] == "Complaint", resolved
    assert resolved["status"] == "CLOSED"
