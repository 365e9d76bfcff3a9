"""Orders on the real stores (SQLite and PostgreSQL): recording is idempotent, every refusal
keeps its code or field and stores nothing, a filing is checked against the order at the window's
edges, and the orders read model lists what a consumer may still complain about."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.errors import DomainError, ValidationFailed
from complaints.domain.order import FilingWindow, OrderCheck
from complaints.domain.values import Category
from complaints.projections.orders import OrderKey
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.scenario import (
    CONSUMER,
    DESCRIPTION,
    MARKETPLACE,
    OTHER_CONSUMER,
    REFUND,
    SUPERVISOR,
    Scenario,
    cny,
    record_order,
)

DAY = timedelta(days=1)


@pytest.fixture
def world(stored_world: Scenario) -> Scenario:
    stored_world.seller()
    return stored_world


def file(world: Scenario, order_id: str) -> object:
    return world.app.file_complaint(
        CONSUMER, "acme", order_id, Category.DAMAGED, DESCRIPTION, REFUND
    )


def test_recording_the_same_order_twice_records_it_once(world: Scenario) -> None:
    now = world.clock.now()
    first = world.app.record_order(
        MARKETPLACE, "acme", "o-1", CONSUMER.id, cny("199"), now - DAY, now, "SF", "SF1"
    )
    head = world.app.recorder.max_notification_id()
    again = world.app.record_order(
        MARKETPLACE, "acme", "o-1", CONSUMER.id, cny("199.00"), now - DAY, now, "SF", "SF1"
    )
    assert again.version == first.version == 2
    assert world.app.recorder.max_notification_id() == head
    loaded = world.app.find_order("acme", "o-1")
    assert loaded is not None
    assert loaded.tracking_number is not None
    assert loaded.tracking_number.reveal() == "SF1"


#: Sets the world up for a refusal; returns the attempt that is refused.
Refusal = Callable[[Scenario], Callable[[], object]]


def _differ(w: Scenario) -> Callable[[], object]:
    record_order(w.app, "o-1")
    return lambda: record_order(w.app, "o-1", amount="1.00")


def _delivery_before_payment(w: Scenario) -> Callable[[], object]:
    now = w.clock.now()
    record_order(w.app, "o-1", paid_at=now)
    return lambda: w.app.record_delivery(MARKETPLACE, "acme", "o-1", now - DAY)


def _unknown_order(w: Scenario) -> Callable[[], object]:
    return lambda: w.app.record_delivery(MARKETPLACE, "acme", "o-none", w.clock.now())


def _bad_amount(w: Scenario) -> Callable[[], object]:
    return lambda: record_order(w.app, "o-1", amount="0")


def _not_recorded(w: Scenario) -> Callable[[], object]:
    return lambda: file(w, "o-none")


def _someone_elses(w: Scenario) -> Callable[[], object]:
    order_id = record_order(w.app, "o-bob", consumer=OTHER_CONSUMER)
    return lambda: file(w, order_id)


def _window_closed(w: Scenario) -> Callable[[], object]:
    record_order(w.app, "o-1", paid_at=w.clock.now() - 30 * DAY - timedelta(seconds=1))
    return lambda: file(w, "o-1")


def _too_much(w: Scenario) -> Callable[[], object]:
    order_id = record_order(w.app, "o-1", amount="198.99")
    return lambda: file(w, order_id)


@pytest.mark.parametrize(
    ("refusal", "code", "field"),
    [
        (_differ, "ORDER_FACTS_DIFFER", None),
        (_delivery_before_payment, "VALIDATION_FAILED", "delivered_at"),
        (_unknown_order, "VALIDATION_FAILED", "order_id"),
        (_bad_amount, "VALIDATION_FAILED", "amount.amount"),
        (_not_recorded, "ORDER_NOT_FOUND", None),
        (_someone_elses, "ORDER_NOT_FOUND", None),
        (_window_closed, "FILING_WINDOW_CLOSED", None),
        (_too_much, "VALIDATION_FAILED", "requested_remedy.amount"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_refusal_keeps_its_code_and_field_and_stores_nothing(
    world: Scenario, refusal: Refusal, code: str, field: str | None
) -> None:
    attempt = refusal(world)
    head = world.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as refused:
        attempt()
    assert refused.value.code == code
    if field is not None:
        assert isinstance(refused.value, ValidationFailed)
        assert [f.field for f in refused.value.fields] == [field]
    assert world.app.recorder.max_notification_id() == head


@pytest.mark.parametrize(
    ("delivered", "elapsed", "files"),
    [
        (True, 15 * DAY, True),
        (True, 15 * DAY + timedelta(microseconds=1), False),
        (False, 30 * DAY, True),
        (False, 30 * DAY + timedelta(microseconds=1), False),
    ],
    ids=["delivered-inside", "delivered-outside", "undelivered-inside", "undelivered-outside"],
)
def test_the_windows_edges(
    world: Scenario, delivered: bool, elapsed: timedelta, files: bool
) -> None:
    now = world.clock.now()
    record_order(world.app, "o-1", paid_at=now, delivered_at=now if delivered else None)
    world.clock.advance(elapsed)
    if files:
        file(world, "o-1")
    else:
        with pytest.raises(DomainError) as refused:
            file(world, "o-1")
        assert refused.value.code == "FILING_WINDOW_CLOSED"


@pytest.fixture
def models(stored_app: ComplaintsApp) -> Iterator[ReadModels]:
    read_models = ReadModels(stored_app)
    yield read_models
    read_models.close()


def test_a_consumers_orders_inside_their_window_newest_first(
    world: Scenario, models: ReadModels
) -> None:
    now = world.clock.now()
    window = world.app.settings.filing_window
    record_order(world.app, "o-old", paid_at=now - 40 * DAY)  # undelivered, past 30 days
    record_order(world.app, "o-late", paid_at=now - 40 * DAY, delivered_at=now - 10 * DAY)
    record_order(world.app, "o-gone", paid_at=now - 20 * DAY, delivered_at=now - 16 * DAY)
    record_order(world.app, "o-new", paid_at=now - DAY)
    record_order(world.app, "o-bob", paid_at=now - DAY, consumer=OTHER_CONSUMER)
    models.catch_up()
    page = models.orders.in_window(CONSUMER, now=now, window=window)
    assert [r.order_id for r in page.items] == ["o-new", "o-late"]
    assert models.orders.in_window(SUPERVISOR, now=now, window=window).items == []


def test_the_read_model_pages_by_keyset(world: Scenario, models: ReadModels) -> None:
    now = world.clock.now()
    window = world.app.settings.filing_window
    for n in range(5):  # two paid at the same moment, told apart by their position
        record_order(world.app, f"o-{n}", paid_at=now - timedelta(hours=min(n, 3)))
    models.catch_up()
    first = models.orders.in_window(CONSUMER, now=now, window=window, first=2)
    second = models.orders.in_window(
        CONSUMER, now=now, window=window, first=2, after=OrderKey.of(first.items[-1])
    )
    third = models.orders.in_window(
        CONSUMER, now=now, window=window, first=2, after=OrderKey.of(second.items[-1])
    )
    seen = [r.order_id for page in (first, second, third) for r in page.items]
    assert seen == ["o-0", "o-1", "o-2", "o-4", "o-3"]
    assert (first.has_next, second.has_next, third.has_next) == (True, True, False)


def test_with_order_check_off_nothing_is_checked(
    store_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=store_url,
        upload_dir=tmp_path / "uploads",
        order_check=OrderCheck.OFF,
        filing_window=FilingWindow(DAY, DAY),
    )
    app = ComplaintsApp(settings, clock=clock)
    try:
        Scenario(app, clock).seller()
        complaint = app.file_complaint(
            CONSUMER, "acme", "o-claimed", Category.DAMAGED, DESCRIPTION, REFUND
        )
        assert complaint.order is None
        assert app.get_complaint(complaint.id).order is None
    finally:
        app.close()
