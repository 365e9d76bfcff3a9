"""Commands on webhook endpoints, a shop's or the marketplace's: registering (with its URL
checked), removing, redelivering, and disabling one that kept failing."""

from __future__ import annotations

from uuid import UUID

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.errors import FieldError, ValidationFailed, WebhookNotFound
from complaints.domain.text import Text
from complaints.domain.values import Actor
from complaints.domain.webhook import WebhookEndpoint
from complaints.outbound import UnsafeAddress, resolve


class WebhookCommands(CommandRunner):
    def get_webhook(self, endpoint_id: UUID) -> WebhookEndpoint:
        return self._get(
            endpoint_id, WebhookEndpoint, WebhookNotFound(Text("No such webhook endpoint."))
        )

    @command
    def register_webhook(
        self,
        actor: Actor,
        shop_id: str,
        url: str,
        events: list[str] | None = None,
        locale: str | None = None,
    ) -> Changes[WebhookEndpoint]:
        """A shop's staff (or platform staff) point the shop's case updates at a URL. The URL
        must be https in production, and its host must resolve to public addresses only. The
        entries' summaries are sent in `locale` (a tag the platform speaks; English if none)."""
        settings = self.settings
        endpoint = WebhookEndpoint.register(
            self.context(actor),
            shop_id=shop_id,
            url=url,
            events=events,
            require_https=settings.environment == "production",
            allow_private=settings.webhook_allow_private,
            locale=locale,
        )
        self.get_seller(shop_id)
        self._check_address(url)
        return Changes(endpoint)

    @command
    def register_marketplace_webhook(
        self,
        actor: Actor,
        url: str,
        events: list[str] | None = None,
        locale: str | None = None,
    ) -> Changes[WebhookEndpoint]:
        """The marketplace points every shop's decisions (sanctions, deposit deductions,
        violations) at a URL, under the same rules as a shop's endpoint."""
        settings = self.settings
        endpoint = WebhookEndpoint.register_marketplace(
            self.context(actor),
            url=url,
            events=events,
            require_https=settings.environment == "production",
            allow_private=settings.webhook_allow_private,
            locale=locale,
        )
        self._check_address(url)
        return Changes(endpoint)

    def _check_address(self, url: str) -> None:
        """The URL's host resolves to public addresses only (the deliverer asks again)."""
        try:
            resolve(url, allow_private=self.settings.webhook_allow_private)
        except UnsafeAddress as refusal:
            raise ValidationFailed([FieldError("url", str(refusal))]) from None

    @command
    def remove_webhook(self, actor: Actor, endpoint_id: UUID) -> Changes[WebhookEndpoint]:
        endpoint = self.get_webhook(endpoint_id)
        endpoint.remove(self.context(actor))
        return Changes(endpoint)

    @command
    def redeliver_webhooks(
        self, actor: Actor, endpoint_id: UUID, after: int
    ) -> Changes[WebhookEndpoint]:
        """Send again every entry after a log position (and enable a disabled endpoint)."""
        endpoint = self.get_webhook(endpoint_id)
        head = self.recorder.max_notification_id() or 0
        endpoint.redeliver(self.context(actor), after, head)
        return Changes(endpoint)

    @command
    def disable_webhook(
        self, actor: Actor, endpoint_id: UUID, reason: str
    ) -> Changes[WebhookEndpoint]:
        """The deliverer gives up on an endpoint that kept failing (WEBHOOK_RETRY_FOR)."""
        endpoint = self.get_webhook(endpoint_id)
        endpoint.disable(self.context(actor), reason)
        return Changes(endpoint)
