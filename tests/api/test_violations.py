"""Reported violations over the API: staff see every report, a shop's staff the reports
against it; filters, cursors and refusals (contract case.graphql)."""

from __future__ import annotations

from typing import Any

import pytest

from complaints.domain.values import ViolationKind
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    AUDITOR,
    CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
)

LIST = """query($filter: ViolationFilter, $first: Int, $after: String) {
  violations(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id shopId kind status reportedBy reportedAt decidedAt description } }
  }
}"""


@pytest.fixture
def reports(world: Scenario, gql: GraphQL) -> dict[str, Any]:
    world.seller("acme")
    world.seller("globex")
    app = world.app
    fake = app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is a fake; the logo is wrong."
    )
    rude = app.report_violation(
        AGENT, "acme", ViolationKind.OTHER, "Abusive replies to buyers in three cases."
    )
    elsewhere = app.report_violation(
        AGENT, "globex", ViolationKind.MISREPRESENTATION, "Photos show another model entirely."
    )
    world.confirm_violation(fake.id)
    app.dismiss_violation(SUPERVISOR, rude.id, "Firm but not abusive.")
    gql.read_models.catch_up()
    return {"fake": fake, "rude": rude, "elsewhere": elsewhere}


def listed(gql: GraphQL, actor: Any, where: dict[str, Any] | None = None) -> Any:
    return gql.data(LIST, {"filter": where}, actor=actor)["violations"]


def test_staff_see_every_report_newest_first(gql: GraphQL, reports: dict[str, Any]) -> None:
    for viewer in (SUPERVISOR, AGENT, AUDITOR):
        shown = listed(gql, viewer)
        assert shown["totalCount"] == 3
        nodes = [e["node"] for e in shown["edges"]]
        assert [n["shopId"] for n in nodes] == ["globex", "acme", "acme"]
    fake = nodes[2]
    assert fake == {
        "id": ids.global_id("Violation", reports["fake"].id),
        "shopId": "acme",
        "kind": "COUNTERFEIT",
        "status": "CONFIRMED",
        "reportedBy": "CONSUMER",
        "reportedAt": fake["reportedAt"],
        "decidedAt": fake["decidedAt"],
        "description": "The handbag is a fake; the logo is wrong.",
    }
    assert fake["decidedAt"] is not None
    assert nodes[0]["decidedAt"] is None


def test_filters(gql: GraphQL, reports: dict[str, Any]) -> None:
    def statuses(where: dict[str, Any]) -> list[str]:
        return [e["node"]["status"] for e in listed(gql, SUPERVISOR, where)["edges"]]

    assert statuses({"shopId": "acme"}) == ["DISMISSED", "CONFIRMED"]
    assert statuses({"status": ["REPORTED"]}) == ["REPORTED"]
    assert statuses({"status": ["CONFIRMED", "DISMISSED"], "kind": "OTHER"}) == ["DISMISSED"]


def test_a_shop_sees_only_the_reports_against_it(gql: GraphQL, reports: dict[str, Any]) -> None:
    mine = listed(gql, SELLER)
    assert {e["node"]["shopId"] for e in mine["edges"]} == {"acme"}
    assert mine["totalCount"] == 2
    assert listed(gql, SELLER, {"shopId": "globex"})["totalCount"] == 0
    assert listed(gql, OTHER_SELLER)["totalCount"] == 1


@pytest.mark.parametrize("viewer", [CONSUMER, PUBLIC])
def test_others_may_not_list_reports(gql: GraphQL, reports: dict[str, Any], viewer: Any) -> None:
    result = gql.run(LIST, actor=viewer)
    (error,) = result.errors
    assert error.extensions["code"] == "NOT_ALLOWED"


def test_one_report_by_id_for_the_shop_and_the_reporter_only(
    gql: GraphQL, reports: dict[str, Any]
) -> None:
    node = "query($id: ID!) { node(id: $id) { ... on Violation { status description } } }"
    fake = {"id": ids.global_id("Violation", reports["fake"].id)}
    for viewer, sees in ((SELLER, True), (CONSUMER, True), (OTHER_SELLER, False), (PUBLIC, False)):
        shown = gql.data(node, fake, actor=viewer)["node"]
        assert (shown is not None) is sees, viewer


def test_pages_follow_their_cursors(gql: GraphQL, reports: dict[str, Any]) -> None:
    seen, after = [], None
    while True:
        page = gql.data(LIST, {"first": 1, "after": after}, actor=SUPERVISOR)["violations"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 3


@pytest.mark.parametrize(
    "variables",
    [
        {"filter": {"status": ["MAYBE"]}},
        {"after": "not-a-cursor"},
        {"after": ids.cursor("Complaint", 1)},
        {"first": 0},
    ],
)
def test_bad_input_is_refused(
    gql: GraphQL, reports: dict[str, Any], variables: dict[str, Any]
) -> None:
    result = gql.run(LIST, variables, actor=SUPERVISOR)
    (error,) = result.errors
    assert error.extensions["code"] == "VALIDATION_FAILED"


RESPONSE = "We buy from the brand's distributor; the invoice is on the listing."


def test_the_reported_shop_answers_before_the_decision(gql: GraphQL, world: Scenario) -> None:
    world.seller("acme")
    reported = world.app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is a fake; the logo is wrong."
    )
    gid = ids.global_id("Violation", reported.id)
    answer = gql.data(
        "mutation($input: RespondToViolationInput!) { respondToViolation(input: $input) {"
        " __typename ... on Violation { sellerResponse status } } }",
        {"input": {"violationId": gid, "response": RESPONSE}},
        actor=SELLER,
    )["respondToViolation"]
    assert answer == {"__typename": "Violation", "sellerResponse": RESPONSE, "status": "REPORTED"}
    gql.read_models.catch_up()
    query = "query($id: ID!) { node(id: $id) { ... on Violation { sellerResponse } } }"
    for viewer, sees in ((SELLER, True), (SUPERVISOR, True), (AUDITOR, True), (CONSUMER, True)):
        node = gql.data(query, {"id": gid}, actor=viewer)["node"]
        assert (node is not None and node["sellerResponse"] == RESPONSE) is sees, viewer
    for outsider in (OTHER_SELLER, PUBLIC):
        assert gql.data(query, {"id": gid}, actor=outsider)["node"] is None
    listed_for_staff = gql.data(
        "{ violations { edges { node { sellerResponse } } } }", actor=SUPERVISOR
    )["violations"]["edges"]
    assert [e["node"]["sellerResponse"] for e in listed_for_staff] == [RESPONSE]
    # The supervisor decides with the answer in view; afterwards it stands as it was.
    world.app.dismiss_violation(SUPERVISOR, reported.id, "The invoice checks out.")
    node = gql.data(query, {"id": gid}, actor=SELLER)["node"]
    assert node["sellerResponse"] == RESPONSE
