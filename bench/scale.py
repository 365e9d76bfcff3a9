"""Reads per second as `complaints serve --workers N` grows, beside one `complaints worker`
feeding the read models, on PostgreSQL: the curve for 1, 2 and 4 server processes, each
against one process measured in the same run.

    .venv/bin/python -m bench.scale                     # 5 s per figure, 16 connections
    .venv/bin/python -m bench.scale --seconds 2 --workers 1,2
    tools/standby.sh start && .venv/bin/python -m bench.scale --workers 1 \
        --replica-url postgresql://postgres@127.0.0.1:5433/complaints   # and 0 vs 1 replica

Two reads, each sent over keep-alive connections by one asyncio client process:
- the case page's first paint, `complaint(id) { id status }` (answered from the process's
  read cache);
- the full path of a 20-entry timeline, as a frontend's own query text (parsed, validated and
  resolved, with the page read from the timeline read model).
The client, the server processes, the worker and PostgreSQL share the machine's cores
(`os.cpu_count()` is printed with the figures).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from bench import replicas
from bench.common import DEFAULT_URL, figures, fresh_schema, goal, record_order
from bench.http import (
    AGENT,
    CONSUMER,
    ONE_CASE,
    REFUND,
    SUPERVISOR,
    TIMELINE,
    drive,
    request_bytes,
    start,
    token,
)
from complaints.application import ComplaintsApp
from complaints.domain.values import Category, Money
from complaints.graphql.ids import global_id
from complaints.settings import Settings

PORT = 8730


#: The goal is set for two server processes against one.
TWO_WORKERS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4", help="server processes, comma-separated")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--replica-url",
        help="a hot standby of --database-url (tools/standby.sh): also reads with 0 and 1 replica",
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.workers.split(",")]
    consumer = token(CONSUMER)
    with fresh_schema(args.database_url) as schema:
        app = ComplaintsApp(Settings(database_url=schema.url))
        app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("1000000"), "CNY"))
        case = app.file_complaint(
            CONSUMER,
            "acme",
            record_order(app, CONSUMER.id, "order-s"),
            Category.DAMAGED,
            "The lamp arrived broken.",
            REFUND,
        )
        app.accept_complaint(AGENT, case.id)
        while app.get_complaint(case.id).version < 20:
            app.post_message(CONSUMER, case.id, "Is there any news about my refund?")
        app.close()
        env = {"DATABASE_URL": schema.url, "LOG_LEVEL": "warning"}
        feeder = subprocess.Popen(
            [sys.executable, "-m", "complaints", "worker"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        variables = {"id": global_id("Complaint", case.id)}
        frontend = TIMELINE.replace("query CaseTimeline", "query FrontendTimeline", 1)
        reads = {
            "complaint(id) { id status }": request_bytes(
                PORT, {"query": ONE_CASE, "variables": variables}, consumer
            ),
            "timeline(first: 20), full path": request_bytes(
                PORT, {"query": frontend, "variables": variables}, consumer
            ),
        }
        rates: dict[str, dict[int, float]] = {what: {} for what in reads}
        try:
            for workers in levels:
                server = start(
                    [
                        sys.executable,
                        "-m",
                        "complaints",
                        "serve",
                        "--port",
                        str(PORT),
                        "--workers",
                        str(workers),
                    ],
                    {**env, "IN_PROCESS_PROJECTIONS": "false"},
                    PORT,
                )
                try:
                    for what, request in reads.items():
                        drive(PORT, lambda n, i, r=request: r, args.connections, 1)  # warm up
                        rates[what][workers] = drive(
                            PORT, lambda n, i, r=request: r, args.connections, args.seconds
                        )
                finally:
                    server.terminate()
                    server.wait()
            if args.replica_url:
                replica_rows = with_replicas(args, env, schema.url, consumer, variables["id"])
        finally:
            feeder.terminate()
            feeder.wait()
    rows = []
    for what, by_workers in rates.items():
        one = by_workers.get(1) or next(iter(by_workers.values()))
        for workers, rate in by_workers.items():
            aim = " (goal: 1.7x at 2)" if workers == TWO_WORKERS else ""
            rows.append(
                [f"{what}, {workers} server processes{aim}", f"{rate:,.0f}", f"{rate / one:.2f}"]
            )
            if workers == TWO_WORKERS and 1 in by_workers:
                goal(
                    "scale",
                    f"{what}: 2 server processes vs 1",
                    ours=f"{rate:,.0f}/s",
                    baseline=f"{one:,.0f}/s",
                    ratio=rate / one,
                    at_least=1.7,
                )
    figures(
        f"Reads per second by server processes, {args.connections} keep-alive connections,"
        f" PostgreSQL, one `complaints worker`; {os.cpu_count()} cores",
        ["what", "req/s", "vs 1 process"],
        rows,
    )
    if args.replica_url:
        figures(
            f"One server process with 0 and 1 read replica (a hot standby on the same machine),"
            f" {args.connections} keep-alive connections; {os.cpu_count()} cores",
            ["what", "reads/s", "p99 ms", "served by the replica"],
            replica_rows,
        )


def with_replicas(
    args: argparse.Namespace, env: dict[str, str], url: str, bearer: str, case_id: str
) -> list[list[str]]:
    """The same server with no replica, then with the standby: reads, and the mixed load."""
    schema = parse_qs(urlsplit(url).query)["schema"][0]
    replica = f"{args.replica_url}{'&' if '?' in args.replica_url else '?'}schema={schema}"
    read = {
        "query": TIMELINE.replace("query CaseTimeline", "query FrontendTimeline", 1),
        "variables": {"id": case_id},
    }
    app = ComplaintsApp(Settings(database_url=url))
    case_ids = []
    for n in range(args.connections):
        order = record_order(app, CONSUMER.id, f"order-r{n}")
        filed = app.file_complaint(
            CONSUMER, "acme", order, Category.DAMAGED, "The lamp arrived broken.", REFUND
        )
        app.accept_complaint(AGENT, filed.id)
        case_ids.append(global_id("Complaint", filed.id))
    app.close()
    reads: dict[int, replicas.Run] = {}
    mixed: dict[int, replicas.Run] = {}
    for count, extra in ((0, {}), (1, {"DATABASE_REPLICA_URLS": replica})):
        command = [sys.executable, "-m", "complaints", "serve", "--port", str(PORT)]
        server = start(command, {**env, "IN_PROCESS_PROJECTIONS": "false", **extra}, PORT)
        try:
            common = {"connections": args.connections, "seconds": args.seconds}
            reads[count] = replicas.drive(PORT, bearer, read, [case_id], mixed=False, **common)
            mixed[count] = replicas.drive(PORT, bearer, read, case_ids, mixed=True, **common)
        finally:
            server.terminate()
            server.wait()
    return replicas.report(reads, mixed)


if __name__ == "__main__":
    main()
