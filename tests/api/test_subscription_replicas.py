"""With read replicas: where a resumed subscription's catch-up reads (the token its client sent in
`connection_init`), and the erasure's LSN every later read of the process waits for. No replica
is needed: these are the routing decisions (the real standby is in tests/store/test_standby.py)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any, cast

import anyio
import psycopg
import pytest

from complaints.graphql.context import Context
from complaints.graphql.subscriptions import _scoped, catch_up_scope
from complaints.projections.database import PostgresReadStore
from complaints.settings import Store
from complaints.store.replicas import READ_SCOPE, ReadScope, ReplicaRouter, parse_lsn


class Tokens:
    """A read store's replica side, as the subscription sees it."""

    def __init__(self, router: ReplicaRouter | None, own: int | None) -> None:
        self.router = router
        self.own = own
        self.asked: list[str] = []

    def token_of(self, actor: str) -> int | None:
        self.asked.append(actor)
        return self.own


def context(db: Tokens, params: dict[str, Any] | None) -> Context:
    views = SimpleNamespace(db=db)
    return cast(Context, SimpleNamespace(read_models=views, connection_params=params, actor="c-1"))


def router() -> ReplicaRouter:
    return ReplicaRouter(["replica1"], max_lag=10.0, wait=0.3)


def test_without_replicas_the_catch_up_has_no_scope_and_reads_the_primary() -> None:
    assert catch_up_scope(context(Tokens(None, 5), {"readAfter": "0/28"})) is None


def test_the_catch_up_waits_for_the_token_sent_in_connection_init() -> None:
    db = Tokens(router(), None)
    reads = catch_up_scope(context(db, {"readAfter": "0/28", "Authorization": "Bearer x"}))
    assert reads is not None
    assert (reads.token, reads.primary) == (0x28, False)
    assert db.asked == ["c-1"]


def test_the_catch_up_waits_for_the_actors_own_write_when_nothing_is_sent() -> None:
    for params in (None, {}, {"locale": "en"}):
        reads = catch_up_scope(context(Tokens(router(), 0x90), params))
        assert reads is not None
        assert (reads.token, reads.primary) == (0x90, False)


@pytest.mark.parametrize("sent", ["nonsense", 40, {"lsn": "0/28"}])
def test_a_catch_up_with_a_malformed_token_reads_the_primary(sent: object) -> None:
    reads = catch_up_scope(context(Tokens(router(), None), {"readAfter": sent}))
    assert reads is not None
    assert reads.primary


def test_the_catch_up_read_runs_in_its_scope_in_the_worker_thread_and_leaves_it() -> None:
    reads = ReadScope(token=7)

    def seen() -> tuple[ReadScope | None, str]:
        return READ_SCOPE.get(), threading.current_thread().name

    async def main() -> tuple[ReadScope | None, str]:
        return await anyio.to_thread.run_sync(_scoped, reads, seen)

    inside, thread = anyio.run(main)
    assert inside is reads
    assert thread != threading.current_thread().name
    assert READ_SCOPE.get() is None
    assert _scoped(None, READ_SCOPE.get) is None


def test_an_erasure_raises_the_floor_every_read_of_the_process_waits_for(
    postgres_server: str,
) -> None:
    """`erased()` reads where the primary's log stands after the erasure committed."""
    db = PostgresReadStore(Store.parse(postgres_server), max_size=1)
    try:
        db.router = router()
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        assert row is not None
        before = parse_lsn(row[0])
        db.erased()
        assert db.router.erased is not None
        assert db.router.erased >= before
        assert db.router.must_see(None) == db.router.erased
        assert db.router.must_see(1) == db.router.erased
    finally:
        db.close()


def test_without_replicas_an_erasure_changes_no_routing(postgres_server: str) -> None:
    db = PostgresReadStore(Store.parse(postgres_server), max_size=1)
    try:
        assert db.router is None
        db.erased()  # nothing to wait for: every read is the primary's
    finally:
        db.close()
