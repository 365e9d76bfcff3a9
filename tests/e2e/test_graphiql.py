"""GraphiQL in a real browser (Debian's chromium, headless), with every request that leaves the
server refused: the page loads the schema and runs a query from this server's own copies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from complaints.web.graphiql_page import ASSETS
from tests.e2e.conftest import Server


@pytest.fixture(scope="module")
def graphiql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("graphiql")
    running = Server(f"sqlite:///{workdir / 'complaints.db'}", workdir, GRAPHIQL="true")
    yield running
    running.stop()


def test_graphiql_loads_the_schema_and_runs_a_query_offline(
    graphiql_server: Server, browser: Any, tmp_path: Path
) -> None:
    origin = graphiql_server.url
    page = browser.new_page()
    refused: list[str] = []
    problems: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def introspection(response: Any) -> bool:
        posted = response.request.post_data or ""
        return response.url == f"{origin}/graphql" and "__schema" in posted

    with page.expect_response(introspection, timeout=30_000) as schema_response:
        page.goto(f"{origin}/graphql", wait_until="load")
    loaded = schema_response.value.json()
    assert loaded.get("errors") is None, loaded
    assert {t["name"] for t in loaded["data"]["__schema"]["types"]} >= {"Query", "Complaint"}

    editor = ".graphiql-query-editor .CodeMirror"
    page.wait_for_selector(editor, timeout=30_000)
    page.evaluate(f"document.querySelector({editor!r}).CodeMirror.setValue('{{ viewerRole }}')")
    page.click(".graphiql-execute-button")
    # (Waits by selector: a waiting function would need 'unsafe-eval', which the page's CSP
    # rightly refuses.)
    page.locator(".graphiql-response").get_by_text('"PUBLIC"').wait_for(timeout=30_000)
    # The documentation explorer knows the schema's types.
    page.click('[aria-label="Show Documentation Explorer"]')
    page.wait_for_selector("text=Query", timeout=30_000)
    page.screenshot(path=str(tmp_path / "graphiql.png"))
    assert refused == []
    assert problems == []


def test_the_page_carries_a_policy_that_keeps_it_to_this_server(graphiql_server: Server) -> None:
    response = httpx.get(f"{graphiql_server.url}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "unpkg" not in response.text


def test_assets_are_served_gzipped_and_revalidated(graphiql_server: Server) -> None:
    url = f"{graphiql_server.url}/graphiql/graphiql.min.js"
    full = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert full.status_code == 200
    assert full.headers["content-encoding"] == "gzip"
    assert full.headers["content-type"].startswith("text/javascript")
    assert full.headers["x-content-type-options"] == "nosniff"
    assert full.content == (ASSETS / "graphiql.min.js").read_bytes()  # httpx decompressed it
    again = httpx.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": full.headers["etag"]}
    )
    assert again.status_code == 304
    plain = httpx.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] != full.headers["etag"]
    assert plain.content == full.content
    assert httpx.get(f"{graphiql_server.url}/graphiql/..%2Fserver.py").status_code == 404
    assert httpx.get(f"{graphiql_server.url}/graphiql/index.html").status_code == 404
