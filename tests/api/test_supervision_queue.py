"""The supervision queue over the API: what waits for a supervisor, paged by stable cursors."""

from __future__ import annotations

from datetime import timedelta

from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import CONSUMER, OTHER_CONSUMER, PLATFORM, SELLER, SUPERVISOR, Scenario

QUEUE = """query($first: Int, $after: String) {
  supervisionQueue(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { kind shopId since dueAt detail complaint { reference } } }
  }
}"""


def test_a_supervisor_pages_through_everything_that_waits(gql: GraphQL, world: Scenario) -> None:
    overdue = world.file()
    world.file(consumer=OTHER_CONSUMER)
    world.clock.advance(timedelta(hours=25))
    world.app.lapse_deadline(PLATFORM, overdue.id, overdue.open_deadlines[0].id)
    ruled = world.ruled()
    world.app.file_appeal(SELLER, ruled.id, "The photos are staged ones.")
    issue = world.fulfilling()
    world.app.raise_execution_issue(CONSUMER, issue.id, "Refund never arrived.")
    gql.read_models.catch_up()

    seen, after = [], None
    while True:
        queue = gql.data(QUEUE, {"first": 1, "after": after}, actor=SUPERVISOR)["supervisionQueue"]
        assert queue["totalCount"] == 4
        seen += [edge["node"] for edge in queue["edges"]]
        if not queue["pageInfo"]["hasNextPage"]:
            break
        after = queue["pageInfo"]["endCursor"]
    assert sorted(n["kind"] for n in seen) == [
        "appeal_waiting",
        "execution_issue",
        "overdue",
        "past_due",
    ]
    assert [n["since"] for n in seen] == sorted(n["since"] for n in seen)
    by_kind = {n["kind"]: n for n in seen}
    assert by_kind["overdue"]["complaint"] == {"reference": overdue.reference}
    assert by_kind["overdue"]["dueAt"] is not None
    assert by_kind["appeal_waiting"]["complaint"] == {"reference": ruled.reference}
    assert by_kind["appeal_waiting"]["dueAt"] is None
    assert by_kind["execution_issue"]["shopId"] == "acme"


def test_a_cursor_from_elsewhere_is_refused(gql: GraphQL) -> None:
    for after in ("garbage", ids.cursor("Complaint", 3), ids.global_id("Supervision", "x|y")):
        result = gql.run(QUEUE, {"first": 5, "after": after}, actor=SUPERVISOR)
        (error,) = result.errors
        assert error.extensions["code"] == "VALIDATION_FAILED", after
        assert "after" in error.message


def test_a_page_size_out_of_range_is_refused(gql: GraphQL) -> None:
    for first in (0, 101):
        result = gql.run(QUEUE, {"first": first}, actor=SUPERVISOR)
        (error,) = result.errors
        assert error.extensions["code"] == "VALIDATION_FAILED"


def test_no_list_takes_a_page_of_zero_for_the_default(gql: GraphQL, world: Scenario) -> None:
    complaint = world.file()
    case = ids.global_id("Complaint", complaint.id)
    documents = {
        "complaints": "{ complaints(first: 0) { totalCount } }",
        "sanctionedSellers": "{ sanctionedSellers(first: 0) { totalCount } }",
        "timeline": f'{{ complaint(id: "{case}")'
        " { timeline(first: 0) { edges { cursor } } } }",
    }
    for name, document in documents.items():
        result = gql.run(document, actor=SUPERVISOR)
        assert result.errors, name
        assert result.errors[0].extensions["code"] == "VALIDATION_FAILED", name
