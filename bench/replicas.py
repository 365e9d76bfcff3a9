"""Reads with 0 and 1 read replica, in the same run (`bench.scale --replica-url URL`).

One `complaints serve` process, beside the `complaints worker` bench.scale starts, answers:
- reads alone: a 20-entry timeline page (the timeline read model), by keep-alive connections in
  a closed loop: requests per second and p99;
- a mixed load: each connection posts a message on a case of its own, then reads the timeline
  three times sending back the `Read-After` token its write was given: the share of those reads
  a replica answered (`extensions.servedBy`), every one of which must show its own message.

The replica is a hot standby of the primary (tools/standby.sh start makes one on port 5433).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import goal
from complaints.graphql import ids

WRITE = """mutation($input: PostMessageInput!) { postMessage(input: $input) {
  __typename ... on Complaint { version } ... on Error { code } } }"""
#: The entries after a version: the write's own must be there.
SINCE = """query Since($id: ID!, $after: String) { complaint(id: $id) {
  timeline(first: 20, after: $after) { edges { node { version } } } } }"""


@dataclass
class Run:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    reads: int = 0
    by_replica: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def post(port: int, body: dict[str, Any], bearer: str, read_after: str | None) -> bytes:
    payload = json.dumps(body).encode()
    extra = f"Read-After: {read_after}\r\n" if read_after else ""
    return (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {bearer}\r\n{extra}Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def _ask(reader: Any, writer: Any, request: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    writer.write(request)
    await writer.drain()
    status = await reader.readline()
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    answer: dict[str, Any] = json.loads(body)
    if b" 200 " not in status or "errors" in answer:
        raise SystemExit(f"bad response: {status!r} {body[:300]!r}")
    return answer, headers


def drive(
    port: int,
    bearer: str,
    read: dict[str, Any],
    case_ids: list[str],
    *,
    connections: int,
    seconds: float,
    mixed: bool,
) -> Run:
    """Closed loop for `seconds` after a half-second warm-up."""
    run = Run(seconds)

    async def connection(n: int) -> None:
        case_id = case_ids[n % len(case_ids)]  # one case each: writes to one case conflict
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        began = time.monotonic()
        counting, until = began + 0.5, began + 0.5 + seconds
        i = 0
        while time.monotonic() < until:
            token, body, version = None, read, 0
            if mixed:
                text = f"Connection {n}, message {i}: any news?"
                variables = {"input": {"complaintId": case_id, "text": text}}
                written, headers = await _ask(
                    reader,
                    writer,
                    post(port, {"query": WRITE, "variables": variables}, bearer, None),
                )
                token = headers.get("read-after")  # none without replicas
                result = written["data"]["postMessage"]
                if "version" not in result:
                    raise SystemExit(f"the write was refused: {result}")
                version = result["version"]
                after = ids.cursor("TimelineEntry", version - 1)
                body = {"query": SINCE, "variables": {"id": case_id, "after": after}}
            for _ in range(3 if mixed else 1):
                started = time.perf_counter()
                answer, _ = await _ask(reader, writer, post(port, body, bearer, token))
                if time.monotonic() > counting:
                    run.latencies.append(time.perf_counter() - started)
                    run.reads += 1
                    served = answer.get("extensions", {}).get("servedBy")
                    run.by_replica += served == "replica"
                if mixed:
                    edges = answer["data"]["complaint"]["timeline"]["edges"]
                    if version not in [e["node"]["version"] for e in edges]:
                        raise SystemExit(f"a read missed its own write (version {version})")
            i += 1
        writer.close()

    async def all_connections() -> None:
        await asyncio.gather(*(connection(n) for n in range(connections)))

    asyncio.run(all_connections())
    return run


def report(results: dict[int, Run], mixed: dict[int, Run]) -> list[list[str]]:
    """The table's rows, and the goal: reads with one replica at least 0.9x those without
    (two cores cannot show a gain: the replica shares them; the goal is that the routing and
    the token cost little)."""
    rows = []
    for replicas, run in results.items():
        rows.append(
            [
                f"timeline reads, {replicas} replica(s)",
                f"{run.rate:,.0f}",
                f"{run.p99() * 1000:.1f}",
                f"{run.by_replica / max(run.reads, 1):.0%}",
            ]
        )
    for replicas, run in mixed.items():
        rows.append(
            [
                f"mixed: a write then 3 reads with its token, {replicas} replica(s)",
                f"{run.rate:,.0f}",
                f"{run.p99() * 1000:.1f}",
                f"{run.by_replica / max(run.reads, 1):.0%}",
            ]
        )
    if 0 in results and 1 in results:
        goal(
            "scale",
            "timeline reads: 1 replica vs none (same machine)",
            ours=f"{results[1].rate:,.0f}/s",
            baseline=f"{results[0].rate:,.0f}/s",
            ratio=results[1].rate / results[0].rate,
            at_least=0.9,
        )
    return rows
