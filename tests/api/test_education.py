"""R7 over the API: rules, guides, and timelines that explain decisions with the rules cited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.rulebook import RULEBOOK, Rulebook
from complaints.domain.values import Outcome
from complaints.graphql import ids, queries
from complaints.graphql.types import complaint as complaint_types
from complaints.graphql.types import timeline as timeline_types
from tests.api.conftest import GraphQL
from tests.scenario import ARBITER, CONSUMER, REFUND, Scenario


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


def test_a_ruling_shows_its_rules_as_they_stood_when_it_was_decided(
    gql: GraphQL, world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    ruled = world.ruled()
    later = world.clock.now() + timedelta(days=1)
    rule = RULEBOOK.rule("R-3.2")
    assert rule is not None
    entries = [
        {
            "code": "R-3.2",
            "version": 1,
            "effective_from": rule.effective_from.isoformat(),
            "title": rule.title,
            "text": rule.text,
            "law": rule.law,
        },
        {
            "code": "R-3.2",
            "version": 2,
            "effective_from": later.isoformat(),
            "title": "Damage in transit (2027)",
            "text": "Damage in transit is the seller's, whoever the carrier.",
            "law": None,
        },
    ]
    book = Rulebook({"rules": entries, "guides": {}})
    for module in (queries, complaint_types, timeline_types):
        monkeypatch.setattr(module, "RULEBOOK", book)
    world.clock.advance(timedelta(days=2))
    gql.read_models.catch_up()
    data = gql.data(
        "query($id: ID!) { complaint(id: $id) { ruling { rules { code version title } }"
        " timeline(first: 50) { edges { node { type rules { version } } } } }"
        ' rule(code: "R-3.2") { version title effectiveFrom } }',
        {"id": ids.global_id("Complaint", ruled.id)},
        actor=CONSUMER,
    )
    assert data["complaint"]["ruling"]["rules"] == [
        {"code": "R-3.2", "version": 1, "title": "Damage in transit"}
    ]
    entries_shown = [e["node"] for e in data["complaint"]["timeline"]["edges"]]
    assert [e["rules"] for e in entries_shown if e["type"] == "RulingIssued"] == [[{"version": 1}]]
    assert data["rule"]["version"] == 2
    assert data["rule"]["title"] == "Damage in transit (2027)"


def test_a_counterfeit_ruling_may_cite_the_enforcement_rules(world: Scenario) -> None:
    complaint = world.under_review()
    world.app.record_finding(ARBITER, complaint.id, "The serial numbers do not exist.")
    ruled = world.app.issue_ruling(
        ARBITER,
        complaint.id,
        Outcome.CONSUMER_FAVOUR_FULL,
        "A counterfeit: the serial numbers do not exist.",
        REFUND,
        ["R-8.1", "R-10.1"],
    )
    assert ruled.rulings[0].rule_codes == ("R-8.1", "R-10.1")
