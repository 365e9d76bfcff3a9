"""Third-party clients against a real server, on SQLite and PostgreSQL, run as their users run
them: Apollo Client's persisted-query link with `useGETForHashedQueries` (hashed queries by GET,
the way a CDN can cache them). The clients are pinned in tests/clients/package-lock.json and
installed by `make test` (`npm ci`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from complaints.domain.values import Actor
from tests.e2e.conftest import Server, token
from tests.e2e.test_graphql import open_case

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
NODE = shutil.which("node")
CASE = """query ApolloCase($id: ID!) {
  complaint(id: $id) { id reference status timeline(first: 5) { edges { node { type } } } } }"""


def run_client(script: str, *arguments: str) -> Any:
    if NODE is None or not (CLIENTS / "node_modules").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("node or tests/clients/node_modules is missing (make test runs npm ci)")
        pytest.skip("needs node and `npm ci` in tests/clients")
    ran = subprocess.run(
        [NODE, str(CLIENTS / script), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def apollo(server: Server, actor: Actor | None, query: str, variables: dict[str, Any]) -> Any:
    bearer = token(actor) if actor else ""
    return run_client(
        "apollo_apq.mjs", f"{server.url}/graphql", bearer, query, json.dumps(variables)
    )


def test_apollo_client_sends_hashed_queries_by_get_and_registers_by_post(server: Server) -> None:
    _shop, _seller, consumer, filed = open_case(server)
    query = CASE.replace("ApolloCase", f"ApolloCase{filed['reference'][-8:]}")  # new to the server
    ran = apollo(server, consumer, query, {"id": filed["id"]})
    # The hash alone by GET (unknown), the query with it by POST, then the hash alone by GET.
    assert ran["requests"] == [
        {"method": "GET", "status": 200},
        {"method": "POST", "status": 200},
        {"method": "GET", "status": 200},
    ]
    first, second = ran["answers"]
    assert first["error"] is None
    assert first == second
    complaint = first["data"]["complaint"]
    assert complaint["reference"] == filed["reference"]
    assert complaint["timeline"]["edges"][0]["node"]["type"] == "Filed"
