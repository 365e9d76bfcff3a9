"""`complaints subscribe`: follow a case (or all of one's cases) from the command line.

A small graphql-transport-ws client: it authenticates in connection_init, subscribes, and prints
each update as one line of JSON. `--after` resumes after a position; `--count` stops after that
many updates.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import websockets

ONE = """subscription($id: ID!, $after: Int) { complaintUpdates(complaintId: $id, after: $after)
  { position entry { type summary at } complaint { reference status } } }"""
MINE = """subscription($after: Int) { myComplaintUpdates(after: $after)
  { position entry { type summary at } complaint { reference status } } }"""


async def follow(
    url: str, token: str | None, complaint: str | None, after: int | None, count: int | None
) -> int:
    payload: dict[str, Any] = {"Authorization": f"Bearer {token}"} if token else {}
    protocol = websockets.Subprotocol("graphql-transport-ws")
    async with websockets.connect(url, subprotocols=[protocol]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            print(f"complaints subscribe: not accepted: {ack}", file=sys.stderr)
            return 1
        query, variables = (
            (ONE, {"id": complaint, "after": after}) if complaint else (MINE, {"after": after})
        )
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        received = 0
        while count is None or received < count:
            message = json.loads(await ws.recv())
            body = message.get("payload") or {}
            errors = body if message["type"] == "error" else body.get("errors")
            if errors:
                print(f"complaints subscribe: {errors[0].get('message')}", file=sys.stderr)
                return 1
            if message["type"] == "complete":
                return 0
            update = next(iter(body["data"].values()))
            print(json.dumps(update), flush=True)
            received += 1
    return 0


def run(
    url: str, token: str | None, complaint: str | None, after: int | None, count: int | None
) -> int:
    try:
        return asyncio.run(follow(url, token, complaint, after, count))
    except websockets.ConnectionClosed as closed:
        reason = closed.rcvd.reason if closed.rcvd else "connection closed"
        print(f"complaints subscribe: {reason}", file=sys.stderr)
        return 1
    except (OSError, websockets.InvalidHandshake) as error:
        print(f"complaints subscribe: cannot connect to {url}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
