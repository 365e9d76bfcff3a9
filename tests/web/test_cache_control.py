"""Which persisted queries by GET a shared cache may keep: only public reads, asked without a
token, found by every root field the document selects, through fragments too."""

from __future__ import annotations

import pytest

from complaints.domain.values import Actor, Role
from complaints.tokens import Credentials
from complaints.web.graphql_view import PRIVATE, PUBLIC_MAX_AGE, cache_control, root_fields
from complaints.web.identity import PUBLIC

ANONYMOUS = Credentials(PUBLIC, None)
SIGNED_IN = Credentials(Actor(Role.CONSUMER, "c-1"), None)


@pytest.mark.parametrize(
    ("document", "fields"),
    [
        ("{ rules { code } }", {"rules"}),
        ("query A { rules { code } guides(category: OTHER) { title } }", {"rules", "guides"}),
        ("{ ...F } fragment F on Query { viewerRole }", {"viewerRole"}),
        ("{ ... on Query { statistics(from: 1, to: 2) { filed } } }", {"statistics"}),
        ("{ ...F } fragment F on Query { ...F }", {""}),  # a cycle (invalid): not public
        ("{ ...Missing }", {""}),  # an unknown fragment: something not known to be public
        ("query { complaint(id: ", {""}),  # does not parse
    ],
)
def test_root_fields_are_found_through_fragments(document: str, fields: set[str]) -> None:
    assert root_fields(document) == fields


def test_only_public_roots_asked_without_a_token_are_public() -> None:
    public = f"public, max-age={PUBLIC_MAX_AGE}".encode()
    assert (
        cache_control(ANONYMOUS, '{ rules { code } sellerStanding(shopId: "s") { status } }')
        == public
    )
    assert cache_control(SIGNED_IN, "{ rules { code } }") == PRIVATE
    assert cache_control(ANONYMOUS, "{ rules { code } viewerRole }") == PRIVATE
    assert cache_control(ANONYMOUS, "{ ...Missing }") == PRIVATE
