"""R7 over the API: rules, guides, and timelines that explain decisions with the rules cited."""

from __future__ import annotations

from complaints.domain.rulebook import RULEBOOK
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import CONSUMER, Scenario


def test_anyone_reads_a_rule_and_the_guides_of_a_category(gql: GraphQL) -> None:
    data = gql.data(
        '{ rule(code: "R-5.2") { code title text law }'
        ' guides(category: COUNTERFEIT) { title text } nothing: rule(code: "X") {'
        " code } }"
    )
    assert data["rule"]["title"] == "Seven-day return of goods bought online"
    assert "art. 25" in data["rule"]["law"]
    assert data["nothing"] is None
    assert any("R-4.1" in guide["text"] for guide in data["guides"])


def test_a_ruling_in_the_timeline_names_the_rules_it_cites(gql: GraphQL, world: Scenario) -> None:
    complaint = world.ruled()
    gql.read_models.catch_up()
    data = gql.data(
        "query($id: ID!) { complaint(id: $id) { timeline(first: 50) { edges { node { type"
        " summary rules { code title } } } } } }",
        {"id": ids.global_id("Complaint", complaint.id)},
        actor=CONSUMER,
    )
    entries = [e["node"] for e in data["complaint"]["timeline"]["edges"]]
    (ruling,) = [e for e in entries if e["type"] == "RulingIssued"]
    assert ruling["rules"] == [{"code": "R-3.2", "title": "Damage in transit"}]
    assert "Rules cited: R-3.2 (Damage in transit)." in ruling["summary"]


def test_anyone_lists_the_whole_rulebook_for_the_forms_that_cite_it(gql: GraphQL) -> None:
    listed = gql.data("{ rules { code title text } }")["rules"]
    assert [r["code"] for r in listed] == list(RULEBOOK.rules)
    assert {"code": "R-3.2", "title": "Damage in transit"}.items() <= next(
        r for r in listed if r["code"] == "R-3.2"
    ).items()
    assert all(r["text"] for r in listed)
