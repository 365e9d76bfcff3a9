"""Who is asking: the actor a request's `Authorization` header names.

A request without a token acts as the public. Anything else must be a bearer token that
`complaints.tokens` accepts.
"""

from __future__ import annotations

from datetime import datetime

from complaints.domain.text import Text
from complaints.domain.values import Actor, Role
from complaints.tokens import Credentials, InvalidToken, verify

PUBLIC = Actor(Role.PUBLIC, "anonymous")


def authenticate(
    secret: str, authorization: str | None, *, now: datetime | None = None
) -> Credentials:
    """From an `Authorization` header value: `Bearer <jwt>`, or nothing for the public."""
    if authorization is None or not authorization.strip():
        return Credentials(PUBLIC, None)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken(Text("the Authorization header must read 'Bearer <token>'"))
    return verify(secret, token.strip(), now=now)
