"""`GET /metrics`: the process seen from outside, in the Prometheus text format
(prometheus_client writes it).

- requests answered and their latencies, by GraphQL operation name (the access log's name for
  it) and status;
- each read model's lag behind the event log, the webhook backlog per endpoint, and how long the
  oldest deadline past due has waited for the deadline worker, read when scraped;
- with read replicas: each one's replay lag and whether it serves, the reads each answered, and
  the reads the primary answered because none could (fallbacks).

Never public: a supervisor's or an auditor's token, or a client address in METRICS_ADDRESSES.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from complaints.domain.values import Role
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.tokens import InvalidToken
from complaints.web.identity import authenticate

#: Who may read /metrics with a token.
STAFF = frozenset({Role.SUPERVISOR, Role.AUDITOR})
#: Operation names are the clients' to choose: at most this many distinct ones get a series of
#: their own (the rest are counted as OTHER), each at most OPERATION_CHARS long.
MAX_OPERATIONS = 200
OPERATION_CHARS = 64
OTHER = "(other)"
#: Requests that are not a named GraphQL operation (pages, files, an unnamed query).
UNNAMED = "(none)"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One process's registry (not the library's global one: each app has its own)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "complaints_requests",
            "HTTP requests answered, by GraphQL operation name and status.",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "complaints_request_seconds",
            "Time to answer an HTTP request, by GraphQL operation name.",
            ["operation"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._operations: set[str] = set()
        self._lock = threading.Lock()

    def operation(self, state: dict[str, Any]) -> str:
        name = state.get("operation")
        if not isinstance(name, str) or not name:
            return UNNAMED
        name = name[:OPERATION_CHARS]
        if name not in self._operations:
            with self._lock:
                if len(self._operations) >= MAX_OPERATIONS:
                    return OTHER
                self._operations.add(name)
        return name

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        operation = self.operation(scope.get("state") or {})
        self.requests.labels(operation, str(status)).inc()
        self.latency.labels(operation).observe(seconds)

    def watch(self, read_models: ReadModels) -> None:
        """Report the state of these read models (and their replicas) when scraped."""
        self.registry.register(StateCollector(read_models))

    def text(self) -> bytes:
        return generate_latest(self.registry)


class StateCollector(Collector):
    """Read at each scrape, on the primary (never from a replica: no request scope)."""

    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models

    def collect(self) -> Iterator[Metric]:
        read_models = self.read_models
        lag = GaugeMetricFamily(
            "complaints_projection_lag_events",
            "Events in the log that a read model has not applied yet.",
            labels=["read_model"],
        )
        for status in read_models.status():
            lag.add_metric([status.name], status.lag)
        yield lag
        backlog = GaugeMetricFamily(
            "complaints_webhook_backlog",
            "Webhook deliveries not yet delivered (nor given up), per endpoint.",
            labels=["endpoint"],
        )
        for endpoint, pending in sorted(read_models.deliveries.backlog().items()):
            backlog.add_metric([endpoint], pending)
        yield backlog
        now = read_models.app.clock.now()
        due = read_models.deadlines.due(now, limit=1)
        oldest = GaugeMetricFamily(
            "complaints_deadline_oldest_due_seconds",
            "How long the oldest deadline past due has waited for the deadline worker (0: none).",
        )
        oldest.add_metric([], (now - due[0].due_at).total_seconds() if due else 0.0)
        yield oldest
        yield from replica_metrics(read_models)


def replica_metrics(read_models: ReadModels) -> Iterator[Metric]:
    router = read_models.db.router
    if router is None:
        return
    lag = GaugeMetricFamily(
        "complaints_replica_lag_seconds",
        "How long the WAL a replica holds has waited to be replayed, when last probed.",
        labels=["replica"],
    )
    up = GaugeMetricFamily(
        "complaints_replica_up", "1 while a replica may serve reads.", labels=["replica"]
    )
    served = CounterMetricFamily(
        "complaints_replica_reads", "Reads a replica answered.", labels=["replica"]
    )
    for replica in router.replicas:
        lag.add_metric([replica.name], replica.lag)
        up.add_metric([replica.name], 1.0 if router.usable(replica) else 0.0)
        served.add_metric([replica.name], replica.served)
    fallbacks = CounterMetricFamily(
        "complaints_replica_fallbacks",
        "Reads the primary answered because no replica had the client's token in time, or none"
        " was up.",
    )
    fallbacks.add_metric([], router.fallbacks)
    yield from (lag, up, served, fallbacks)


def allowed(request: Request, settings: Settings) -> int:
    """200 when this client may read the metrics; else 401 (no or a bad token) or 403."""
    client = request.client
    if client is not None and settings.metrics_addresses:
        try:
            address = ipaddress.ip_address(client.host)
        except ValueError:
            address = None
        if address is not None and any(
            address in ipaddress.ip_network(network) for network in settings.metrics_addresses
        ):
            return 200
    header = request.headers.get("authorization")
    if header is None:
        return 401
    try:
        credentials = authenticate(settings.jwt_secret, header)
    except InvalidToken:
        return 401
    return 200 if credentials.actor.role in STAFF else 403


async def endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    verdict = allowed(request, settings)
    if verdict != 200:
        headers = {"WWW-Authenticate": 'Bearer realm="complaints"'} if verdict == 401 else None
        return Response(status_code=verdict, headers=headers)
    metrics: Metrics = request.app.state.metrics
    body = await anyio.to_thread.run_sync(metrics.text)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
