"""A timeline entry's `details` is plain JSON with camelCase keys, as docs/timeline.md lists it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from complaints.graphql.ids import global_id
from complaints.projections.timeline import DESCRIBE
from tests.api.conftest import GraphQL
from tests.scenario import CONSUMER, SUPERVISOR, Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "timeline.md"
ROW = re.compile(r"^\| `(\w+)` \| (.+) \|$")
TIMELINE = """query($id: ID!) { complaint(id: $id) {
  timeline(first: 100) { edges { node { type details } } } } }"""


def documented() -> dict[str, set[str]]:
    """Each type in the doc's table, with the keys its row names (backticked, before any '(')."""
    table: dict[str, set[str]] = {}
    for line in DOC.read_text().splitlines():
        match = ROW.match(line)
        if match:
            keys = re.sub(r"\([^)]*\)", "", match[2])
            table[match[1]] = set(re.findall(r"`(\w+)`", keys))
    return table


def entries(gql: GraphQL, world: Scenario, *, actor: Any = SUPERVISOR) -> list[dict[str, Any]]:
    cases = [world.awaiting_info(), world.ruled(), world.closed()]
    gql.read_models.catch_up()
    found = []
    for case in cases:
        data = gql.data(TIMELINE, {"id": global_id("Complaint", case.id)}, actor=actor)
        found += [edge["node"] for edge in data["complaint"]["timeline"]["edges"]]
    return found


def test_the_doc_lists_every_entry_type_and_nothing_else() -> None:
    assert set(documented()) == {cls.__name__ for cls in DESCRIBE}


def test_each_entry_has_the_keys_its_type_documents(gql: GraphQL, world: Scenario) -> None:
    table = documented()
    seen = entries(gql, world)
    assert len({e["type"] for e in seen}) >= 12
    for entry in seen:
        assert set(entry["details"]) == table[entry["type"]], entry


def test_details_are_objects_with_camel_case_keys_never_json_in_a_string(
    gql: GraphQL, world: Scenario
) -> None:
    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                assert "_" not in key, key
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, str) and value[:1] in "{[":
            raise AssertionError(f"JSON inside a string: {value}")

    for entry in entries(gql, world):
        walk(entry["details"])


def test_a_few_entries_exactly(gql: GraphQL, world: Scenario) -> None:
    by_type = {e["type"]: e["details"] for e in entries(gql, world, actor=CONSUMER)}
    refund = {"type": "REFUND", "amount": "199.00", "currency": "CNY"}
    assert json.dumps(by_type["Filed"], sort_keys=True) == json.dumps(
        {"category": "DAMAGED", "requestedRemedy": refund}, sort_keys=True
    )
    assert by_type["RulingIssued"] == {
        "level": 1,
        "outcome": "CONSUMER_FAVOUR_FULL",
        "remedy": refund,
        "rationale": "Goods arrived damaged.",
        "ruleCodes": ["R-3.2"],
    }
    assert by_type["ReturnedForInfo"] == {
        "reason": "We need the order photos.",
        "missing": ["photos of the damage"],
        "ruleCodes": [],
    }
    assert by_type["Settled"] == {"offerId": by_type["OfferAccepted"]["offerId"], "remedy": refund}
    assert by_type["Accepted"] == {"status": "NEGOTIATING"}
    assert by_type["RefundConfirmed"] == {}


def test_a_deadline_names_the_policy_that_set_it(gql: GraphQL, world: Scenario) -> None:
    """What an auditor needs to replay a case under another policy (docs/domain.md)."""
    opened = [
        e["details"]
        for e in entries(gql, world, actor=CONSUMER)
        if e["type"] == "DeadlineSet" and e["details"]["kind"] == "remedy_confirmation"
    ]
    assert opened == [
        {
            "deadlineId": opened[0]["deadlineId"],
            "kind": "remedy_confirmation",
            "dueAt": opened[0]["dueAt"],
            "party": "CONSUMER",
            "durationSeconds": 7 * 86400,
            "policy": "remedy_confirmation=7d",
        }
    ]
