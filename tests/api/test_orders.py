"""Orders through the schema: who sees an order (and who gets null), a complaint's order, the
signed-in consumer's orders inside their window, page by page, and the window's end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.order import OrderCheck
from complaints.domain.values import Actor, Category
from complaints.graphql import ids
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    DESCRIPTION,
    MARKETPLACE,
    MEDIATOR,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    record_order,
)

DAY = timedelta(days=1)
ORDER = """query($shop: String!, $order: String!) { order(shopId: $shop, orderId: $order) {
  orderId shopId amount { amount currency } paidAt deliveredAt carrier trackingNumber
  complaintWindowEndsAt allowedActions } }"""
COMPLAINT_ORDER = """query($id: ID!) { complaint(id: $id) { order { orderId trackingNumber } } }"""
MY_ORDERS = """query($first: Int, $after: String) { myOrders(first: $first, after: $after) {
  edges { cursor node { orderId complaintWindowEndsAt } }
  pageInfo { hasNextPage hasPreviousPage endCursor } } }"""

#: Who sees acme's order of the consumer's, and who gets null.
SEES = {
    "own consumer": (CONSUMER, True),
    "other consumer": (OTHER_CONSUMER, False),
    "own seller": (SELLER, True),
    "other seller": (OTHER_SELLER, False),
    "agent": (AGENT, True),
    "mediator": (MEDIATOR, True),
    "arbiter": (ARBITER, True),
    "supervisor": (SUPERVISOR, True),
    "auditor": (AUDITOR, True),
    "marketplace": (MARKETPLACE, True),
    "public": (PUBLIC, False),
}


def delivered_order(world: Scenario) -> datetime:
    """acme's order o-1 of the consumer's, delivered a day ago; when it was delivered."""
    now = world.clock.now()
    world.seller()
    world.seller("globex")
    world.app.record_order(MARKETPLACE, "acme", "o-1", CONSUMER.id, cny("10000"), now - 2 * DAY)
    world.app.record_delivery(MARKETPLACE, "acme", "o-1", now - DAY, "SF", "SF77")
    return now - DAY


@pytest.mark.parametrize(("viewer", "sees"), SEES.values(), ids=SEES.keys())
def test_an_order_is_seen_by_its_parties_staff_auditors_and_the_marketplace(
    gql: GraphQL, world: Scenario, viewer: Actor, sees: bool
) -> None:
    delivered = delivered_order(world)
    found = gql.data(ORDER, {"shop": "acme", "order": "o-1"}, actor=viewer)["order"]
    if not sees:
        assert found is None
        return
    assert found["orderId"] == "o-1"
    assert found["amount"] == {"amount": "10000.00", "currency": "CNY"}
    assert found["carrier"] == "SF"
    assert found["trackingNumber"] == "SF77"
    assert datetime.fromisoformat(found["complaintWindowEndsAt"]) == delivered + 15 * DAY
    assert found["allowedActions"] == (["recordDelivery"] if viewer is MARKETPLACE else [])


@pytest.mark.parametrize("viewer", [CONSUMER, SUPERVISOR, PUBLIC], ids=str)
def test_an_unknown_order_is_null_for_everyone(
    gql: GraphQL, world: Scenario, viewer: Actor
) -> None:
    world.seller()
    assert gql.data(ORDER, {"shop": "acme", "order": "o-9"}, actor=viewer)["order"] is None


@pytest.mark.parametrize(("viewer", "sees"), SEES.values(), ids=SEES.keys())
def test_a_complaints_order_for_those_who_see_the_case(
    gql: GraphQL, world: Scenario, viewer: Actor, sees: bool
) -> None:
    delivered_order(world)
    complaint = world.app.file_complaint(
        CONSUMER, "acme", "o-1", Category.DAMAGED, DESCRIPTION, REFUND
    )
    result = gql.run(
        COMPLAINT_ORDER, {"id": ids.global_id("Complaint", complaint.id)}, actor=viewer
    )
    assert result.errors is None
    found = result.data["complaint"]
    if viewer is MARKETPLACE or not sees:
        # The marketplace sees orders, not cases.
        assert found is None or found["order"] is None
        return
    assert found["order"] == {"orderId": "o-1", "trackingNumber": "SF77"}


def test_after_erasure_the_tracking_number_reads_erased(gql: GraphQL, world: Scenario) -> None:
    delivered_order(world)
    world.app.erase_subject(SUPERVISOR, CONSUMER.id)
    found = gql.data(ORDER, {"shop": "acme", "order": "o-1"}, actor=SELLER)["order"]
    assert found["trackingNumber"] == "[erased]"
    assert found["carrier"] == "SF"


@pytest.fixture
def unchecked_gql(clock: ManualClock, tmp_path: Path) -> Any:
    settings = Settings(
        database_url="memory://",
        read_your_writes_seconds=0,
        upload_dir=tmp_path / "uploads",
        order_check=OrderCheck.OFF,
    )
    app = ComplaintsApp(settings, clock=clock)
    models = ReadModels(app)
    yield GraphQL(app, models), Scenario(app, clock)
    models.close()
    app.close()


def test_where_orders_are_not_checked_a_complaint_has_no_order(unchecked_gql: Any) -> None:
    gql, world = unchecked_gql
    delivered_order(world)  # recorded, but the filing is not checked against it
    complaint = world.file()
    result = gql.data(
        COMPLAINT_ORDER, {"id": ids.global_id("Complaint", complaint.id)}, actor=CONSUMER
    )
    assert result["complaint"] == {"order": None}


def my_orders(gql: GraphQL, actor: Actor, **variables: Any) -> Any:
    return gql.data(MY_ORDERS, variables, actor=actor)["myOrders"]


def test_my_orders_are_those_still_inside_their_window_newest_first(
    gql: GraphQL, world: Scenario
) -> None:
    now = world.clock.now()
    world.seller()
    record_order(world.app, "o-closed", paid_at=now - 31 * DAY)
    record_order(world.app, "o-delivered", paid_at=now - 20 * DAY, delivered_at=now - 15 * DAY)
    record_order(world.app, "o-gone", paid_at=now - 20 * DAY, delivered_at=now - 16 * DAY)
    record_order(world.app, "o-new", paid_at=now - DAY)
    record_order(world.app, "o-bobs", paid_at=now - DAY, consumer=OTHER_CONSUMER)
    gql.read_models.catch_up()
    edges = my_orders(gql, CONSUMER)["edges"]
    assert [e["node"]["orderId"] for e in edges] == ["o-new", "o-delivered"]
    assert datetime.fromisoformat(edges[1]["node"]["complaintWindowEndsAt"]) == now
    assert [e["node"]["orderId"] for e in my_orders(gql, OTHER_CONSUMER)["edges"]] == ["o-bobs"]
    for viewer in (SELLER, SUPERVISOR, MARKETPLACE, PUBLIC):
        assert my_orders(gql, viewer)["edges"] == []


def test_my_orders_page_by_cursor(gql: GraphQL, world: Scenario) -> None:
    now = world.clock.now()
    world.seller()
    for n in range(5):
        record_order(world.app, f"o-{n}", paid_at=now - n * timedelta(hours=1))
    gql.read_models.catch_up()
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = my_orders(gql, CONSUMER, first=2, after=after)
        seen += [e["node"]["orderId"] for e in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert (seen, pages) == (["o-0", "o-1", "o-2", "o-3", "o-4"], 3)


@pytest.mark.parametrize(
    "after",
    [
        "nonsense",
        ids.global_id("Complaint", 5),
        ids.global_id("OrderByPayment", "yesterday|5"),
        ids.global_id("OrderByPayment", "2026-01-01T00:00:00+00:00|x"),
    ],
)
def test_a_cursor_from_elsewhere_is_refused(gql: GraphQL, world: Scenario, after: str) -> None:
    result = gql.run(MY_ORDERS, {"after": after}, actor=CONSUMER)
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "VALIDATION_FAILED"


def test_recording_through_the_api_names_fields_in_camel_case(
    gql: GraphQL, world: Scenario
) -> None:
    world.seller()
    payload = gql.mutate(
        "recordOrder",
        "RecordOrderInput",
        {
            "orderId": "o" * 65,
            "shopId": "acme",
            "consumerId": CONSUMER.id,
            "amount": {"amount": "0", "currency": "XYZ"},
            "paidAt": "2026-01-01T10:00:00",
            "deliveredAt": "2025-12-01T10:00:00+00:00",
        },
        actor=MARKETPLACE,
    )
    assert payload["__typename"] == "ValidationFailed"
    assert {f["field"] for f in payload["fields"]} == {
        "orderId",
        "amount.currency",
        "amount.amount",
        "paidAt",
    }


def test_a_recorded_order_answers_with_its_window(gql: GraphQL, world: Scenario) -> None:
    world.seller()
    paid = datetime(2026, 1, 3, 12, 0, tzinfo=UTC)
    payload = gql.mutate(
        "recordOrder",
        "RecordOrderInput",
        {
            "orderId": "o-1",
            "shopId": "acme",
            "consumerId": CONSUMER.id,
            "amount": {"amount": "99", "currency": "CNY"},
            "paidAt": paid.isoformat(),
        },
        actor=MARKETPLACE,
    )
    assert payload["__typename"] == "Order"
    assert datetime.fromisoformat(payload["complaintWindowEndsAt"]) == paid + 30 * DAY
    delivered = gql.mutate(
        "recordDelivery",
        "RecordDeliveryInput",
        {"orderId": "o-1", "shopId": "acme", "deliveredAt": (paid + DAY).isoformat()},
        actor=MARKETPLACE,
    )
    assert datetime.fromisoformat(delivered["complaintWindowEndsAt"]) == paid + 16 * DAY
