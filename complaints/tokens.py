"""Bearer tokens: HS256 JWTs carrying `sub`, `role` and, for seller staff, `seller_id`.

The one place that knows their format: the web process verifies them (`complaints.web.identity`
reads them from a request) and the `complaints token` command and the web console's development
sign-in mint them. It sits below both entrances and imports only the domain's values, so
neither entrance imports the other. A token that is not valid, unexpired, signed with our key
and naming a role a token may carry is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from complaints.domain.text import Text
from complaints.domain.values import Actor, Role

ALGORITHM = "HS256"
#: The roles a bearer token may carry. PUBLIC is the absence of a token; SYSTEM is the platform's
#: own worker, which acts in-process and never over the API (a SYSTEM token could move deposit
#: money; tests/reliability/test_security.py offers one).
TOKEN_ROLES = frozenset(Role) - {Role.PUBLIC, Role.SYSTEM}


class InvalidToken(Exception):
    """The bearer token cannot be trusted; the message (a `Text`) says why, without echoing
    it."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


def mint_token(
    secret: str,
    *,
    role: Role,
    sub: str,
    shop_id: str | None = None,
    now: datetime,
    ttl: timedelta = timedelta(hours=1),
) -> str:
    if role not in TOKEN_ROLES:
        msg = f"tokens cannot carry the {role.value} role"
        raise ValueError(msg)
    if role is Role.SELLER and not shop_id:
        msg = "a seller token needs the shop it acts for"
        raise ValueError(msg)
    claims: dict[str, object] = {
        "sub": sub,
        "role": role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if shop_id:
        claims["seller_id"] = shop_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class Credentials:
    actor: Actor
    expires_at: datetime | None  # None for the public, who carry no token


def verify_token(secret: str, token: str, *, now: datetime | None = None) -> Actor:
    return verify(secret, token, now=now).actor


def verify(secret: str, token: str, *, now: datetime | None = None) -> Credentials:
    options: dict[str, object] = {"require": ["sub", "role", "exp", "iat"]}
    if now is not None:
        options["verify_exp"] = False
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)  # type: ignore[arg-type]
    except jwt.ExpiredSignatureError:
        raise InvalidToken(Text("the token has expired")) from None
    except jwt.InvalidTokenError as error:
        raise InvalidToken(
            Text("the token is not valid: {error}", error=type(error).__name__)
        ) from None
    if now is not None and int(claims["exp"]) <= int(now.timestamp()):
        raise InvalidToken(Text("the token has expired"))
    try:
        role = Role(str(claims["role"]).upper())
    except ValueError:
        raise InvalidToken(Text("the token names an unknown role")) from None
    if role not in TOKEN_ROLES:
        raise InvalidToken(Text("tokens cannot carry the {role} role", role=role.value))
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub or len(sub) > 128:
        raise InvalidToken(Text("the token's subject is missing or malformed"))
    shop_id = claims.get("seller_id")
    if role is Role.SELLER and not (isinstance(shop_id, str) and shop_id):
        raise InvalidToken(Text("a seller token must name its shop in seller_id"))
    try:
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (OverflowError, ValueError, OSError):
        raise InvalidToken(Text("the token's expiry is out of range")) from None
    return Credentials(Actor(role, sub, shop_id if role is Role.SELLER else None), expires_at)
