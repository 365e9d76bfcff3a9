"""Staff queues over the complaint list: by arbiter, by consumer, and whether a case went to
platform review; and the two case fields behind them."""

from __future__ import annotations

from typing import Any

import pytest

from complaints.domain.values import Category
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    OTHER_CONSUMER,
    SELLER,
    SUPERVISOR,
    Scenario,
)

LIST = """query($filter: ComplaintFilter) {
  complaints(filter: $filter, first: 50) { totalCount edges { node { reference escalated } } }
}"""
CASE = """query($id: ID!) { complaint(id: $id) { escalated assignedArbiterId } }"""


def references(gql: GraphQL, where: dict[str, Any], actor: Any = SUPERVISOR) -> set[str]:
    data = gql.data(LIST, {"filter": where}, actor=actor)["complaints"]
    return {edge["node"]["reference"] for edge in data["edges"]}


@pytest.fixture
def cases(world: Scenario, gql: GraphQL) -> dict[str, Any]:
    filed = world.file()
    negotiating = world.negotiating()
    assigned = world.under_review()  # by request, then assigned to ARBITER
    unassigned = world.under_review(assigned=False)
    other = world.file(consumer=OTHER_CONSUMER)
    gql.read_models.catch_up()
    return {
        "filed": filed,
        "negotiating": negotiating,
        "assigned": assigned,
        "unassigned": unassigned,
        "other": other,
    }


def test_staff_filter_by_escalation_arbiter_and_consumer(
    gql: GraphQL, cases: dict[str, Any]
) -> None:
    ref = {name: case.reference for name, case in cases.items()}
    assert references(gql, {"escalated": True}) == {ref["assigned"], ref["unassigned"]}
    assert references(gql, {"escalated": False}) == {
        ref["filed"],
        ref["negotiating"],
        ref["other"],
    }
    assert references(gql, {"assignedArbiterId": ARBITER.id}) == {ref["assigned"]}
    assert references(gql, {"assignedArbiterId": "nobody"}) == set()
    assert references(gql, {"consumerId": OTHER_CONSUMER.id}) == {ref["other"]}
    assert references(gql, {"consumerId": CONSUMER.id, "escalated": True}, AUDITOR) == {
        ref["assigned"],
        ref["unassigned"],
    }


@pytest.mark.parametrize("where", [{"assignedArbiterId": ARBITER.id}, {"consumerId": "u-alice"}])
@pytest.mark.parametrize("party", [CONSUMER, SELLER])
def test_parties_may_not_filter_by_arbiter_or_consumer(
    gql: GraphQL, cases: dict[str, Any], where: dict[str, Any], party: Any
) -> None:
    result = gql.run(LIST, {"filter": where}, actor=party)
    (error,) = result.errors
    assert error.extensions["code"] == "NOT_ALLOWED"


def test_a_party_may_filter_its_own_cases_by_escalation(
    gql: GraphQL, cases: dict[str, Any]
) -> None:
    assert references(gql, {"escalated": True}, CONSUMER) == {
        cases["assigned"].reference,
        cases["unassigned"].reference,
    }
    assert references(gql, {"escalated": True}, OTHER_CONSUMER) == set()


@pytest.mark.parametrize(
    ("viewer", "sees_arbiter"),
    [(CONSUMER, False), (SELLER, False), (AGENT, True), (SUPERVISOR, True), (AUDITOR, True)],
)
def test_the_assigned_arbiter_is_for_staff_and_auditors(
    gql: GraphQL, cases: dict[str, Any], viewer: Any, sees_arbiter: bool
) -> None:
    case = gql.data(CASE, {"id": ids.global_id("Complaint", cases["assigned"].id)}, actor=viewer)
    assert case["complaint"] == {
        "escalated": True,
        "assignedArbiterId": ARBITER.id if sees_arbiter else None,
    }


def test_a_counterfeit_case_goes_straight_to_review_and_is_escalated(
    gql: GraphQL, world: Scenario
) -> None:
    complaint = world.file(category=Category.COUNTERFEIT)
    world.app.accept_complaint(AGENT, complaint.id)
    gql.read_models.catch_up()
    case = gql.data(CASE, {"id": ids.global_id("Complaint", complaint.id)}, actor=SUPERVISOR)
    assert case["complaint"]["escalated"] is True


def test_as_it_stood_escalated_is_what_it_was_then(gql: GraphQL, world: Scenario) -> None:
    negotiating = world.negotiating()
    before = negotiating.version
    world.app.request_intervention(CONSUMER, negotiating.id)
    gql.read_models.catch_up()
    query = "query($id: ID!, $v: Int) { complaintAsOf(id: $id, version: $v) { escalated } }"
    case_id = ids.global_id("Complaint", negotiating.id)
    then = gql.data(query, {"id": case_id, "v": before}, actor=SUPERVISOR)["complaintAsOf"]
    now = gql.data(query, {"id": case_id, "v": None}, actor=SUPERVISOR)["complaintAsOf"]
    assert then == {"escalated": False}
    assert now == {"escalated": True}


ORDERED = """query($after: String, $first: Int) {
  complaints(orderBy: SOONEST_DEADLINE, first: $first, after: $after) {
    edges { cursor node { reference deadlines { dueAt } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_soonest_deadline_first_pages_the_same_as_one_page(
    world: Scenario, gql: GraphQL, cases: dict[str, Any]
) -> None:
    withdrawn = world.file()
    world.app.withdraw_complaint(CONSUMER, withdrawn.id)
    gql.read_models.catch_up()
    whole = gql.data(ORDERED, {"first": 50}, actor=SUPERVISOR)["complaints"]["edges"]
    order = [edge["node"]["reference"] for edge in whole]
    assert len(order) == len(cases) + 1
    soonest = [min((d["dueAt"] for d in e["node"]["deadlines"]), default=None) for e in whole]
    timed = [due for due in soonest if due is not None]
    assert timed == sorted(timed), "the soonest deadline comes first"
    assert soonest[-1] is None, "no deadline: last"
    assert order[-1] == withdrawn.reference
    paged, after = [], None
    while True:
        page = gql.data(ORDERED, {"first": 2, "after": after}, actor=SUPERVISOR)["complaints"]
        paged += [edge["node"]["reference"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == order


@pytest.mark.parametrize(
    "after",
    [
        ids.cursor("Complaint", 3),
        ids.global_id("ComplaintByDeadline", "2|x|1"),
        ids.global_id("ComplaintByDeadline", "0|not a time|1"),
        "garbage",
    ],
)
def test_a_cursor_of_another_order_is_refused(
    gql: GraphQL, cases: dict[str, Any], after: str
) -> None:
    result = gql.run(ORDERED, {"first": 2, "after": after}, actor=SUPERVISOR)
    (error,) = result.errors
    assert error.extensions["code"] == "VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [(CONSUMER, True), (SELLER, False), (AGENT, True), (AUDITOR, True), (SUPERVISOR, True)],
)
def test_the_consumer_is_named_to_staff_auditors_and_themselves(
    gql: GraphQL, cases: dict[str, Any], viewer: Any, sees: bool
) -> None:
    case = cases["filed"]
    query = "query($id: ID!) { complaint(id: $id) { consumerId } }"
    found = gql.data(query, {"id": str(case.id)}, actor=viewer)["complaint"]
    assert found["consumerId"] == (CONSUMER.id if sees else None)
