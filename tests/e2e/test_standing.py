"""A shop's standing over the wire, on SQLite and PostgreSQL, as the marketplace reads it on its
hot path: by its own query's APQ hash, answered from the response cache, and never a cached
answer that outlives a change to the standing by more than the cache's bound.

The bound: a change committed by the serving process itself is never served stale (its
mutation answers after the cache's feed has seen it); one committed by another process is seen
when its notification arrives, and at the latest one poll of the standing feed later
(`STANDING_POLL_SECONDS`, 1 s), whatever happened to the notification. On SQLite there is no
notification at all: the poll is all there is.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from complaints.application import ComplaintsApp
from complaints.domain.values import Actor, Role, SanctionKind
from complaints.graphql.standing import STANDING_POLL_SECONDS
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.e2e.conftest import SUPERVISOR, Server, token
from tests.e2e.test_persisted import hit

MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
#: The marketplace's own query: registered by APQ, then sent by its hash alone.
STANDING = """query Standing($shop: String!) { sellerStanding(shopId: $shop) { shopId status
  canTakeOrders canListProducts restrictedUntil activeSanctions { id kind until } } }"""
SHA = hashlib.sha256(STANDING.encode()).hexdigest()
#: Reads allowed actions, which depend on the clock: registered, never answered from the cache.
TIMED = """query Timed($shop: String!) { sellerStanding(shopId: $shop) { status
  activeSanctions { id allowedActions } } }"""
SANCTION = """mutation($shop: String!, $kind: SanctionKind!) { sanctionSeller(input: {
  shopId: $shop, kind: $kind, reason: "Counterfeit listings."}) { __typename } }"""
#: The margin over the bound for a loaded test machine: reading and answering take time too.
MARGIN = 2.0


@pytest.fixture(scope="module")
def served(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store, tmp_path_factory.mktemp("standing"))
    yield running
    running.stop()


def register_shop(server: Server) -> str:
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    server.data(
        'mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",'
        ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    return shop


def ask(
    server: Server, shop: str, *, document: str = STANDING, register: bool = False
) -> httpx.Response:
    body: dict[str, Any] = {
        "extensions": {
            "persistedQuery": {
                "version": 1,
                "sha256Hash": hashlib.sha256(document.encode()).hexdigest(),
            }
        },
        "variables": {"shop": shop},
    }
    if register:
        body["query"] = document
    return httpx.post(
        f"{server.url}/graphql",
        json=body,
        headers={"Authorization": f"Bearer {token(MARKETPLACE)}"},
        timeout=30,
    )


def standing(response: httpx.Response) -> Any:
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["sellerStanding"]


def cached_open(server: Server, shop: str) -> None:
    """The shop's standing is asked until it is served from the cache, open."""
    ask(server, shop, register=True)
    for _ in range(50):
        answer = ask(server, shop)
        if hit(answer):
            assert standing(answer)["canListProducts"] is True
            return
        time.sleep(0.1)
    pytest.fail("the standing was never served from the cache")


def test_the_standing_is_answered_from_the_cache_by_its_apq_hash(served: Server) -> None:
    shop = register_shop(served)
    first = ask(served, shop, register=True)
    assert standing(first)["status"] == "OPEN"
    full = served.post(STANDING, {"shop": shop}, MARKETPLACE)
    assert standing(full) == standing(first)
    cached_open(served, shop)
    again = ask(served, shop)
    assert hit(again)
    assert again.content == full.content  # the same bytes as the query run in full
    assert standing(ask(served, "nobody", register=True)) is None


def test_a_standing_that_reads_the_clock_is_never_cached(served: Server) -> None:
    shop = register_shop(served)
    ask(served, shop, document=TIMED, register=True)
    assert not any(hit(ask(served, shop, document=TIMED)) for _ in range(5))


def test_a_sanction_imposed_here_is_never_answered_stale(served: Server) -> None:
    shop = register_shop(served)
    cached_open(served, shop)
    done = served.data(SANCTION, {"shop": shop, "kind": "TRADING_RESTRICTED"}, SUPERVISOR)
    assert done["sanctionSeller"]["__typename"] == "Seller"
    now = standing(ask(served, shop))  # right after the mutation answered
    assert (now["status"], now["canListProducts"]) == ("TRADING_RESTRICTED", False)
    served.data(SANCTION, {"shop": shop, "kind": "SHOP_CLOSED"}, SUPERVISOR)
    assert standing(ask(served, shop))["canTakeOrders"] is False


def test_a_sanction_imposed_elsewhere_outlives_the_cache_by_at_most_its_bound(
    served: Server, store: str, tmp_path: Path
) -> None:
    shop = register_shop(served)
    cached_open(served, shop)
    # Another process: it writes the events and the read models in one transaction, and the
    # serving process hears of it only by a notification (PostgreSQL) or its own poll.
    elsewhere = ComplaintsApp(Settings(database_url=store, upload_dir=tmp_path / "uploads"))
    models = ReadModels(elsewhere)
    try:
        elsewhere.sanction_seller(
            Actor(Role.SUPERVISOR, "supervisor-1"), shop, SanctionKind.SHOP_CLOSED, "Fraud."
        )
        written = elsewhere.recorder.max_notification_id() or 0
        assert models.wait_for(written, timeout=10, names=["sellers"])  # the read model has it
        committed = time.monotonic()
        stale_for = None
        while time.monotonic() - committed < STANDING_POLL_SECONDS + MARGIN:
            answer = standing(ask(served, shop))
            if answer["canTakeOrders"] is False:
                stale_for = time.monotonic() - committed
                break
            time.sleep(0.02)
        assert stale_for is not None, "the cached standing outlived the closure"
        for _ in range(5):  # and once seen, the old answer never comes back
            assert standing(ask(served, shop))["status"] == "CLOSED"
    finally:
        models.close()
        elsewhere.close()
