"""The access log: one structured line per HTTP request, cheap enough to keep on by default.

Each request that `complaints serve` answers is written as one JSON object on its own line, to
standard output (where uvicorn's access log went), when `LOG_LEVEL` is `info` or `debug`:

    {"at":"2026-12-07T02:41:07Z","method":"POST","path":"/graphql","status":200,"ms":0.42,
     "operation":"CaseTimeline","cache":"hit","client":"10.0.0.7"}

`operation` is the GraphQL operation's name (from the request, or the persisted query's), and
`cache` is `hit` when the response cache answered. The query string is left out (a GET's
variables can name people), and so is every header.

Why not uvicorn's access log through `logging`: per request it builds a record, formats it with
colours and client lookups, and writes and flushes standard output, which together cost about a
fifth of a cached read (docs/performance.md). Here a line is one f-string appended to a list, and
the list is written in one call at most every `FLUSH_SECONDS` or `FLUSH_LINES` lines, and when the
server stops. A crash can lose the last quarter-second of lines; nothing else is lost.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The longest wait before lines are written out, and the most lines held back.
FLUSH_SECONDS = 0.25
FLUSH_LINES = 512
#: An operation name is the client's to choose: kept to this many characters.
OPERATION_CHARS = 100


class AccessSink:
    """Lines held back and written out together. Used from the event loop's thread only."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.lines: list[str] = []
        self._second = -1
        self._stamp = ""

    def stamp(self, now: float) -> str:
        """The time to the second, in UTC: formatted once a second, not once a line."""
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
        return self._stamp

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """The request's line (an `Observer` of `Answered`)."""
        state = scope.get("state") or {}
        operation = state.get("operation")
        client = scope.get("client")
        self.write(
            f'{{"at":"{self.stamp(time.time())}","method":"{scope["method"]}",'
            f'"path":{text(scope["path"])},"status":{status},"ms":{seconds * 1000:.2f}'
            + (
                f',"operation":{text(operation[:OPERATION_CHARS])}'
                if isinstance(operation, str) and operation
                else ""
            )
            + (',"cache":"hit"' if state.get("cache_hit") else "")
            + (f',"client":{text(client[0])}' if client else "")
            + "}\n"
        )

    def write(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            stream = self.stream or sys.stdout
            stream.write("".join(self.lines))
            stream.flush()
            self.lines.clear()

    async def run(self) -> None:
        """Write out what is held, every `FLUSH_SECONDS`, until cancelled (then once more)."""
        try:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                self.flush()
        finally:
            self.flush()


def text(value: str) -> str:
    """A string as JSON; names and paths are almost always plain, so only those that need
    escaping pay for `json.dumps`."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


#: What is told of each HTTP request once it is answered: its scope, status and seconds.
Observer = Callable[[Scope, int, float], None]


class Answered:
    """ASGI middleware timing each HTTP request and telling its observers (the access log, the
    request metrics) once it is answered: one wrapper and one clock for all of them."""

    def __init__(self, app: ASGIApp, observers: Sequence[Observer]) -> None:
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: the app failed

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            for observe in self.observers:
                observe(scope, status, seconds)
