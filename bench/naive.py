"""The naive stack the GraphQL benchmark compares against: a strawberry mutation with its
defaults that saves one `eventsourcing` aggregate on PostgreSQL with the library's defaults.

    BENCH_NAIVE_URL=postgresql://postgres@127.0.0.1:5432/test?schema=S \\
        .venv/bin/uvicorn bench.naive:app --port 8101

The plain endpoint for the timeline benchmark is here too: a Starlette route that returns the
bytes in BENCH_PLAIN_FILE, as our server would.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import strawberry
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.asgi import GraphQL


class NaiveComplaint(Aggregate):
    @event("Filed")
    def __init__(self, shop_id: str, order_id: str, description: str, amount: str) -> None:
        self.shop_id = shop_id
        self.order_id = order_id
        self.description = description
        self.amount = amount


def _env() -> dict[str, str]:
    url = os.environ.get("BENCH_NAIVE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_SCHEMA": parse_qs(parts.query).get("schema", ["public"])[0],
    }


naive_app: Application[UUID] | None = None


def _application() -> Application[UUID]:
    global naive_app  # noqa: PLW0603 - one per process, made on first use
    if naive_app is None:
        naive_app = Application(env=_env())
    return naive_app


@strawberry.input
class NaiveFileInput:
    shop_id: str
    order_id: str
    description: str
    amount: str


@strawberry.type
class Filed:
    id: strawberry.ID


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def file_complaint(self, input: NaiveFileInput) -> Filed:
        complaint = NaiveComplaint(input.shop_id, input.order_id, input.description, input.amount)
        _application().save(complaint)
        return Filed(id=strawberry.ID(str(complaint.id)))


async def plain(_: Request) -> Response:
    return Response(PLAIN_BYTES, media_type="application/json")


PLAIN_FILE = os.environ.get("BENCH_PLAIN_FILE")
PLAIN_BYTES = Path(PLAIN_FILE).read_bytes() if PLAIN_FILE else b"{}"

app = Starlette(
    routes=[
        Route("/graphql", GraphQL(strawberry.Schema(query=Query, mutation=Mutation))),
        Route("/plain", plain, methods=["GET", "POST"]),
    ]
)
