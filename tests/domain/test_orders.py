"""Orders, the marketplace's facts: recording them and their deliveries, and the rules a complaint
about one meets (R-1.1, R-1.2) when orders are checked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.errors import (
    CurrencyMismatch,
    DuplicateComplaint,
    FilingWindowClosed,
    OrderFactsDiffer,
    OrderNotFound,
    ReadOnlyRole,
    RoleNotAllowed,
    SellerNotFound,
    ValidationFailed,
)
from complaints.domain.order import (
    PERMISSIONS,
    Action,
    FilingWindow,
    Order,
    OrderCheck,
    OrderFacts,
)
from complaints.domain.values import Actor, Category, Money, Remedy, RemedyType, Role
from complaints.settings import Settings
from tests.scenario import (
    AGENT,
    AUDITOR,
    CONSUMER,
    DESCRIPTION,
    MARKETPLACE,
    OTHER_CONSUMER,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    record_order,
)

DAY = timedelta(days=1)


def fields(error: ValidationFailed) -> list[str]:
    return [f.field for f in error.fields]


def record(world: Scenario, order_id: str = "o-1", **values: Any) -> Order:
    world.seller()
    now = world.clock.now()
    arguments: dict[str, Any] = {
        "shop_id": "acme",
        "order_id": order_id,
        "consumer_id": CONSUMER.id,
        "amount": cny("199.00"),
        "paid_at": now - 2 * DAY,
    }
    arguments |= values
    actor = arguments.pop("actor", MARKETPLACE)
    return world.app.record_order(actor, **arguments)


class TestRecordingOrders:
    def test_the_marketplace_records_an_order_as_its_own_aggregate(self, world: Scenario) -> None:
        order = record(world, amount=cny("199.5"))
        assert order.shop_id == "acme"
        assert order.consumer_id == CONSUMER.id
        assert order.amount == cny("199.50")
        assert order.status == "PAID"
        assert world.app.find_order("acme", "o-1") == order

    def test_the_same_order_again_with_the_same_facts_records_nothing(
        self, world: Scenario
    ) -> None:
        first = record(world)
        head = world.app.recorder.max_notification_id()
        again = record(world, amount=cny("199"))  # the same amount, written otherwise
        assert again.version == first.version
        assert world.app.recorder.max_notification_id() == head

    @pytest.mark.parametrize(
        ("values", "named"),
        [
            ({"consumer_id": OTHER_CONSUMER.id}, "consumerId"),
            ({"amount": cny("200.00")}, "amount"),
            ({"amount": Money(Decimal("199.00"), "USD")}, "amount"),
            ({"paid_at": None}, "paidAt"),
        ],
    )
    def test_the_same_order_with_other_facts_is_a_conflict(
        self, world: Scenario, values: dict[str, Any], named: str
    ) -> None:
        record(world)
        if values.get("paid_at", 1) is None:
            values = {"paid_at": world.clock.now() - DAY}
        head = world.app.recorder.max_notification_id()
        with pytest.raises(OrderFactsDiffer) as refused:
            record(world, **values)
        assert refused.value.code == "ORDER_FACTS_DIFFER"
        assert named in refused.value.message
        assert world.app.recorder.max_notification_id() == head

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"amount": cny("0")}, "amount.amount"),
            ({"amount": cny("-1")}, "amount.amount"),
            ({"amount": Money(Decimal("10"), "XYZ")}, "amount.currency"),
            ({"amount": Money(Decimal("10"), "yuan")}, "amount.currency"),
            ({"order_id": "o" * 65}, "order_id"),
            ({"order_id": "bad id!"}, "order_id"),
            ({"shop_id": "s" * 65}, "shop_id"),
            ({"consumer_id": "u" * 129}, "consumer_id"),
            ({"paid_at": "naive"}, "paid_at"),
            ({"paid_at": "future"}, "paid_at"),
        ],
    )
    def test_bad_input_is_refused_naming_its_field(
        self, world: Scenario, values: dict[str, Any], field: str
    ) -> None:
        now = world.clock.now()
        if values.get("paid_at") == "naive":
            values = {"paid_at": (now - DAY).replace(tzinfo=None)}
        elif values.get("paid_at") == "future":
            values = {"paid_at": now + DAY}
        with pytest.raises(ValidationFailed) as refused:
            record(world, **values)
        assert fields(refused.value) == [field]

    def test_a_delivery_before_payment_is_refused_naming_it(self, world: Scenario) -> None:
        now = world.clock.now()
        with pytest.raises(ValidationFailed) as refused:
            record(world, paid_at=now - DAY, delivered_at=now - 2 * DAY)
        assert fields(refused.value) == ["delivered_at"]

    @pytest.mark.parametrize(
        ("actor", "refusal"),
        [
            (CONSUMER, RoleNotAllowed),
            (SELLER, RoleNotAllowed),
            (SUPERVISOR, RoleNotAllowed),
            (AUDITOR, ReadOnlyRole),
        ],
    )
    def test_only_the_marketplace_records_orders(
        self, world: Scenario, actor: Actor, refusal: type[Exception]
    ) -> None:
        with pytest.raises(refusal):
            record(world, actor=actor)

    def test_orders_are_recorded_for_registered_shops(self, world: Scenario) -> None:
        with pytest.raises(SellerNotFound):
            record(world, shop_id="nowhere")

    def test_the_table_gives_orders_to_the_marketplace_alone(self) -> None:
        assert set(PERMISSIONS) == set(Action)
        assert all(p.roles == {Role.MARKETPLACE} for p in PERMISSIONS.values())


class TestRecordingDeliveries:
    def test_a_delivery_is_recorded_with_the_tracking_number_as_personal_data(
        self, world: Scenario
    ) -> None:
        record(world)
        at = world.clock.now() - DAY
        order = world.app.record_delivery(MARKETPLACE, "acme", "o-1", at, "SF", " SF123 ")
        assert (order.status, order.delivered_at, order.carrier) == ("DELIVERED", at, "SF")
        assert order.tracking_number is not None
        assert order.tracking_number.subject == CONSUMER.id
        assert order.tracking_number.reveal() == "SF123"

    def test_erasure_reaches_the_tracking_number(self, world: Scenario) -> None:
        record(world, delivered_at=world.clock.now() - DAY, carrier="SF", tracking_number="SF9")
        world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        order = world.app.find_order("acme", "o-1")
        assert order is not None
        assert order.tracking_number is not None
        assert order.tracking_number.erased
        assert order.carrier == "SF"
        # Recording the delivery again is not taken for other facts: the erased number is not
        # compared.
        again = world.app.record_delivery(
            MARKETPLACE, "acme", "o-1", world.clock.now() - DAY, "SF", "SF9"
        )
        assert again.version == order.version

    def test_the_same_delivery_again_records_nothing_another_is_a_conflict(
        self, world: Scenario
    ) -> None:
        record(world)
        at = world.clock.now() - DAY
        first = world.app.record_delivery(MARKETPLACE, "acme", "o-1", at, "SF", "SF1")
        assert world.app.record_delivery(MARKETPLACE, "acme", "o-1", at).version == first.version
        for other in (
            (at + timedelta(hours=1), "SF", "SF1"),
            (at, "EMS", "SF1"),
            (at, "SF", "SF2"),
        ):
            with pytest.raises(OrderFactsDiffer):
                world.app.record_delivery(MARKETPLACE, "acme", "o-1", *other)

    def test_a_delivery_stated_with_the_order_is_recorded_with_it(self, world: Scenario) -> None:
        now = world.clock.now()
        record(world)
        order = record(world, delivered_at=now - DAY, carrier="YTO")
        assert order.status == "DELIVERED"
        assert order.version == 2

    def test_a_delivery_for_an_unknown_order_is_refused_naming_it(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed) as refused:
            world.app.record_delivery(MARKETPLACE, "acme", "o-none", world.clock.now())
        assert fields(refused.value) == ["order_id"]

    def test_a_delivery_before_payment_is_refused_naming_it(self, world: Scenario) -> None:
        record(world)
        with pytest.raises(ValidationFailed) as refused:
            world.app.record_delivery(
                MARKETPLACE, "acme", "o-1", world.clock.now() - 3 * DAY, "SF", "x" * 101
            )
        assert fields(refused.value) == ["delivered_at", "tracking_number"]

    def test_a_role_is_refused_before_the_order_is_looked_for(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(RoleNotAllowed):
            world.app.record_delivery(SELLER, "acme", "o-none", world.clock.now())

    def test_the_marketplace_is_offered_the_delivery(self, world: Scenario) -> None:
        order = record(world)
        assert order.allowed_actions(MARKETPLACE) == ["recordDelivery"]
        assert order.allowed_actions(CONSUMER) == []


class TestTheWindow:
    def test_after_delivery_it_is_filing_window_long(self) -> None:
        window = FilingWindow(timedelta(days=15), timedelta(days=30))
        paid = ManualClock().now()
        delivered = OrderFacts("acme", "o", "u", cny("1"), paid, paid + 3 * DAY)
        assert window.ends_at(delivered) == paid + 18 * DAY
        assert window.rule(delivered) == "FILING_WINDOW=15d"
        undelivered = OrderFacts("acme", "o", "u", cny("1"), paid)
        assert window.ends_at(undelivered) == paid + 30 * DAY
        assert window.rule(undelivered) == "FILING_WINDOW_UNDELIVERED=30d"


def file(
    world: Scenario, order_id: str, consumer: Actor = CONSUMER, remedy: Remedy = REFUND
) -> Complaint:
    return world.app.file_complaint(
        consumer, "acme", order_id, Category.DAMAGED, DESCRIPTION, remedy
    )


class TestFilingChecksTheOrder:
    def test_a_complaint_about_an_unrecorded_order_is_not_found(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(OrderNotFound) as refused:
            file(world, "o-none")
        assert refused.value.code == "ORDER_NOT_FOUND"

    def test_someone_elses_order_gets_the_same_answer_as_none(self, world: Scenario) -> None:
        world.order("o-bob", consumer=OTHER_CONSUMER)
        with pytest.raises(OrderNotFound) as theirs:
            file(world, "o-bob")
        with pytest.raises(OrderNotFound) as nobodys:
            file(world, "o-nobody")
        assert theirs.value.code == nobodys.value.code
        assert theirs.value.message.replace("o-bob", "X") == nobodys.value.message.replace(
            "o-nobody", "X"
        )

    def test_an_order_of_another_shop_is_not_found(self, world: Scenario) -> None:
        world.seller()
        world.order("o-g", shop="globex")
        with pytest.raises(OrderNotFound):
            file(world, "o-g")

    def test_just_inside_the_window_after_delivery_files(self, world: Scenario) -> None:
        now = world.clock.now()
        world.seller()
        record_order(world.app, "o-1", paid_at=now - 3 * DAY, delivered_at=now - 2 * DAY)
        world.clock.advance(15 * DAY - 2 * DAY)  # the window's last moment
        complaint = file(world, "o-1")
        assert complaint.order is not None
        assert complaint.order.delivered_at == now - 2 * DAY

    def test_just_outside_the_window_after_delivery_does_not(self, world: Scenario) -> None:
        now = world.clock.now()
        world.seller()
        record_order(world.app, "o-1", paid_at=now - 3 * DAY, delivered_at=now - 2 * DAY)
        world.clock.advance(13 * DAY + timedelta(microseconds=1))
        with pytest.raises(FilingWindowClosed) as refused:
            file(world, "o-1")
        assert refused.value.code == "FILING_WINDOW_CLOSED"
        assert "R-1.2" in refused.value.message
        assert "FILING_WINDOW=15d" in refused.value.message

    def test_an_undelivered_order_files_within_the_undelivered_window(
        self, world: Scenario
    ) -> None:
        now = world.clock.now()
        world.seller()
        record_order(world.app, "o-1", paid_at=now)
        world.clock.advance(30 * DAY)
        assert file(world, "o-1").order is not None

    def test_an_undelivered_order_past_its_window_does_not(self, world: Scenario) -> None:
        now = world.clock.now()
        world.seller()
        record_order(world.app, "o-1", paid_at=now)
        world.clock.advance(30 * DAY + timedelta(seconds=1))
        with pytest.raises(FilingWindowClosed) as refused:
            file(world, "o-1")
        assert "FILING_WINDOW_UNDELIVERED=30d" in refused.value.message

    def test_a_delivery_recorded_late_opens_its_own_window(self, world: Scenario) -> None:
        now = world.clock.now()
        world.seller()
        record_order(world.app, "o-1", paid_at=now)
        world.clock.advance(35 * DAY)
        world.app.record_delivery(MARKETPLACE, "acme", "o-1", world.clock.now() - DAY)
        assert file(world, "o-1").order is not None

    def test_the_windows_come_from_the_settings(self, clock: ManualClock) -> None:
        window = FilingWindow(timedelta(days=3), timedelta(days=5))
        app = ComplaintsApp(Settings(database_url="memory://", filing_window=window), clock=clock)
        world = Scenario(app, clock)
        try:
            world.seller()
            record_order(app, "o-1", paid_at=clock.now(), delivered_at=clock.now())
            clock.advance(3 * DAY + timedelta(seconds=1))
            with pytest.raises(FilingWindowClosed) as refused:
                file(world, "o-1")
            assert "FILING_WINDOW=3d" in refused.value.message
        finally:
            app.close()

    def test_a_requested_amount_above_the_orders_is_refused_on_that_field(
        self, world: Scenario
    ) -> None:
        world.seller()
        record_order(world.app, "o-1", amount="150.00")
        with pytest.raises(ValidationFailed) as refused:
            file(world, "o-1")  # asks 199.00
        assert fields(refused.value) == ["requested_remedy.amount"]
        assert file(world, "o-1", remedy=Remedy(RemedyType.REFUND, cny("150"))).order is not None

    def test_a_requested_amount_in_another_currency_is_refused(self, world: Scenario) -> None:
        world.seller()
        record_order(world.app, "o-1")
        usd = Remedy(RemedyType.REFUND, Money(Decimal("5"), "USD"))
        with pytest.raises(CurrencyMismatch) as refused:
            file(world, "o-1", remedy=usd)
        assert fields(refused.value) == ["requested_remedy.amount.currency"]

    def test_input_is_checked_before_the_order(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed) as refused:
            world.app.file_complaint(CONSUMER, "acme", "o-none", Category.DAMAGED, "short", REFUND)
        assert fields(refused.value) == ["description"]

    def test_one_open_complaint_per_order_stays(self, world: Scenario) -> None:
        world.order("o-1")
        first = file(world, "o-1")
        world.app.accept_complaint(AGENT, first.id)
        with pytest.raises(DuplicateComplaint):
            file(world, "o-1")

    def test_the_filing_records_the_facts_and_the_window_policy_in_force(
        self, world: Scenario
    ) -> None:
        now = world.clock.now()
        world.seller()
        record_order(world.app, "o-1", paid_at=now - 2 * DAY, delivered_at=now - DAY)
        complaint = file(world, "o-1")
        filed = world.app.history(complaint.id)[0]
        assert isinstance(filed, Complaint.Filed)
        assert filed.order == OrderFacts(
            "acme", "o-1", CONSUMER.id, cny("10000.00"), now - 2 * DAY, now - DAY
        )
        assert filed.filing_window == "FILING_WINDOW=15d"
        assert filed.window_ends_at == now + 14 * DAY


class TestOrderCheckOff:
    def test_nothing_is_checked_and_the_complaint_has_no_order(
        self, unchecked_world: Scenario
    ) -> None:
        world = unchecked_world
        world.seller()
        complaint = file(world, "o-claimed")
        assert complaint.order is None
        filed = world.app.history(complaint.id)[0]
        assert isinstance(filed, Complaint.Filed)
        assert filed.order is None
        assert filed.filing_window is None
        assert world.app.settings.order_check is OrderCheck.OFF
