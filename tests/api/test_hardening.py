"""Masked errors, and the limits on what a document may ask for."""

from __future__ import annotations

import logging
from uuid import uuid4

import pytest

from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import SUPERVISOR

STATS = '{ statistics(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { filed } }'


def test_an_unexpected_error_is_masked_with_an_id_the_log_also_has(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(gql.read_models.statistics, "period", explode)
    with caplog.at_level(logging.ERROR, logger="complaints.graphql"):
        result = gql.run(STATS)
    (error,) = result.errors
    error_id = error.extensions["errorId"]
    assert error.extensions["code"] == "INTERNAL_ERROR"
    assert error.message == f"Unexpected error (id {error_id})."
    assert "hunter2" not in str(error.formatted)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None


def test_client_mistakes_are_not_masked(gql: GraphQL) -> None:
    result = gql.run("{ complaints(first: 1000) { totalCount } }")
    (error,) = result.errors
    assert error.extensions["code"] == "VALIDATION_FAILED"
    assert "first" in error.message


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ("{" + " ".join(f"a{i}: viewerRole" for i in range(16)) + "}", "aliases"),
        ("{ viewerRole " + "__typename " * 2100 + "}", "tokens"),
    ],
)
def test_documents_beyond_the_limits_are_refused(
    gql: GraphQL, document: str, complaint: str
) -> None:
    result = gql.run(document)
    assert result.errors
    assert complaint in result.errors[0].message.lower()


def test_a_document_nested_too_deep_is_refused(gql: GraphQL) -> None:
    nested = "type"
    for _ in range(10):
        nested = f"timeline {{ edges {{ node {{ {nested} }} }} }}"
    result = gql.run(f"{{ complaints {{ edges {{ node {{ {nested} }} }} }} }}")
    assert result.errors
    assert "depth" in result.errors[0].message


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next one twice: 2^levels fields once expanded."""
    return (
        "query { ...F0 } "
        + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
        + f" fragment F{levels} on Query {{ viewerRole }}"
    )


def test_a_fragment_bomb_is_refused_without_expanding_it(gql: GraphQL) -> None:
    result = gql.run(fragment_bomb(60))  # 2^60 fields: only a linear check can refuse this
    assert result.errors
    assert "fields once its fragments are expanded" in result.errors[0].message


def test_aliases_and_depth_count_through_fragments(gql: GraphQL) -> None:
    aliased = " ".join(f"a{i}: viewerRole" for i in range(8))
    result = gql.run(
        f"query {{ ...A ...B }} fragment A on Query {{ {aliased} }}"
        f" fragment B on Query {{ b: viewerRole ...A }}"
    )
    assert result.errors
    assert "aliases" in result.errors[0].message


def test_fragments_within_the_limits_are_answered(gql: GraphQL) -> None:
    result = gql.run(fragment_bomb(5))  # 32 fields, all the same one
    assert result.errors is None
    assert result.data == {"viewerRole": "PUBLIC"}


def test_a_read_model_being_rebuilt_says_so(gql: GraphQL) -> None:
    """After an upgrade that changed its tables, a read model answers NOT_READY until the new
    generation is active, not an unexpected error."""
    with gql.read_models.db.transaction() as tx:
        tx.execute("UPDATE rm_positions SET version = 2 WHERE name = ?", ("complaint_list",))
    result = gql.run("{ complaints { totalCount } }", actor=SUPERVISOR)
    (error,) = result.errors
    assert error.extensions["code"] == "NOT_READY"
    assert "rebuilt" in error.message


@pytest.mark.parametrize(
    "after",
    [
        ids.global_id("Complaint", "²"),
        ids.global_id("Complaint", "9" * 30),
        ids.global_id("Complaint", "1" * 5000),
        ids.global_id("Supervision", "2020-01-01T00:00:00|" + str(uuid4()) + "|overdue|1"),
    ],
)
def test_a_crafted_cursor_is_refused_not_an_error(gql: GraphQL, after: str) -> None:
    for document in (
        "query($after: String) { complaints(after: $after) { totalCount } }",
        "query($after: String) { violations(after: $after) { totalCount } }",
        "query($after: String) { supervisionQueue(after: $after) { totalCount } }",
    ):
        result = gql.run(document, {"after": after}, actor=SUPERVISOR)
        (error,) = result.errors
        assert error.extensions["code"] == "VALIDATION_FAILED", (document, error)
