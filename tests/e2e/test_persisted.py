"""Persisted queries and the response cache, over the wire, on SQLite and PostgreSQL: a cached
response is never served to another viewer, and never after the case has changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from complaints.domain.values import Actor, Role
from complaints.graphql.persisted import QUERIES
from tests.e2e.conftest import Server, token
from tests.e2e.test_graphql import ACCEPT, AGENT, open_case

TIMELINE = next(q for q in QUERIES if q.name == "CaseTimeline")
MEDIATOR = Actor(Role.MEDIATOR, "mediator-1")
NOTE = """mutation($id: ID!, $text: String!, $visibility: MessageVisibility) {
  postMessage(input: {complaintId: $id, text: $text, visibility: $visibility}) {
  __typename ... on Error { code } } }"""


@pytest.fixture(scope="module")
def cached(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store, tmp_path_factory.mktemp("cached"))
    yield running
    running.stop()


def persisted(
    server: Server, complaint_id: str, actor: Actor | None, sha256: str = TIMELINE.sha256
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/graphql",
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
            "variables": {"id": complaint_id},
        },
        headers={"Authorization": f"Bearer {token(actor)}"} if actor else {},
        timeout=30,
    )


def entries(response: httpx.Response) -> list[str]:
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    complaint = body["data"]["complaint"]
    return [edge["node"]["type"] for edge in complaint["timeline"]["edges"]]


def hit(response: httpx.Response) -> bool:
    return bool(response.headers.get("cache-status") == "complaints; hit")


def test_a_persisted_query_answers_as_the_full_query_does(cached: Server) -> None:
    _shop, _seller, consumer, filed = open_case(cached)
    full = cached.post(TIMELINE.document, {"id": filed["id"]}, consumer)
    first = persisted(cached, filed["id"], consumer)
    assert first.status_code == 200
    assert first.json() == full.json()
    assert entries(first)[0] == "Filed"


def test_a_repeated_read_is_served_from_the_cache(cached: Server) -> None:
    _shop, _seller, consumer, filed = open_case(cached)
    first = persisted(cached, filed["id"], consumer)
    second = persisted(cached, filed["id"], consumer)
    assert not hit(first)
    assert hit(second)
    assert second.content == first.content


def test_a_change_is_seen_by_the_next_read_after_the_mutation_answers(cached: Server) -> None:
    _shop, _seller, consumer, filed = open_case(cached)
    persisted(cached, filed["id"], consumer)
    assert hit(persisted(cached, filed["id"], consumer))
    for n in range(5):
        before = entries(persisted(cached, filed["id"], consumer))
        posted = cached.data(NOTE, {"id": filed["id"], "text": f"Any news? ({n})"}, consumer)
        assert posted["postMessage"]["__typename"] == "Complaint"
        after = persisted(cached, filed["id"], consumer)
        assert not hit(after)
        assert entries(after) == [*before, "MessagePosted"]


def test_another_viewer_never_gets_a_cached_response(cached: Server) -> None:
    _shop, seller, consumer, filed = open_case(cached)
    cached.data(ACCEPT, {"id": filed["id"]}, AGENT)
    note = {"id": filed["id"], "text": "Seller has three similar cases.", "visibility": "STAFF"}
    assert cached.data(NOTE, note, MEDIATOR)["postMessage"]["__typename"] == "Complaint"
    consumer_view = persisted(cached, filed["id"], consumer)
    assert hit(persisted(cached, filed["id"], consumer))
    mediator_view = persisted(cached, filed["id"], MEDIATOR)
    seller_view = persisted(cached, filed["id"], seller)
    assert not hit(mediator_view)
    assert not hit(seller_view)
    assert "MessagePosted" in entries(mediator_view)  # the staff note
    assert "MessagePosted" not in entries(consumer_view)
    # Someone without access gets nothing, cached or not; the case's party still sees it.
    stranger = Actor(Role.CONSUMER, "someone-else")
    for _ in range(2):
        refused = persisted(cached, filed["id"], stranger).json()
        assert refused["data"]["complaint"] is None
    for _ in range(2):
        assert persisted(cached, filed["id"], None).json()["data"]["complaint"] is None
    assert entries(persisted(cached, filed["id"], consumer)) == entries(consumer_view)


def test_unknown_and_mismatched_persisted_queries_are_refused(cached: Server) -> None:
    _shop, _seller, consumer, filed = open_case(cached)
    unknown = persisted(cached, filed["id"], consumer, sha256="0" * 64).json()
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    mismatched = httpx.post(
        f"{cached.url}/graphql",
        json={
            "query": "{ __typename }",
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": TIMELINE.sha256}},
            "variables": {"id": filed["id"]},
        },
        headers={"Authorization": f"Bearer {token(consumer)}"},
    ).json()
    assert mismatched["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    malformed = persisted(cached, "not-an-id", consumer)
    assert malformed.status_code == 200
    assert not hit(persisted(cached, "not-an-id", consumer))


def test_the_cache_can_be_switched_off(
    store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    server = Server(store, tmp_path_factory.mktemp("uncached"), RESPONSE_CACHE_ENTRIES="0")
    try:
        _shop, _seller, consumer, filed = open_case(server)
        responses = [persisted(server, filed["id"], consumer) for _ in range(3)]
        assert not any(hit(r) for r in responses)
        assert len({r.content for r in responses}) == 1
    finally:
        server.stop()
