"""What the access log costs a cached read, in one run: the case timeline sent as a persisted
query (answered from the response cache, the cheapest read there is, so the log's share is at
its largest) by our server with no access log (`LOG_LEVEL=warning`), with ours (the default,
`LOG_LEVEL=info`: `complaints.web.access_log`), and with uvicorn's own access log, which
`complaints serve` used before (uvicorn run directly at `--log-level info`).

    .venv/bin/python -m bench.access_log                  # 5 s per figure, 16 connections
    .venv/bin/python -m bench.access_log --seconds 1 --rounds 1

The three servers run at once on one PostgreSQL schema, one uvicorn worker each; logs go to
files, as in production. They are measured in turn, `--rounds` times (the machine is shared and
noisy), and each figure is the median of its rounds. Goal: ours costs at most 5% (ratio >= 0.95).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import DEFAULT_URL, figures, fresh_schema, goal
from bench.http import CONSUMER, PERSISTED_TIMELINE, drive, request_bytes, seed_ours, stop, token
from complaints.graphql.ids import global_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(
    arguments: list[str], env: dict[str, str], log: Path, port: int
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            arguments, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server on port {port} did not start: {log.read_text()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    with fresh_schema(args.database_url) as schema, tempfile.TemporaryDirectory() as tmp:
        case_id = global_id("Complaint", seed_ours(schema.url, 1, 0))
        base = {**os.environ, "DATABASE_URL": schema.url}
        ports = {name: free_port() for name in ("none", "ours", "uvicorn")}
        serve = [sys.executable, "-m", "complaints", "serve", "--port"]
        servers = {
            "none": start(
                [*serve, str(ports["none"])],
                {**base, "LOG_LEVEL": "warning"},
                Path(tmp) / "none.log",
                ports["none"],
            ),
            "ours": start(
                [*serve, str(ports["ours"])],
                {**base, "LOG_LEVEL": "info"},
                Path(tmp) / "ours.log",
                ports["ours"],
            ),
            # uvicorn's access log, as before: our settings quiet (no access log of ours),
            # uvicorn's own logger at info.
            "uvicorn": start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "complaints.web.server:create_app_from_env",
                    "--factory",
                    "--port",
                    str(ports["uvicorn"]),
                    "--log-level",
                    "info",
                ],
                {**base, "LOG_LEVEL": "warning"},
                Path(tmp) / "uvicorn.log",
                ports["uvicorn"],
            ),
        }
        try:
            consumer = token(CONSUMER)
            body = {
                "extensions": {
                    "persistedQuery": {"version": 1, "sha256Hash": PERSISTED_TIMELINE.sha256}
                },
                "variables": {"id": case_id},
            }
            rates: dict[str, list[float]] = {name: [] for name in servers}
            for _ in range(args.rounds):
                for name, port in ports.items():
                    read = request_bytes(port, body, consumer)
                    rates[name].append(
                        drive(port, lambda n, i, r=read: r, args.connections, args.seconds)
                    )
            logged = (Path(tmp) / "ours.log").read_bytes().count(b'{"at":')
        finally:
            stop(*servers.values())
    median = {name: statistics.median(values) for name, values in rates.items()}
    goal(
        "access_log",
        "a cached read with the default access log vs none",
        ours=f"{median['ours']:,.0f}/s",
        baseline=f"{median['none']:,.0f}/s",
        ratio=median["ours"] / median["none"],
        at_least=0.95,
    )
    figures(
        f"A cached read (the case timeline by its persisted hash), {args.connections} keep-alive"
        f" connections, PostgreSQL, one uvicorn worker each; median of {args.rounds} rounds;"
        f" {logged:,} lines in our access log",
        ["what", "req/s", "vs no access log"],
        [
            ["no access log (LOG_LEVEL=warning)", f"{median['none']:,.0f}", "1.00"],
            [
                "ours, the default (LOG_LEVEL=info) (goal: at least 0.95)",
                f"{median['ours']:,.0f}",
                f"{median['ours'] / median['none']:.2f}",
            ],
            [
                "uvicorn's access log (before)",
                f"{median['uvicorn']:,.0f}",
                f"{median['uvicorn'] / median['none']:.2f}",
            ],
        ],
    )


if __name__ == "__main__":
    main()
