"""GET /metrics: Prometheus text (prometheus_client), for staff tokens or named addresses only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.values import Role
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.tokens import mint_token
from complaints.web.metrics import MAX_OPERATIONS, OTHER, Metrics, StateCollector
from complaints.web.server import create_app
from tests.scenario import Scenario


def bearer(settings: Settings, role: Role) -> dict[str, str]:
    token = mint_token(
        settings.jwt_secret,
        role=role,
        sub=f"{role.value.lower()}-1",
        shop_id="acme" if role is Role.SELLER else None,
        now=datetime.now(UTC),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'complaints.db'}", log_level="warning")


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def read_models(app: ComplaintsApp) -> Iterator[ReadModels]:
    models = ReadModels(app)
    yield models
    models.close()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_without_a_token_the_metrics_are_refused(api: TestClient) -> None:
    refused = api.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert refused.content == b""
    assert api.get("/metrics", headers={"Authorization": "Bearer nonsense"}).status_code == 401


@pytest.mark.parametrize("role", [Role.CONSUMER, Role.SELLER, Role.AGENT])
def test_other_roles_are_forbidden(api: TestClient, settings: Settings, role: Role) -> None:
    assert api.get("/metrics", headers=bearer(settings, role)).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AUDITOR])
def test_staff_read_requests_by_operation_and_the_read_models_lag(
    api: TestClient, settings: Settings, role: Role
) -> None:
    for _ in range(3):
        answer = api.post("/graphql", json={"query": "query Rules { rules { code } }"})
        assert answer.status_code == 200
    response = api.get("/metrics", headers=bearer(settings, role))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = samples(response.text)
    assert found[("complaints_requests_total", (("operation", "Rules"), ("status", "200")))] == 3
    assert found[("complaints_request_seconds_count", (("operation", "Rules"),))] == 3
    lags = {
        labels: v
        for (name, labels), v in found.items()
        if name == "complaints_projection_lag_events"
    }
    assert (("read_model", "timeline"),) in lags
    assert all(v == 0 for v in lags.values())
    assert found[("complaints_deadline_oldest_due_seconds", ())] == 0
    # No replicas: none of their series.
    assert not any(name.startswith("complaints_replica") for name, _ in found)


def test_a_named_address_reads_them_with_no_token(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'complaints.db'}",
        log_level="warning",
        metrics_addresses=("10.1.0.0/16",),
    )
    app = create_app(settings)
    with TestClient(app, client=("10.1.2.3", 40000)) as inside:
        assert inside.get("/metrics").status_code == 200
    with TestClient(app, client=("10.2.0.1", 40000)) as outside:
        assert outside.get("/metrics").status_code == 401


def test_the_oldest_due_deadline_and_the_webhook_backlog_are_read_when_scraped(
    world: Scenario, read_models: ReadModels, clock: ManualClock
) -> None:
    world.file()
    read_models.catch_up()
    clock.advance(timedelta(days=30))
    metrics = Metrics()
    metrics.registry.register(StateCollector(read_models))
    found = samples(metrics.text().decode())
    due = read_models.deadlines.due(clock.now(), limit=1)
    assert due
    expected = (clock.now() - due[0].due_at).total_seconds()
    assert found[("complaints_deadline_oldest_due_seconds", ())] == expected > 0
    assert read_models.deliveries.backlog() == {}


def test_operation_names_are_capped() -> None:
    metrics = Metrics()
    for n in range(MAX_OPERATIONS + 5):
        metrics.observe({"type": "http", "state": {"operation": f"Op{n}"}}, 200, 0.01)
    found = samples(metrics.text().decode())
    assert found[("complaints_requests_total", (("operation", OTHER), ("status", "200")))] == 5
