"""The application: idempotency keys, bounded retries, replay and state as of any moment."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from eventsourcing.popo import POPOApplicationRecorder

from complaints.application import Changes, ComplaintsApp
from complaints.domain.complaint import Complaint
from complaints.domain.errors import (
    ComplaintNotFound,
    ConcurrentUpdate,
    IdempotencyKeyReused,
    ValidationFailed,
)
from complaints.domain.seller import Seller
from complaints.domain.values import Category, Status
from complaints.settings import Settings
from tests.scenario import (
    AGENT,
    CONSUMER,
    DESCRIPTION,
    OTHER_CONSUMER,
    PARTIAL,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)


def file_with_key(world: Scenario, key: str, description: str = DESCRIPTION) -> Complaint:
    world.seller()
    order_id = world.order("order-1")
    return world.app.file_complaint(
        CONSUMER, "acme", order_id, Category.DAMAGED, description, REFUND, idempotency_key=key
    )


class TestIdempotency:
    def test_the_same_key_and_input_returns_the_first_result_and_changes_nothing(
        self, world: Scenario
    ) -> None:
        first = file_with_key(world, "file-1")
        head = world.app.recorder.max_notification_id()
        again = file_with_key(world, "file-1")
        assert (again.id, again.version) == (first.id, first.version)
        assert world.app.recorder.max_notification_id() == head

    def test_a_retried_refund_never_pays_twice(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        first = world.app.confirm_refund(SELLER, complaint.id, idempotency_key="refund-1")
        again = world.app.confirm_refund(SELLER, complaint.id, idempotency_key="refund-1")
        assert (again.id, again.version) == (first.id, first.version)
        assert again.status is Status.FULFILLING  # the consumer has yet to confirm it arrived
        assert (
            sum(type(e).__name__ == "RefundConfirmed" for e in world.app.history(complaint.id)) == 1
        )

    def test_the_replay_is_the_result_as_it_was_then(self, world: Scenario) -> None:
        complaint = world.negotiating()
        offered = world.app.make_offer(SELLER, complaint.id, PARTIAL, idempotency_key="offer-1")
        world.app.post_message(CONSUMER, complaint.id, "Let me think about it.")
        replayed = world.app.make_offer(SELLER, complaint.id, PARTIAL, idempotency_key="offer-1")
        assert replayed.version == offered.version
        assert replayed.messages_posted == 0

    def test_the_same_key_with_different_input_is_refused(self, world: Scenario) -> None:
        file_with_key(world, "file-1")
        with pytest.raises(IdempotencyKeyReused):
            file_with_key(world, "file-1", description="A different story about the vase.")

    def test_keys_belong_to_one_principal(self, world: Scenario) -> None:
        world.seller()
        mine = file_with_key(world, "same-key")
        theirs = world.app.file_complaint(
            OTHER_CONSUMER,
            "acme",
            world.order("order-2", consumer=OTHER_CONSUMER),
            Category.DAMAGED,
            DESCRIPTION,
            REFUND,
            idempotency_key="same-key",
        )
        assert theirs.id != mine.id

    @pytest.mark.parametrize("key", ["", "has space", "x" * 201, "tab\there"])
    def test_a_malformed_key_is_refused(self, world: Scenario, key: str) -> None:
        with pytest.raises(ValidationFailed) as refused:
            file_with_key(world, key)
        assert refused.value.fields[0].field == "idempotency_key"

    def test_a_refused_command_records_no_key(self, world: Scenario) -> None:
        world.seller()
        with pytest.raises(ValidationFailed):
            world.app.file_complaint(
                CONSUMER,
                "acme",
                "order-1",
                Category.DAMAGED,
                "short",
                REFUND,
                idempotency_key="k-9",
            )
        complaint = file_with_key(world, "k-9")
        assert complaint.status is Status.SUBMITTED


class TestRetries:
    def test_a_conflict_that_never_clears_becomes_a_conflict_error(self, world: Scenario) -> None:
        world.seller("acme")
        attempts = []

        def clashing() -> Changes[Seller]:
            attempts.append(1)
            # The same natural id as the seller already stored: every save collides.
            return Changes(
                Seller(
                    shop_id="acme",
                    name="Dup",
                    deposit=cny("1"),
                    actor=SUPERVISOR,
                    timestamp=world.clock.now(),
                )
            )

        with pytest.raises(ConcurrentUpdate):
            world.app.execute("register_seller", SUPERVISOR, None, {}, clashing)
        assert len(attempts) == world.app.settings.command_retries + 1

    def test_a_colliding_reference_is_drawn_again(
        self, world: Scenario, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first = world.file()
        references = iter([first.reference, "C-2026-NEWREF00"])
        monkeypatch.setattr(
            "complaints.application.complaint.intake.new_reference", lambda now: next(references)
        )
        second = world.file()
        assert second.reference == "C-2026-NEWREF00"


class TestReading:
    def test_an_unknown_complaint_is_not_found(self, world: Scenario) -> None:
        with pytest.raises(ComplaintNotFound):
            world.app.get_complaint(uuid4())

    def test_a_seller_id_is_not_a_complaint(self, world: Scenario) -> None:
        seller = world.seller()
        with pytest.raises(ComplaintNotFound):
            world.app.get_complaint(seller.id)

    def test_the_history_names_who_did_what_and_when(self, world: Scenario) -> None:
        complaint = world.file()
        world.clock.advance(timedelta(hours=2))
        world.app.accept_complaint(AGENT, complaint.id)
        history = world.app.history(complaint.id)
        assert [type(e).__name__ for e in history[:3]] == ["Filed", "DeadlineSet", "Accepted"]
        assert [e.originator_version for e in history] == list(range(1, len(history) + 1))
        assert history[0].actor == CONSUMER  # type: ignore[attr-defined]
        assert history[2].actor == AGENT  # type: ignore[attr-defined]
        assert history[2].timestamp - history[0].timestamp == timedelta(hours=2)


class TestAsOf:
    def test_a_complaint_as_it_stood_at_each_version(self, world: Scenario) -> None:
        complaint = world.closed()
        history = world.app.history(complaint.id)
        replayed = None
        for event in history:
            replayed = event.mutate(replayed)
            as_of = world.app.complaint_as_of(complaint.id, version=event.originator_version)
            assert as_of.__dict__ == replayed.__dict__

    def test_a_complaint_as_it_stood_at_a_moment(self, world: Scenario) -> None:
        complaint = world.file()
        filed_at = world.clock.now()
        world.clock.advance(timedelta(days=1))
        world.app.accept_complaint(AGENT, complaint.id)
        then = world.app.complaint_as_of(complaint.id, at=filed_at + timedelta(hours=1))
        assert then.status is Status.SUBMITTED
        now = world.app.complaint_as_of(complaint.id, at=world.clock.now())
        assert now.status is Status.NEGOTIATING

    def test_before_filing_there_was_no_complaint(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ComplaintNotFound):
            world.app.complaint_as_of(complaint.id, at=world.clock.now() - timedelta(seconds=1))

    @pytest.mark.parametrize("version", [0, 99])
    def test_a_version_outside_the_history_is_refused(self, world: Scenario, version: int) -> None:
        complaint = world.file()
        with pytest.raises(ValidationFailed):
            world.app.complaint_as_of(complaint.id, version=version)

    def test_a_moment_needs_a_time_zone(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ValidationFailed):
            world.app.complaint_as_of(complaint.id, at=world.clock.now().replace(tzinfo=None))


def test_the_application_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings is the one place that reads the environment; stray variables change nothing."""
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("SQLITE_DBNAME", "/nonexistent/dir/x.db")
    app = ComplaintsApp(Settings(database_url="memory://"))
    assert isinstance(app.recorder, POPOApplicationRecorder)
    app.close()
