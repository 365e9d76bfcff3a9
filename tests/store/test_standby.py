"""Reads from a real hot standby (tools/standby.sh): a client reads its own write even while the
standby does not replay, a stale standby is bypassed, a dead one is taken out and comes back.

Serial: the tests pause the standby's replay and stop it. The session's standby is made by
`tools/standby.sh start` and removed afterwards; under CI=true a standby that cannot be made fails
these tests instead of skipping them."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from complaints.domain.order import OrderCheck
from complaints.domain.values import Role
from complaints.settings import Settings
from complaints.tokens import mint_token
from complaints.web.server import create_app
from tests.scenario import SUPERVISOR, cny

pytestmark = [pytest.mark.serial, pytest.mark.postgres]

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "standby.sh"
STANDBY_PORT = 5433
FILE = """mutation($i: FileComplaintInput!) {
  fileComplaint(input: $i) { __typename ... on Complaint { id } ... on Error { code } }
}"""
COUNT = "{ complaints(first: 50) { totalCount } }"


def standby(*command: str) -> None:
    subprocess.run(["bash", str(SCRIPT), *command], check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def replica_port(postgres_server: str) -> Iterator[int]:
    """The standby, made for these tests (or the one `.ci/run` made) and removed after them."""
    try:
        standby("start")
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        reason = f"no hot standby could be made: {error} {detail.decode(errors='replace')}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield STANDBY_PORT
    finally:
        if _running():
            standby("resume")
        standby("stop")


def _running() -> bool:
    try:
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{STANDBY_PORT}/postgres", connect_timeout=2
        ):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture
def client(postgres_server: str, replica_port: int) -> Iterator[TestClient]:
    """The API on a schema of its own, with the standby as its replica (waiting 300 ms)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    primary = psycopg.conninfo.conninfo_to_dict(postgres_server)
    replica_url = (
        f"postgresql://postgres@127.0.0.1:{replica_port}/{primary['dbname']}?schema={schema}"
    )
    settings = Settings(
        database_url=f"{postgres_server}?schema={schema}",
        order_check=OrderCheck.OFF,
        database_replica_urls=(replica_url,),
        replica_wait_ms=300,
    )
    try:
        with TestClient(create_app(settings)) as api:
            api.app.state.complaints.register_seller(  # type: ignore[attr-defined]
                SUPERVISOR, "acme", "Acme Store", cny("1000.00")
            )
            _wait_replayed(api)
            yield api
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _wait_replayed(api: TestClient) -> None:
    """Until a query with no token is answered by the replica again (after a resume)."""
    for _ in range(100):
        read = ask(api, COUNT, {}, "c-wait")
        if "errors" not in read and read["extensions"]["servedBy"] == "replica":
            return
        time.sleep(0.1)
    raise AssertionError("the replica never served a read")


def bearer(sub: str) -> dict[str, str]:
    token = mint_token(Settings().jwt_secret, role=Role.CONSUMER, sub=sub, now=datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def ask(
    api: TestClient, query: str, variables: dict[str, Any], sub: str, **headers: str
) -> dict[str, Any]:
    response = api.post(
        "/graphql",
        headers={**bearer(sub), **headers},
        json={"query": query, "variables": variables},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    answer["read_after_header"] = response.headers.get("read-after")
    return answer


def file(api: TestClient, sub: str, order: str) -> dict[str, Any]:
    values = {
        "shopId": "acme",
        "orderId": order,
        "category": "DAMAGED",
        "description": "The vase arrived in pieces.",
        "requestedRemedy": {"type": "REFUND", "amount": {"amount": "199", "currency": "CNY"}},
    }
    answer = ask(api, FILE, {"i": values}, sub)
    assert answer["data"]["fileComplaint"]["__typename"] == "Complaint", answer
    return answer


def test_every_mutation_answer_carries_its_token_and_a_reader_sees_the_write(
    client: TestClient,
) -> None:
    served = []
    for n in range(20):
        answer = file(client, "c-1", f"o-{n}")
        token = answer["extensions"]["readAfter"]
        assert answer["read_after_header"] == token
        # A fresh client (another consumer would not see it: the same one, its token sent back).
        read = ask(client, COUNT, {}, "c-1", **{"Read-After": token})
        assert read["data"]["complaints"]["totalCount"] == n + 1
        served.append(read["extensions"]["servedBy"])
    assert served.count("replica") >= 15, served


def test_with_replay_paused_a_client_still_reads_its_write_from_the_primary(
    client: TestClient,
) -> None:
    standby("pause")
    try:
        answer = file(client, "c-2", "o-p")
        token = answer["extensions"]["readAfter"]
        started = time.monotonic()
        by_header = ask(client, COUNT, {}, "c-2", **{"Read-After": token})
        waited = time.monotonic() - started
        assert by_header["data"]["complaints"]["totalCount"] == 1
        assert by_header["extensions"]["servedBy"] == "primary"
        assert waited < 0.3 + 1.0
        by_extensions = client.post(
            "/graphql",
            headers=bearer("c-2"),
            json={"query": COUNT, "extensions": {"readAfter": token}},
        ).json()
        assert by_extensions["data"]["complaints"]["totalCount"] == 1
        # Sending nothing back: the actor's own latest write is waited for all the same.
        plain = ask(client, COUNT, {}, "c-2")
        assert plain["data"]["complaints"]["totalCount"] == 1
        assert plain["extensions"]["servedBy"] == "primary"
        # Someone who wrote nothing may read the (stale) replica.
        assert ask(client, COUNT, {}, "c-other")["extensions"]["servedBy"] == "replica"
        assert client.app.state.read_models.db.router.fallbacks >= 3  # type: ignore[attr-defined]
    finally:
        standby("resume")
    _wait_replayed(client)
    again = ask(client, COUNT, {}, "c-2", **{"Read-After": token})
    assert again["extensions"]["servedBy"] == "replica"
    assert again["data"]["complaints"]["totalCount"] == 1


def test_a_malformed_token_is_answered_by_the_primary(client: TestClient) -> None:
    read = ask(client, COUNT, {}, "c-3", **{"Read-After": "not-an-lsn"})
    assert read["extensions"]["servedBy"] == "primary"


def test_a_dead_replica_is_taken_out_without_errors_and_comes_back(client: TestClient) -> None:
    standby("halt")
    try:
        for n in range(3):
            answer = file(client, "c-4", f"o-d{n}")
            read = ask(
                client, COUNT, {}, "c-4", **{"Read-After": answer["extensions"]["readAfter"]}
            )
            assert "errors" not in read, read
            assert read["data"]["complaints"]["totalCount"] == n + 1
            assert read["extensions"]["servedBy"] == "primary"
        replica = client.app.state.read_models.db.router.replicas[0]  # type: ignore[attr-defined]
        assert replica.failures >= 1
        supervisor = mint_token(
            Settings().jwt_secret, role=Role.SUPERVISOR, sub="s-1", now=datetime.now(UTC)
        )
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {supervisor}"}).text
        assert 'complaints_replica_up{replica="replica1"} 0.0' in scraped
        assert "complaints_replica_fallbacks_total" in scraped
    finally:
        standby("start")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        read = ask(client, COUNT, {}, "c-none")
        if "errors" not in read and read["extensions"]["servedBy"] == "replica":
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the replica never came back")


def test_subscriptions_read_new_timeline_rows_from_a_replica_that_has_them(
    client: TestClient,
) -> None:
    """The hub's reader: woken on the primary, it reads each batch from the replica once that
    has replayed the primary's position, and from the primary while replay is paused."""
    read_models = client.app.state.read_models  # type: ignore[attr-defined]
    router = read_models.db.router
    replica = router.replicas[0]

    async def rows_after(position: int) -> list[int]:
        tail = read_models.tail()
        try:
            return [row.position for row in await tail.rows_after(position, 100)]
        finally:
            await tail.aclose()

    start = client.portal.call(read_models.tail().head)  # type: ignore[union-attr]
    file(client, "c-5", "o-s1")
    served, fallbacks = replica.served, router.fallbacks
    first = client.portal.call(rows_after, start)  # type: ignore[union-attr]
    assert first, "the new entries"
    # (The server's own hub reads through the same router meanwhile: counts only grow.)
    assert replica.served > served
    standby("pause")
    try:
        file(client, "c-5", "o-s2")
        second = client.portal.call(rows_after, first[-1])  # type: ignore[union-attr]
        assert second, "the entries written while replay is paused, from the primary"
        assert router.fallbacks > fallbacks
    finally:
        standby("resume")
    again = client.portal.call(rows_after, start)  # type: ignore[union-attr]
    assert again == first + second


MY_UPDATES = "subscription($after: Int) { myComplaintUpdates(after: $after) { complaint { id } } }"
ERASE = "mutation($i: EraseSubjectInput!) { eraseSubject(input: $i) { __typename } }"


def test_a_resumed_subscription_sees_the_write_its_token_names_while_replay_is_paused(
    client: TestClient,
) -> None:
    """The resume path: `connection_init` carries `readAfter`; the catch-up from `after` reads
    a replica only once it has replayed it, so with replay paused the primary answers it."""
    standby("pause")
    try:
        filed = file(client, "c-6", "o-r1")
        wanted = filed["data"]["fileComplaint"]["id"]
        router = client.app.state.read_models.db.router  # type: ignore[attr-defined]
        fallbacks = router.fallbacks
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            payload = {
                "Authorization": bearer("c-6")["Authorization"],
                "readAfter": filed["extensions"]["readAfter"],
            }
            ws.send_json({"type": "connection_init", "payload": payload})
            assert ws.receive_json()["type"] == "connection_ack"
            ws.send_json(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": MY_UPDATES, "variables": {"after": 0}},
                }
            )
            message = ws.receive_json()
            assert message["type"] == "next", message
            assert message["payload"]["data"]["myComplaintUpdates"]["complaint"]["id"] == wanted
        assert router.fallbacks > fallbacks
    finally:
        standby("resume")
    _wait_replayed(client)


def test_after_an_erasure_no_read_goes_to_a_replica_that_has_not_replayed_it(
    client: TestClient,
) -> None:
    file(client, "c-7", "o-e1")
    _wait_replayed(client)
    supervisor = mint_token(
        Settings().jwt_secret, role=Role.SUPERVISOR, sub="s-1", now=datetime.now(UTC)
    )
    standby("pause")
    try:
        erased = client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {supervisor}"},
            json={"query": ERASE, "variables": {"i": {"subjectId": "c-7"}}},
        )
        answer = erased.json()
        assert answer["data"]["eraseSubject"]["__typename"] == "ErasureReceipt", answer
        assert answer["extensions"]["readAfter"] == erased.headers["read-after"]
        # Someone who wrote nothing, sending no token, no longer reads the stale replica.
        assert ask(client, COUNT, {}, "c-other")["extensions"]["servedBy"] == "primary"
    finally:
        standby("resume")
    _wait_replayed(client)  # then the replica, having replayed the erasure, serves again
