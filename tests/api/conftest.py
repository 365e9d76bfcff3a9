"""Run GraphQL operations against the schema directly, as any viewer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLUnionType, build_schema

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.values import Actor
from complaints.graphql.context import Context
from complaints.graphql.schema import schema
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.store.signal import AsyncPulse
from tests.scenario import PUBLIC, Scenario


class GraphQL:
    """Executes documents through the real schema with a context for the given viewer."""

    def __init__(self, app: ComplaintsApp, read_models: ReadModels) -> None:
        self.app = app
        self.read_models = read_models

    def run(
        self, document: str, variables: dict[str, Any] | None = None, *, actor: Actor = PUBLIC
    ) -> Any:
        async def execute() -> Any:
            context = Context(
                app=self.app,
                read_models=self.read_models,
                settings=self.app.settings,
                actor=actor,
                projected=AsyncPulse(asyncio.get_running_loop()),
            )
            return await schema.execute(document, variable_values=variables, context_value=context)

        return asyncio.run(execute())

    def data(
        self, document: str, variables: dict[str, Any] | None = None, *, actor: Actor = PUBLIC
    ) -> Any:
        result = self.run(document, variables, actor=actor)
        assert result.errors is None, result.errors
        return result.data

    def mutate(self, name: str, input_type: str, values: dict[str, Any], *, actor: Actor) -> Any:
        """Run one mutation; return its payload (typename, code, fields, and a few values)."""
        document = (
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename"
            " ... on Error { code message }"
            " ... on ValidationFailed { fields { field message } }"
            + (
                " ... on InvalidTransition { complaintStatus: status }"
                if "InvalidTransition" in MEMBERS[RESULTS[name]]
                else ""
            )
            + f" {SUCCESS[RESULTS[name]]} }} }}"
        )
        payload = self.data(document, {"input": values}, actor=actor)[name]
        self.read_models.catch_up()
        return payload


SUCCESS = {
    "ComplaintResult": "... on Complaint { id status version }",
    "SellerResult": "... on Seller { shopId shopStatus: status }",
    "ViolationResult": "... on Violation { id violationStatus: status }",
    "EraseSubjectResult": "... on ErasureReceipt { subjectId }",
    "RegisterWebhookResult": "... on WebhookEndpointCreated { secret endpoint { id status } }",
    "WebhookEndpointResult": "... on WebhookEndpoint { id status }",
    "RegisterMarketplaceWebhookResult": (
        "... on MarketplaceWebhookCreated { endpointId secret endpoint { shopId marketplace } }"
    ),
    "OrderResult": "... on Order { orderId shopId deliveredAt complaintWindowEndsAt }",
}
MEMBERS = {
    name: {member.name for member in union.types}
    for name, union in build_schema(schema.as_str()).type_map.items()
    if isinstance(union, GraphQLUnionType)
}
RESULTS = {
    name: str(field.type).rstrip("!")
    for name, field in build_schema(schema.as_str()).mutation_type.fields.items()  # type: ignore[union-attr]
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def api_app(clock: ManualClock, tmp_path: Path) -> Iterator[ComplaintsApp]:
    settings = Settings(
        database_url="memory://", read_your_writes_seconds=0, upload_dir=tmp_path / "uploads"
    )
    app = ComplaintsApp(settings, clock=clock)
    yield app
    app.close()


@pytest.fixture
def models(api_app: ComplaintsApp) -> Iterator[ReadModels]:
    read_models = ReadModels(api_app)
    yield read_models
    read_models.close()


@pytest.fixture
def gql(api_app: ComplaintsApp, models: ReadModels) -> GraphQL:
    return GraphQL(api_app, models)


@pytest.fixture
def world(api_app: ComplaintsApp, clock: ManualClock) -> Scenario:
    return Scenario(api_app, clock)
