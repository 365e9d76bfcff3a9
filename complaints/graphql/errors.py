"""Typed errors returned inside mutation payloads, and coded errors for queries.

Every domain refusal maps to one of the contract's error types by its family, keeping its own
specific `code` (NOT_YOUR_TURN, APPEAL_WINDOW_CLOSED, ...). Field paths are given in the API's
camelCase, relative to the mutation's input.
"""

from __future__ import annotations

import re

import strawberry
from graphql import GraphQLError

from complaints.domain import errors as domain
from complaints.graphql.enums import ComplaintStatus


@strawberry.interface(description="Every typed error returned in a mutation payload union.")
class Error:
    code: str
    message: str


@strawberry.type
class NotFound(Error):
    pass


@strawberry.type
class NotAllowed(Error):
    pass


@strawberry.type
class InvalidTransition(Error):
    status: ComplaintStatus


@strawberry.type
class FieldError:
    field: str
    message: str


@strawberry.type
class ValidationFailed(Error):
    fields: list[FieldError]


@strawberry.type
class Conflict(Error):
    pass


AnyError = NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict


def camel(path: str) -> str:
    """`requested_remedy.amount.currency` -> `requestedRemedy.amount.currency`."""
    return ".".join(
        re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part) for part in path.split(".")
    )


def as_error(error: domain.DomainError) -> AnyError:
    code, message = error.code, error.message
    match error:
        case domain.NotFound():
            return NotFound(code=code, message=message)
        case domain.NotAllowed():
            return NotAllowed(code=code, message=message)
        case domain.InvalidTransition():
            return InvalidTransition(code=code, message=message, status=error.status)
        case domain.ValidationFailed():
            fields = [FieldError(field=camel(f.field), message=f.message) for f in error.fields]
            return ValidationFailed(code=code, message=message, fields=fields)
        case domain.Conflict():
            return Conflict(code=code, message=message)
    raise TypeError(f"unmapped refusal {type(error).__name__}")  # pragma: no cover


class CodedError(GraphQLError):
    """A client-facing error outside a payload union (queries, subscriptions): never masked."""

    def __init__(self, code: str, message: str, **extensions: object) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def coded(error: domain.DomainError) -> CodedError:
    """A refusal outside a payload union; one that names fields says which in `fields`, as a
    ValidationFailed payload does, so that a client shows each message beside its field."""
    if isinstance(error, domain.ValidationFailed):
        fields = [{"field": camel(f.field), "message": f.message} for f in error.fields]
        return CodedError(error.code, error.message, fields=fields)
    return CodedError(error.code, error.message)
