"""A webhook receiver on loopback, as a shop's own system would run one: it verifies every
signature with the standardwebhooks library and keeps what it received."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A sender killed mid-request resets its connection: expected here, not news."""


@dataclass(frozen=True)
class Received:
    webhook_id: str
    payload: dict[str, Any]
    headers: dict[str, str]

    @property
    def position(self) -> int:
        return int(self.payload["data"]["position"])

    @property
    def reference(self) -> str:
        return str(self.payload["data"]["complaint"]["reference"])

    @property
    def type(self) -> str:
        return str(self.payload["data"]["entry"]["type"])


class Receiver:
    """Answers 204 to a delivery whose signature verifies (and `answer` allows), 400 otherwise."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.received: list[Received] = []
        self.refused: list[str] = []  # bodies whose signature did not verify
        #: Decides the status for a verified delivery (e.g. 503 while "down").
        self.answer: Callable[[Received], int] = lambda _: 204
        self.body = b""
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                expected = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(expected)
                if len(body) < expected:
                    return  # the sender died mid-request (a test kills it): nothing arrived
                status = receiver.handle(body, dict(self.headers.items()))
                reply = receiver.body
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("location", "http://127.0.0.1:9/elsewhere")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hooks/complaints"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        assert self.secret is not None, "register the endpoint first"
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except Exception:
            with self._lock:
                self.refused.append(body.decode("utf-8", "replace"))
            return 400
        lowered = {k.lower(): v for k, v in headers.items()}
        received = Received(lowered["webhook-id"], payload, lowered)
        status = self.answer(received)
        if 200 <= status < 300:
            with self._lock:
                self.received.append(received)
        return status

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if condition(list(self.received)):
                    return
            time.sleep(0.05)
        raise AssertionError(f"not received in {timeout}s; got {self.summary()}")

    def summary(self) -> str:
        with self._lock:
            return json.dumps([(r.position, r.type) for r in self.received])

    def first_of_each(self) -> list[Received]:
        """What was received, without repeats (the first of each webhook-id)."""
        seen: set[str] = set()
        unique = []
        for r in self.received:
            if r.webhook_id not in seen:
                seen.add(r.webhook_id)
                unique.append(r)
        return unique

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
