"""Global ids: `base64("Complaint:<uuid>")`, as Relay clients expect.

Inputs also accept a complaint's raw UUID or its reference (C-2026-…), which is what people
paste into a curl command.
"""

from __future__ import annotations

import base64
import binascii
from uuid import UUID

from complaints.domain.complaint import complaint_id
from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.text import Text


def global_id(kind: str, raw: object) -> str:
    return base64.b64encode(f"{kind}:{raw}".encode()).decode("ascii")


def _split(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    kind, sep, raw = decoded.partition(":")
    return (kind, raw) if sep else None


def kind_of(value: str) -> str | None:
    split = _split(value)
    return split[0] if split else None


def global_id_value(value: str) -> str:
    """What a global id names after its kind ('' for a value that is not a global id)."""
    split = _split(value)
    return split[1] if split else ""


def parse_uuid(kind: str, value: str, field: str) -> UUID:
    """The UUID behind a global id of `kind` (or a raw UUID); a clear refusal otherwise."""
    split = _split(value)
    raw = split[1] if split and split[0] == kind else value
    try:
        return UUID(raw)
    except (ValueError, TypeError):
        if kind == "Complaint" and value.startswith("C-") and len(value) <= 32:
            return complaint_id(value)
        raise ValidationFailed([FieldError(field, Text("is not a {kind} id", kind=kind))]) from None


def cursor(kind: str, number: int) -> str:
    return global_id(kind, number)


def parse_cursor(kind: str, value: str | None, field: str = "after") -> int | None:
    if value is None:
        return None
    split = _split(value)
    digits = split[1] if split is not None and split[0] == kind else ""
    # ASCII digits only ("²".isdigit() is true), and within a BIGINT.
    if not (digits.isascii() and digits.isdecimal() and len(digits) <= 18):
        raise ValidationFailed([FieldError(field, Text("is not a cursor from this list"))])
    return int(digits)
