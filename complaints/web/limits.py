"""A cap on request bodies, checked before and while they are read (413 beyond it)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complaints.domain.text import Text
from complaints.language import DEFAULT, say


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """`/uploads` may carry a file (its own limit plus room for the form); anything else is
    held to `default` bytes. A declared Content-Length over the limit is refused at once; a body
    that grows past it while streaming is cut off."""

    def __init__(self, app: ASGIApp, *, default: int, uploads: int) -> None:
        self.app = app
        self.default = default
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads + 65536 if scope["path"] == "/uploads" else self.default
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(send, limit, scope)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit, scope)

    @staticmethod
    async def _too_large(send: Send, limit: int, scope: Scope) -> None:
        locale = scope.get("state", {}).get("locale", DEFAULT)
        message = Text("Request body larger than {limit} bytes", limit=limit)
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": say(message, locale),
                        "extensions": {"code": "BODY_TOO_LARGE"},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
