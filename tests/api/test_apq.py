"""Which registered queries may be answered from the response cache, and the registry that
every process shares (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from complaints.application import ComplaintsApp
from complaints.graphql.apq import QueryRegistry, cache_variable
from complaints.projections.read_models import ReadModels


@pytest.mark.parametrize(
    ("document", "variable"),
    [
        ("query($id: ID!) { complaint(id: $id) { id status } }", "id"),
        (
            "query Page($case: ID!, $n: Int) { complaint(id: $case) { __typename reference"
            " timeline(first: $n) { edges { cursor node { type summary details } }"
            " pageInfo { hasNextPage endCursor } } } }",
            "case",
        ),
        ("query($id: ID!) { complaint(id: $id) { s: status remedy { type } } }", "id"),
    ],
)
def test_a_query_of_one_case_and_safe_fields_may_be_cached(document: str, variable: str) -> None:
    assert cache_variable(document) == variable


@pytest.mark.parametrize(
    "document",
    [
        "query($id: ID!) { complaint(id: $id) { description } }",  # personal text
        "query($id: ID!) { complaint(id: $id) { allowedActions } }",  # changes with the clock
        "query($id: ID!) { complaint(id: $id) { deadlines { dueAt } } }",
        "query($id: ID!) { complaint(id: $id) { timeline { edges { node { text } } } } }",
        '{ complaint(id: "Q29tcGxhaW50OjE=") { id } }',  # no variable to key the cache by
        "query($id: ID!) { complaint(id: $id) { id } viewerRole }",  # two root fields
        "query($id: ID!) { complaint(id: $id) { ...F } } fragment F on Complaint { id }",
        "query($id: ID!, $x: Boolean!) { complaint(id: $id) { id @include(if: $x) } }",
        "mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) { __typename } }",
        "query { complaint(id: ",
    ],
)
def test_anything_else_is_never_cached(document: str) -> None:
    assert cache_variable(document) is None


@pytest.fixture
def registries(stored_app: ComplaintsApp) -> Iterator[tuple[QueryRegistry, QueryRegistry]]:
    """Two processes' registries over one database, each holding at most 3 queries."""
    models = ReadModels(stored_app)
    yield QueryRegistry(models.db, 3), QueryRegistry(models.db, 3)
    models.close()


def test_a_query_registered_by_one_process_is_known_to_another(
    registries: tuple[QueryRegistry, QueryRegistry],
) -> None:
    one, other = registries
    assert other.get("a" * 64) is None
    one.register("a" * 64, "{ viewerRole }")
    assert other.get("a" * 64) == "{ viewerRole }"


def test_the_registry_keeps_the_most_recently_used(
    registries: tuple[QueryRegistry, QueryRegistry], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = registries
    clock = iter(range(1000, 2000, 100))
    monkeypatch.setattr("complaints.graphql.apq.time.time", lambda: float(next(clock)))
    for name in "abc":
        one.register(name * 64, f"{{ viewerRole }} # {name}")
    other.get("a" * 64)  # read through the database: a is used again, b is the oldest now
    one.register("d" * 64, "{ viewerRole } # d")
    assert one.count() == 3
    one.forget_in_memory()
    assert [one.get(n * 64) is not None for n in "abcd"] == [True, False, True, True]
