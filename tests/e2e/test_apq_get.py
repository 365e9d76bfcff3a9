"""Persisted queries sent by GET, as Apollo Client sends them with `useGETForHashedQueries`
and as a CDN can cache them, on SQLite and PostgreSQL: answered as by POST, with a
`Cache-Control` that lets shared caches keep only public reads, and mutations still refused."""

from __future__ import annotations

import json
from typing import Any

import httpx

from complaints.domain.values import Actor
from complaints.web.graphql_view import PUBLIC_MAX_AGE
from tests.e2e.conftest import Server, token
from tests.e2e.test_apq import CASE, apq, codes, sha
from tests.e2e.test_graphql import open_case
from tests.e2e.test_persisted import hit
from tests.e2e.test_standing import STANDING, register_shop

PUBLIC = f"public, max-age={PUBLIC_MAX_AGE}"
PRIVATE = "private, no-cache"


def get(
    server: Server,
    actor: Actor | None,
    variables: dict[str, Any],
    sha256: str,
    **more: str,
) -> httpx.Response:
    """The request Apollo Client's persisted-query link makes by GET."""
    params = {
        "variables": json.dumps(variables),
        "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256}}),
        **more,
    }
    headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
    return httpx.get(f"{server.url}/graphql", params=params, headers=headers, timeout=30)


def test_a_hashed_query_by_get_is_registered_by_post_then_answered_by_get(server: Server) -> None:
    _shop, _seller, consumer, filed = open_case(server)
    variables = {"id": filed["id"]}
    document = CASE.replace("CasePage", f"CaseByGet{filed['reference'][-8:]}")  # new to the server
    unknown = get(server, consumer, variables, sha(document))
    assert unknown.status_code == 200
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # what Apollo reads
    assert unknown.headers["cache-control"] == PRIVATE

    registered = apq(server, consumer, variables, sha(document), document)
    answered = get(server, consumer, variables, sha(document))
    assert answered.status_code == 200
    assert answered.json() == registered.json()
    assert answered.json()["data"]["complaint"]["reference"] == filed["reference"]
    assert answered.headers["cache-control"] == PRIVATE  # one person's case
    # The response cache serves GET as it serves POST, still to this viewer only.
    again = get(server, consumer, variables, sha(document))
    assert hit(again)
    assert again.content == answered.content
    assert again.headers["cache-control"] == PRIVATE
    stranger = get(server, None, variables, sha(document))
    assert stranger.json()["data"]["complaint"] is None


def test_a_public_read_by_get_may_be_kept_by_shared_caches_for_a_short_time(
    server: Server,
) -> None:
    shop = register_shop(server)
    apq(server, None, {"shop": shop}, sha(STANDING), STANDING)
    anonymous = get(server, None, {"shop": shop}, sha(STANDING))
    assert anonymous.json()["data"]["sellerStanding"]["canTakeOrders"] is True
    assert anonymous.headers["cache-control"] == PUBLIC
    rules = "query PublicRules { rules { code title } }"
    apq(server, None, {}, sha(rules), rules)
    assert get(server, None, {}, sha(rules)).headers["cache-control"] == PUBLIC
    # Asked with a token, the same answer is the caller's own business: no shared cache.
    _shop, _seller, consumer, _filed = open_case(server)
    assert get(server, consumer, {"shop": shop}, sha(STANDING)).headers["cache-control"] == PRIVATE


def test_a_read_that_is_not_public_by_any_route_is_private(server: Server) -> None:
    behind_a_fragment = "query Mixed { rules { code } ...Who } fragment Who on Query { viewerRole }"
    inline = "query Inline { ... on Query { viewerAllowedActions } }"
    for document in (behind_a_fragment, inline):
        apq(server, None, {}, sha(document), document)
        answered = get(server, None, {}, sha(document))
        assert "errors" not in answered.json(), answered.json()
        assert answered.headers["cache-control"] == PRIVATE, document


def test_a_mutation_registered_by_post_is_still_refused_by_get(server: Server) -> None:
    mutation = (
        'mutation Intervene { requestIntervention(input: {complaintId: "x"}) { __typename } }'
    )
    apq(server, None, {}, sha(mutation), mutation)
    refused = get(server, None, {}, sha(mutation))
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    assert codes(refused) == ["METHOD_NOT_ALLOWED"]


def test_variables_that_are_not_json_get_a_clear_400(server: Server) -> None:
    params = {
        "variables": "{not json",
        "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha(CASE)}}),
    }
    refused = httpx.get(f"{server.url}/graphql", params=params, timeout=30)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "The `variables` parameter must be JSON."
    assert codes(refused) == ["BAD_REQUEST"]
