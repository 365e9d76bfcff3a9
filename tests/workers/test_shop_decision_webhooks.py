"""Every shop decision told (SQLite and PostgreSQL), against real receivers on loopback that verify
each signature with the standardwebhooks library: each seller.* and violation.* event reaches the
shop's own endpoint and the marketplace's, never another shop's; the marketplace never hears of a
case; no personal text leaves; each shop's decisions arrive in log order with the standing after
each; a failing one holds back its shop only; redelivery and the events filter work as for cases."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.values import Actor, Role, SanctionKind, ViolationKind
from complaints.domain.webhook import SHOP_EVENT_TYPES
from complaints.projections.read_models import ReadModels
from complaints.workers.webhooks import WebhookDeliverer
from tests.scenario import (
    CONSUMER,
    OTHER_SELLER,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)
from tests.webhook_receiver import Received, Receiver

MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")
REPORT = "The listing shows a brand the shop never stocked; my name is Lin Wei."
ANSWER = "We stock it through the official distributor; call 139-0000-1111."


@pytest.fixture
def models(stored_app: ComplaintsApp) -> Iterator[ReadModels]:
    stored_app.settings = dataclasses.replace(
        stored_app.settings,
        webhook_allow_private=True,
        webhook_retry_base=timedelta(seconds=10),
        webhook_timeout_seconds=5.0,
    )
    read_models = ReadModels(stored_app)
    yield read_models
    read_models.close()


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    made = {name: Receiver() for name in ("acme", "globex", "marketplace")}
    yield made
    for receiver in made.values():
        receiver.close()


def hooked(world: Scenario, receivers: dict[str, Receiver], **kw: Any) -> dict[str, Any]:
    """acme's endpoint, globex's, and the marketplace's, each with its secret."""
    app = world.app
    world.seller("acme")
    world.seller("globex")
    endpoints = {
        "acme": app.register_webhook(SELLER, "acme", receivers["acme"].url),
        "globex": app.register_webhook(OTHER_SELLER, "globex", receivers["globex"].url),
        "marketplace": app.register_marketplace_webhook(
            MARKETPLACE, receivers["marketplace"].url, **kw
        ),
    }
    for name, endpoint in endpoints.items():
        receivers[name].secret = endpoint.secret.reveal()
    return endpoints


def deliver(app: ComplaintsApp, models: ReadModels, passes: int = 1) -> None:
    deliverer = WebhookDeliverer(app, models, random_=lambda: 1.0)
    try:
        for _ in range(passes):
            models.catch_up()
            deliverer.run_once()
    finally:
        deliverer.pool.shutdown()
        deliverer.close_clients()


def decisions(receiver: Receiver) -> list[Received]:
    return [r for r in receiver.first_of_each() if r.payload["type"] in SHOP_EVENT_TYPES]


def every_decision(world: Scenario) -> None:
    """acme's whole history of decisions: each told type at least once."""
    app = world.app
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")  # s1
    app.appeal_sanction(SELLER, "acme", "s1", "Our replies were late because of a holiday.")
    app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", True, "The holiday was notified.")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.FINE, "Repeated.", fine=cny("30"))  # s2
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Fakes.")  # s3
    world.clock.advance(timedelta(days=30))
    app.expire_sanction(Actor(Role.SYSTEM, "platform"), "acme", "s3")
    answered = app.report_violation(CONSUMER, "acme", ViolationKind.OTHER, REPORT)
    app.respond_to_violation(SELLER, answered.id, ANSWER)
    world.confirm_violation(answered.id)
    dismissed = app.report_violation(CONSUMER, "acme", ViolationKind.OTHER, REPORT)
    app.dismiss_violation(SUPERVISOR, dismissed.id, "Not a breach of the rules.")


def test_each_decision_reaches_the_shop_and_the_marketplace_and_no_other_shop(
    stored_world: Scenario, models: ReadModels, receivers: dict[str, Receiver]
) -> None:
    hooked(stored_world, receivers)
    every_decision(stored_world)
    complaint = stored_world.negotiating()  # a case against acme: for acme's endpoint only
    deliver(stored_world.app, models, passes=2)

    told = decisions(receivers["marketplace"])
    assert {r.payload["type"] for r in told} == SHOP_EVENT_TYPES
    assert {r.payload["data"]["shopId"] for r in told} == {"acme"}
    assert receivers["marketplace"].received == told  # never a case's entry, each once
    own = decisions(receivers["acme"])
    assert [r.position for r in own] == [r.position for r in told]
    assert {r.payload["type"] for r in receivers["acme"].received} > SHOP_EVENT_TYPES
    assert complaint.reference in {
        r.payload["data"]["complaint"]["reference"]
        for r in receivers["acme"].received
        if r.payload["type"].startswith("complaint.")
    }
    assert receivers["globex"].received == []
    for receiver in receivers.values():
        assert receiver.refused == []  # every signature verified
    for r in told:
        assert r.payload["data"]["entry"]["type"] == r.payload["type"]
        assert r.payload["data"]["entry"]["actorId"] is None  # staff identities stay inside
        assert r.headers["webhook-id"].startswith("msg_")
    # No personal text: not the report's description, nor the shop's answer, nor the appeal.
    sent = json.dumps([r.payload for name in receivers for r in receivers[name].received])
    for private in ("Lin Wei", "139-0000-1111", "because of a holiday"):
        assert private not in sent


def test_each_decision_names_its_sanction_or_violation_and_the_standing_after_it(
    stored_world: Scenario, models: ReadModels, receivers: dict[str, Receiver]
) -> None:
    hooked(stored_world, receivers)
    every_decision(stored_world)
    deliver(stored_world.app, models, passes=2)
    told = decisions(receivers["marketplace"])
    positions = [r.position for r in told]
    assert positions == sorted(positions)  # the shop's decisions in log order
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in told:
        by_type.setdefault(r.payload["type"], []).append(r.payload["data"])

    restricted = next(
        d
        for d in by_type["seller.SanctionImposed"]
        if d["sanction"]["kind"] == "TRADING_RESTRICTED"
    )
    assert restricted["sanction"]["id"] == "s3"
    assert restricted["standing"]["canListProducts"] is False
    assert restricted["standing"]["canTakeOrders"] is True
    assert restricted["standing"]["restrictedUntil"] == restricted["sanction"]["until"]
    assert [s["id"] for s in restricted["standing"]["activeSanctions"]] == ["s2", "s3"]
    (expired,) = by_type["seller.SanctionExpired"]
    assert expired["sanction"] == {"id": "s3", "kind": "TRADING_RESTRICTED"}
    assert expired["standing"]["canListProducts"] is True
    assert expired["standing"]["status"] == "OPEN"
    (appeal,) = by_type["seller.SanctionAppealDecided"]
    assert (appeal["sanction"]["id"], appeal["granted"]) == ("s1", True)
    (lift,) = by_type["seller.SanctionLifted"]  # the granted appeal lifted the warning
    assert lift["sanction"] == {"id": "s1", "kind": "WARNING"}
    assert lift["standing"]["activeSanctions"] == []
    (fine,) = by_type["seller.DepositDeducted"]
    assert fine["deposit"]["amount"] == {"amount": "30.00", "currency": "CNY"}
    assert "balanceAfter" not in fine["deposit"]  # the deposit is for the shop and the platform
    own_fine = next(
        r.payload["data"]
        for r in decisions(receivers["acme"])
        if r.payload["type"] == "seller.DepositDeducted"
    )
    assert own_fine["deposit"]["balanceAfter"] == {"amount": "970.00", "currency": "CNY"}
    reports = by_type["violation.Reported"]
    assert {d["violation"]["reportedBy"] for d in reports} == {"CONSUMER"}
    assert all(d["violation"]["id"] for d in reports)  # the API's global id
    (confirmed,) = by_type["violation.Confirmed"]
    (dismissed,) = by_type["violation.Dismissed"]
    assert confirmed["violation"]["status"] == "CONFIRMED"
    assert dismissed["violation"]["status"] == "DISMISSED"
    assert dismissed["reason"] == "Not a breach of the rules."
    assert {d["violation"]["id"] for d in reports} == {
        confirmed["violation"]["id"],
        dismissed["violation"]["id"],
    }


def test_a_failing_decision_holds_back_its_shop_only_then_all_arrive_in_order(
    stored_world: Scenario, models: ReadModels, receivers: dict[str, Receiver]
) -> None:
    app = stored_world.app
    hooked(stored_world, receivers)
    marketplace = receivers["marketplace"]
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    app.sanction_seller(SUPERVISOR, "globex", SanctionKind.WARNING, "Late replies.")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud.")
    app.sanction_seller(SUPERVISOR, "globex", SanctionKind.TRADING_RESTRICTED, "Fakes.")
    marketplace.answer = lambda r: 503 if r.payload["data"]["shopId"] == "acme" else 204
    deliver(app, models, passes=2)
    assert {r.payload["data"]["shopId"] for r in marketplace.received} == {"globex"}
    assert len(marketplace.received) == 2  # globex went on without acme
    marketplace.answer = lambda r: 204
    stored_world.clock.advance(timedelta(seconds=10))
    deliver(app, models)
    acme = [r for r in marketplace.received if r.payload["data"]["shopId"] == "acme"]
    assert [r.payload["data"]["sanction"]["kind"] for r in acme] == ["WARNING", "SHOP_CLOSED"]
    assert [r.position for r in acme] == sorted(r.position for r in acme)
    assert acme[-1].payload["data"]["standing"]["canTakeOrders"] is False


def test_the_marketplace_filters_by_type_and_redelivers_with_the_same_ids(
    stored_world: Scenario, models: ReadModels, receivers: dict[str, Receiver]
) -> None:
    app = stored_world.app
    endpoints = hooked(stored_world, receivers, events=["seller.SanctionImposed"])
    assert endpoints["marketplace"].events == ["seller.SanctionImposed"]
    start = app.recorder.max_notification_id() or 0
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    app.lift_sanction(SUPERVISOR, "acme", SanctionKind.WARNING, "Answered since.")
    app.sanction_seller(SUPERVISOR, "globex", SanctionKind.SHOP_CLOSED, "Fraud.")
    deliver(app, models)
    marketplace = receivers["marketplace"]
    first = list(marketplace.received)
    assert [r.payload["type"] for r in first] == ["seller.SanctionImposed"] * 2
    assert sorted(r.payload["data"]["shopId"] for r in first) == ["acme", "globex"]
    app.redeliver_webhooks(MARKETPLACE, endpoints["marketplace"].id, start)
    deliver(app, models)
    again = marketplace.received[len(first) :]
    assert sorted((r.position, r.webhook_id) for r in again) == sorted(
        (r.position, r.webhook_id) for r in first
    )
    # acme's own endpoint, unfiltered, had the lift too.
    assert "seller.SanctionLifted" in {r.payload["type"] for r in receivers["acme"].received}


def test_a_removed_marketplace_endpoint_hears_nothing_more(
    stored_world: Scenario, models: ReadModels, receivers: dict[str, Receiver]
) -> None:
    app = stored_world.app
    endpoints = hooked(stored_world, receivers)
    app.remove_webhook(MARKETPLACE, endpoints["marketplace"].id)
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    stored_world.file()
    deliver(app, models)
    assert receivers["marketplace"].received == []
    assert [r.payload["type"] for r in decisions(receivers["acme"])] == ["seller.SanctionImposed"]


def test_a_marketplace_endpoint_is_followed_from_its_registration(
    stored_world: Scenario, models: ReadModels, receivers: dict[str, Receiver]
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Before the endpoint.")
    endpoint = app.register_marketplace_webhook(MARKETPLACE, receivers["marketplace"].url)
    receivers["marketplace"].secret = endpoint.secret.reveal()
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "After it.")
    deliver(app, models)
    (told,) = receivers["marketplace"].received
    assert told.payload["data"]["sanction"]["reason"] == "After it."
    assert app.get_webhook(endpoint.id).marketplace
