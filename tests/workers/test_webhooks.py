"""The webhook deliverer, against a real receiver on loopback that verifies each signature with
the standardwebhooks library: what is sent, to whom, in which order, and what happens when the
receiver fails, stays down, redirects, or its name starts resolving somewhere it should not."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.access import Audience
from complaints.domain.errors import ValidationFailed
from complaints.domain.values import Attachment, Category, Visibility
from complaints.domain.webhook import WebhookEndpoint
from complaints.projections.read_models import ReadModels
from complaints.workers.webhooks import WebhookDeliverer
from tests.scenario import (
    AGENT,
    CONSUMER,
    DESCRIPTION,
    MEDIATOR,
    PARTIAL,
    SELLER,
    SUPERVISOR,
    Scenario,
)
from tests.webhook_receiver import Received, Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


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


def register(app: ComplaintsApp, receiver: Receiver, **kw: Any) -> WebhookEndpoint:
    endpoint = app.register_webhook(kw.pop("actor", SELLER), "acme", receiver.url, **kw)
    receiver.secret = endpoint.secret.reveal()
    return endpoint


def deliver(app: ComplaintsApp, models: ReadModels, passes: int = 1) -> WebhookDeliverer:
    deliverer = WebhookDeliverer(app, models, random_=lambda: 1.0)
    try:
        for _ in range(passes):
            models.catch_up()
            deliverer.run_once()
    finally:
        deliverer.pool.shutdown()
        deliverer.close_clients()
    return deliverer


def owed_positions(
    models: ReadModels, after: int, complaint_id: UUID | None = None, shop_id: str = "acme"
) -> list[int]:
    """Every timeline entry after `after` that the shop's staff may see (of one case)."""
    models.catch_up()
    return [
        row.position
        for row in models.timeline.rows_after(after, 10_000)
        if row.shop_id == shop_id
        and row.audience is Audience.PARTIES
        and (complaint_id is None or row.complaint_id == str(complaint_id))
    ]


def in_order_per_case(received: list[Received]) -> None:
    """Cases go side by side; within each, entries arrive in log order."""
    by_case: dict[str, list[int]] = {}
    for r in received:
        by_case.setdefault(r.reference, []).append(r.position)
    for positions in by_case.values():
        assert positions == sorted(positions)


def registration(models: ReadModels, endpoint: WebhookEndpoint) -> int:
    models.catch_up()
    row = models.webhooks.get(endpoint.id)
    assert row is not None
    return row.position


def test_every_entry_the_shop_sees_arrives_signed_in_order_and_no_other(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    early = stored_world.negotiating()  # before registration: not sent
    endpoint = register(app, receiver)
    start = registration(models, endpoint)
    complaint = stored_world.negotiating()
    app.make_offer(SELLER, complaint.id, PARTIAL)
    app.post_message(MEDIATOR, complaint.id, "Internal: check the courier.", Visibility.STAFF)
    app.post_message(SELLER, early.id, "We are looking into it.")
    deliver(app, models)

    expected = owed_positions(models, start)
    assert sorted(r.position for r in receiver.received) == expected
    in_order_per_case(receiver.received)
    assert receiver.refused == []
    types = [r.type for r in receiver.received]
    assert "Filed" in types
    assert "OfferMade" in types
    assert "MessagePosted" in types  # the seller's own message on the early case
    internal = [r for r in receiver.received if "courier" in str(r.payload)]
    assert internal == []  # staff-only entries never leave the platform
    first = next(r for r in receiver.received if r.type == "Filed")
    assert first.payload["type"] == "complaint.Filed"
    assert first.reference == complaint.reference
    assert first.payload["data"]["entry"]["text"]  # the narrative, as the seller reads it
    assert first.payload["data"]["entry"]["actorId"] is None  # the consumer's id is not shown
    assert first.headers["webhook-id"].startswith("msg_")
    assert first.headers["user-agent"].startswith("complaints-webhooks/")

    page = models.deliveries.page(endpoint.id, 100, None)
    assert [d.position for d in page.items] == sorted(expected, reverse=True)
    assert {(d.shown_status, d.attempts, d.last_status_code) for d in page.items} == {
        ("DELIVERED", 1, 204)
    }


def test_another_shops_endpoint_hears_nothing_of_this_shop(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    stored_world.seller("globex")
    other = Receiver()
    try:
        endpoint = app.register_webhook(SUPERVISOR, "globex", other.url)  # platform staff may too
        other.secret = endpoint.secret.reveal()
        register(app, receiver)
        complaint = stored_world.negotiating()  # against acme
        app.make_offer(SELLER, complaint.id, PARTIAL)
        deliver(app, models)
        assert receiver.received
        assert other.received == []
        assert other.refused == []
    finally:
        other.close()


def test_the_events_filter_sends_only_those_types(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    register(app, receiver, events=["Filed", "OfferMade"])
    complaint = stored_world.negotiating()
    app.make_offer(SELLER, complaint.id, PARTIAL)
    deliver(app, models)
    # Accepting the case puts the consumer's request on the table as the first offer.
    assert [r.type for r in receiver.received] == ["Filed", "OfferMade", "OfferMade"]


def test_evidence_added_when_resubmitting_reads_as_added(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    register(app, receiver, events=["EvidenceSubmitted"])
    complaint = stored_world.awaiting_info()
    photo = stored_world.upload(CONSUMER)
    app.resubmit_complaint(
        CONSUMER,
        complaint.id,
        "Here are the photos of the crushed box.",
        [Attachment(photo, "photo", "The crushed corner")],
    )
    deliver(app, models)
    (added,) = receiver.received
    entry = added.payload["data"]["entry"]
    assert added.payload["type"] == "complaint.EvidenceSubmitted"
    assert entry["summary"] == "The consumer added evidence: photo."
    assert (entry["details"]["requestId"], entry["details"]["sha256"]) == (None, photo)
    assert entry["text"] == "The crushed corner"


def test_a_failing_delivery_holds_back_its_case_only_then_all_arrive_in_order(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    endpoint = register(app, receiver)
    start = registration(models, endpoint)
    stuck = stored_world.negotiating()
    flowing = stored_world.negotiating()
    app.make_offer(SELLER, stuck.id, PARTIAL)
    app.make_offer(SELLER, flowing.id, PARTIAL)
    receiver.answer = lambda r: 503 if r.reference == stuck.reference else 204
    deliver(app, models, passes=2)
    assert {r.reference for r in receiver.received} == {flowing.reference}
    pending = [
        d
        for d in models.deliveries.page(endpoint.id, 100, None).items
        if d.complaint_id == stuck.id
    ]
    attempted = [d for d in pending if d.attempts]
    assert len(attempted) == 1  # only the oldest of the stuck case was tried
    assert attempted[0].shown_status == "RETRYING"
    assert attempted[0].last_status_code == 503
    assert attempted[0].next_attempt_at == stored_world.clock.now() + timedelta(seconds=10)
    deliver(app, models)  # not yet time to retry
    assert attempted[0].position not in {r.position for r in receiver.received}

    receiver.answer = lambda r: 204
    stored_world.clock.advance(timedelta(seconds=10))
    deliver(app, models)
    case = [r.position for r in receiver.received if r.reference == stuck.reference]
    assert (
        case
        == sorted(case)
        == owed_positions(models, start)[:0]
        + [p for p in owed_positions(models, start) if p in set(case)]
    )
    assert len(case) == len(pending)
    log = models.deliveries.attempts(endpoint.id, attempted[0].position)
    assert [(a.attempt, a.status_code) for a in log] == [(1, 503), (2, 204)]


def test_retries_back_off_and_an_endpoint_down_too_long_is_disabled_then_redelivered(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    app.settings = dataclasses.replace(app.settings, webhook_retry_for=timedelta(minutes=5))
    endpoint = register(app, receiver)
    start = registration(models, endpoint)
    receiver.answer = lambda r: 500
    stored_world.negotiating()
    delays = []
    for _ in range(6):
        deliver(app, models)
        models.catch_up()
        row = models.webhooks.get(endpoint.id)
        assert row is not None
        if not row.active:
            break
        nxt = app.clock.now()
        pending = [d for d in models.deliveries.page(endpoint.id, 100, None).items if d.attempts]
        assert len(pending) == 1
        assert pending[0].next_attempt_at is not None
        delays.append((pending[0].next_attempt_at - nxt).total_seconds())
        stored_world.clock.advance(pending[0].next_attempt_at - nxt)
    assert delays[:4] == [10, 20, 40, 80]  # doubling (the jitter is fixed at 1 here)
    row = models.webhooks.get(endpoint.id)
    assert row is not None
    assert row.status == "DISABLED"
    assert row.disabled_reason
    assert "0:05:00" in row.disabled_reason
    history = app.recorder.select_events(endpoint.id)
    assert [s.topic.rsplit(".", 1)[-1] for s in history][-1] == "Disabled"
    assert {d.shown_status for d in models.deliveries.page(endpoint.id, 100, None).items} == {
        "FAILED"
    }
    assert receiver.received == []

    # The shop's system is back: it asks for everything since its registration.
    receiver.answer = lambda r: 204
    app.redeliver_webhooks(SELLER, endpoint.id, start)
    deliver(app, models)
    assert sorted(r.position for r in receiver.received) == owed_positions(models, start)
    in_order_per_case(receiver.received)


def test_redelivery_sends_again_with_the_same_webhook_ids(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    endpoint = register(app, receiver)
    stored_world.negotiating()
    deliver(app, models)
    first = list(receiver.received)
    assert len(first) >= 3
    first.sort(key=lambda r: r.position)
    app.redeliver_webhooks(SELLER, endpoint.id, first[1].position)
    deliver(app, models)
    again = receiver.received[len(first) :]
    assert sorted((r.position, r.webhook_id) for r in again) == sorted(
        (r.position, r.webhook_id) for r in first if r.position > first[1].position
    )


def test_a_redirect_is_not_followed_and_the_answer_is_kept_to_one_kib(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    endpoint = register(app, receiver)
    receiver.answer = lambda r: 302
    receiver.body = b"x" * 5000
    stored_world.file()
    deliver(app, models)
    tried = [d for d in models.deliveries.page(endpoint.id, 100, None).items if d.attempts]
    assert [(d.last_status_code, d.shown_status) for d in tried] == [(302, "RETRYING")]
    (attempt,) = models.deliveries.attempts(endpoint.id, tried[0].position)
    assert attempt.response is not None
    assert len(attempt.response) == 1024
    assert attempt.error == "the endpoint answered 302"


def test_a_name_that_starts_resolving_to_a_private_address_is_refused_at_delivery(
    stored_world: Scenario,
    models: ReadModels,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name was public when registered; it points inside now."""
    app = stored_world.app
    stored_world.seller("acme")
    real = socket.getaddrinfo
    answer = {"hooks.acme.example": "93.184.216.34"}

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host in answer:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    app.settings = dataclasses.replace(app.settings, webhook_allow_private=False)
    url = f"http://hooks.acme.example:{receiver.port}/hook"
    endpoint = app.register_webhook(SELLER, "acme", url)
    answer["hooks.acme.example"] = "127.0.0.1"
    stored_world.file()
    deliver(app, models)
    tried = [d for d in models.deliveries.page(endpoint.id, 100, None).items if d.attempts]
    assert len(tried) == 1
    assert tried[0].last_status_code is None
    assert tried[0].last_error == (
        "refused: hooks.acme.example resolves to an address that is not public"
    )
    assert receiver.received == []
    assert receiver.refused == []


def test_a_removed_endpoint_receives_nothing_more(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    endpoint = register(app, receiver)
    complaint = stored_world.file()
    deliver(app, models)
    count = len(receiver.received)
    app.remove_webhook(SELLER, endpoint.id)
    app.accept_complaint(AGENT, complaint.id)
    app.post_message(CONSUMER, complaint.id, "Any news?")
    deliver(app, models)
    assert len(receiver.received) == count


def test_an_entry_left_failed_does_not_hold_back_a_redelivery_after_it(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    app.settings = dataclasses.replace(app.settings, webhook_retry_for=timedelta(seconds=5))
    endpoint = register(app, receiver)
    start = registration(models, endpoint)
    receiver.answer = lambda r: 500
    complaint = stored_world.negotiating()
    deliver(app, models)
    stored_world.clock.advance(timedelta(seconds=10))
    deliver(app, models)  # fails again, 10 s after the first failure: disabled
    models.catch_up()
    row = models.webhooks.get(endpoint.id)
    assert row is not None
    assert row.status == "DISABLED"

    owed = owed_positions(models, start, complaint.id)
    receiver.answer = lambda r: 204
    app.redeliver_webhooks(SELLER, endpoint.id, owed[0])  # all but the first, which stays FAILED
    deliver(app, models)
    assert [r.position for r in receiver.received] == owed[1:]
    statuses = {
        d.position: d.shown_status for d in models.deliveries.page(endpoint.id, 100, None).items
    }
    assert statuses[owed[0]] == "FAILED"


def test_a_case_held_back_does_not_make_the_deliverer_spin(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    """Entries waiting behind a failed one are not due; the next attempt is the retry's."""
    app = stored_world.app
    stored_world.seller("acme")
    endpoint = register(app, receiver)
    receiver.answer = lambda r: 503
    stored_world.negotiating()  # several entries of one case
    deliver(app, models)
    retry_at = app.clock.now() + timedelta(seconds=10)
    assert models.deliveries.next_attempt([endpoint.id]) == retry_at
    assert models.deliveries.due([endpoint.id], app.clock.now(), 100) == []


@pytest.mark.serial  # times a delivery round against the slow receiver's 4 s, with 0.5 s to spare
def test_a_slow_receiver_holds_back_only_its_own_deliveries(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    """A receiver that trickles its answer a byte at a time, each within the read timeout,
    keeps its delivery in flight; another shop's deliveries go on meanwhile, and the slow one
    is recorded when its answer is complete."""
    app = stored_world.app
    app.settings = dataclasses.replace(app.settings, webhook_timeout_seconds=1.0)
    stored_world.seller("acme")
    stored_world.seller("globex")
    slow = Trickling()
    try:
        slow_endpoint = app.register_webhook(SUPERVISOR, "globex", slow.url)
        register(app, receiver)
        slow_order = stored_world.order("order-slow", shop="globex")
        app.file_complaint(CONSUMER, "globex", slow_order, Category.DAMAGED, DESCRIPTION, PARTIAL)
        complaint = stored_world.file()  # against acme
        deliverer = WebhookDeliverer(app, models, random_=lambda: 1.0)
        try:
            models.catch_up()
            started = time.monotonic()
            deliverer.run_once()
            assert time.monotonic() - started < 3.5  # not held for the slow one's 4 s
            assert complaint.reference in {r.reference for r in receiver.received}
            busy = {d.position for d in models.deliveries.page(slow_endpoint.id, 10, None).items}
            assert busy
            deadline = time.monotonic() + 10
            while not models.deliveries.page(slow_endpoint.id, 10, None).items[-1].attempts:
                assert time.monotonic() < deadline, "the slow answer was never recorded"
                time.sleep(0.1)
            first = models.deliveries.page(slow_endpoint.id, 10, None).items[-1]
            assert (first.shown_status, first.last_status_code) == ("DELIVERED", 204)
        finally:
            deliverer.pool.shutdown()
            deliverer.close_clients()
    finally:
        slow.close()


class Trickling:
    """A receiver that sends its answer one byte every 0.5 s (4 s in all)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
                for i in range(0, len(answer), len(answer) // 8 + 1):
                    self.wfile.write(answer[i : i + len(answer) // 8 + 1])
                    self.wfile.flush()
                    time.sleep(0.5)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_with_no_endpoint_a_pass_reads_the_endpoint_list_and_nothing_else(
    stored_world: Scenario, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deliverer wakes after every batch any writer commits; with nobody to deliver to,
    a pass costs one read of the endpoints (it used to open an empty transaction and read
    the list three times)."""
    stored_world.negotiating()
    models.catch_up()
    reads: list[str] = []

    def counted(name: str) -> Any:
        opened = getattr(models.db, name)

        def opening() -> Any:
            reads.append(name)
            return opened()

        return opening

    for name in ("read", "transaction"):
        monkeypatch.setattr(models.db, name, counted(name))
    deliverer = WebhookDeliverer(stored_world.app, models, random_=lambda: 1.0)
    try:
        done = deliverer.run_once()
        assert (done.owed, done.delivered, done.failed) == (0, 0, 0)
        assert reads == ["read"]  # the endpoint list
        assert deliverer._sleep() == deliverer.poll
        assert reads == ["read"]  # nothing falls due for nobody
    finally:
        deliverer.pool.shutdown()
        deliverer.close_clients()


def test_with_no_endpoint_the_deliverer_looks_once_a_poll_and_then_delivers_to_a_new_one(
    stored_world: Scenario, models: ReadModels, receiver: Receiver
) -> None:
    """Batches wake a deliverer with endpoints to serve; one with none looks once a poll,
    and an endpoint registered meanwhile is owed everything after its registration."""
    app = stored_world.app
    deliverer = WebhookDeliverer(app, models, poll=0.5, random_=lambda: 1.0)
    passes: list[float] = []
    run_once = deliverer.run_once

    def counted() -> Any:
        passes.append(time.monotonic())
        return run_once()

    deliverer.run_once = counted  # type: ignore[method-assign]
    deliverer.start()
    try:
        deadline = time.monotonic() + 5
        while not passes:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        began = time.monotonic()
        for _ in range(10):
            stored_world.file()  # each save pulses the timeline in this process
        models.catch_up()
        elapsed = time.monotonic() - began
        assert len(passes) <= 2 + elapsed / 0.5  # not one per batch
        register(app, receiver)
        complaint = stored_world.file()
        deadline = time.monotonic() + 10
        while complaint.reference not in {r.reference for r in receiver.received}:
            assert time.monotonic() < deadline, "the new endpoint got nothing"
            time.sleep(0.05)
    finally:
        deliverer.stop()


@pytest.mark.parametrize(
    ("locale", "offered"),
    [
        (None, "The seller offered partial refund of 80.00 CNY"),
        ("zh-Hans", "卖家提出了部分退款 80.00 CNY"),
        ("zh-Hant", "賣家提出了部分退款 80.00 CNY"),
    ],
)
def test_an_endpoint_is_sent_its_summaries_in_its_language_and_the_parties_words_as_written(
    stored_world: Scenario,
    models: ReadModels,
    receiver: Receiver,
    locale: str | None,
    offered: str,
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    endpoint = register(app, receiver, locale=locale)
    assert endpoint.locale == (locale or "en")
    complaint = stored_world.negotiating()
    app.make_offer(SELLER, complaint.id, PARTIAL, "Sorry about the scratch.")
    deliver(app, models)

    offer = [r for r in receiver.received if r.type == "OfferMade"][-1]  # the seller's
    assert offer.payload["data"]["entry"]["summary"].startswith(offered)
    assert offer.payload["data"]["entry"]["text"] == "Sorry about the scratch."
    row = models.webhooks.get(endpoint.id)
    assert row is not None
    assert row.locale == (locale or "en")


def test_an_endpoint_in_a_language_the_platform_does_not_speak_is_refused(
    stored_world: Scenario, receiver: Receiver
) -> None:
    app = stored_world.app
    stored_world.seller("acme")
    before = app.recorder.max_notification_id()
    with pytest.raises(ValidationFailed) as refused:
        register(app, receiver, locale="fr")
    assert ("locale", "must be one of en, zh-Hans, zh-Hant") in [
        (f.field, f.message) for f in refused.value.fields
    ]
    assert app.recorder.max_notification_id() == before
