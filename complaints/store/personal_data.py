"""Personal data: a key per data subject, and the cipher that seals personal fields with it.

Events are immutable, so personal fields (narratives, messages, evidence descriptions, tracking
numbers) never reach the event store in plaintext. Each is sealed with AES-256-GCM under its
subject's key, which lives in a key table beside the events. Erasing a subject deletes its keys
("crypto-shredding"): the ciphertext stays, so the event log, its hashes and the statistics stay
whole, but nothing can read those fields again.

Keys are cached for `cache_seconds` so that reads do not query the key table for every field.
Erasure evicts the cache at once in this process; other processes stop using the destroyed key
within `cache_seconds`.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complaints.domain.values import PersonalText
from complaints.settings import Store

KEY_BYTES = 32
NONCE_BYTES = 12
CACHE_LIMIT = 10_000


class TamperedPersonalData(Exception):
    """A sealed field failed authentication: it was altered after it was written."""


@dataclass(frozen=True)
class SubjectKey:
    id: str
    subject: str
    secret: bytes = field(repr=False)


class KeyStore(ABC):
    """Holds one active key per subject. Subclasses supply the storage."""

    def __init__(self, cache_seconds: float = 5.0) -> None:
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._by_subject: OrderedDict[str, tuple[float, SubjectKey]] = OrderedDict()
        self._by_id: OrderedDict[str, tuple[float, SubjectKey | None]] = OrderedDict()

    def key_for(self, subject: str) -> SubjectKey:
        """The subject's active key, created on first use."""
        cached = self._cached(self._by_subject, subject)
        if cached is not _MISSING:
            assert isinstance(cached, SubjectKey)
            return cached
        key = self._load_active(subject)
        if key is None:
            key = self._insert(SubjectKey(uuid.uuid4().hex, subject, os.urandom(KEY_BYTES)))
        self._remember(self._by_subject, subject, key)
        self._remember(self._by_id, key.id, key)
        return key

    def secret(self, key_id: str) -> bytes | None:
        """The key's secret, or None once it has been destroyed."""
        cached = self._cached(self._by_id, key_id)
        if cached is not _MISSING:
            return cached.secret if isinstance(cached, SubjectKey) else None
        key = self._load(key_id)
        self._remember(self._by_id, key_id, key)
        return key.secret if key else None

    def has_keys(self, subject: str) -> bool:
        return self._load_active(subject) is not None

    def destroy(self, subject: str) -> int:
        """Delete every key of the subject. Returns how many were destroyed."""
        destroyed = self._delete(subject)
        with self._lock:
            self._by_subject.pop(subject, None)
            for key_id, (_, key) in list(self._by_id.items()):
                if key is not None and key.subject == subject:
                    del self._by_id[key_id]
        return destroyed

    def close(self) -> None:  # noqa: B027 - only stores holding connections need it
        pass

    # -- cache
    def _cached(self, cache: OrderedDict[str, Any], name: str) -> Any:
        """The cached value (a key, or None for a destroyed one), or _MISSING."""
        with self._lock:
            entry = cache.get(name)
            if entry is None or entry[0] < time.monotonic():
                return _MISSING
            cache.move_to_end(name)
            return entry[1]

    def _remember(self, cache: OrderedDict[str, Any], name: str, value: Any) -> None:
        with self._lock:
            cache[name] = (time.monotonic() + self.cache_seconds, value)
            cache.move_to_end(name)
            while len(cache) > CACHE_LIMIT:
                cache.popitem(last=False)

    # -- storage
    @abstractmethod
    def _load_active(self, subject: str) -> SubjectKey | None: ...

    @abstractmethod
    def _load(self, key_id: str) -> SubjectKey | None: ...

    @abstractmethod
    def _insert(self, key: SubjectKey) -> SubjectKey:
        """Store a new key, unless a concurrent writer stored one first: return the winner."""

    @abstractmethod
    def _delete(self, subject: str) -> int: ...


_MISSING: Any = object()


class MemoryKeyStore(KeyStore):
    def __init__(self, cache_seconds: float = 0.0) -> None:
        super().__init__(cache_seconds)
        self._keys: dict[str, SubjectKey] = {}
        self._mutex = threading.Lock()

    def _load_active(self, subject: str) -> SubjectKey | None:
        with self._mutex:
            return next((k for k in self._keys.values() if k.subject == subject), None)

    def _load(self, key_id: str) -> SubjectKey | None:
        with self._mutex:
            return self._keys.get(key_id)

    def _insert(self, key: SubjectKey) -> SubjectKey:
        with self._mutex:
            existing = next((k for k in self._keys.values() if k.subject == key.subject), None)
            if existing is not None:
                return existing
            self._keys[key.id] = key
            return key

    def _delete(self, subject: str) -> int:
        with self._mutex:
            doomed = [k.id for k in self._keys.values() if k.subject == subject]
            for key_id in doomed:
                del self._keys[key_id]
            return len(doomed)


class SqliteKeyStore(KeyStore):
    """Keys in the same SQLite file as the events. `secure_delete` zeroes deleted keys on disk."""

    def __init__(self, path: Path, cache_seconds: float = 5.0) -> None:
        super().__init__(cache_seconds)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path), timeout=10, isolation_level=None, check_same_thread=False
        )
        self._mutex = threading.Lock()
        with self._mutex:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS subject_keys ("
                " key_id TEXT PRIMARY KEY,"
                " subject TEXT NOT NULL UNIQUE,"
                " secret BLOB NOT NULL,"
                " created_at REAL NOT NULL)"
            )

    def _row(self, sql: str, arg: str) -> SubjectKey | None:
        with self._mutex:
            row = self._db.execute(sql, (arg,)).fetchone()
        return None if row is None else SubjectKey(row[0], row[1], bytes(row[2]))

    def _load_active(self, subject: str) -> SubjectKey | None:
        return self._row(
            "SELECT key_id, subject, secret FROM subject_keys WHERE subject=?", subject
        )

    def _load(self, key_id: str) -> SubjectKey | None:
        return self._row("SELECT key_id, subject, secret FROM subject_keys WHERE key_id=?", key_id)

    def _insert(self, key: SubjectKey) -> SubjectKey:
        with self._mutex:
            self._db.execute(
                "INSERT INTO subject_keys (key_id, subject, secret, created_at) VALUES (?,?,?,?)"
                " ON CONFLICT(subject) DO NOTHING",
                (key.id, key.subject, key.secret, time.time()),
            )
        winner = self._load_active(key.subject)
        assert winner is not None
        return winner

    def _delete(self, subject: str) -> int:
        with self._mutex:
            deleted = self._db.execute("DELETE FROM subject_keys WHERE subject=?", (subject,))
            # Move the zeroed pages out of the write-ahead log into the main file now.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted.rowcount

    def close(self) -> None:
        with self._mutex:
            self._db.close()


class PostgresKeyStore(KeyStore):
    """Keys in the same PostgreSQL database (and schema) as the events."""

    def __init__(self, store: Store, cache_seconds: float = 5.0) -> None:
        super().__init__(cache_seconds)
        from psycopg import sql  # noqa: PLC0415 - PostgreSQL only
        from psycopg_pool import ConnectionPool  # noqa: PLC0415

        from complaints.store.postgres import check_unless_recent, mark_returned  # noqa: PLC0415

        self._table = sql.Identifier(store.schema, "complaints_subject_keys")
        self._sql = sql
        self._pool = ConnectionPool(
            store.conninfo,
            min_size=1,
            max_size=4,
            kwargs={"autocommit": True},
            open=True,
            timeout=10,
            name="subject-keys",
            # A connection left dead by a database restart is replaced before use, not
            # handed to a request (tests/reliability/test_faults.py restarts it).
            check=check_unless_recent,
            reset=mark_returned,
        )
        self._execute(
            "CREATE TABLE IF NOT EXISTS {} ("
            " key_id TEXT PRIMARY KEY,"
            " subject TEXT NOT NULL UNIQUE,"
            " secret BYTEA NOT NULL,"
            " created_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )

    def _execute(self, statement: str, *args: Any) -> list[tuple[Any, ...]]:
        query = self._sql.SQL(statement).format(self._table)
        with self._pool.connection() as conn, conn.cursor() as cursor:
            cursor.execute(query, args)
            return cursor.fetchall() if cursor.description else [(cursor.rowcount,)]

    def _one(self, statement: str, arg: str) -> SubjectKey | None:
        rows = self._execute(statement, arg)
        return SubjectKey(rows[0][0], rows[0][1], bytes(rows[0][2])) if rows else None

    def _load_active(self, subject: str) -> SubjectKey | None:
        return self._one("SELECT key_id, subject, secret FROM {} WHERE subject=%s", subject)

    def _load(self, key_id: str) -> SubjectKey | None:
        return self._one("SELECT key_id, subject, secret FROM {} WHERE key_id=%s", key_id)

    def _insert(self, key: SubjectKey) -> SubjectKey:
        self._execute(
            "INSERT INTO {} (key_id, subject, secret) VALUES (%s, %s, %s)"
            " ON CONFLICT (subject) DO NOTHING",
            key.id,
            key.subject,
            key.secret,
        )
        winner = self._load_active(key.subject)
        assert winner is not None
        return winner

    def _delete(self, subject: str) -> int:
        return int(self._execute("DELETE FROM {} WHERE subject=%s", subject)[0][0])

    def close(self) -> None:
        self._pool.close()


def open_key_store(store: Store, cache_seconds: float) -> KeyStore:
    if store.kind == "sqlite":
        assert store.path is not None
        return SqliteKeyStore(store.path, cache_seconds)
    if store.kind == "postgres":
        return PostgresKeyStore(store, cache_seconds)
    return MemoryKeyStore(cache_seconds)


class PersonalDataCipher:
    """Seals a `PersonalText` into a JSON-safe envelope, and opens it again while the key lives."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    def seal(self, value: PersonalText) -> dict[str, str]:
        if value.text is None:
            # An erased value stays erased: there is nothing left to seal.
            return {"subject": value.subject, "erased": "yes"}
        key = self.keys.key_for(value.subject)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key.secret).encrypt(
            nonce, value.text.encode("utf-8"), _associated(value.subject, key.id)
        )
        return {
            "subject": value.subject,
            "key": key.id,
            "nonce": base64.b64encode(nonce).decode("ascii"),
            "ciphertext": base64.b64encode(sealed).decode("ascii"),
        }

    def open(self, envelope: dict[str, str]) -> PersonalText:
        subject = envelope["subject"]
        key_id = envelope.get("key")
        secret = None if key_id is None else self.keys.secret(key_id)
        if key_id is None or secret is None:
            return PersonalText(subject, None)
        try:
            plaintext = AESGCM(secret).decrypt(
                base64.b64decode(envelope["nonce"]),
                base64.b64decode(envelope["ciphertext"]),
                _associated(subject, key_id),
            )
        except InvalidTag:
            msg = f"a personal field of subject {subject!r} failed authentication"
            raise TamperedPersonalData(msg) from None
        return PersonalText(subject, plaintext.decode("utf-8"))


def _associated(subject: str, key_id: str) -> bytes:
    """Binds each ciphertext to its subject and key, so it cannot be moved to another."""
    return f"complaints/personal/v1|{subject}|{key_id}".encode()
