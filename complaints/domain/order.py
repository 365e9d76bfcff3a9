"""An order, as the marketplace recorded it: the facts a complaint is about (R-1.1, R-1.2).

The marketplace's own systems (role MARKETPLACE) record each order when it is paid, and its
delivery when the carrier reports it, live or by backfill (`complaints orders import`). An order
is an aggregate with its own history, keyed by (shop, order id). Facts are added to an order,
never changed: recording the same facts again records nothing, and other facts are refused with
`OrderFactsDiffer`, so a retried or re-imported feed is harmless and a wrong one is caught.

When orders are checked (ORDER_CHECK=required), a consumer files only about an order recorded as
theirs at that shop, within the filing window (`FilingWindow`), for no more than it cost: the
rules are `check_complaint_about`, which `Complaint.file` applies.

Who may do what is the table `PERMISSIONS`; every command consults it, and
`Order.allowed_actions` is derived from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TypeAlias
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from complaints.domain.context import CommandContext
from complaints.domain.deadlines import format_duration
from complaints.domain.errors import (
    CurrencyMismatch,
    FieldError,
    FilingWindowClosed,
    OrderFactsDiffer,
    OrderNotFound,
    ValidationFailed,
)
from complaints.domain.rights import Permission, allow, allowed, check_role
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.text import Text
from complaints.domain.validation import (
    IDENTIFIER_MAX,
    PRINCIPAL_ID_MAX,
    SHIPMENT_MAX,
    Checks,
    normalise_money,
)
from complaints.domain.values import Actor, Money, PersonalText, Remedy, Role

NAMESPACE = uuid.UUID("3d5c8e1f-7a42-4b0e-9c6d-2f81a4e7b953")
#: How far ahead of our clock a marketplace's moment may be (its clock and ours differ a little).
CLOCK_SKEW = timedelta(minutes=5)
#: The rule a closed window cites.
WINDOW_RULE = "R-1.2"


def order_key(shop_id: str, order_id: str) -> UUID:
    """An order's aggregate id derives from (shop, order id): one order per id and shop."""
    return uuid.uuid5(NAMESPACE, f"order:{shop_id}\x00{order_id}")


class OrderCheck(Enum):
    """ORDER_CHECK: whether a complaint must name a recorded order (`required`), or names a
    claimed one that nothing checks (`off`: a platform without the marketplace's feed yet)."""

    REQUIRED = "required"
    OFF = "off"


@dataclass(frozen=True)
class OrderFacts:
    """What a filing is checked against: the order's facts, as recorded then. A filing's event
    keeps them, so an audit shows what the complaint was admitted on."""

    shop_id: str
    order_id: str
    consumer_id: str
    amount: Money
    paid_at: datetime
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class FilingWindow:
    """How long after delivery (FILING_WINDOW) a complaint may be filed about an order, or,
    while the order is not delivered, after payment (FILING_WINDOW_UNDELIVERED) (rule R-1.2)."""

    after_delivery: timedelta = timedelta(days=15)
    undelivered: timedelta = timedelta(days=30)

    def ends_at(self, order: OrderFacts) -> datetime:
        """The last moment a complaint about the order may be filed."""
        if order.delivered_at is not None:
            return order.delivered_at + self.after_delivery
        return order.paid_at + self.undelivered

    def rule(self, order: OrderFacts) -> str:
        """The setting that sets the order's window, as a filing records it."""
        if order.delivered_at is not None:
            return f"FILING_WINDOW={format_duration(self.after_delivery)}"
        return f"FILING_WINDOW_UNDELIVERED={format_duration(self.undelivered)}"

    def spec(self) -> dict[str, str]:
        return {
            "FILING_WINDOW": format_duration(self.after_delivery),
            "FILING_WINDOW_UNDELIVERED": format_duration(self.undelivered),
        }


def check_complaint_about(
    order: OrderFacts | None,
    window: FilingWindow,
    *,
    shop_id: str,
    order_id: str,
    consumer_id: str,
    remedy: Remedy,
    now: datetime,
) -> datetime:
    """The rules a complaint about an order meets when orders are checked; returns the end of
    its window. The order must be this consumer's at this shop: an order that is not recorded,
    and one that is someone else's, get the same answer. Then the window (R-1.2), then the
    amount asked, which no order's facts allow above what was paid."""
    if (
        order is None
        or (order.shop_id, order.order_id) != (shop_id, order_id)
        or order.consumer_id != consumer_id
    ):
        raise OrderNotFound(
            Text(
                "No order {order_id!r} of yours at shop {shop_id!r} is recorded: a complaint is"
                " about an order placed and paid for on the platform (rule R-1.1).",
                order_id=order_id,
                shop_id=shop_id,
            )
        )
    ends = window.ends_at(order)
    if now > ends:
        after = (
            Text("its delivery") if order.delivered_at is not None else Text("payment, undelivered")
        )
        rule = RULEBOOK.rule(WINDOW_RULE, at=now)
        raise FilingWindowClosed(
            Text(
                "The time to complain about order {order_id!r} ended at {ends} UTC, {window}"
                " after {after}: rule {rule}{title}.",
                order_id=order_id,
                ends=f"{ends.astimezone(UTC):%Y-%m-%d %H:%M}",
                window=window.rule(order),
                after=after,
                rule=WINDOW_RULE,
                title=Text(" ({title})", title=rule.title) if rule is not None else "",
            )
        )
    asked = remedy.amount
    if asked is not None:
        if asked.currency != order.amount.currency:
            raise CurrencyMismatch(
                [
                    FieldError(
                        "requested_remedy.amount.currency",
                        Text(
                            "must be the order's currency, {currency}",
                            currency=order.amount.currency,
                        ),
                    )
                ]
            )
        if asked.amount > order.amount.amount:
            raise ValidationFailed(
                [
                    FieldError(
                        "requested_remedy.amount",
                        Text(
                            "must not be more than the order's amount, {amount}",
                            amount=order.amount,
                        ),
                    )
                ]
            )
    return ends


# ---------------------------------------------------------------- who may do what
class Action(Enum):
    """Order commands, named as the mutations that call them."""

    RECORD = "recordOrder"
    RECORD_DELIVERY = "recordDelivery"


#: An order's status: PAID, DELIVERED; None before it is recorded.
State: TypeAlias = str | None
PAID, DELIVERED = "PAID", "DELIVERED"
RECORDED: frozenset[State] = frozenset({PAID, DELIVERED})

PERMISSIONS: dict[Action, Permission[Order, State]] = {
    # Recording an order that is recorded already is idempotent, or refused if facts differ.
    Action.RECORD: allow({Role.MARKETPLACE}, {None, *RECORDED}),
    Action.RECORD_DELIVERY: allow({Role.MARKETPLACE}, RECORDED),
}
#: What a viewer may be offered on an order: the mutations on one that is recorded.
OFFERED = (Action.RECORD_DELIVERY,)


def authorize(action: Action, actor: Actor, status: State) -> None:
    """Role, then status: a delivery is recorded only for an order that is."""
    permission = PERMISSIONS[action]
    check_role(permission, action, actor, reads=Text("orders"))
    if status not in permission.states:
        raise ValidationFailed(
            [FieldError("order_id", Text("names no order recorded at this shop"))],
            Text("Record the order before its delivery."),
        )


def allowed_actions(actor: Actor, status: State) -> list[str]:
    """The mutations this viewer may call on an order in this status, in the table's order."""
    return allowed(OFFERED, lambda action: authorize(action, actor, status))


# ---------------------------------------------------------------- what the marketplace states
@dataclass(frozen=True)
class Delivery:
    """A delivery as the marketplace states it; carrier and tracking number are optional."""

    delivered_at: datetime
    carrier: str | None = None
    tracking_number: str | None = None


@dataclass(frozen=True)
class OrderStatement:
    """An order as the marketplace states it (recordOrder, or one line of a backfill)."""

    shop_id: str
    order_id: str
    consumer_id: str
    amount: Money
    paid_at: datetime
    delivery: Delivery | None = None


def _moment(checks: Checks, field: str, value: datetime, now: datetime) -> bool:
    """A moment must say its time zone and must not lie ahead; whether it is one."""
    if value.tzinfo is None or value.utcoffset() is None:
        checks.fail(field, Text("must include a time zone"))
        return False
    if value > now + CLOCK_SKEW:
        checks.fail(field, Text("must not be in the future"))
    return True


def _check_delivery(checks: Checks, delivery: Delivery, paid_at: datetime, now: datetime) -> None:
    if _moment(checks, "delivered_at", delivery.delivered_at, now) and (
        paid_at.tzinfo is not None and delivery.delivered_at < paid_at
    ):
        checks.fail("delivered_at", Text("must not be before the order was paid"))
    # Left blank, they are not stated.
    checks.text("carrier", _stripped(delivery.carrier), max_len=SHIPMENT_MAX)
    checks.text("tracking_number", _stripped(delivery.tracking_number), max_len=SHIPMENT_MAX)


def check_statement(statement: OrderStatement, now: datetime) -> None:
    checks = Checks()
    checks.identifier("shop_id", statement.shop_id)
    checks.identifier("order_id", statement.order_id, max_len=IDENTIFIER_MAX)
    checks.identifier("consumer_id", statement.consumer_id, max_len=PRINCIPAL_ID_MAX)
    checks.money("amount", statement.amount, known_currency=True)
    _moment(checks, "paid_at", statement.paid_at, now)
    if statement.delivery is not None:
        _check_delivery(checks, statement.delivery, statement.paid_at, now)
    checks.done()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _stripped(text: str | None) -> str | None:
    return None if text is None or not text.strip() else text.strip()


# ---------------------------------------------------------------- the aggregate
class Order(Aggregate):
    """One order of one shop, paid for by one consumer, and its delivery once reported."""

    @staticmethod
    def create_id(shop_id: str, order_id: str) -> UUID:
        return order_key(shop_id, order_id)

    @classmethod
    def record(
        cls, ctx: CommandContext, recorded: Order | None, statement: OrderStatement
    ) -> Order:
        """Record an order (`recorded`: the order already recorded under its id, if any). The
        same facts again record nothing; other facts are refused. A delivery stated with the
        order is recorded as `record_delivery` would."""
        authorize(Action.RECORD, ctx.actor, None if recorded is None else recorded.status)
        check_statement(statement, ctx.now)
        amount = normalise_money(statement.amount)
        if recorded is None:
            order = cls(
                shop_id=statement.shop_id,
                order_id=statement.order_id,
                consumer_id=statement.consumer_id,
                amount=amount,
                paid_at=_utc(statement.paid_at),
                actor=ctx.actor,
                timestamp=ctx.now,
            )
        else:
            order = recorded
            differ = [
                name
                for name, stated, kept in (
                    ("consumerId", statement.consumer_id, order.consumer_id),
                    ("amount", amount, order.amount),
                    ("paidAt", statement.paid_at, order.paid_at),
                )
                if stated != kept
            ]
            order._refuse_other_facts(differ)
        if statement.delivery is not None:
            order._deliver(ctx, statement.delivery)
        return order

    class Recorded(Aggregate.Created):
        shop_id: str
        order_id: str
        consumer_id: str
        amount: Money
        paid_at: datetime
        actor: Actor

    @event(Recorded)
    def __init__(
        self,
        shop_id: str,
        order_id: str,
        consumer_id: str,
        amount: Money,
        paid_at: datetime,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.shop_id = shop_id
        self.order_id = order_id
        self.consumer_id = consumer_id
        self.amount = amount
        self.paid_at = paid_at
        self.recorded_at = timestamp
        self.delivered_at: datetime | None = None
        self.carrier: str | None = None
        self.tracking_number: PersonalText | None = None

    # ---------------------------------------------------------------- reading
    @property
    def status(self) -> str:
        return PAID if self.delivered_at is None else DELIVERED

    @property
    def facts(self) -> OrderFacts:
        return OrderFacts(
            shop_id=self.shop_id,
            order_id=self.order_id,
            consumer_id=self.consumer_id,
            amount=self.amount,
            paid_at=self.paid_at,
            delivered_at=self.delivered_at,
        )

    def allowed_actions(self, actor: Actor) -> list[str]:
        """The mutations this viewer may call on the order now, in the table's order."""
        return allowed_actions(actor, self.status)

    # ---------------------------------------------------------------- the delivery
    @classmethod
    def record_delivery(
        cls, ctx: CommandContext, recorded: Order | None, delivery: Delivery
    ) -> Order:
        """Record the delivery of a recorded order. The same delivery again records nothing;
        another is refused."""
        authorize(Action.RECORD_DELIVERY, ctx.actor, None if recorded is None else recorded.status)
        assert recorded is not None
        checks = Checks()
        _check_delivery(checks, delivery, recorded.paid_at, ctx.now)
        checks.done()
        recorded._deliver(ctx, delivery)
        return recorded

    def _deliver(self, ctx: CommandContext, delivery: Delivery) -> None:
        carrier = _stripped(delivery.carrier)
        tracking = _stripped(delivery.tracking_number)
        if self.delivered_at is None:
            self._delivered(
                delivered_at=_utc(delivery.delivered_at),
                carrier=carrier,
                tracking_number=None
                if tracking is None
                else PersonalText(self.consumer_id, tracking),
                actor=ctx.actor,
                timestamp=ctx.now,
            )
            return
        kept = self.tracking_number
        differ = [
            name
            for name, differs in (
                ("deliveredAt", delivery.delivered_at != self.delivered_at),
                ("carrier", carrier is not None and carrier != self.carrier),
                # An erased tracking number cannot be compared: it is taken as the same.
                (
                    "trackingNumber",
                    tracking is not None
                    and not (kept is not None and kept.erased)
                    and tracking != (None if kept is None else kept.text),
                ),
            )
            if differs
        ]
        self._refuse_other_facts(differ)

    class Delivered(Aggregate.Event):
        delivered_at: datetime
        carrier: str | None
        tracking_number: PersonalText | None
        actor: Actor

    @event(Delivered)
    def _delivered(
        self,
        delivered_at: datetime,
        carrier: str | None,
        tracking_number: PersonalText | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.delivered_at = delivered_at
        self.carrier = carrier
        self.tracking_number = tracking_number

    def _refuse_other_facts(self, differ: list[str]) -> None:
        if differ:
            raise OrderFactsDiffer(
                Text(
                    "Order {order_id!r} of shop {shop_id!r} is recorded with another {facts}:"
                    " an order's facts are added to, never changed.",
                    order_id=self.order_id,
                    shop_id=self.shop_id,
                    facts=", ".join(differ),
                )
            )
