"""Signed checkpoints: C2SP tlog-checkpoint bodies, signed as C2SP signed-notes with Ed25519.

The formats are those of golang.org/x/mod/sumdb/note, so any signed-note implementation checks
our notes with the verifier key that `logKey` gives:

    key hash      = SHA-256(name || "\\n" || 0x01 || public key)[:4]
    verifier key  = <name>+<key hash, 8 hex>+<base64(0x01 || public key)>
    signer key    = PRIVATE+KEY+<name>+<key hash, 8 hex>+<base64(0x01 || 32-byte seed)>
    note          = <text, newline-terminated>
                    <blank line>
                    — <name> <base64(key hash || Ed25519 signature of the text)>

    checkpoint text = <origin>\\n<tree size, decimal>\\n<root hash, base64>\\n
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class NoteError(ValueError):
    """A key, note or checkpoint that cannot be read or does not verify."""


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"a key name must be non-empty, without spaces or '+': {name!r}")


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return _raw_public(self.private_key)

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public_key)

    @property
    def verifier_key(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_hash.hex()}+{encoded}"

    def encoded(self) -> str:
        """The signer key string (secret)."""
        seed = self.private_key.private_bytes_raw()
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_hash.hex()}+{encoded}"

    def sign(self, text: str) -> str:
        """The note: the text, a blank line, and this key's signature line."""
        if not text.endswith("\n"):
            raise NoteError("a note's text must end with a newline")
        signature = self.private_key.sign(text.encode())
        line = base64.b64encode(self.key_hash + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {line}\n"

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, encoded: str) -> Signer:
        parts = encoded.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signer key reads PRIVATE+KEY+<name>+<hash>+<key>")
        name, hash_hex, key = parts[2:]
        _check_name(name)
        try:
            raw = base64.b64decode(key, validate=True)
        except binascii.Error as error:
            raise NoteError("the signer key is not base64") from error
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("the signer key is not an Ed25519 key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key_hash.hex() != hash_hex:
            raise NoteError("the signer key's hash does not match its name and key")
        return signer


def development_signer(path: Path, name: str) -> Signer:
    """The key kept at `path`, made there on first use (development only: production sets
    LOG_SIGNING_KEY). Two processes starting together agree on whichever was written first."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = Signer.generate(name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(candidate.encoded() + "\n")
    return Signer.parse(path.read_text())


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: bytes

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public_key)

    @classmethod
    def parse(cls, encoded: str) -> Verifier:
        parts = encoded.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key reads <name>+<hash>+<key>")
        name, hash_hex, key = parts
        _check_name(name)
        try:
            raw = base64.b64decode(key, validate=True)
        except binascii.Error as error:
            raise NoteError("the verifier key is not base64") from error
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("the verifier key is not an Ed25519 key")
        verifier = cls(name, raw[1:])
        if verifier.key_hash.hex() != hash_hex:
            raise NoteError("the verifier key's hash does not match its name and key")
        return verifier

    def open(self, note: str) -> str:
        """The note's text, if this key signed it; NoteError otherwise."""
        text, signatures = split_note(note)
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        for name, raw in signatures:
            if name != self.name or raw[:4] != self.key_hash:
                continue
            try:
                public.verify(raw[4:], text.encode())
            except InvalidSignature:
                raise NoteError(f"the signature of {name} does not verify") from None
            return text
        raise NoteError(f"the note carries no signature of {self.name}")


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The text and the signature lines (name, key hash || signature) of a note."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("a note is text, a blank line, then signature lines")
    text, lines = note[: cut + 1], note[cut + 2 :].splitlines()
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"not a signature line: {line!r}")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError(f"not a signature line: {line!r}") from None
        if len(raw) < 5:
            raise NoteError(f"not a signature line: {line!r}")
        signatures.append((name, raw))
    if not signatures:
        raise NoteError("the note has no signature")
    return text, signatures


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes

    def text(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        return f"{self.origin}\n{self.tree_size}\n{root}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or not text.endswith("\n"):
            raise NoteError("a checkpoint is the origin, the tree size and the root hash")
        origin, size, root = lines[:3]
        if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("a checkpoint's second line is its tree size")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("a checkpoint's third line is its root hash in base64") from None
        if len(root_hash) != 32:
            raise NoteError("a checkpoint's root hash is 32 bytes")
        return cls(origin, int(size), root_hash)
