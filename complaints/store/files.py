"""Evidence files, stored encrypted under their uploader's subject key.

An uploaded file is personal data of the person who uploaded it, like the texts in the events:
it is sealed with AES-256-GCM under that subject's key (see personal_data.py), so that erasing
the subject destroys the key and with it every file the subject uploaded ("crypto-shredding").
No plaintext byte of an upload is written under UPLOAD_DIR.

Layout: `<UPLOAD_DIR>/<owner>/<ab>/<sha256>`, where `<owner>` is a digest of the uploader's
subject id (never the id itself) and `<sha256>` the digest of the plaintext. The same file
uploaded twice by one person is stored once; uploaded by two people, it is stored twice, each
copy under its own key, so that erasing one leaves the other.

Format (version 1):
- a header line: `CPF1 ` followed by a JSON object (key id, sha256, media type, size, chunk
  size, nonce prefix) and `\\n`;
- the plaintext in chunks of `chunk` bytes, each sealed on its own: the nonce is the file's
  random 7-byte prefix, the chunk's index (4 bytes) and a last-chunk flag; the associated data
  is the whole header line, the owner's subject id, the index and the flag. A header, chunk or
  order that was altered, truncated, or moved from another file or owner fails authentication.

Sealing chunks one by one lets a `Range` request decrypt only the chunks it covers, so a video
can be sought without reading it whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complaints.domain.validation import SHA256
from complaints.domain.values import EvidenceFile
from complaints.store.personal_data import KeyStore

log = logging.getLogger(__name__)
MAGIC = b"CPF1 "
CHUNK = 64 * 1024
TAG = 16
PREFIX_BYTES = 7
HEADER_MAX = 1024
READ = 64 * 1024


class TooLarge(Exception):
    """The upload is longer than the limit."""


class TamperedFile(Exception):
    """A stored file failed authentication: it was altered after it was written."""


@dataclass(frozen=True)
class Header:
    key: str
    sha256: str
    media_type: str
    size: int
    chunk: int
    prefix: bytes
    line: bytes

    @property
    def chunks(self) -> int:
        return max(1, -(-self.size // self.chunk))

    def facts(self) -> EvidenceFile:
        return EvidenceFile(self.sha256, self.media_type, self.size)


def _header_line(key: str, sha256: str, media_type: str, size: int, prefix: bytes) -> bytes:
    fields = {
        "v": 1,
        "key": key,
        "sha256": sha256,
        "mediaType": media_type,
        "size": size,
        "chunk": CHUNK,
        "prefix": prefix.hex(),
    }
    return MAGIC + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, int(last))


def _associated(header: bytes, owner: str, index: int, last: bool) -> bytes:
    """Binds each chunk to its place in its file, to the file's header and to its owner."""
    return header + owner.encode() + b"\n" + struct.pack(">IB", index, int(last))


def owner_directory(owner: str) -> str:
    """The directory name for one uploader: a digest, so that no subject id shows on disk."""
    return hashlib.sha256(f"complaints/uploads/v1|{owner}".encode()).hexdigest()[:32]


class FileStore:
    """Writes and reads sealed evidence files under one directory."""

    def __init__(self, directory: Path, keys: KeyStore) -> None:
        self.directory = directory
        self.keys = keys

    def path(self, owner: str, sha256: str) -> Path:
        return self.directory / owner_directory(owner) / sha256[:2] / sha256

    # ------------------------------------------------------------------ writing
    def save(self, owner: str, source: BinaryIO, media_type: str, limit: int) -> EvidenceFile:
        """Seal `source` (read from its start) for `owner`. The caller has checked its type."""
        digest, size = hashlib.sha256(), 0
        source.seek(0)
        while block := source.read(READ):
            size += len(block)
            if size > limit:
                raise TooLarge
            digest.update(block)
        sha256 = digest.hexdigest()
        final = self.path(owner, sha256)
        key = self.keys.key_for(owner)
        existing = self._header(final)
        if existing is not None and existing.key == key.id:
            return existing.facts()  # already stored, under the key that still lives
        final.parent.mkdir(parents=True, exist_ok=True)
        prefix = os.urandom(PREFIX_BYTES)
        line = _header_line(key.id, sha256, media_type, size, prefix)
        cipher = AESGCM(key.secret)
        handle, name = tempfile.mkstemp(dir=final.parent, prefix=".upload-")
        temporary = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(line)
                source.seek(0)
                count = max(1, -(-size // CHUNK))
                for index in range(count):
                    block = source.read(CHUNK)
                    last = index == count - 1
                    out.write(
                        cipher.encrypt(
                            _nonce(prefix, index, last),
                            block,
                            _associated(line, owner, index, last),
                        )
                    )
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return EvidenceFile(sha256, media_type, size)

    # ------------------------------------------------------------------ reading
    def describe(self, owner: str, sha256: str) -> EvidenceFile | None:
        """What `owner` stored under `sha256`, or None if nothing readable is there: never
        uploaded, or its key destroyed by an erasure."""
        try:
            opened = self.open(owner, sha256)
        except TamperedFile:
            log.error("stored file %s failed authentication", sha256)
            return None
        return None if opened is None else opened.header.facts()

    def open(self, owner: str, sha256: str) -> SealedFile | None:
        if not SHA256.match(sha256):
            return None  # not a name the store gives: never a path to look at
        path = self.path(owner, sha256)
        header = self._header(path)
        if header is None or header.sha256 != sha256:
            return None
        secret = self.keys.secret(header.key)
        if secret is None:
            return None
        sealed = SealedFile(path, owner, header, AESGCM(secret))
        sealed.chunk(0)  # authenticates the header before anyone relies on it
        return sealed

    def _header(self, path: Path) -> Header | None:
        try:
            with path.open("rb") as source:
                line = source.readline(HEADER_MAX)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not line.startswith(MAGIC) or not line.endswith(b"\n"):
            return None
        try:
            fields = json.loads(line[len(MAGIC) :])
            return Header(
                key=str(fields["key"]),
                sha256=str(fields["sha256"]),
                media_type=str(fields["mediaType"]),
                size=int(fields["size"]),
                chunk=int(fields["chunk"]),
                prefix=bytes.fromhex(fields["prefix"]),
                line=line,
            )
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class SealedFile:
    """One stored file whose key lives; reads any byte range of its plaintext."""

    path: Path
    owner: str
    header: Header
    cipher: AESGCM

    @property
    def size(self) -> int:
        return self.header.size

    def chunk(self, index: int) -> bytes:
        header = self.header
        sealed = header.chunk + TAG
        last = index == header.chunks - 1
        with self.path.open("rb") as source:
            source.seek(len(header.line) + index * sealed)
            data = source.read(sealed)
        try:
            return self.cipher.decrypt(
                _nonce(header.prefix, index, last),
                data,
                _associated(header.line, self.owner, index, last),
            )
        except InvalidTag:
            msg = f"stored file {self.path.name} failed authentication"
            raise TamperedFile(msg) from None

    def read(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The plaintext bytes start..end (inclusive), a chunk at a time."""
        header = self.header
        end = header.size - 1 if end is None else min(end, header.size - 1)
        if start > end:
            return
        for index in range(start // header.chunk, end // header.chunk + 1):
            plain = self.chunk(index)
            base = index * header.chunk
            yield plain[max(start - base, 0) : end - base + 1]
