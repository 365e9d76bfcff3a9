"""Webhook endpoints: a shop's staff (or platform staff) register, remove and redeliver; the
marketplace registers its own, for every shop's decisions, and removes and redelivers them."""

from __future__ import annotations

from typing import Annotated

import strawberry

from complaints.application import ComplaintsApp
from complaints.domain.webhook import WebhookEndpoint as EndpointAggregate
from complaints.graphql.context import Info
from complaints.graphql.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from complaints.graphql.inputs import (
    RedeliverWebhooksInput,
    RegisterMarketplaceWebhookInput,
    RegisterWebhookInput,
    WebhookEndpointInput,
)
from complaints.graphql.mutations.arguments import bind
from complaints.graphql.mutations.payloads import mutation
from complaints.graphql.types.webhook import (
    MarketplaceWebhookCreated,
    WebhookEndpoint,
    WebhookEndpointCreated,
)

RegisterWebhookResult = Annotated[
    WebhookEndpointCreated | NotFound | NotAllowed | ValidationFailed | Conflict,
    strawberry.union("RegisterWebhookResult"),
]
RegisterMarketplaceWebhookResult = Annotated[
    MarketplaceWebhookCreated | NotAllowed | ValidationFailed | Conflict,
    strawberry.union("RegisterMarketplaceWebhookResult"),
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


async def marketplace_created(info: Info, result: EndpointAggregate) -> MarketplaceWebhookCreated:
    return MarketplaceWebhookCreated.of(result)


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
    register_marketplace_webhook = mutation(
        bind(ComplaintsApp.register_marketplace_webhook, RegisterMarketplaceWebhookInput),
        RegisterMarketplaceWebhookResult,
        marketplace_created,
        "The marketplace: send every shop's decisions (sanctions, deposit deductions,"
        " violations) to a URL, signed",
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
