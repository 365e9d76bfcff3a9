"""The access log's lines: one JSON object per request, with what an operator needs and
nothing personal, written out together."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from complaints.web.access_log import FLUSH_LINES, AccessSink, Answered


def request(path: str = "/graphql", **state: Any) -> Scope:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"variables=%7B%22name%22%3A%22Alice%22%7D",
        "headers": [(b"authorization", b"Bearer secret-token")],
        "client": ("10.0.0.7", 51000),
        "state": dict(state),
    }


async def answer(scope: Scope, receive: Receive, send: Send) -> None:
    scope["state"]["operation"] = scope["state"].get("operation", "CaseTimeline")
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def fail(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("boom")


async def nothing() -> Message:
    return {"type": "http.disconnect"}


async def drop(message: Message) -> None:
    return None


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_request_is_one_line_with_its_operation_and_nothing_personal() -> None:
    stream = io.StringIO()
    sink = AccessSink(stream)
    asyncio.run(Answered(answer, [sink.observe])(request(cache_hit=True), nothing, drop))
    assert stream.getvalue() == ""  # held back until flushed
    sink.flush()
    [line] = lines(stream)
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["status"] == 201
    assert line["operation"] == "CaseTimeline"
    assert line["cache"] == "hit"
    assert line["client"] == "10.0.0.7"
    assert line["ms"] >= 0
    assert line["at"].endswith("Z")
    assert "Alice" not in stream.getvalue()
    assert "secret-token" not in stream.getvalue()


def test_names_that_need_escaping_stay_valid_json_and_long_ones_are_cut() -> None:
    stream = io.StringIO()
    sink = AccessSink(stream)
    odd = 'Evil"\\\n名' + "x" * 500
    asyncio.run(Answered(answer, [sink.observe])(request('/p"a\\th', operation=odd), nothing, drop))
    sink.flush()
    [line] = lines(stream)
    assert line["path"] == '/p"a\\th'
    assert line["operation"] == odd[:100]
    assert "cache" not in line


def test_a_failing_request_is_logged_as_500() -> None:
    stream = io.StringIO()
    sink = AccessSink(stream)
    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(Answered(fail, [sink.observe])(request(), nothing, drop))
    sink.flush()
    assert [line["status"] for line in lines(stream)] == [500]


def test_lines_are_written_in_batches_and_when_the_flusher_stops() -> None:
    stream = io.StringIO()
    sink = AccessSink(stream)
    log = Answered(answer, [sink.observe])

    async def traffic() -> None:
        flusher = asyncio.create_task(sink.run())
        await asyncio.sleep(0)  # the flusher is waiting, as in a running server
        for _ in range(FLUSH_LINES + 3):
            await log(request(), nothing, drop)
        assert len(lines(stream)) == FLUSH_LINES  # a full batch, written at once
        flusher.cancel()
        await asyncio.gather(flusher, return_exceptions=True)

    asyncio.run(traffic())
    assert len(lines(stream)) == FLUSH_LINES + 3  # the rest, as the server stops


def test_websockets_are_passed_through_unlogged() -> None:
    stream = io.StringIO()
    sink = AccessSink(stream)
    seen: list[str] = []

    async def socket(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    asyncio.run(
        Answered(socket, [sink.observe])({"type": "websocket", "path": "/graphql"}, nothing, drop)
    )
    sink.flush()
    assert seen == ["websocket"]
    assert stream.getvalue() == ""
