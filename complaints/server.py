"""The HTTP service: `create_app(settings)` builds the Starlette app; its lifespan opens and
closes the application. The GraphQL routes join here (with Route and WebSocketRoute, not Mount)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from complaints import __version__
from complaints.application import ComplaintsApp
from complaints.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        complaints = await anyio.to_thread.run_sync(ComplaintsApp, settings)
        app.state.complaints = complaints
        log.info("complaints %s serving on the %s store", __version__, settings.store.kind)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(complaints.close)

    async def healthz(request: Request) -> JSONResponse:
        """The process is alive and serving."""
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(request: Request) -> JSONResponse:
        """The store answers: the head of the event log can be read."""
        complaints: ComplaintsApp = request.app.state.complaints
        try:
            head = await anyio.to_thread.run_sync(complaints.recorder.max_notification_id)
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready", "store": settings.store.kind, "head": head or 0})

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz)],
        lifespan=lifespan,
    )


def create_app_from_env() -> Starlette:
    """The factory uvicorn imports in each worker process."""
    return create_app(Settings.from_env())
