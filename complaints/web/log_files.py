"""The transparency log as plain files (C2SP tlog-tiles, under the prefix /log), so that a
mirror or a witness copies the whole log without GraphQL:

    GET /log/checkpoint                     the latest signed checkpoint (a signed note)
    GET /log/tile/<L>/<N>[.p/<W>]           hash tiles: 256 (or W) hashes of tree level 8L
    GET /log/tile/entries/<N>[.p/<W>]       entry bundles: the leaf texts, length-prefixed

A full tile never changes: it is served as immutable, cacheable for a year. A partial tile
(`.p/W`, fewer than 256) is served while the latest checkpoint's tree has at least W there; the
full one replaces it. Tiles beyond the latest checkpoint's tree are not published yet: 404.
"""

from __future__ import annotations

import re

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from complaints.projections.read_models import ReadModels
from complaints.store import merkle

IMMUTABLE = "public, max-age=31536000, immutable"
#: Partial tiles and the checkpoint change as the log grows.
SHORT = "public, max-age=5"
PARTIAL = re.compile(r"^(?P<index>.+)\.p/(?P<width>[1-9][0-9]*)$")
OCTETS = "application/octet-stream"


def _not_found(what: str) -> Response:
    return PlainTextResponse(f"no such {what}\n", status_code=404)


async def checkpoint(request: Request) -> Response:
    read_models: ReadModels = request.app.state.read_models
    latest = await anyio.to_thread.run_sync(read_models.log.latest_checkpoint)
    if latest is None:
        return _not_found("checkpoint: the log has signed none yet")
    return PlainTextResponse(latest.note, headers={"Cache-Control": "no-cache"})


def _tile_address(path: str) -> tuple[int, int | None] | None:
    """(N, W) of `<N>` (W None: full) or `<N>.p/<W>`; None if not a tile address."""
    width: int | None = None
    partial = PARTIAL.match(path)
    if partial is not None:
        path, width = partial["index"], int(partial["width"])
        if width >= merkle.TILE_WIDTH:
            return None
    try:
        return merkle.parse_tile_index(path), width
    except ValueError:
        return None


async def _serve(request: Request, level: int | None) -> Response:
    """A hash tile at `level`, or an entry bundle (level None)."""
    address = _tile_address(request.path_params["index"])
    if address is None or (level is not None and not 0 <= level <= 63):
        return _not_found("tile")
    index, width = address
    read_models: ReadModels = request.app.state.read_models
    log = read_models.log

    def read() -> bytes | None:
        latest = log.latest_checkpoint()
        size = 0 if latest is None else latest.tree_size
        available = merkle.tile_width(level or 0, index, size)
        wanted = merkle.TILE_WIDTH if width is None else width
        if available < wanted:
            return None
        return (
            log.tile(level, index, wanted) if level is not None else log.entry_bundle(index, wanted)
        )

    body = await anyio.to_thread.run_sync(read)
    if body is None:
        return _not_found("tile")
    cache = IMMUTABLE if width is None else SHORT
    return Response(body, media_type=OCTETS, headers={"Cache-Control": cache})


async def hash_tile(request: Request) -> Response:
    return await _serve(request, int(request.path_params["level"]))


async def entry_bundle(request: Request) -> Response:
    return await _serve(request, None)
