"""Evidence uploads: `POST /uploads` stores a file by its content and answers its sha256.

The file is recognised by its first bytes, not by what the client claims; only the media types
in UPLOAD_MEDIA_TYPES are kept, up to UPLOAD_MAX_BYTES. Stored files are named by their hash
(`<UPLOAD_DIR>/ab/abcdef…`), so the same file uploaded twice is stored once, and `submitEvidence`
refers to it by that hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse

from complaints.domain.values import Role
from complaints.settings import Settings
from complaints.web.identity import InvalidToken, authenticate

CHUNK = 64 * 1024

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


def refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class TooLarge(Exception):
    pass


def store(source: UploadFile, directory: Path, limit: int) -> tuple[str, int, bytes, Path]:
    """Copy the upload into a temporary file beside its destination, hashing as it goes."""
    directory.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    handle, name = tempfile.mkstemp(dir=directory, prefix=".upload-")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            source.file.seek(0)
            while chunk := source.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size, head, temporary


async def upload(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    try:
        credentials = authenticate(settings.jwt_secret, request.headers.get("authorization"))
    except InvalidToken as error:
        return refuse(401, "UNAUTHENTICATED", str(error))
    role = credentials.actor.role
    if role is Role.PUBLIC:
        return refuse(401, "UNAUTHENTICATED", "Sign in to upload evidence.")
    if role is Role.AUDITOR:
        return refuse(403, "READ_ONLY_ROLE", "Auditors read; they do not upload.")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return refuse(415, "NOT_MULTIPART", "Send the file as multipart/form-data, field 'file'.")
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:  # a malformed multipart body
        return refuse(400, "BAD_MULTIPART", "The multipart body could not be read.")
    try:
        source = form.get("file")
        if not isinstance(source, UploadFile):
            return refuse(400, "FILE_MISSING", "Send the file in the form field 'file'.")
        directory = settings.upload_dir
        try:
            sha256, size, head, temporary = await anyio.to_thread.run_sync(
                store, source, directory, settings.upload_max_bytes
            )
        except TooLarge:
            return refuse(
                413, "TOO_LARGE", f"Files may be at most {settings.upload_max_bytes} bytes."
            )
    finally:
        await form.close()
    media_type = sniff(head)
    if size == 0 or media_type not in settings.upload_media_types:
        temporary.unlink(missing_ok=True)
        allowed = ", ".join(settings.upload_media_types)
        return refuse(415, "MEDIA_TYPE_NOT_ALLOWED", f"Allowed: {allowed}.")
    final = directory / sha256[:2] / sha256
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        temporary.unlink(missing_ok=True)
    else:
        temporary.replace(final)
    return JSONResponse({"sha256": sha256, "size": size, "mediaType": media_type}, status_code=201)
