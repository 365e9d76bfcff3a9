"""Bearer tokens: what is accepted, and everything that is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from complaints.domain.values import Actor, Role
from complaints.tokens import InvalidToken, mint_token, verify_token

SECRET = "test-signing-secret-that-is-long-enough"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_minted_token_verifies_to_its_actor() -> None:
    token = mint_token(SECRET, role=Role.SELLER, sub="staff-1", shop_id="acme", now=NOW)
    assert verify_token(SECRET, token, now=NOW) == Actor(Role.SELLER, "staff-1", "acme")


def test_only_seller_tokens_carry_a_shop() -> None:
    token = jwt.encode(
        {"sub": "u-1", "role": "CONSUMER", "seller_id": "acme", "iat": 0, "exp": 2**31},
        SECRET,
        algorithm="HS256",
    )
    assert verify_token(SECRET, token) == Actor(Role.CONSUMER, "u-1")


def test_an_expired_token_is_refused() -> None:
    token = mint_token(SECRET, role=Role.AGENT, sub="a-1", now=NOW, ttl=timedelta(minutes=5))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token, now=NOW + timedelta(minutes=6))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token)


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = mint_token("another-secret-of-sufficient-length!!", role=Role.AGENT, sub="a", now=NOW)
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token, now=NOW)


def test_an_unsigned_token_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "role": "SUPERVISOR", "iat": 0, "exp": 2**31}, "", algorithm="none"
    )
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x", "role": "OVERLORD"},
        {"sub": "x", "role": "PUBLIC"},
        {"sub": "x", "role": "SELLER"},
        {"sub": "", "role": "CONSUMER"},
        {"role": "CONSUMER"},
        {"sub": "x"},
    ],
)
def test_tokens_with_bad_claims_are_refused(claims: dict[str, object]) -> None:
    token = jwt.encode({**claims, "iat": 0, "exp": 2**31}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)


def test_an_expiry_beyond_the_calendar_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "role": "AGENT", "iat": 0, "exp": 2**40}, SECRET, algorithm="HS256"
    )
    with pytest.raises(InvalidToken, match="out of range"):
        verify_token(SECRET, token)


def test_garbage_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidToken) as refused:
        verify_token(SECRET, "not.a.token-with-secret-stuff")
    assert "secret-stuff" not in str(refused.value)


def test_no_token_is_minted_for_the_public_or_a_shopless_seller() -> None:
    with pytest.raises(ValueError, match="PUBLIC"):
        mint_token(SECRET, role=Role.PUBLIC, sub="x", now=NOW)
    with pytest.raises(ValueError, match="shop"):
        mint_token(SECRET, role=Role.SELLER, sub="x", now=NOW)
