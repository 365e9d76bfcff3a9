"""GraphQL over HTTP, as the GraphQL-over-HTTP draft asks, against a real server: the media
types and their status codes, GET for queries only, and subscriptions sent where they cannot go."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from complaints.web.graphql_view import GRAPHQL_RESPONSE, JSON, response_media_type
from tests.e2e.conftest import SUPERVISOR, Server, Subscriber, token
from tests.e2e.test_graphql import UPDATES, open_case

REGISTER = (
    'mutation { registerSeller(input: {shopId: "via-get", name: "Shop",'
    ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }'
)


def post(server: Server, query: str, accept: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token(SUPERVISOR)}"}
    if accept is not None:
        headers["Accept"] = accept
    return httpx.post(f"{server.url}/graphql", json={"query": query}, headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, application/json", JSON),
        (f"{GRAPHQL_RESPONSE};q=0", JSON),
        (f"{GRAPHQL_RESPONSE};q=oops", JSON),
    ],
)
def test_the_media_type_follows_the_accept_header(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


def test_a_query_answers_in_the_media_type_the_client_accepts(server: Server) -> None:
    modern = post(server, "{ viewerRole }", GRAPHQL_RESPONSE)
    assert modern.status_code == 200
    assert modern.headers["content-type"] == GRAPHQL_RESPONSE
    assert modern.json() == {"data": {"viewerRole": "SUPERVISOR"}}
    legacy = post(server, "{ viewerRole }")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == JSON


@pytest.mark.parametrize(
    "document", ["{ viewerRole(", "{ noSuchField }", '{ complaint(id: 7, x: "y") { id } }']
)
def test_a_request_error_is_a_400_without_data_in_the_new_media_type(
    server: Server, document: str
) -> None:
    modern = post(server, document, GRAPHQL_RESPONSE)
    assert modern.status_code == 400
    assert modern.headers["content-type"] == GRAPHQL_RESPONSE
    body = modern.json()
    assert "data" not in body
    assert body["errors"]
    legacy = post(server, document, JSON)  # application/json keeps its 200
    assert legacy.status_code == 200
    assert legacy.json()["errors"]


def test_a_field_error_keeps_its_200_and_its_data(server: Server) -> None:
    response = post(server, "{ complaints(first: 1000) { totalCount } }", GRAPHQL_RESPONSE)
    assert response.status_code == 200
    body = response.json()
    assert "data" in body  # it executed: a field error, not a request error
    assert body["errors"][0]["path"] == ["complaints"]


def test_a_mutation_sent_with_get_is_a_405_and_changes_nothing(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/graphql",
        params={"query": REGISTER},
        headers={"Authorization": f"Bearer {token(SUPERVISOR)}", "Accept": JSON},
        timeout=30,
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == JSON
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    seller = server.data('{ seller(shopId: "via-get") { shopId } }', actor=SUPERVISOR)
    assert seller["seller"] is None


def test_a_query_may_still_be_sent_with_get(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/graphql", params={"query": "{ viewerRole }"}, headers={"Accept": JSON}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewerRole": "PUBLIC"}}


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
def test_a_subscription_sent_over_http_names_the_websocket_and_logs_no_traceback(
    server: Server, accept: str
) -> None:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": "subscription { myComplaintUpdates { position } }"},
        headers={"Accept": accept},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == accept
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert "WebSocket" in error["message"]
    assert "Traceback" not in server.output()
    assert "unexpected error" not in server.output()


@pytest.mark.parametrize("after", [-1, 10**9])
def test_a_subscription_after_a_position_outside_the_log_is_refused_naming_the_head(
    server: Server, after: int
) -> None:
    _shop, _seller, consumer, filed = open_case(server)

    async def scenario() -> dict[str, Any]:
        subscriber = Subscriber(server, consumer)
        await subscriber.connect()
        await subscriber.subscribe(UPDATES, {"id": filed["id"], "after": after})
        message = await subscriber.next()
        await subscriber.close()
        return message

    message = asyncio.run(scenario())
    (error,) = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    head = error["extensions"]["head"]
    assert 0 < head < 10**9
    assert f"head of the log, {head}" in error["message"]


@pytest.mark.parametrize(
    "accepts", [[GRAPHQL_RESPONSE, JSON], [JSON, GRAPHQL_RESPONSE]], ids=["new-first", "json-first"]
)
def test_an_accept_header_sent_twice_is_read_as_one_list(
    server: Server, accepts: list[str]
) -> None:
    headers = [("Accept", accept) for accept in accepts]
    response = httpx.post(
        f"{server.url}/graphql", json={"query": "{ noSuchField }"}, headers=headers, timeout=30
    )
    # Both lists rank the two types equally: the new one wins, and status and body agree.
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.status_code == 400
    assert "data" not in response.json()
