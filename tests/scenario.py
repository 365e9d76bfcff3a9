"""A cast of actors and a driver that takes a complaint to any stage of its life."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.order import OrderCheck
from complaints.domain.seller import Seller
from complaints.domain.values import (
    SYSTEM,
    Actor,
    Category,
    Money,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    Status,
)
from complaints.domain.violation import Violation

CONSUMER = Actor(Role.CONSUMER, "u-alice")
OTHER_CONSUMER = Actor(Role.CONSUMER, "u-bob")
SELLER = Actor(Role.SELLER, "staff-1", "acme")
OTHER_SELLER = Actor(Role.SELLER, "staff-9", "globex")
AGENT = Actor(Role.AGENT, "agent-1")
MEDIATOR = Actor(Role.MEDIATOR, "mediator-1")
ARBITER = Actor(Role.ARBITER, "arbiter-1")
OTHER_ARBITER = Actor(Role.ARBITER, "arbiter-2")
SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-1")
AUDITOR = Actor(Role.AUDITOR, "auditor-1")
PUBLIC = Actor(Role.PUBLIC, "anonymous")
MARKETPLACE = Actor(Role.MARKETPLACE, "marketplace")
PLATFORM = SYSTEM

DESCRIPTION = "The vase arrived in pieces; the box was crushed on one side."


def png(marker: str = "photo") -> bytes:
    """A file that the upload check takes for a PNG image, with `marker` inside."""
    return b"\x89PNG\r\n\x1a\n" + marker.encode() + b"\x00" * 32


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


REFUND = Remedy(RemedyType.REFUND, cny("199.00"))
PARTIAL = Remedy(RemedyType.PARTIAL_REFUND, cny("80.00"))
#: What the orders the cast complains about cost: more than any remedy they ask for.
ORDER_AMOUNT = "10000.00"
#: A violation's confirmation: why, and the rule it cites.
CONFIRMATION = ("The listing's photos and the goods show the breach.", ["R-8.1"])


def record_order(
    app: ComplaintsApp,
    order_id: str,
    *,
    shop: str = "acme",
    consumer: Actor = CONSUMER,
    amount: str = ORDER_AMOUNT,
    paid_at: datetime | None = None,
    delivered_at: datetime | None = None,
) -> str:
    """Record an order as the marketplace would (paid now, unless told), where the application
    checks the orders complaints name; the order's id. Recording it again changes nothing."""
    if app.settings.order_check is OrderCheck.REQUIRED:
        app.record_order(
            MARKETPLACE,
            shop,
            order_id,
            consumer.id,
            cny(amount),
            paid_at or app.clock.now(),
            delivered_at,
        )
    return order_id


class Scenario:
    """Drives complaints through the application, as the real parties would."""

    def __init__(self, app: ComplaintsApp, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock
        self.sellers: dict[str, Seller] = {}
        self.orders = 0
        #: The orders recorded so far, by shop and order id: each is recorded once.
        self.recorded: set[tuple[str, str]] = set()

    def seller(self, shop_id: str = "acme", deposit: str = "1000.00") -> Seller:
        if shop_id not in self.sellers:
            self.sellers[shop_id] = self.app.register_seller(
                SUPERVISOR, shop_id, f"{shop_id.title()} Store", cny(deposit)
            )
        return self.sellers[shop_id]

    def order(self, order_id: str, *, shop: str = "acme", consumer: Actor = CONSUMER) -> str:
        """The order, recorded for `consumer` as the marketplace would the first time it is
        named (paid now); its id."""
        if (shop, order_id) not in self.recorded:
            self.seller(shop)
            record_order(self.app, order_id, shop=shop, consumer=consumer)
            self.recorded.add((shop, order_id))
        return order_id

    def file(
        self,
        *,
        remedy: Remedy = REFUND,
        category: Category = Category.DAMAGED,
        consumer: Actor = CONSUMER,
        description: str = DESCRIPTION,
    ) -> Complaint:
        self.seller("acme")
        self.seller("globex")
        # A consumer may have one open complaint per order: each filing is about a new one.
        self.orders += 1
        order_id = self.order(f"order-{1000 + self.orders}", consumer=consumer)
        return self.app.file_complaint(consumer, "acme", order_id, category, description, remedy)

    def upload(self, actor: Actor, content: bytes | None = None) -> str:
        """Store a file as POST /uploads does (a PNG unless told); its sha256."""
        data = png() if content is None else content
        stored = self.app.files.save(actor.id, io.BytesIO(data), "image/png", len(data))
        return stored.sha256

    def negotiating(self, *, remedy: Remedy = REFUND) -> Complaint:
        complaint = self.file(remedy=remedy)
        return self.app.accept_complaint(AGENT, complaint.id)

    def awaiting_info(self) -> Complaint:
        complaint = self.file()
        return self.app.return_complaint_for_info(
            AGENT, complaint.id, "We need the order photos.", ["photos of the damage"]
        )

    def under_review(self, *, assigned: bool = True, remedy: Remedy = REFUND) -> Complaint:
        complaint = self.negotiating(remedy=remedy)
        complaint = self.app.request_intervention(CONSUMER, complaint.id)
        if assigned:
            complaint = self.app.assign_complaint(SUPERVISOR, complaint.id, ARBITER.id)
        return complaint

    def ruled(
        self,
        *,
        outcome: Outcome = Outcome.CONSUMER_FAVOUR_FULL,
        remedy: Remedy | None = REFUND,
    ) -> Complaint:
        complaint = self.under_review()
        self.app.record_finding(ARBITER, complaint.id, "The parcel was damaged in transit.")
        return self.app.issue_ruling(
            ARBITER, complaint.id, outcome, "Goods arrived damaged.", remedy, ["R-3.2"]
        )

    def fulfilling(self, *, remedy: Remedy = REFUND) -> Complaint:
        """Settled by the seller accepting the consumer's requested remedy."""
        complaint = self.negotiating(remedy=remedy)
        return self.app.accept_offer(SELLER, complaint.id, complaint.offers[0].id)

    def closed(self) -> Complaint:
        complaint = self.fulfilling()
        self.app.confirm_refund(SELLER, complaint.id)
        return self.app.confirm_remedy_received(CONSUMER, complaint.id)

    def lapse(self, complaint: Complaint, kind: DeadlineKind) -> Complaint:
        """Move the clock past the open deadline of `kind` and let the platform enforce it."""
        deadline = complaint.deadline_of(kind)
        assert deadline is not None, f"no open {kind.value} deadline"
        now = self.clock.now()
        if deadline.due_at > now:
            self.clock.advance(deadline.due_at - now + timedelta(seconds=1))
        return self.app.lapse_deadline(PLATFORM, complaint.id, deadline.id)

    def status(self, complaint: Complaint) -> Status:
        return self.app.get_complaint(complaint.id).status

    def confirm_violation(self, violation_id: UUID, actor: Actor = SUPERVISOR) -> Violation:
        """Confirm a report as a supervisor may: once the shop has been heard (its window to
        answer waited out, unless it answered), with reasons and a rule."""
        violation = self.app.get_violation(violation_id)
        due = violation.response_due_at
        if violation.seller_response is None and due is not None and due > self.clock.now():
            self.clock.advance(due - self.clock.now() + timedelta(seconds=1))
        return self.app.confirm_violation(actor, violation_id, *CONFIRMATION)


def posted_messages(app: ComplaintsApp, complaint_id: UUID) -> list[Any]:
    """The MessagePosted events of a case, oldest first (bodies live in events, not state)."""
    return [e for e in app.history(complaint_id) if type(e).__name__ == "MessagePosted"]
