"""The access log of a real `complaints serve` at the default `LOG_LEVEL` (info), on SQLite and
PostgreSQL: one JSON line per request naming the operation and whether the cache answered,
instead of uvicorn's lines, and nothing personal."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from complaints.web.access_log import FLUSH_SECONDS
from tests.e2e.conftest import Server, token
from tests.e2e.test_apq import apq, sha
from tests.e2e.test_apq_get import get
from tests.e2e.test_graphql import open_case


@pytest.fixture(scope="module")
def logged(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store, tmp_path_factory.mktemp("logged"), LOG_LEVEL="info")
    yield running
    running.stop()


def access_lines(server: Server, marker: str, count: int) -> list[dict[str, Any]]:
    """The `count` access log lines after the one of the operation `marker`, once written
    (they are written together, every FLUSH_SECONDS)."""
    deadline = time.monotonic() + 10 * FLUSH_SECONDS + 5
    while True:
        found = [
            json.loads(line) for line in server.output().splitlines() if line.startswith('{"at":')
        ]
        after = [n for n, line in enumerate(found) if line.get("operation") == marker]
        if (after and len(found) > after[0] + count) or time.monotonic() > deadline:
            return found[after[0] + 1 :] if after else []
        time.sleep(FLUSH_SECONDS)


def test_each_request_is_one_line_naming_its_operation(logged: Server) -> None:
    _shop, _seller, consumer, filed = open_case(logged)
    marker = f"Marker{filed['reference'][-8:]}"
    logged.post(f"query {marker} {{ viewerRole }}")
    document = (
        f"query LoggedCase{filed['reference'][-8:]}($id: ID!) {{ complaint(id: $id) {{ id }} }}"
    )
    apq(logged, consumer, {"id": filed["id"]}, sha(document), document)
    get(logged, consumer, {"id": filed["id"]}, sha(document))
    hit = get(logged, consumer, {"id": filed["id"]}, sha(document), operationName="Named")
    assert hit.headers.get("cache-status") == "complaints; hit"
    logged.post("query Unnamed { viewerRole }")
    lines = access_lines(logged, marker, 4)
    assert [(line["method"], line["status"]) for line in lines] == [
        ("POST", 200),
        ("GET", 200),
        ("GET", 200),
        ("POST", 200),
    ]
    assert [line.get("operation") for line in lines] == [
        f"LoggedCase{filed['reference'][-8:]}",
        f"LoggedCase{filed['reference'][-8:]}",
        "Named",
        "Unnamed",
    ]
    # Registering it by POST filled the response cache: both GETs are answered from it.
    assert [line.get("cache") for line in lines] == [None, "hit", "hit", None]
    assert all(line["path"] == "/graphql" and line["client"] == "127.0.0.1" for line in lines)
    output = logged.output()
    assert "HTTP/1.1" not in output  # no uvicorn access lines
    assert filed["id"] not in output  # the variables stay out
    assert token(consumer) not in output
