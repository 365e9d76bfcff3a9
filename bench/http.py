"""Requests per second over HTTP, side by side with baselines, in one run:
- GraphQL `fileComplaint` on our server, against the naive stack (bench/naive.py: strawberry
  with defaults saving one eventsourcing aggregate with defaults), and against the naive stack
  with one read model fed by eventsourcing's `ProjectionRunner`, each mutation waiting for it;
- the timeline query for a 20-entry case, against a plain Starlette endpoint returning the same
  bytes: sent in full, as one of our persisted queries, and as a frontend's own query text
  registered by automatic persisted queries (APQ) and then sent by its hash;
- the same timeline query sent in full (the full path: parse, validate, resolve), against the
  naive stack serving the same fields by replaying the case (strawberry's defaults);
- the same full path read in Simplified Chinese (`Accept-Language: zh-Hans`: every summary said
  from the catalogue), against English (the goal: within 10%);
- one case read one request at a time, `complaint(id) { id status }`, against `{ viewerRole }`
  with the same client (the time per request, and the ratio);
- a shop's standing as the marketplace reads it on its hot path, its own query sent by its APQ
  hash (the response cache), against a plain Starlette endpoint returning the same bytes.

    .venv/bin/python -m bench.http                    # 5 s per figure, 16 connections
    .venv/bin/python -m bench.http --seconds 1 --connections 4

Both servers run as real uvicorn processes (one worker each) on PostgreSQL; the load comes from
one asyncio process holding keep-alive connections, the same client for every figure. When wrk
is installed (`make bench` installs it; `--no-wrk` skips it), fileComplaint and the persisted
timeline are measured by wrk too, in the same run (bench/outside.py), each side's CPU per request
beside them, and those two goals are recorded on wrk's figures: what an outside client sees.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from eventsourcing.application import Application

from bench import outside
from bench.common import (
    DEFAULT_URL,
    FILINGS_PER_SECOND_CAP,
    figures,
    fresh_schema,
    goal,
    orders_ahead,
    record_order,
    record_orders,
)
from bench.naive import NaiveComplaint, naive_env
from complaints.application import ComplaintsApp
from complaints.domain.values import (
    Actor,
    Category,
    Money,
    Remedy,
    RemedyType,
    Role,
    SanctionKind,
)
from complaints.graphql.ids import global_id
from complaints.graphql.persisted import QUERIES
from complaints.settings import DEV_JWT_SECRET, Settings
from complaints.tokens import mint_token

PERSISTED_TIMELINE = next(q for q in QUERIES if q.name == "CaseTimeline")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
CONSUMER = Actor(Role.CONSUMER, "u-1")
MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))
FILE = """mutation($input: FileComplaintInput!) { fileComplaint(input: $input) {
  __typename ... on Complaint { id reference status } ... on Error { code message } } }"""
NAIVE_FILE = """mutation($input: NaiveFileInput!) { fileComplaint(input: $input) { id } }"""
TIMELINE = PERSISTED_TIMELINE.document
#: The same query as a frontend would write it: not one of ours, so it reaches the cache only by
#: automatic persisted queries (APQ).
FRONTEND = TIMELINE.replace("query CaseTimeline", "query FrontendTimeline", 1)
FRONTEND_SHA = hashlib.sha256(FRONTEND.encode()).hexdigest()
ONE_CASE = "query($id: ID!) { complaint(id: $id) { id status } }"
#: What a marketplace asks before it lists a product or takes an order: its own query text,
#: registered by APQ, then sent by its hash.
STANDING = """query Standing($shop: String!) { sellerStanding(shopId: $shop) { shopId status
  canTakeOrders canListProducts restrictedUntil activeSanctions { id kind until } } }"""
STANDING_SHA = hashlib.sha256(STANDING.encode()).hexdigest()


def token(actor: Actor) -> str:
    return mint_token(
        DEV_JWT_SECRET,
        role=actor.role,
        sub=actor.id,
        shop_id=actor.shop_id,
        now=datetime.now(UTC),
        ttl=timedelta(hours=1),
    )


def start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own commands
        args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server on port {port} did not start")


def start_naive(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The naive stack (bench/naive.py) in one uvicorn worker."""
    args = [sys.executable, "-m", "uvicorn", "bench.naive:app", "--port", str(port)]
    return start([*args, "--log-level", "warning"], env, port)


def stop(*processes: subprocess.Popen[bytes] | None) -> None:
    for process in processes:
        if process is not None:
            process.terminate()
            process.wait()


def get_bytes(port: int, body: dict[str, Any], bearer: str | None) -> tuple[bytes, bytes]:
    """A persisted query by GET, as Apollo Client's `useGETForHashedQueries` sends it."""
    query = urlencode({name: json.dumps(value) for name, value in body.items()})
    auth = f"Authorization: Bearer {bearer}\r\n" if bearer else ""
    return f"GET /graphql?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}\r\n".encode(), b""


def request_bytes(
    port: int, body: dict[str, Any], bearer: str | None, language: str | None = None
) -> tuple[bytes, bytes]:
    payload = json.dumps(body).encode()
    auth = f"Authorization: Bearer {bearer}\r\n" if bearer else ""
    auth += f"Accept-Language: {language}\r\n" if language else ""
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"{auth}Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head, payload


async def _connection(port: int, make: Any, until: list[float], counts: list[int], n: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    while time.monotonic() < until[0]:
        head, payload = make(n, i)
        writer.write(head + payload)
        await writer.drain()
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length)
        if b" 200 " not in status or b'"errors"' in body or b'"code"' in body:
            raise SystemExit(f"bad response: {status!r} {body[:300]!r}")
        if time.monotonic() > until[1]:
            counts[n] += 1
        i += 1
    writer.close()


def drive(port: int, make: Any, connections: int, seconds: float) -> float:
    """Closed loop: `connections` keep-alive connections, each sending the next request as soon
    as the last is answered; the first half second is warm-up."""
    counts = [0] * connections
    began = time.monotonic()
    until = [began + 0.5 + seconds, began + 0.5]

    async def run() -> None:
        await asyncio.gather(
            *(_connection(port, make, until, counts, n) for n in range(connections))
        )

    asyncio.run(run())
    return sum(counts) / seconds


def seed_ours(url: str, connections: int, seconds: float) -> UUID:
    """Our store: a shop under a warning and a trading restriction, a case of 20 versions, and
    the orders the HTTP filings will name, recorded ahead as the marketplace does."""
    app = ComplaintsApp(Settings(database_url=url))
    app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("1000000"), "CNY"))
    # A standing with something in it: a warning and a trading restriction, both timed.
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Fakes listed.")
    case = app.file_complaint(
        CONSUMER,
        "acme",
        record_order(app, CONSUMER.id, "order-t"),
        Category.DAMAGED,
        "The lamp arrived broken.",
        REFUND,
    )
    # The orders the HTTP filings name, recorded as the marketplace does when they are paid.
    ahead = orders_ahead(connections, seconds)
    record_orders(
        app,
        [(CONSUMER.id, f"order-{n}-{i}") for n in range(connections) for i in range(ahead)],
    )
    if outside.available():  # the orders wrk's filings name (bench/outside.py)
        ids = outside.order_ids(connections, seconds, FILINGS_PER_SECOND_CAP)
        record_orders(app, [(CONSUMER.id, order_id) for order_id in ids])
    app.accept_complaint(AGENT, case.id)
    while app.get_complaint(case.id).version < 20:
        app.post_message(CONSUMER, case.id, "Is there any news about my refund?")
    app.close()
    return case.id


def caught_up(port: int) -> None:
    """Wait until every read model and the transparency log have the seeded events: the log
    builder, a thread of the server, takes several seconds of CPU over the orders recorded ahead,
    which would otherwise be taken from whatever is measured first (the naive stack's filings)."""
    for _ in range(600):
        lag = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json().get("lag", {})
        if lag and all(behind == 0 for behind in lag.values()):
            return
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not catch up: {lag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=1, help="our server's processes (the baselines have one)"
    )
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="feed the read models from a `complaints worker` process, not inside the server",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--no-wrk", action="store_true", help="skip the same figures measured by wrk (outside)"
    )
    args = parser.parse_args()
    ours_port, naive_port, naive_read_model_port = 8710, 8711, 8712
    consumer = token(CONSUMER)
    with (
        fresh_schema(args.database_url) as ours_schema,
        fresh_schema(args.database_url) as naive_schema,
        fresh_schema(args.database_url) as naive_read_model_schema,
        tempfile.TemporaryDirectory() as tmp,
    ):
        case_id = global_id("Complaint", seed_ours(ours_schema.url, args.connections, args.seconds))
        seed = Application[UUID](env=naive_env(naive_schema.url))
        naive_case = NaiveComplaint("acme", "order-t", "The lamp arrived broken.", "99.00")
        while naive_case.version < 20:
            naive_case.post_message("Is there any news about my refund?")
        seed.save(naive_case)
        seed.close()
        naive_timeline_body = {
            "query": TIMELINE.replace("query CaseTimeline", "query NaiveTimeline", 1),
            "variables": {"id": str(naive_case.id)},
        }
        ours = start(
            [
                sys.executable,
                "-m",
                "complaints",
                "serve",
                "--port",
                str(ours_port),
                "--workers",
                str(args.workers),
            ],
            {
                "DATABASE_URL": ours_schema.url,
                "LOG_LEVEL": "warning",
                "IN_PROCESS_PROJECTIONS": "false" if args.separate_worker else "true",
            },
            ours_port,
        )
        feeder = (
            subprocess.Popen(
                [sys.executable, "-m", "complaints", "worker"],
                env={**os.environ, "DATABASE_URL": ours_schema.url, "LOG_LEVEL": "warning"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if args.separate_worker
            else None
        )
        try:
            timeline_body = {"query": TIMELINE, "variables": {"id": case_id}}
            for _ in range(100):  # until the read models have the whole case
                answer = httpx.post(
                    f"http://127.0.0.1:{ours_port}/graphql",
                    json=timeline_body,
                    headers={"Authorization": f"Bearer {consumer}"},
                ).content
                if answer.count(b'"position"') == 20:
                    break
                time.sleep(0.2)
            caught_up(ours_port)
            plain_file = Path(tmp) / "timeline.json"
            plain_file.write_bytes(answer)
            standing_file = Path(tmp) / "standing.json"
            standing_file.write_bytes(register_standing(ours_port))
            naive = start_naive(
                naive_port,
                {
                    "BENCH_NAIVE_URL": naive_schema.url,
                    "BENCH_PLAIN_FILE": str(plain_file),
                    "BENCH_PLAIN_STANDING_FILE": str(standing_file),
                },
            )
            naive_read_model = start_naive(
                naive_read_model_port,
                {"BENCH_NAIVE_URL": naive_read_model_schema.url, "BENCH_NAIVE_PROJECTION": "1"},
            )
            try:
                rows = measure(
                    args,
                    ours_port,
                    naive_port,
                    consumer,
                    timeline_body,
                    naive_timeline_body,
                    naive_read_model_port,
                    {ours_port: ours.pid, naive_port: naive.pid},
                )
            finally:
                stop(naive, naive_read_model)
        finally:
            stop(ours, feeder)
    figures(
        f"HTTP requests per second, {args.connections} keep-alive connections, PostgreSQL;"
        f" baselines in one uvicorn worker, ours in {args.workers}"
        + (" and a `complaints worker`" if args.separate_worker else ""),
        ["what", "req/s", "vs baseline"],
        rows,
    )


def record_goals(rates: dict[str, tuple[float, float]]) -> None:
    """This run's figure for each goal of bench.http (ours, then the baseline, in req/s)."""

    def per_second(name: str) -> dict[str, str]:
        ours, baseline = rates[name]
        return {"ours": f"{ours:,.0f}/s", "baseline": f"{baseline:,.0f}/s"}

    role, one_case = rates["one case"]
    goal(
        "http",
        "one case read, one at a time, vs { viewerRole } (time per request)",
        ours=f"{1000 / one_case:.2f} ms",
        baseline=f"{1000 / role:.2f} ms",
        ratio=role / one_case,
        at_most=1.5,
    )
    for name, what, floor in (
        ("filing", "fileComplaint vs the naive stack", 1.5),
        ("full path", "the timeline's full path vs the naive stack", 1.0),
        ("persisted", "the timeline as our persisted query vs a plain endpoint", 0.7),
        ("apq", "the timeline by APQ hash (POST) vs a plain endpoint", 0.7),
        ("apq get", "the timeline by APQ hash (GET) vs a plain endpoint", 0.7),
        ("standing", "sellerStanding by APQ hash vs a plain endpoint", 0.7),
    ):
        ours, baseline = rates[name]
        goal("http", what, **per_second(name), ratio=ours / baseline, at_least=floor)


def outside_figures(
    args: argparse.Namespace,
    ours_port: int,
    naive_port: int,
    consumer: str,
    persisted_body: dict[str, Any],
    pids: dict[int, int],
) -> dict[str, outside.Sample]:
    """fileComplaint and the cached timeline by wrk, each a new order per filing."""
    marker = "@ORDER@"
    ours_body = json.dumps(
        {
            "query": FILE,
            "variables": {
                "input": {
                    "shopId": "acme",
                    "orderId": marker,
                    "category": "DAMAGED",
                    "description": "The parcel arrived crushed and the lamp is broken.",
                    "requestedRemedy": {
                        "type": "REFUND",
                        "amount": {"amount": "99.00", "currency": "CNY"},
                    },
                }
            },
        }
    )
    naive_body = json.dumps(
        {
            "query": NAIVE_FILE,
            "variables": {
                "input": {
                    "shopId": "acme",
                    "orderId": marker,
                    "description": "The parcel arrived crushed and the lamp is broken.",
                    "amount": "99.00",
                }
            },
        }
    )

    def run(port: int, script: str, bearer: str | None) -> outside.Sample:
        sample = outside.wrk(port, script, bearer, args.connections, args.seconds, pids[port])
        if sample.bad:
            raise SystemExit(f"wrk: {sample.bad} bad responses from port {port}")
        return sample

    return {
        "naive filing": run(naive_port, outside.filing_script(naive_body, marker), None),
        "ours filing": run(ours_port, outside.filing_script(ours_body, marker), consumer),
        "plain": run(naive_port, outside.static_script("/plain", json.dumps(persisted_body)), None),
        "persisted": run(
            ours_port, outside.static_script("/graphql", json.dumps(persisted_body)), consumer
        ),
    }


def outside_rows(
    inside: dict[str, outside.Sample], by_wrk: dict[str, outside.Sample]
) -> list[list[str]]:
    """bench.http's client beside wrk, with the CPU each side used per request."""
    rows = []
    for ours, baseline, what in (
        ("ours filing", "naive filing", "fileComplaint vs the naive stack"),
        ("persisted", "plain", "the timeline, persisted query, vs a plain endpoint"),
    ):
        for name, samples in (("bench.http's client", inside), ("wrk", by_wrk)):
            rows.append([f"{name}: {what} (baseline)", samples[baseline].text, "1.00"])
            rows.append(
                [
                    f"{name}: {what} (ours)",
                    samples[ours].text,
                    f"{samples[ours].rate / samples[baseline].rate:.2f}",
                ]
            )
    return rows


def standing_body() -> dict[str, Any]:
    return {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": STANDING_SHA}},
        "variables": {"shop": "acme"},
    }


def register_standing(port: int) -> bytes:
    """The marketplace's first request (the hash and the query text); the bytes its later
    requests are answered with."""
    headers = {"Authorization": f"Bearer {token(MARKETPLACE)}"}
    url = f"http://127.0.0.1:{port}/graphql"
    registered = httpx.post(url, json={**standing_body(), "query": STANDING}, headers=headers)
    assert b'"errors"' not in registered.content, registered.content
    answer = httpx.post(url, json=standing_body(), headers=headers).content
    assert answer == registered.content, (answer, registered.content)
    return answer


def measure(
    args: argparse.Namespace,
    ours_port: int,
    naive_port: int,
    consumer: str,
    timeline_body: dict[str, Any],
    naive_timeline_body: dict[str, Any],
    naive_read_model_port: int,
    pids: dict[int, int],
) -> list[list[str]]:
    def ours_file(n: int, i: int) -> tuple[bytes, bytes]:
        variables = {
            "input": {
                "shopId": "acme",
                "orderId": f"order-{n}-{i}",
                "category": "DAMAGED",
                "description": "The parcel arrived crushed and the lamp is broken.",
                "requestedRemedy": {
                    "type": "REFUND",
                    "amount": {"amount": "99.00", "currency": "CNY"},
                },
            }
        }
        return request_bytes(ours_port, {"query": FILE, "variables": variables}, consumer)

    def naive_filing(port: int) -> Any:
        def make(n: int, i: int) -> tuple[bytes, bytes]:
            variables = {
                "input": {
                    "shopId": "acme",
                    "orderId": f"order-{n}-{i}",
                    "description": "The parcel arrived crushed and the lamp is broken.",
                    "amount": "99.00",
                }
            }
            return request_bytes(port, {"query": NAIVE_FILE, "variables": variables}, None)

        return make

    timeline = request_bytes(ours_port, timeline_body, consumer)
    timeline_zh = request_bytes(ours_port, timeline_body, consumer, "zh-Hans")
    persisted_body = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": PERSISTED_TIMELINE.sha256}},
        "variables": timeline_body["variables"],
    }
    persisted = request_bytes(ours_port, persisted_body, consumer)
    apq_hash = {"persistedQuery": {"version": 1, "sha256Hash": FRONTEND_SHA}}
    registered = httpx.post(  # the client's first request: the hash and the query text
        f"http://127.0.0.1:{ours_port}/graphql",
        json={"query": FRONTEND, "variables": timeline_body["variables"], "extensions": apq_hash},
        headers={"Authorization": f"Bearer {consumer}"},
    ).json()
    assert "errors" not in registered, registered
    apq = request_bytes(
        ours_port, {"extensions": apq_hash, "variables": timeline_body["variables"]}, consumer
    )
    apq_get = get_bytes(
        ours_port, {"extensions": apq_hash, "variables": timeline_body["variables"]}, consumer
    )
    naive_timeline = request_bytes(naive_port, naive_timeline_body, None)
    plain_head, plain_payload = request_bytes(naive_port, timeline_body, None)
    plain = (plain_head.replace(b"POST /graphql", b"POST /plain"), plain_payload)
    standing = request_bytes(ours_port, standing_body(), token(MARKETPLACE))
    standing_head, standing_payload = request_bytes(naive_port, standing_body(), token(MARKETPLACE))
    plain_standing = (
        standing_head.replace(b"POST /graphql", b"POST /plain-standing"),
        standing_payload,
    )

    # One case, read one request at a time (a page's first paint), against the cheapest query.
    role = request_bytes(ours_port, {"query": "{ viewerRole }"}, consumer)
    one_case = request_bytes(
        ours_port,
        {"query": ONE_CASE, "variables": timeline_body["variables"]},
        consumer,
    )
    role_rate = drive(ours_port, lambda n, i: role, 1, args.seconds)
    one_case_rate = drive(ours_port, lambda n, i: one_case, 1, args.seconds)

    def inside(port: int, make: Any) -> outside.Sample:
        run = lambda: drive(port, make, args.connections, args.seconds)  # noqa: E731
        return outside.ours_inside(run, pids[port], args.seconds)

    naive_inside = inside(naive_port, naive_filing(naive_port))
    ours_inside = inside(ours_port, ours_file)
    naive_rate, ours_rate = naive_inside.rate, ours_inside.rate
    naive_read_model_rate = drive(
        naive_read_model_port,
        naive_filing(naive_read_model_port),
        args.connections,
        args.seconds,
    )
    plain_inside = inside(naive_port, lambda n, i: plain)
    plain_rate = plain_inside.rate
    timeline_rate = drive(ours_port, lambda n, i: timeline, args.connections, args.seconds)
    timeline_zh_rate = drive(ours_port, lambda n, i: timeline_zh, args.connections, args.seconds)
    naive_timeline_rate = drive(
        naive_port, lambda n, i: naive_timeline, args.connections, args.seconds
    )
    cached_inside = inside(ours_port, lambda n, i: persisted)
    cached_rate = cached_inside.rate
    apq_rate = drive(ours_port, lambda n, i: apq, args.connections, args.seconds)
    apq_get_rate = drive(ours_port, lambda n, i: apq_get, args.connections, args.seconds)
    plain_standing_rate = drive(
        naive_port, lambda n, i: plain_standing, args.connections, args.seconds
    )
    standing_rate = drive(ours_port, lambda n, i: standing, args.connections, args.seconds)
    measured = {
        "one case": (role_rate, one_case_rate),
        "filing": (ours_rate, naive_rate),
        "full path": (timeline_rate, naive_timeline_rate),
        "persisted": (cached_rate, plain_rate),
        "apq": (apq_rate, plain_rate),
        "apq get": (apq_get_rate, plain_rate),
        "standing": (standing_rate, plain_standing_rate),
    }
    rows: list[list[str]] = []
    if outside.available() and not args.no_wrk:
        by_wrk = outside_figures(args, ours_port, naive_port, consumer, persisted_body, pids)
        inside_figures = {
            "naive filing": naive_inside,
            "ours filing": ours_inside,
            "plain": plain_inside,
            "persisted": cached_inside,
        }
        rows = outside_rows(inside_figures, by_wrk)
        # The goals on what an outside client sees (docs/performance.md, round 3).
        measured["filing"] = (by_wrk["ours filing"].rate, by_wrk["naive filing"].rate)
        measured["persisted"] = (by_wrk["persisted"].rate, by_wrk["plain"].rate)
    record_goals(measured)
    return [
        *rows,
        [
            "one at a time: { viewerRole } (ms per request)",
            f"{1000 / role_rate:.2f} ms",
            "1.00",
        ],
        [
            "one at a time: complaint(id) { id status } (goal: at most 1.5x)",
            f"{1000 / one_case_rate:.2f} ms",
            f"{role_rate / one_case_rate:.2f}",
        ],
        [
            "naive stack: strawberry defaults + eventsourcing defaults, one save",
            f"{naive_rate:,.0f}",
            "1.00",
        ],
        [
            "ours: fileComplaint (goal: at least 1.5)",
            f"{ours_rate:,.0f}",
            f"{ours_rate / naive_rate:.2f}",
        ],
        [
            "naive stack + one read model (eventsourcing's ProjectionRunner; waits for it)",
            f"{naive_read_model_rate:,.0f}",
            "1.00",
        ],
        [
            "ours: fileComplaint against it",
            f"{ours_rate:,.0f}",
            f"{ours_rate / naive_read_model_rate:.2f}",
        ],
        ["plain Starlette endpoint, the same timeline bytes", f"{plain_rate:,.0f}", "1.00"],
        [
            "ours: complaint timeline(first: 20), the full path",
            f"{timeline_rate:,.0f}",
            f"{timeline_rate / plain_rate:.2f}",
        ],
        [
            "ours: the full path read in zh-Hans (goal: within 10% of English)",
            f"{timeline_zh_rate:,.0f}",
            f"{timeline_zh_rate / plain_rate:.2f}",
        ],
        [
            "ours: the same, as a persisted query (response cache)",
            f"{cached_rate:,.0f}",
            f"{cached_rate / plain_rate:.2f}",
        ],
        [
            "ours: a frontend's own query text by its APQ hash (cache) (goal: at least 0.7)",
            f"{apq_rate:,.0f}",
            f"{apq_rate / plain_rate:.2f}",
        ],
        [
            "ours: the same, its APQ hash by GET (Apollo's useGETForHashedQueries)",
            f"{apq_get_rate:,.0f}",
            f"{apq_get_rate / plain_rate:.2f}",
        ],
        [
            "plain Starlette endpoint, the same standing bytes",
            f"{plain_standing_rate:,.0f}",
            "1.00",
        ],
        [
            "ours: sellerStanding, the marketplace's query by its APQ hash (goal: at least 0.7)",
            f"{standing_rate:,.0f}",
            f"{standing_rate / plain_standing_rate:.2f}",
        ],
        [
            "naive stack: the same fields, strawberry defaults, the case replayed",
            f"{naive_timeline_rate:,.0f}",
            "1.00",
        ],
        [
            "ours: the full path (goal: at least 1.0)",
            f"{timeline_rate:,.0f}",
            f"{timeline_rate / naive_timeline_rate:.2f}",
        ],
        ["ours: the full path in English", f"{timeline_rate:,.0f}", "1.00"],
        [
            "ours: the full path in zh-Hans (goal: at least 0.9)",
            f"{timeline_zh_rate:,.0f}",
            f"{timeline_zh_rate / timeline_rate:.2f}",
        ],
    ]


if __name__ == "__main__":
    main()
