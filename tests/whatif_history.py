"""A generated history for the what-if tests: cases taken down every path the platform decides
by itself (rulings by default, escalations, expiries, advance refunds with strikes, deemed
confirmations, paused clocks) and the paths people decide, across three shops, with the clock
moving between steps by seeded random amounts."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from complaints.domain.deadlines import STAFF_DEADLINES
from complaints.domain.errors import DomainError
from complaints.domain.values import (
    TERMINAL,
    Actor,
    Category,
    Outcome,
    Remedy,
    RemedyType,
    Role,
)
from tests.scenario import (
    AGENT,
    ARBITER,
    PARTIAL,
    PLATFORM,
    REFUND,
    SUPERVISOR,
    Scenario,
    cny,
)

SHOPS = ("acme", "globex", "initech")


def seller_of(shop: str) -> Actor:
    return Actor(Role.SELLER, f"staff-{shop}", shop)


def lapse_all(world: Scenario, complaint_id: UUID, steps: int = 12) -> None:
    """With no one acting, let each party deadline lapse in turn until the case ends or waits
    only for staff."""
    app = world.app
    for _ in range(steps):
        complaint = app.get_complaint(complaint_id)
        if complaint.status in TERMINAL:
            return
        due = [d for d in complaint.deadlines.values() if not d.overdue]
        party = [d for d in due if d.kind not in STAFF_DEADLINES]
        if not due:
            return
        deadline = min(party or due, key=lambda d: d.due_at)
        now = world.clock.now()
        if deadline.due_at > now:
            world.clock.advance(deadline.due_at - now + timedelta(minutes=1))
        app.lapse_deadline(PLATFORM, complaint_id, deadline.id)


class History:
    def __init__(self, world: Scenario, seed: int = 7) -> None:
        self.world = world
        self.app = world.app
        self.random = random.Random(seed)
        self.n = 0
        self.refused: list[str] = []
        for shop in SHOPS:
            world.seller(shop, deposit="5000.00")

    def hours(self, low: float, high: float) -> None:
        self.world.clock.advance(timedelta(hours=self.random.uniform(low, high)))

    def file(self, remedy: Remedy = REFUND) -> tuple[UUID, Actor]:
        self.n += 1
        shop = SHOPS[self.n % len(SHOPS)]
        consumer = Actor(Role.CONSUMER, f"u-{self.n}")
        order = self.world.order(f"order-{self.n}", shop=shop, consumer=consumer)
        complaint = self.app.file_complaint(
            consumer, shop, order, Category.DAMAGED, f"Case {self.n}: it broke.", remedy
        )
        return complaint.id, consumer

    def negotiating(self, remedy: Remedy = REFUND) -> tuple[UUID, Actor]:
        cid, consumer = self.file(remedy)
        self.hours(1, 20)
        self.app.accept_complaint(AGENT, cid)
        return cid, consumer

    # ------------------------------------------------------------------ the paths
    def seller_silent(self) -> None:
        cid, _ = self.negotiating()
        lapse_all(self.world, cid)

    def seller_answers(self) -> None:
        cid, consumer = self.negotiating()
        shop = self.app.get_complaint(cid).shop_id
        self.hours(2, 47)
        self.app.accept_offer(seller_of(shop), cid, "o1")
        self.hours(2, 40)
        self.app.confirm_refund(seller_of(shop), cid)
        self.hours(1, 30)
        if self.random.random() < 0.5:
            self.app.confirm_remedy_received(consumer, cid)
        lapse_all(self.world, cid)

    def counter_offer(self) -> None:
        cid, consumer = self.negotiating()
        shop = self.app.get_complaint(cid).shop_id
        self.hours(5, 40)
        self.app.make_offer(seller_of(shop), cid, PARTIAL)
        if self.random.random() < 0.5:
            self.hours(5, 60)
            self.app.accept_offer(consumer, cid, "o2")
        lapse_all(self.world, cid)

    def ruled(self) -> None:
        cid, consumer = self.negotiating()
        self.hours(1, 30)
        self.app.request_intervention(consumer, cid)
        self.hours(1, 20)
        self.app.assign_complaint(SUPERVISOR, cid, ARBITER.id)
        self.app.record_finding(ARBITER, cid, "The parcel was damaged in transit.")
        self.hours(1, 60)
        if self.random.random() < 0.7:
            outcome, remedy = Outcome.CONSUMER_FAVOUR_FULL, REFUND
        else:
            outcome, remedy = Outcome.SELLER_FAVOUR_EXPLAINED, None
        self.app.issue_ruling(ARBITER, cid, outcome, "Goods arrived damaged.", remedy, ["R-3.2"])
        lapse_all(self.world, cid)

    def no_info(self) -> None:
        cid, _ = self.file()
        self.hours(1, 20)
        self.app.return_complaint_for_info(AGENT, cid, "Photos, please.", ["photos"])
        if self.random.random() < 0.5:
            lapse_all(self.world, cid)

    def paused(self) -> None:
        cid, _ = self.negotiating()
        shop = self.app.get_complaint(cid).shop_id
        self.hours(1, 30)
        self.app.pause_clock(AGENT, cid, "Waiting for the carrier's report.")
        self.hours(5, 50)
        self.app.resume_clock(AGENT, cid)
        self.hours(1, 30)
        self.app.accept_offer(seller_of(shop), cid, "o1")
        lapse_all(self.world, cid)

    def rejected_or_withdrawn(self) -> None:
        cid, consumer = self.file()
        self.hours(1, 10)
        if self.random.random() < 0.5:
            self.app.reject_complaint(AGENT, cid, "Not about an order of this shop.")
        else:
            self.app.withdraw_complaint(consumer, cid)

    def replacement(self) -> None:
        cid, _ = self.negotiating(Remedy(RemedyType.RESHIP, cny("120.00")))
        lapse_all(self.world, cid, steps=20)

    def returned(self) -> None:
        cid, _ = self.negotiating(Remedy(RemedyType.RETURN_AND_REFUND, cny("150.00")))
        lapse_all(self.world, cid, steps=20)

    def left_open(self) -> None:
        self.negotiating()

    def run(self, cases: int) -> None:
        paths: list[Callable[[], None]] = [
            self.seller_silent,
            self.seller_answers,
            self.counter_offer,
            self.ruled,
            self.no_info,
            self.paused,
            self.rejected_or_withdrawn,
            self.replacement,
            self.returned,
            self.seller_answers,
        ]
        for n in range(cases):
            try:
                paths[n % len(paths)]()
            except DomainError as error:
                # A shop closed by its strikes takes no more complaints: the path ends there.
                self.refused.append(error.code)
            self.hours(0, 12)
        self.left_open()
