"""A webhook endpoint: where a shop's own systems (an ERP, a helpdesk) hear of its cases and of
the platform's decisions about it, or where the marketplace's own systems hear of every shop's
decisions (a marketplace endpoint has no shop, and never hears of a case).

Registering, removing, disabling and asking for a redelivery are events, so an auditor can see
who pointed a shop's case updates where, and when the platform gave up on an endpoint. The signing
secret is sealed in the `Registered` event like personal text (under a key of the endpoint's
own), so it never reaches the event store in clear, and is shown only once, to whoever
registered it.

What may be registered is decided here, without the network: the URL's form, https in production,
an address literal that is not public. Whether a name resolves to a public address is asked by the
application, at registration and again by the deliverer before each delivery.
"""

from __future__ import annotations

import ipaddress
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Protocol, TypeAlias
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint import Complaint
from complaints.domain.context import CommandContext
from complaints.domain.errors import (
    FieldError,
    NotAParty,
    ValidationFailed,
)
from complaints.domain.rights import Permission, allow, allowed, check_role
from complaints.domain.text import LOCALES, Text
from complaints.domain.values import STAFF, Actor, PersonalText, Role

URL_MAX = 2048
EVENTS_MAX = 100
#: Who may manage a shop's endpoints besides its own seller staff.
MANAGERS = STAFF
#: Who may read a shop's endpoints and deliveries besides its own seller staff.
READERS = STAFF | {Role.AUDITOR}

#: Every timeline entry type: the names of the complaint's events, as the timeline shows them.
TIMELINE_TYPES = frozenset(
    name
    for name, value in vars(Complaint).items()
    if isinstance(value, type)
    and issubclass(value, Complaint.Event)
    and name not in {"Event", "Created"}
)
#: The shop's own history that is told: the platform's decisions about the shop, and the
#: violations reported against it, named `seller.` or `violation.` and the event's class (the
#: shop decisions read model describes each; the names are checked against the classes there).
SHOP_EVENT_TYPES = frozenset(
    {
        "seller.SanctionImposed",
        "seller.SanctionLifted",
        "seller.SanctionExpired",
        "seller.SanctionAppealDecided",
        "seller.DepositDeducted",
        "violation.Reported",
        "violation.Responded",
        "violation.Confirmed",
        "violation.Dismissed",
    }
)
#: Every type an endpoint may be filtered to: a shop's endpoint hears of both, the
#: marketplace's of the shops' decisions only.
ENTRY_TYPES = TIMELINE_TYPES | SHOP_EVENT_TYPES


def secret_subject(endpoint_id: UUID) -> str:
    """The key the signing secret is sealed under: one per endpoint."""
    return f"webhook:{endpoint_id}"


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    import base64  # noqa: PLC0415 - only here

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


#: NAT64 prefixes (RFC 6052, RFC 8215): an address in them stands for the IPv4 address it ends with.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
#: IPv4-compatible (deprecated) and IPv4-translated (RFC 2765) forms: also end with an IPv4 address.
EMBEDDING = (NAT64, ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))


def is_public_address(address: str) -> bool:
    """Whether an IP address is one the open internet routes to: not loopback, private,
    link-local (169.254.169.254, the cloud metadata service), shared, reserved or multicast, nor
    an IPv6 form of such an IPv4 address (mapped, NAT64, 6to4, Teredo)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return False
        embedded = (
            ip.ipv4_mapped
            or (
                ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
                if any(ip in network for network in EMBEDDING)
                else None
            )
            or ip.sixtofour
            or (ip.teredo[1] if ip.teredo else None)
        )
        if embedded is not None:
            ip = embedded
    return bool(ip.is_global) and not ip.is_multicast


def check_url(url: str, *, require_https: bool, allow_private: bool) -> list[FieldError]:
    """What is wrong with a webhook URL by its form alone (no DNS): empty when nothing is."""
    problems: list[FieldError] = []

    def fail(message: str) -> list[FieldError]:
        problems.append(FieldError("url", message))
        return problems

    if not url or len(url) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in url):
        return fail(
            Text(
                "must be an absolute URL of at most {URL_MAX} characters, without spaces",
                URL_MAX=URL_MAX,
            )
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return fail(Text("is not a valid URL"))
    if parts.scheme not in {"https", "http"}:
        return fail(Text("must start with https://"))
    if parts.scheme != "https" and require_https:
        return fail(Text("must use https in production"))
    if not parts.hostname:
        return fail(Text("must name a host"))
    if parts.username is not None or parts.password is not None:
        return fail(Text("must not carry a user name or password"))
    if parts.fragment:
        return fail(Text("must not have a #fragment"))
    if port == 0:
        return fail(Text("must not name port 0"))
    host = parts.hostname
    literal = _address_literal(host)
    if literal is not None and not allow_private and not is_public_address(literal):
        return fail(Text("{host} is not a public address", host=host))
    if literal is None and not allow_private and host.rstrip(".").lower() in LOCAL_NAMES:
        return fail(Text("{host} is not a public address", host=host))
    return problems


#: Names that are never public, refused before any lookup.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def _address_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


#: The language of an endpoint's texts when its registration names none.
DEFAULT_LOCALE = "en"


def check_locale(locale: str | None) -> list[FieldError]:
    """An endpoint's language must be one the platform speaks, named by its tag."""
    if locale is None or locale in LOCALES:
        return []
    return [FieldError("locale", Text("must be one of {allowed}", allowed=", ".join(LOCALES)))]


def check_events(events: list[str] | None, *, marketplace: bool = False) -> list[FieldError]:
    """What is wrong with an endpoint's filter: a shop's may name timeline entry types and shop
    event types, the marketplace's shop event types only (it never hears of a case)."""
    if events is None:
        return []
    problems = []
    if len(events) > EVENTS_MAX:
        problems.append(
            FieldError(
                "events", Text("must list at most {EVENTS_MAX} types", EVENTS_MAX=EVENTS_MAX)
            )
        )
    for index, name in enumerate(events):
        if marketplace and name not in SHOP_EVENT_TYPES:
            problems.append(
                FieldError(
                    f"events.{index}",
                    Text("{name!r} is not a shop event type (seller.* or violation.*)", name=name),
                )
            )
        elif name not in ENTRY_TYPES:
            problems.append(
                FieldError(
                    f"events.{index}", Text("{name!r} is not a timeline entry type", name=name)
                )
            )
    return problems


def sends(events: list[str] | tuple[str, ...], entry_type: str) -> bool:
    """Whether an endpoint filtered to `events` gets entries of this type (no filter: all)."""
    return not events or entry_type in events


def is_shop_event(entry_type: str) -> bool:
    """Whether a delivery's type is one of a shop's decisions (not a case's timeline entry)."""
    return entry_type in SHOP_EVENT_TYPES


def may_read(actor: Actor, shop_id: str | None) -> bool:
    """Who reads an endpoint and its deliveries: the shop's own staff (the marketplace, for its
    own: `shop_id` None), platform staff and auditors."""
    if actor.role is Role.SELLER:
        return actor.shop_id == shop_id
    if actor.role is Role.MARKETPLACE:
        return shop_id is None
    return actor.role in READERS


class Action(Enum):
    """Endpoint commands, named as the mutations that call them (the deliverer's own, which no
    mutation calls, as its command)."""

    REGISTER = "registerWebhook"
    REGISTER_MARKETPLACE = "registerMarketplaceWebhook"
    REMOVE = "removeWebhook"
    REDELIVER = "redeliverWebhooks"
    DISABLE = "disableWebhook"


#: An endpoint's status (ACTIVE, DISABLED, REMOVED); None before it is registered.
State: TypeAlias = str | None
NEW: frozenset[State] = frozenset({None})
#: Removing twice changes nothing, so a retried removal is not refused.
ANY = frozenset({"ACTIVE", "DISABLED", "REMOVED"})


class Endpoint(Protocol):
    """What the rules read of an endpoint: the aggregate, or its row in the read model."""

    @property
    def shop_id(self) -> str | None: ...  # None: the marketplace's

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class EndpointFacts:
    """An endpoint's shop and status as a reader holds them (an API type, say)."""

    shop_id: str | None
    status: str


def not_removed(endpoint: Endpoint, actor: Actor, now: datetime) -> None:
    if endpoint.status == "REMOVED":
        raise ValidationFailed(
            [FieldError("endpointId", Text("this endpoint was removed"))],
            Text("A removed endpoint receives nothing; register it again."),
        )


#: Who manages endpoints: a shop's staff (the shop's), the marketplace (its own), platform staff.
OWNERS = {Role.SELLER, Role.MARKETPLACE, *MANAGERS}

PERMISSIONS: dict[Action, Permission[Endpoint, State]] = {
    Action.REGISTER: allow({Role.SELLER, *MANAGERS}, NEW),
    # The marketplace's own endpoint, for every shop's decisions.
    Action.REGISTER_MARKETPLACE: allow({Role.MARKETPLACE}, NEW),
    Action.REMOVE: allow(OWNERS, ANY),
    Action.REDELIVER: allow(OWNERS, ANY, not_removed),
    # The deliverer gives up on an endpoint that keeps failing (WEBHOOK_RETRY_FOR).
    Action.DISABLE: allow({Role.SYSTEM}, ANY),
}
#: What a viewer may be offered on an endpoint: the mutations on one that exists.
OFFERED = (Action.REMOVE, Action.REDELIVER)


def authorize(action: Action, actor: Actor, *, shop_id: str | None, status: State) -> None:
    """Role, owner and status, in that order: seller staff act only for their own shop, the
    marketplace only on its own endpoints (`shop_id` None)."""
    permission = PERMISSIONS[action]
    check_role(permission, action, actor, reads=Text("webhooks"))
    if actor.role is Role.SELLER and actor.shop_id != shop_id:
        raise NotAParty(Text("Only the shop's own staff may manage its webhooks."))
    if actor.role is Role.MARKETPLACE and shop_id is not None:
        raise NotAParty(Text("The marketplace manages its own endpoints, not a shop's."))
    if status not in permission.states:
        raise ValidationFailed(
            [
                FieldError(
                    "endpointId",
                    Text(
                        "{action} is not possible: the endpoint is {status}",
                        action=action.value,
                        status=status,
                    ),
                )
            ]
        )


def check(action: Action, endpoint: Endpoint, actor: Actor, now: datetime) -> None:
    """Everything the table asks of an action on an endpoint that exists."""
    authorize(action, actor, shop_id=endpoint.shop_id, status=endpoint.status)
    guard = PERMISSIONS[action].guard
    if guard is not None:
        guard(endpoint, actor, now)


def allowed_actions(endpoint: Endpoint, actor: Actor, now: datetime) -> list[str]:
    """The mutations this viewer may call on an endpoint now, in the table's order."""
    return allowed(OFFERED, lambda action: check(action, endpoint, actor, now))


class WebhookEndpoint(Aggregate):
    """One URL that receives a shop's case updates and decisions (or, the marketplace's, every
    shop's decisions), signed with its own secret."""

    @classmethod
    def register(
        cls,
        ctx: CommandContext,
        *,
        shop_id: str,
        url: str,
        events: list[str] | None,
        require_https: bool,
        allow_private: bool,
        locale: str | None = None,
    ) -> WebhookEndpoint:
        authorize(Action.REGISTER, ctx.actor, shop_id=shop_id, status=None)
        return cls._register(ctx, shop_id, url, events, require_https, allow_private, locale)

    @classmethod
    def register_marketplace(
        cls,
        ctx: CommandContext,
        *,
        url: str,
        events: list[str] | None,
        require_https: bool,
        allow_private: bool,
        locale: str | None = None,
    ) -> WebhookEndpoint:
        """The marketplace's own endpoint: every shop's decisions, and no case."""
        authorize(Action.REGISTER_MARKETPLACE, ctx.actor, shop_id=None, status=None)
        return cls._register(ctx, None, url, events, require_https, allow_private, locale)

    @classmethod
    def _register(
        cls,
        ctx: CommandContext,
        shop_id: str | None,
        url: str,
        events: list[str] | None,
        require_https: bool,
        allow_private: bool,
        locale: str | None,
    ) -> WebhookEndpoint:
        problems = check_url(url, require_https=require_https, allow_private=allow_private)
        problems += check_events(events, marketplace=shop_id is None)
        problems += check_locale(locale)
        if problems:
            raise ValidationFailed(problems)
        endpoint_id = uuid.uuid4()
        return cls._create(
            cls.Registered,
            id=endpoint_id,
            shop_id=shop_id,
            url=url,
            events=sorted(set(events or ())),
            locale=locale or DEFAULT_LOCALE,
            secret=PersonalText(secret_subject(endpoint_id), new_secret()),
            actor=ctx.actor,
            timestamp=ctx.now,
        )

    class Registered(Aggregate.Created):
        shop_id: str | None  # None: the marketplace's endpoint
        url: str
        events: list[str]
        #: The language of the summaries and texts it is sent (v2; before, English).
        locale: str
        secret: PersonalText
        actor: Actor

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["locale"] = DEFAULT_LOCALE

    @event(Registered)
    def __init__(
        self,
        shop_id: str | None,
        url: str,
        events: list[str],
        locale: str,
        secret: PersonalText,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.shop_id = shop_id
        self.url = url
        self.events = list(events)
        self.locale = locale
        self.secret = secret
        self.created_at = timestamp
        self.removed = False
        self.disabled_reason: str | None = None

    @property
    def active(self) -> bool:
        return not self.removed and self.disabled_reason is None

    @property
    def marketplace(self) -> bool:
        return self.shop_id is None

    def wants(self, entry_type: str) -> bool:
        return sends(self.events, entry_type)

    @property
    def status(self) -> str:
        """ACTIVE, DISABLED (the platform gave up on it) or REMOVED."""
        return "REMOVED" if self.removed else "ACTIVE" if self.active else "DISABLED"

    def allowed_actions(self, actor: Actor, now: datetime) -> list[str]:
        return allowed_actions(self, actor, now)

    # ---------------------------------------------------------------- removing
    def remove(self, ctx: CommandContext) -> None:
        """Stop all deliveries for good. Removing twice changes nothing."""
        check(Action.REMOVE, self, ctx.actor, ctx.now)
        if not self.removed:
            self._removed(actor=ctx.actor, timestamp=ctx.now)

    class Removed(Aggregate.Event):
        actor: Actor

    @event(Removed)
    def _removed(self, actor: Actor, timestamp: datetime) -> None:
        self.removed = True

    # ---------------------------------------------------------------- the platform gives up
    def disable(self, ctx: CommandContext, reason: str) -> None:
        """The deliverer's: deliveries kept failing for longer than WEBHOOK_RETRY_FOR."""
        check(Action.DISABLE, self, ctx.actor, ctx.now)
        if self.active:
            self._disabled(reason=reason, actor=ctx.actor, timestamp=ctx.now)

    class Disabled(Aggregate.Event):
        reason: str
        actor: Actor

    @event(Disabled)
    def _disabled(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self.disabled_reason = reason

    # ---------------------------------------------------------------- sending again
    def redeliver(self, ctx: CommandContext, after: int, head: int) -> None:
        """Send again every entry after a log position; an endpoint the platform disabled is
        enabled again by this (its owner says it is back)."""
        check(Action.REDELIVER, self, ctx.actor, ctx.now)
        if not 0 <= after <= head:
            raise ValidationFailed(
                [FieldError("after", Text("must be a log position from 0 to {head}", head=head))]
            )
        self._redelivery_requested(after=after, actor=ctx.actor, timestamp=ctx.now)

    class RedeliveryRequested(Aggregate.Event):
        after: int
        actor: Actor

    @event(RedeliveryRequested)
    def _redelivery_requested(self, after: int, actor: Actor, timestamp: datetime) -> None:
        self.disabled_reason = None
