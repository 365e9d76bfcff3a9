"""Webhook endpoints: a shop's staff (or platform staff) register, remove and redeliver."""

from __future__ import annotations

from typing import Annotated

import strawberry

from complaints.application import ComplaintsApp
from complaints.domain.webhook import WebhookEndpoint as EndpointAggregate
from complaints.graphql.context import Info
from complaints.graphql.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from complaints.graphql.inputs import (
    RedeliverWebhooksInput,
    RegisterWebhookInput,
    WebhookEndpointInput,
)
from complaints.graphql.mutations.arguments import bind
from complaints.graphql.mutations.payloads import mutation
from complaints.graphql.types.webhook import WebhookEndpoint, WebhookEndpointCreated

RegisterWebhookResult = Annotated[
    WebhookEndpointCreated | NotFound | NotAllowed | ValidationFailed | Conflict,
    strawberry.union("RegisterWebhookResult"),
]
WebhookEndpointResult = Annotated[
    WebhookEndpoint | NotFound | NotAllowed | ValidationFailed | Conflict,
    strawberry.union("WebhookEndpointResult"),
]


async def created(info: Info, result: EndpointAggregate) -> WebhookEndpointCreated:
    """The endpoint, and its signing secret: the one time the secret is shown."""
    return WebhookEndpointCreated(
        endpoint=WebhookEndpoint.of(result), secret=result.secret.reveal()
    )


async def endpoint(info: Info, result: EndpointAggregate) -> WebhookEndpoint:
    return WebhookEndpoint.of(result)


@strawberry.type
class WebhookMutations:
    register_webhook = mutation(
        bind(ComplaintsApp.register_webhook, RegisterWebhookInput),
        RegisterWebhookResult,
        created,
        "The shop's staff or platform staff: send the shop's case updates to a URL, signed",
    )
    remove_webhook = mutation(
        bind(ComplaintsApp.remove_webhook, WebhookEndpointInput),
        WebhookEndpointResult,
        endpoint,
        "Stop sending to an endpoint, for good",
    )
    redeliver_webhooks = mutation(
        bind(ComplaintsApp.redeliver_webhooks, RedeliverWebhooksInput),
        WebhookEndpointResult,
        endpoint,
        "Send again every entry after a log position; enables an endpoint that was disabled",
    )
