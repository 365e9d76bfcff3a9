"""The introspection queries that real tools send pass the shape limits, and introspection still
cannot be used as a bomb. The queries are pinned literally in tests/fixtures/introspection/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import build_client_schema, build_schema, lexicographic_sort_schema, print_schema

from complaints.graphql.schema import schema
from tests.api.conftest import GraphQL

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "introspection"
TOOLS = sorted(p.name for p in FIXTURES.glob("*.graphql"))


def test_every_tool_named_in_the_readme_has_its_query_pinned() -> None:
    assert TOOLS == [
        "gql-4.4.graphql",
        "graphiql-3.8.graphql",
        "graphql-js-16-all-options.graphql",
        "graphql-js-16.graphql",
    ]


@pytest.mark.parametrize("tool", TOOLS)
def test_a_tools_introspection_query_loads_the_whole_schema(gql: GraphQL, tool: str) -> None:
    query = (FIXTURES / tool).read_text()
    result = gql.run(query)
    assert result.errors is None, result.errors
    loaded = print_schema(lexicographic_sort_schema(build_client_schema(result.data)))
    expected = print_schema(lexicographic_sort_schema(build_schema(schema.as_str())))
    if "specifiedByURL" not in query:  # the tools that do not ask for it do not get it
        expected = re.sub(r' @specifiedBy\(url: "[^"]*"\)', "", expected)
    assert loaded == expected


def test_an_ofType_chain_deeper_than_any_tool_asks_is_refused(gql: GraphQL) -> None:
    chain = "name"
    for _ in range(16):
        chain = f"kind ofType {{ {chain} }}"
    result = gql.run(f'{{ __type(name: "Complaint") {{ fields {{ type {{ {chain} }} }} }} }}')
    assert result.errors
    assert "introspection depth of 16" in result.errors[0].message


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("{ __schema { types { fields { type { fields { name } } } } } }", "fields"),
        (
            '{ __type(name: "Complaint") { fields { type { ofType { fields { name } } } } } }',
            "fields",
        ),
        ("{ __schema { types { possibleTypes { possibleTypes { name } } } } }", "possibleTypes"),
        (
            "{ __schema { types { ...T } } } fragment T on __Type { interfaces { ...U } }"
            " fragment U on __Type { interfaces { name } }",
            "interfaces",
        ),
    ],
)
def test_an_introspection_list_nested_in_itself_is_refused(
    gql: GraphQL, document: str, field: str
) -> None:
    result = gql.run(document)
    assert result.errors
    assert result.data is None
    assert f"introspection's `{field}` inside itself" in result.errors[0].message


def test_the_depth_limit_of_our_own_types_is_unchanged_inside_an_introspection_query(
    gql: GraphQL,
) -> None:
    nested = "type"
    for _ in range(10):
        nested = f"timeline {{ edges {{ node {{ {nested} }} }} }}"
    result = gql.run(
        "{ __schema { queryType { name } }"
        f" complaints {{ edges {{ node {{ {nested} }} }} }} }}"
    )
    assert result.errors
    assert "maximum operation depth of 10" in result.errors[0].message


def test_the_same_introspection_list_side_by_side_is_allowed(gql: GraphQL) -> None:
    result = gql.run(
        '{ a: __type(name: "Complaint") { fields { name } }'
        ' b: __type(name: "Seller") { fields { name } } }'
    )
    assert result.errors is None, result.errors
    assert result.data["a"]["fields"]
    assert result.data["b"]["fields"]
