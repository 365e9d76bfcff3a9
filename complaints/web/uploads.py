"""Evidence files: `POST /uploads` stores one and answers its sha256; `GET /uploads/{sha256}`
sends it back to those who may see it.

An upload is recognised by its first bytes, not by what the client claims; only the media types
in UPLOAD_MEDIA_TYPES are kept, up to UPLOAD_MAX_BYTES. It is sealed under the uploader's
subject key (complaints.store.files), and `submitEvidence` or `fileComplaint(evidence:)` cite it
by its hash. A file is sent to its uploader, and to whoever may see a case that cites it; to
anyone else the answer is 404, whether or not the file exists. Responses carry their type,
`nosniff` and a policy that keeps the file from running script, and answer `Range` requests.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

import anyio.to_thread
from starlette.concurrency import iterate_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from complaints.domain.text import Text
from complaints.domain.validation import SHA256
from complaints.domain.values import Actor, Role
from complaints.language import DEFAULT, say
from complaints.projections.base import ReadModelNotReady
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.store.files import FileStore, SealedFile, TamperedFile, TooLarge
from complaints.tokens import InvalidToken
from complaints.web.identity import authenticate

log = logging.getLogger(__name__)

#: (media type, test on the first bytes)
SIGNATURES: tuple[tuple[str, object], ...] = (
    ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/gif", lambda b: b[:6] in {b"GIF87a", b"GIF89a"}),
    ("image/webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("video/mp4", lambda b: b[4:8] == b"ftyp"),
    ("application/pdf", lambda b: b.startswith(b"%PDF-")),
)


def sniff(head: bytes) -> str | None:
    for media_type, test in SIGNATURES:
        if test(head):  # type: ignore[operator]
            return media_type
    return None


def refuse(request: Request, status: int, code: str, message: str) -> JSONResponse:
    """A refusal in the request's language (`message` a `Text`; codes stay English)."""
    said = say(message, request.scope.get("state", {}).get("locale", DEFAULT))
    return JSONResponse({"error": {"code": code, "message": said}}, status_code=status)


async def upload(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    try:
        credentials = authenticate(settings.jwt_secret, request.headers.get("authorization"))
    except InvalidToken as error:
        return refuse(request, 401, "UNAUTHENTICATED", error.message)
    role = credentials.actor.role
    if role is Role.PUBLIC:
        return refuse(request, 401, "UNAUTHENTICATED", Text("Sign in to upload evidence."))
    if role is Role.AUDITOR:
        return refuse(request, 403, "READ_ONLY_ROLE", Text("Auditors read; they do not upload."))
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return refuse(
            request,
            415,
            "NOT_MULTIPART",
            Text("Send the file as multipart/form-data, field 'file'."),
        )
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:  # a malformed multipart body
        return refuse(request, 400, "BAD_MULTIPART", Text("The multipart body could not be read."))
    try:
        source = form.get("file")
        if not isinstance(source, UploadFile):
            return refuse(
                request, 400, "FILE_MISSING", Text("Send the file in the form field 'file'.")
            )
        media_type = sniff(await source.read(16))
        if media_type not in settings.upload_media_types:
            allowed = ", ".join(settings.upload_media_types)
            return refuse(
                request, 415, "MEDIA_TYPE_NOT_ALLOWED", Text("Allowed: {allowed}.", allowed=allowed)
            )
        files: FileStore = request.app.state.complaints.files
        try:
            stored = await anyio.to_thread.run_sync(
                files.save, credentials.actor.id, source.file, media_type, settings.upload_max_bytes
            )
        except TooLarge:
            return refuse(
                request,
                413,
                "TOO_LARGE",
                Text(
                    "Files may be at most {upload_max_bytes} bytes.",
                    upload_max_bytes=settings.upload_max_bytes,
                ),
            )
    finally:
        await form.close()
    return JSONResponse(
        {"sha256": stored.sha256, "size": stored.size, "mediaType": stored.media_type},
        status_code=201,
        headers={"Location": f"/uploads/{stored.sha256}"},
    )


# ---------------------------------------------------------------------- reading a file back
NOT_FOUND = {"error": {"code": "NOT_FOUND", "message": "No such file."}}
#: An uploaded file is shown, never run: no script, no plugin, no frame around it, no requests
#: from it, and a sandbox even when a browser opens it as a page of its own.
FILE_POLICY = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline';"
    " sandbox; frame-ancestors 'self'"
)
#: Types that a browser shows in place; anything else (a PDF: its viewer can run script) is
#: offered for download.
INLINE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"})
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "application/pdf": "pdf",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | Literal[False] | None:
    """The one range `header` asks for, as (first, last); None for the whole file; False if it
    cannot be satisfied. Several ranges, or a header that does not parse, get the whole file
    (RFC 9110 lets a server ignore Range)."""
    if header is None:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < start:
        return None  # invalid: ignore it
    if start >= size:
        return False
    return start, end


def viewers_copy(request: Request, actor: Actor, sha256: str) -> SealedFile | None:
    """The copy of the file that `actor` may see: one that a case the actor may see cites, or
    the actor's own upload."""
    read_models: ReadModels = request.app.state.read_models
    files: FileStore = request.app.state.complaints.files
    owners = read_models.complaints.file_owners(actor, sha256)
    if actor.role is not Role.PUBLIC and actor.id not in owners:
        owners.append(actor.id)
    for owner in owners:
        sealed = files.open(owner, sha256)
        if sealed is not None:
            return sealed
    return None


async def download(request: Request) -> Response:
    """`GET /uploads/{sha256}`: the file, to a viewer who may see a case that cites it (or who
    uploaded it); 404 to anyone else, so that no one learns whether a file exists."""
    settings: Settings = request.app.state.settings
    try:
        credentials = authenticate(settings.jwt_secret, request.headers.get("authorization"))
    except InvalidToken as error:
        return refuse(request, 401, "UNAUTHENTICATED", error.message)
    sha256 = request.path_params["sha256"]
    actor = credentials.actor
    if actor.role is Role.PUBLIC or not SHA256.match(sha256):
        return JSONResponse(NOT_FOUND, status_code=404)
    try:
        sealed = await anyio.to_thread.run_sync(viewers_copy, request, actor, sha256)
    except ReadModelNotReady:
        return refuse(
            request, 503, "NOT_READY", Text("The file index is being rebuilt; try again shortly.")
        )
    except TamperedFile:
        log.error("stored file %s failed authentication", sha256)
        sealed = None
    if sealed is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    media_type = sealed.header.media_type
    size = sealed.size
    etag = f'"{sha256}"'
    disposition = "inline" if media_type in INLINE else "attachment"
    extension = EXTENSIONS.get(media_type, "bin")
    headers = {
        "Content-Type": media_type,
        "Content-Disposition": f'{disposition}; filename="{sha256}.{extension}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_POLICY,
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
        # The viewer's own: no shared cache may keep it, and a browser asks again each time.
        "Cache-Control": "private, no-cache",
        "Vary": "Authorization",
        "ETag": etag,
        "Accept-Ranges": "bytes",
    }
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if_range = request.headers.get("if-range")
    wanted = byte_range(request.headers.get("range"), size)
    if if_range is not None and if_range.strip() != etag:
        wanted = None  # the client holds another version: send the whole file
    if wanted is False:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        start, end, status = 0, size - 1, 200
    else:
        start, end = wanted
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    return StreamingResponse(
        iterate_in_threadpool(sealed.read(start, end)), status_code=status, headers=headers
    )
