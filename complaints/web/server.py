"""The HTTP service: `create_app(settings)` builds the Starlette app.

Routes: `/graphql` (HTTP and WebSocket, with Route and WebSocketRoute: Mount would break
WebSockets), `/uploads`, `/healthz`, `/readyz`, and the web console at `/` and `/console/`.
The lifespan opens the application and the read models, listens for other processes
(PostgreSQL), and unless switched off feeds the read models and runs the workers (deadlines,
webhook deliveries: `complaints.workers`) in-process; on shutdown it stops them in reverse order.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.http.exceptions import WebSocketDisconnected

from complaints import __version__
from complaints.application import ComplaintsApp
from complaints.graphql.apq import QueryRegistry
from complaints.graphql.persisted import ChangeFeed
from complaints.graphql.standing import StandingFollower
from complaints.graphql.subscriptions import close_hub, hub_for
from complaints.language import DEFAULT
from complaints.projections.read_models import ReadModels
from complaints.projections.transparency import log_signer
from complaints.settings import Settings
from complaints.store.postgres import creating_tables
from complaints.store.signal import AsyncPulse
from complaints.web import console, log_files
from complaints.web.access_log import AccessSink, Answered, Observer
from complaints.web.graphiql_page import asset as graphiql_asset
from complaints.web.graphql_view import GraphQLView
from complaints.web.limits import BodySizeLimit
from complaints.web.metrics import Metrics
from complaints.web.metrics import endpoint as metrics_endpoint
from complaints.web.negotiation import AnswerLanguage
from complaints.web.uploads import download, upload
from complaints.workers.deadlines import DeadlineWorker
from complaints.workers.transparency import NAME as LOG_NAME
from complaints.workers.transparency import LogBuilder
from complaints.workers.webhooks import WebhookDeliverer
from complaints.workers.whatif import WhatIfWorker

log = logging.getLogger(__name__)


class QuietDisconnects(logging.Filter):
    """A client that closes its socket while an update is on its way is routine, not an error
    (strawberry logs it with a traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, WebSocketDisconnected)


class RedactSecrets(logging.Filter):
    """Nothing secret reaches the log, whatever the level: bearer tokens and the configured
    secrets are masked, and WebSocket frame dumps (uvicorn's debug level prints their contents:
    tokens and personal data) are dropped. Attached to the handlers, so it sees every record."""

    FRAME = re.compile(r"^[<>] (TEXT|BINARY) ")
    BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.FRAME.match(message):
            return False
        redacted = self.BEARER.sub("Bearer [redacted]", message)
        for secret in self.secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def guard_the_log(settings: Settings) -> None:
    secrets = [settings.jwt_secret, settings.store.password]
    guard = RedactSecrets(secrets)
    for name in (None, "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(guard)


def follow(read_models: ReadModels) -> tuple[AsyncPulse, AsyncPulse]:
    """The event loop's view of the read models' signals: any batch, and timeline batches."""
    loop = asyncio.get_running_loop()
    projected, timeline_projected = AsyncPulse(loop), AsyncPulse(loop)
    read_models.advanced.add_listener(projected.pulse_threadsafe)
    read_models.timeline_advanced.add_listener(timeline_projected.pulse_threadsafe)
    return projected, timeline_projected


def unfollow(read_models: ReadModels, pulses: tuple[AsyncPulse, AsyncPulse]) -> None:
    read_models.advanced.remove_listener(pulses[0].pulse_threadsafe)
    read_models.timeline_advanced.remove_listener(pulses[1].pulse_threadsafe)


def open_query_registry(settings: Settings, read_models: ReadModels) -> QueryRegistry:
    """Under the schema lock: server processes starting together would race to create its
    table (tests/e2e/test_deployment.py starts several)."""
    with creating_tables(settings.store):
        return QueryRegistry(read_models.db, settings.apq_max_queries)


def feed_response_cache(
    app: Starlette, read_models: ReadModels, projected: AsyncPulse, timeline_projected: AsyncPulse
) -> StandingFollower:
    """The response cache's change feeds: cases, fed by the subscription hub's read of each
    timeline batch (one read for both); shops' standings, by a follower of the sellers read
    model after any batch (returned, to be closed)."""
    app.state.change_feed = ChangeFeed()
    hub_for(read_models, timeline_projected).attach(app.state.change_feed)
    app.state.standing_feed = ChangeFeed()
    standing = StandingFollower(read_models, projected, app.state.standing_feed)
    standing.start()
    return standing


#: The levels at which each request is logged (`complaints.web.access_log`).
ACCESS_LOG_LEVELS = frozenset({"trace", "debug", "info"})


async def stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def middleware_for(
    settings: Settings, access: AccessSink | None, metrics: Metrics | None = None
) -> list[Middleware]:
    """Outermost first: the access log and the request metrics (one middleware times all the
    rest and tells both), the answer's language (`Content-Language`, and the language the
    request is answered in), the body size limit, and CORS where origins are allowed."""
    middleware = [
        Middleware(AnswerLanguage, default=DEFAULT),
        Middleware(
            BodySizeLimit, default=settings.request_max_bytes, uploads=settings.upload_max_bytes
        ),
    ]
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "Range",
                    "If-None-Match",
                    "Read-After",
                ],
                expose_headers=[
                    "Content-Range",
                    "Content-Disposition",
                    "ETag",
                    "Location",
                    "Read-After",
                ],
            )
        )
    observers: list[Observer] = []
    if access is not None:
        observers.append(access.observe)
    if metrics is not None:
        observers.append(metrics.observe)
    if observers:
        middleware.insert(0, Middleware(Answered, observers=observers))
    return middleware


def page_routes(settings: Settings) -> list[Route]:
    """The web console: its page at /, its files under /console/; and GraphiQL's files where it
    is served (routes with a parameter, not a Mount, which would break the WebSocket route)."""
    routes = [
        Route("/", console.page, methods=["GET", "HEAD"]),
        Route("/console/config", console.configuration, methods=["GET"]),
    ]
    if settings.environment == "development":
        routes.append(Route("/console/session", console.development_session, methods=["POST"]))
    routes.append(Route("/console/{name}", console.asset, methods=["GET", "HEAD"]))
    if settings.graphiql:
        routes.append(Route("/graphiql/{name}", graphiql_asset, methods=["GET", "HEAD"]))
    return routes


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    logging.getLogger("strawberry.ws.task").addFilter(QuietDisconnects())
    guard_the_log(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Each resource is closed as soon as it is open, so a failure further on (the read
        # models' tables, say) still closes everything opened before it, in reverse order.
        async with AsyncExitStack() as stack:
            complaints = await anyio.to_thread.run_sync(ComplaintsApp, settings)
            stack.push_async_callback(anyio.to_thread.run_sync, complaints.close)
            read_models = await anyio.to_thread.run_sync(ReadModels, complaints)
            stack.push_async_callback(anyio.to_thread.run_sync, read_models.close)
            projected, timeline_projected = pulses = follow(read_models)
            stack.callback(unfollow, read_models, pulses)
            read_models.listen()
            if settings.in_process_projections:
                for background in (
                    read_models.worker(),
                    DeadlineWorker(complaints, read_models),
                    WebhookDeliverer(complaints, read_models),
                    LogBuilder(complaints, read_models.log, log_signer(settings)),
                    WhatIfWorker(complaints, read_models.whatif_jobs),
                ):
                    background.start()
                    stack.push_async_callback(anyio.to_thread.run_sync, background.stop)
            stack.push_async_callback(close_hub, timeline_projected)
            app.state.settings = settings
            app.state.complaints = complaints
            app.state.read_models = read_models
            metrics.watch(read_models)
            app.state.metrics = metrics
            app.state.projected = projected
            app.state.timeline_projected = timeline_projected
            app.state.query_registry = await anyio.to_thread.run_sync(
                open_query_registry, settings, read_models
            )
            if settings.response_cache_entries > 0:
                standing = feed_response_cache(app, read_models, projected, timeline_projected)
                stack.push_async_callback(standing.aclose)
            if access is not None:
                flusher = asyncio.create_task(access.run())
                stack.push_async_callback(stopped, flusher)
            log.info("complaints %s serving on the %s store", __version__, settings.store.kind)
            yield

    async def healthz(request: Request) -> JSONResponse:
        """The process is alive and serving."""
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(request: Request) -> JSONResponse:
        """The store answers: the head of the event log and how far behind each read model is."""
        read_models: ReadModels = request.app.state.read_models
        try:
            statuses = await anyio.to_thread.run_sync(read_models.status)
            head = statuses[0].head if statuses else 0
            log_lag = await anyio.to_thread.run_sync(read_models.log.lag, head)
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse(
            {
                "status": "ready",
                "store": settings.store.kind,
                "head": statuses[0].head if statuses else 0,
                "lag": {s.name: s.lag for s in statuses} | {LOG_NAME: log_lag},
            }
        )

    graphql = GraphQLView(settings)
    access = AccessSink() if settings.log_level in ACCESS_LOG_LEVELS else None
    metrics = Metrics()
    middleware = middleware_for(settings, access, metrics)
    routes = [
        # The API first: its requests are the many, and routes are tried in order.
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/uploads", upload, methods=["POST"]),
        Route("/uploads/{sha256}", download, methods=["GET", "HEAD"]),
        # The transparency log as C2SP files (routes with a parameter, not a Mount, which
        # would break the WebSocket route).
        Route("/log/checkpoint", log_files.checkpoint, methods=["GET", "HEAD"]),
        Route("/log/tile/entries/{index:path}", log_files.entry_bundle, methods=["GET", "HEAD"]),
        Route("/log/tile/{level:int}/{index:path}", log_files.hash_tile, methods=["GET", "HEAD"]),
    ]
    return Starlette(
        routes=[*routes, *page_routes(settings)],
        middleware=middleware,
        lifespan=lifespan,
    )


#: Objects the collector lets accumulate before a young collection (CPython's default: 700).
GC_YOUNG = 10_000


def steady_collector() -> None:
    """Garbage collection set for a server holding many connections for a long time.

    CPython's full collection walks every object that has survived two younger collections,
    holding the GIL throughout: with a thousand WebSocket subscribers (a few hundred objects
    each) it takes long enough to delay every frame due meanwhile. Objects a request holds for
    a few milliseconds survive young collections that run every 700 allocations and fill the
    old generation towards the next full collection; with young collections every
    `GC_YOUNG` they die young. What the process built while starting (modules, the schema) is
    moved out of the collector's sight for good (`gc.freeze`), so a full collection, when one
    comes, walks only what came after. docs/performance.md has the measurements.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, middle, old)


def create_app_from_env() -> Starlette:
    """The factory uvicorn imports in each worker process."""
    app = create_app(Settings.from_env())
    steady_collector()
    return app
