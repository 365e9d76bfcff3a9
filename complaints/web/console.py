"""The web console: a frontend for consumers, sellers, staff, auditors and the public, served at
`/` from this package's own files (complaints/web/console/), written as plain ES modules: app.js
(the shell and router), one module per role's pages (consumer.js, seller.js, staff.js,
auditor.js, public.js, and in development marketplace.js), and what they share (case.js,
casefacts.js, cases.js, shop.js, violations.js, common.js, forms.js, api.js, dom.js, i18n.js).
Every file there with a known suffix (.js, .css, .json, .svg) is served under /console/;
index.html preloads the modules. The console offers the actions the API lists in
`allowedActions`, and decides no right itself.

It uses the public API only (GraphQL over HTTP with automatic persisted queries, the
`graphql-transport-ws` subscriptions, `POST /uploads` and `GET /uploads/{sha256}`). The server
adds two things: the page, with a Content-Security-Policy that allows no inline script, and in
development only a sign-in route that mints a short-lived token for a role, an id and a shop.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from complaints.domain.text import Text
from complaints.domain.values import Role
from complaints.language import DEFAULT, say
from complaints.settings import Settings
from complaints.tokens import TOKEN_ROLES, mint_token
from complaints.web.graphiql_page import Asset, load_assets, serve_asset

CONSOLE = Path(__file__).with_name("console")
#: How long a development sign-in lasts.
SESSION_TTL = timedelta(hours=8)
PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # Evidence thumbnails are fetched with the bearer token and shown as blob: URLs.
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@functools.cache
def console_assets() -> dict[str, Asset]:
    return load_assets(CONSOLE)


@functools.cache
def page_html() -> str:
    return (CONSOLE / "index.html").read_text(encoding="utf-8")


async def page(request: Request) -> Response:
    return HTMLResponse(page_html(), headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


async def asset(request: Request) -> Response:
    response = serve_asset(request, await anyio.to_thread.run_sync(console_assets))
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


NOT_AN_OBJECT = Text("Send a JSON object: role, id and, for a seller, shopId.")


def role_one_of(roles: list[str]) -> Text:
    return Text("role must be one of {roles}", roles=", ".join(roles))


def refuse(
    request: Request, code: str, message: str, field: str | None = None, status: int = 400
) -> JSONResponse:
    """A refusal in the request's language (`message` a `Text`; codes stay English)."""
    said = say(message, request.scope.get("state", {}).get("locale", DEFAULT))
    error: dict[str, Any] = {"code": code, "message": said}
    if field is not None:
        error["fields"] = [{"field": field, "message": said}]
    return JSONResponse({"error": error}, status_code=status)


async def development_session(request: Request) -> Response:
    """Development only: a token for the role, id and shop the sign-in form names.

    Registered only when ENVIRONMENT=development; production consoles take the bearer token
    that the marketplace's own login issues.
    """
    settings: Settings = request.app.state.settings
    try:
        body = await request.json()
    except ValueError:
        return refuse(request, "BAD_REQUEST", NOT_AN_OBJECT)
    if not isinstance(body, dict):
        return refuse(request, "BAD_REQUEST", NOT_AN_OBJECT)
    roles = sorted(r.value for r in TOKEN_ROLES)
    try:
        role = Role(str(body.get("role", "")).upper())
    except ValueError:
        return refuse(request, "VALIDATION_FAILED", role_one_of(roles), "role")
    if role not in TOKEN_ROLES:
        return refuse(request, "VALIDATION_FAILED", role_one_of(roles), "role")
    sub = body.get("id")
    if not isinstance(sub, str) or not sub.strip() or len(sub.strip()) > 128:
        return refuse(request, "VALIDATION_FAILED", Text("id must be 1 to 128 characters"), "id")
    shop = body.get("shopId")
    shop_id = shop.strip() if isinstance(shop, str) and shop.strip() else None
    if role is Role.SELLER and shop_id is None:
        return refuse(request, "VALIDATION_FAILED", Text("a seller signs in for a shop"), "shopId")
    now = request.app.state.complaints.clock.now()
    token = mint_token(
        settings.jwt_secret,
        role=role,
        sub=sub.strip(),
        shop_id=shop_id if role is Role.SELLER else None,
        now=now,
        ttl=SESSION_TTL,
    )
    return JSONResponse(
        {"token": token, "expiresAt": (now + SESSION_TTL).isoformat()},
        headers={"Cache-Control": "no-store"},
    )


async def configuration(request: Request) -> Response:
    """What the console must know before it signs anyone in: whether the development sign-in
    exists. (Nothing secret: the same for every caller.)"""
    settings: Settings = request.app.state.settings
    return JSONResponse(
        {"developmentSignIn": settings.environment == "development"},
        headers={"Cache-Control": "no-cache"},
    )
