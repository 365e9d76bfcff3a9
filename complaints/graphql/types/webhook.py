"""Webhook endpoints and their deliveries, for the shop's staff (the marketplace, for its own)
and platform staff."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain.text import Text
from complaints.domain.webhook import EndpointFacts, allowed_actions, may_read
from complaints.domain.webhook import WebhookEndpoint as EndpointAggregate
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import CodedError
from complaints.graphql.types.relay import PageInfo
from complaints.projections.deliveries import Attempt, Delivery, message_id
from complaints.projections.webhooks import EndpointRow

#: The shopId a marketplace endpoint shows: it receives every shop's decisions.
EVERY_SHOP = "*"


@strawberry.type
class WebhookEndpoint:
    id: strawberry.ID
    shop_id: str = strawberry.field(
        description="The shop whose updates it receives; * for the marketplace's endpoint, which"
        " receives every shop's decisions and no case's entries"
    )
    url: str
    events: list[str] = strawberry.field(
        description="Types sent (timeline entry types, seller.* and violation.*); empty: all"
    )
    active: bool
    created_at: datetime
    status: str = strawberry.field(description="ACTIVE, DISABLED (the platform gave up) or REMOVED")
    disabled_reason: str | None = strawberry.field(
        description="Why the platform disabled it; redeliverWebhooks enables it again"
    )
    marketplace: bool = strawberry.field(
        description="The marketplace's own endpoint (registerMarketplaceWebhook)"
    )
    locale: str = strawberry.field(
        description="The language of the summaries and texts it is sent (en, zh-Hans, zh-Hant)"
    )

    @strawberry.field(description="Mutation names the viewer may call on this endpoint now")
    def allowed_actions(self, info: Info) -> list[str]:
        # The rules read an endpoint's shop (none: the marketplace's) and status.
        facts = EndpointFacts(None if self.marketplace else self.shop_id, self.status)
        return allowed_actions(facts, info.context.actor, info.context.app.clock.now())

    @classmethod
    def of_row(cls, row: EndpointRow) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(ids.global_id("WebhookEndpoint", row.endpoint_id)),
            shop_id=EVERY_SHOP if row.shop_id is None else row.shop_id,
            url=row.url,
            events=list(row.events),
            active=row.active,
            created_at=row.created_at,
            status=row.status,
            disabled_reason=row.disabled_reason,
            marketplace=row.shop_id is None,
            locale=row.locale,
        )

    @classmethod
    def of(cls, endpoint: EndpointAggregate) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(ids.global_id("WebhookEndpoint", endpoint.id)),
            shop_id=EVERY_SHOP if endpoint.shop_id is None else endpoint.shop_id,
            url=endpoint.url,
            events=list(endpoint.events),
            active=endpoint.active,
            created_at=endpoint.created_at,
            status=endpoint.status,
            disabled_reason=endpoint.disabled_reason,
            marketplace=endpoint.shop_id is None,
            locale=endpoint.locale,
        )


@strawberry.type
class WebhookEndpointCreated:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(
        description="The signing secret (whsec_...): shown this once, never again"
    )


@strawberry.type(
    description="The marketplace's endpoint: every shop's seller.* and violation.* events"
)
class MarketplaceWebhookCreated:
    endpoint_id: strawberry.ID
    url: str
    events: list[str] = strawberry.field(description="Types sent; empty: all")
    secret: str = strawberry.field(
        description="The signing secret (whsec_...): shown this once, never again"
    )
    endpoint: WebhookEndpoint

    @classmethod
    def of(cls, endpoint: EndpointAggregate) -> MarketplaceWebhookCreated:
        """The endpoint, and its signing secret: the one time the secret is shown."""
        shown = WebhookEndpoint.of(endpoint)
        return cls(
            endpoint_id=shown.id,
            url=shown.url,
            events=shown.events,
            secret=endpoint.secret.reveal(),
            endpoint=shown,
        )


@strawberry.type
class WebhookAttempt:
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    response: str | None = strawberry.field(description="The first 1 KiB of the answer")
    duration_ms: float

    @classmethod
    def of(cls, a: Attempt) -> WebhookAttempt:
        return cls(
            attempt=a.attempt,
            at=a.at,
            status_code=a.status_code,
            error=a.error,
            response=a.response,
            duration_ms=a.duration_ms,
        )


@strawberry.type
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The webhook-id header of every attempt")
    position: int
    event_type: str
    status: str = strawberry.field(description="PENDING, RETRYING, DELIVERED or FAILED")
    attempts: int
    last_status_code: int | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    _endpoint_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, d: Delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(message_id(d.endpoint_id, d.position)),
            position=d.position,
            event_type=d.entry_type,
            status=d.shown_status,
            attempts=d.attempts,
            last_status_code=d.last_status_code,
            last_attempt_at=d.last_attempt_at,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
            _endpoint_id=d.endpoint_id,
        )

    @strawberry.field(description="Every attempt, the first first")
    async def attempt_log(self, info: Info) -> list[WebhookAttempt]:
        deliveries = info.context.read_models.deliveries
        found = await anyio.to_thread.run_sync(
            deliveries.attempts, self._endpoint_id, self.position
        )
        return [WebhookAttempt.of(a) for a in found]


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo


def check_reader(info: Info, shop_id: str | None) -> None:
    """The shop's own staff (the marketplace, for its own: `shop_id` None) and platform staff."""
    if not may_read(info.context.actor, shop_id):
        raise CodedError(
            "NOT_ALLOWED",
            Text("Only the shop's own staff and platform staff see its webhooks.")
            if shop_id is not None
            else Text("Only the marketplace and platform staff see the marketplace's webhooks."),
        )
