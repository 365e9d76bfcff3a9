"""GraphiQL from this server's own pinned copies (complaints/web/graphiql/), not from a CDN.

The page is `index.html` with a Content-Security-Policy that lets it load scripts and styles
from this origin only and talk to this origin only (HTTP and the WebSocket). Assets are served
from memory by a fixed list of names, gzipped for clients that accept it, with an ETag so that
a browser revalidates them cheaply.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from complaints.web.negotiation import qualities

ASSETS = Path(__file__).with_name("graphiql")
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        # GraphiQL's editors and React set style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str  # of the body; the gzipped form has its own (`etag_gzip`)
    media_type: str

    @property
    def etag_gzip(self) -> str:
        return f'{self.etag[:-1]}-gzip"'


def load_assets(directory: Path) -> dict[str, Asset]:
    """Every servable file of `directory` by name, with its gzipped form and ETag."""
    found = {}
    for path in sorted(directory.iterdir()):
        media_type = MEDIA_TYPES.get(path.suffix)
        if media_type is None:
            continue
        body = path.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        found[path.name] = Asset(body, gzip.compress(body, 9, mtime=0), etag, media_type)
    return found


@functools.cache
def assets() -> dict[str, Asset]:
    return load_assets(ASSETS)


@functools.cache
def page_html() -> str:
    return (ASSETS / "index.html").read_text(encoding="utf-8")


def page() -> HTMLResponse:
    return HTMLResponse(
        page_html(),
        headers={
            "Content-Security-Policy": PAGE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


async def asset(request: Request) -> Response:
    # Read and gzipped once per process, off the event loop (about 0.2 s).
    return serve_asset(request, await anyio.to_thread.run_sync(assets))


def serve_asset(request: Request, known: dict[str, Asset]) -> Response:
    """The asset named by the route's `name`: gzipped if the client accepts it, 304 if its ETag
    is the one the client holds."""
    found = known.get(request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not Found", status_code=404)
    gzipped = qualities(request.headers.get("accept-encoding")).get("gzip", 0.0) > 0
    etag = found.etag_gzip if gzipped else found.etag
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    wanted = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)
