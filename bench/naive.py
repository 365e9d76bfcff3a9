"""The naive stack the GraphQL benchmark compares against: strawberry with its defaults over one
`eventsourcing` aggregate on PostgreSQL with the library's defaults.
- `fileComplaint` saves a new aggregate;
- `complaint(id)` replays the aggregate from its stored events, and its `timeline` reads those
  events again and maps each to an entry: the same fields as our `CaseTimeline` query, with no
  read model, no access rules, no redaction and no cache.

    BENCH_NAIVE_URL=postgresql://postgres@127.0.0.1:5432/test?schema=S \\
        .venv/bin/uvicorn bench.naive:app --port 8101

With BENCH_NAIVE_PROJECTION=1 it also keeps one read model, fed by eventsourcing's own
`ProjectionRunner` (a PostgreSQL tracking recorder, exactly-once by its tracking row), and each
`fileComplaint` waits until the view has tracked its event before answering: the fairer
baseline for our mutations, which answer once every read model includes them. The wait polls
the view's tracking position every 2 ms: the runner's own `wait()` polls with a backoff from
100 ms, which made this baseline 13 req/s, a strawman.

The plain endpoints are here too: Starlette routes that return the bytes in BENCH_PLAIN_FILE
(the timeline) and BENCH_PLAIN_STANDING_FILE (a shop's standing), as our server would.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import strawberry
from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from psycopg.sql import SQL, Identifier
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
        self.status = "SUBMITTED"
        self.reference = f"C-{order_id}"

    @event("MessagePosted")
    def post_message(self, text: str) -> None:
        self.last_message = text


def naive_env(url: str) -> dict[str, str]:
    """eventsourcing's settings for the PostgreSQL schema in `url`, everything else default."""
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


class NaiveListView(PostgresTrackingRecorder):
    """One read model as eventsourcing's documentation writes it: a table of complaints
    beside the projection's tracking table, each row written with its tracking record."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.table = Identifier(self.datastore.schema, f"{self.tracking_table_name}_rows")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (id uuid PRIMARY KEY, shop_id text,"
                " order_id text, status text, notification_id bigint)"
            ).format(self.table)
        )

    def filed(self, complaint_id: UUID, shop_id: str, order_id: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(
                SQL("INSERT INTO {0} VALUES (%s, %s, %s, 'SUBMITTED', %s)").format(self.table),
                (complaint_id, shop_id, order_id, tracking.notification_id),
            )


class NaiveList(Projection[NaiveListView]):
    name = "naivelist"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, domain_event: NaiveComplaint.Filed, tracking: Tracking) -> None:
        self.view.filed(
            domain_event.originator_id,
            domain_event.shop_id,
            domain_event.order_id,
            tracking,
        )


naive_app: Application[UUID] | None = None
naive_runner: ProjectionRunner[Application[UUID], NaiveListView] | None = None


def _application() -> Application[UUID]:
    global naive_app, naive_runner  # noqa: PLW0603 - one per process, made on first use
    if naive_app is None:
        url = os.environ.get("BENCH_NAIVE_URL", "postgresql://postgres@127.0.0.1:5432/test")
        naive_app = Application(env=naive_env(url))
        if os.environ.get("BENCH_NAIVE_PROJECTION"):
            naive_runner = ProjectionRunner(
                application_class=Application,
                projection_class=NaiveList,
                view_class=NaiveListView,
                env=naive_env(url),
            )
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
class NaivePageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class NaiveEntry:
    position: int
    version: int
    type: str
    at: datetime
    actor_role: str
    summary: str


@strawberry.type
class NaiveEdge:
    cursor: str
    node: NaiveEntry


@strawberry.type
class NaiveTimeline:
    edges: list[NaiveEdge]
    page_info: NaivePageInfo


@strawberry.type
class NaiveCase:
    id: strawberry.ID
    reference: str
    status: str
    category: str

    @strawberry.field
    def timeline(self, first: int = 20, after: str | None = None) -> NaiveTimeline:
        start = int(after) if after else 0
        stored = list(_application().repository.event_store.get(UUID(self.id), gt=start))
        page = stored[:first]
        edges = [
            NaiveEdge(
                cursor=str(e.originator_version),
                node=NaiveEntry(
                    position=e.originator_version,
                    version=e.originator_version,
                    type=type(e).__name__,
                    at=e.timestamp,
                    actor_role="CONSUMER",
                    summary=type(e).__name__,
                ),
            )
            for e in page
        ]
        return NaiveTimeline(
            edges=edges,
            page_info=NaivePageInfo(
                has_next_page=len(stored) > first,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True

    @strawberry.field
    def complaint(self, id: strawberry.ID) -> NaiveCase | None:
        case = _application().repository.get(UUID(id))
        assert isinstance(case, NaiveComplaint)
        return NaiveCase(
            id=strawberry.ID(str(case.id)),
            reference=case.reference,
            status=case.status,
            category="DAMAGED",
        )


@strawberry.type
class Mutation:
    @strawberry.mutation
    def file_complaint(self, input: NaiveFileInput) -> Filed:
        complaint = NaiveComplaint(input.shop_id, input.order_id, input.description, input.amount)
        recordings = _application().save(complaint)
        if naive_runner is not None:  # read your writes: wait until the read model has it
            wanted, deadline = recordings[-1].notification.id, time.monotonic() + 10
            while (naive_runner.view.max_tracking_id(naive_runner.app.name) or 0) < wanted:
                if time.monotonic() > deadline:
                    raise TimeoutError(wanted)
                time.sleep(0.002)
        return Filed(id=strawberry.ID(str(complaint.id)))


async def plain(_: Request) -> Response:
    return Response(PLAIN_BYTES, media_type="application/json")


async def plain_standing(_: Request) -> Response:
    return Response(PLAIN_STANDING_BYTES, media_type="application/json")


def _bytes_of(variable: str) -> bytes:
    path = os.environ.get(variable)
    return Path(path).read_bytes() if path else b"{}"


PLAIN_BYTES = _bytes_of("BENCH_PLAIN_FILE")
PLAIN_STANDING_BYTES = _bytes_of("BENCH_PLAIN_STANDING_FILE")

app = Starlette(
    routes=[
        Route("/graphql", GraphQL(strawberry.Schema(query=Query, mutation=Mutation))),
        Route("/plain", plain, methods=["GET", "POST"]),
        Route("/plain-standing", plain_standing, methods=["GET", "POST"]),
    ]
)
