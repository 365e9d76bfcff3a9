"""Automatic persisted queries (Apollo's APQ) over the wire, on SQLite and PostgreSQL: the
protocol, the response cache for registered queries, and registration switched off."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from complaints.domain.values import Actor
from tests.e2e.conftest import Server, token
from tests.e2e.test_graphql import open_case
from tests.e2e.test_persisted import hit

#: What a frontend sends: its own query text, not one of the server's fixed persisted queries.
CASE = """query CasePage($id: ID!) {
  complaint(id: $id) { id reference status requestedRemedy { type amount { amount currency } }
    timeline(first: 50) { edges { cursor node { position type at summary details } } } } }"""
#: Reads the clock (allowed actions): registered, but never answered from the cache.
ACTIONS = "query Actions($id: ID!) { complaint(id: $id) { id allowedActions } }"


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def apq(
    server: Server, actor: Actor | None, variables: dict[str, Any], sha256: str, query: str | None
) -> httpx.Response:
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
        "variables": variables,
    }
    if query is not None:
        body["query"] = query
    headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
    return httpx.post(f"{server.url}/graphql", json=body, headers=headers, timeout=30)


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


@pytest.fixture(scope="module")
def closed_registry(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store, tmp_path_factory.mktemp("apq-off"), APQ_REGISTRATION="false")
    yield running
    running.stop()


def test_an_unknown_hash_is_registered_with_its_query_then_sent_alone(server: Server) -> None:
    _shop, _seller, consumer, filed = open_case(server)
    variables = {"id": filed["id"]}
    document = CASE.replace("CasePage", f"CasePage{filed['reference'][-8:]}")  # new to the server
    unknown = apq(server, consumer, variables, sha(document), None)
    assert unknown.status_code == 200
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    registered = apq(server, consumer, variables, sha(document), document)
    full = server.post(document, variables, consumer)
    assert registered.json() == full.json()
    assert registered.json()["data"]["complaint"]["reference"] == filed["reference"]
    alone = apq(server, consumer, variables, sha(document), None)
    assert alone.json() == full.json()
    # It reads one case and nothing personal or timed: answered from the cache now.
    assert hit(apq(server, consumer, variables, sha(document), None))


def test_a_query_that_reads_the_clock_is_never_cached(server: Server) -> None:
    _shop, _seller, consumer, filed = open_case(server)
    variables = {"id": filed["id"]}
    first = apq(server, consumer, variables, sha(ACTIONS), ACTIONS)
    assert "errors" not in first.json(), first.json()
    again = apq(server, consumer, variables, sha(ACTIONS), None)
    assert again.json() == first.json()
    assert not hit(again)


def test_a_hash_that_is_not_the_querys_is_refused_and_not_registered(server: Server) -> None:
    _shop, _seller, consumer, filed = open_case(server)
    wrong = "0" * 64
    refused = apq(server, consumer, {"id": filed["id"]}, wrong, CASE)
    assert codes(refused) == ["BAD_USER_INPUT"]
    assert codes(apq(server, consumer, {"id": filed["id"]}, wrong, None)) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]


def test_a_query_that_does_not_parse_is_answered_and_not_registered(server: Server) -> None:
    broken = "query { complaint(id: "
    answered = apq(server, None, {}, sha(broken), broken)
    assert answered.json()["errors"][0]["message"].startswith("Syntax Error")
    assert codes(apq(server, None, {}, sha(broken), None)) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_with_registration_off_clients_are_told_to_send_full_queries(
    closed_registry: Server,
) -> None:
    _shop, _seller, consumer, filed = open_case(closed_registry)
    told = apq(closed_registry, consumer, {"id": filed["id"]}, sha(CASE), CASE)
    assert codes(told) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    full = closed_registry.post(CASE, {"id": filed["id"]}, consumer)
    assert full.json()["data"]["complaint"]["reference"] == filed["reference"]
