"""Idempotency keys: a retried command returns its first result and changes nothing.

A record per (principal, key) is saved in the same transaction as the command's own events, so
either both are stored or neither is. The record holds a fingerprint of the input, never the input
itself, and the id and version of the aggregate the command returned.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import register_topic

from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.text import Text
from complaints.domain.values import Actor

NAMESPACE = uuid.UUID("2c5e8a1f-7b3d-4e69-a0c4-8f1d6b2e9a73")
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def scope(actor: Actor, key: str) -> str:
    """Keys are scoped to the principal: one user's key can never collide with another's.
    Only a hash is stored, so a key a client made up never reaches the event store."""
    raw = f"{actor.role.value}:{actor.id}:{actor.shop_id or ''}:{key}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def record_id(actor: Actor, key: str) -> UUID:
    return uuid.uuid5(NAMESPACE, scope(actor, key))


def check_key(key: str) -> None:
    if not _KEY.match(key):
        raise ValidationFailed(
            [
                FieldError(
                    "idempotency_key", Text("must be 1-200 printable characters without spaces")
                )
            ]
        )


def fingerprint(command: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"command": command, "input": arguments},
        sort_keys=True,
        separators=(",", ":"),
        default=_plain,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, UUID | datetime):
        return str(value)
    if isinstance(value, tuple | set | frozenset):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    msg = f"cannot fingerprint {type(value).__name__}"
    raise TypeError(msg)


class IdempotencyRecord(Aggregate):
    class Recorded(Aggregate.Created):
        scope: str
        command: str
        fingerprint: str
        result_id: UUID
        result_version: int

    @staticmethod
    def create_id(scope: str) -> UUID:
        return uuid.uuid5(NAMESPACE, scope)

    @event(Recorded)
    def __init__(
        self,
        scope: str,
        command: str,
        fingerprint: str,
        result_id: UUID,
        result_version: int,
        timestamp: datetime,
    ) -> None:
        self.command = command
        self.fingerprint = fingerprint
        self.result_id = result_id
        self.result_version = result_version


# Records were stored as `complaints.idempotency:IdempotencyRecord` before the store/ folder
# existed; the old topic (and with it the topics of its nested events) must resolve forever.
# See tests/store/topics.txt.
register_topic("complaints.idempotency:IdempotencyRecord", IdempotencyRecord)
