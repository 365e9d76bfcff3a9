"""Content negotiation: the quality a client gives each value of an Accept-style header, and
the language of every answer."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complaints.language import negotiate


def qualities(header: str | None) -> dict[str, float]:
    """`"a, b;q=0.5, c;q=oops"` -> `{"a": 1.0, "b": 0.5, "c": 0.0}`, keys lower-cased; a value
    named twice keeps its higher quality."""
    ranks: dict[str, float] = {}
    for part in (header or "").split(","):
        value, *params = (piece.strip() for piece in part.split(";"))
        if not value:
            continue
        quality = 1.0
        for param in params:
            name, _, given = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(given)
                except ValueError:
                    quality = 0.0
        ranks[value.lower()] = max(ranks.get(value.lower(), 0.0), quality)
    return ranks


def header_values(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    """Every value of a header sent more than once, joined as one list (RFC 9110, 5.3)."""
    return ", ".join(v.decode("latin-1") for k, v in headers if k.lower() == name)


#: The paths whose answers are written in the request's language (GraphQL, and the refusals of
#: uploads and of the console's development sign-in): they carry `Vary: Accept-Language`.
SAID_IN_LANGUAGE = frozenset({"/graphql", "/uploads", "/console/session"})


class AnswerLanguage:
    """Every HTTP answer says its language: the request's `Accept-Language` is negotiated once
    (`complaints.language.negotiate`), kept in `scope["state"]["locale"]` for what answers it,
    and named in `Content-Language`. Answers written in that language (`SAID_IN_LANGUAGE`) also
    carry `Vary: Accept-Language`, so that a shared cache keeps the languages apart. WebSockets
    keep the upgrade's language for `connection_init` to use unless its payload names one."""

    def __init__(self, app: ASGIApp, *, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = header_values(scope.get("headers") or [], b"accept-language")
        locale = negotiate(qualities(header), self.default)
        scope.setdefault("state", {})["locale"] = locale
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        varies = scope["path"] in SAID_IN_LANGUAGE

        async def saying(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"content-language"
                ]
                headers.append((b"content-language", locale.encode()))
                if varies:
                    headers.append((b"vary", b"Accept-Language"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, saying)
