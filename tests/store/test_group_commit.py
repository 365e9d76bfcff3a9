"""Group commit: concurrent saves share a transaction, a conflict fails only its own save, and
the log keeps its order and its hash chains."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from complaints.application import ComplaintsApp
from complaints.domain.values import Actor, Category, Money, Remedy, RemedyType, Role
from complaints.settings import Settings
from complaints.store.group_commit import GroupCommit, GroupCommitPostgresRecorder, Outcome
from complaints.store.hash_chain import HashedPostgresRecorder, verify
from tests.scenario import record_order

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
AGENT = Actor(Role.AGENT, "agent-1")
REFUND = Remedy(RemedyType.REFUND, Money(Decimal("99.00"), "CNY"))


def stored(originator_id: uuid.UUID, version: int) -> StoredEvent:
    return StoredEvent(originator_id, version, "tests:Thing.Happened", b'{"n": %d}' % version)


# ---------------------------------------------------------------- the combiner alone


def test_saves_that_arrive_during_a_commit_go_in_together() -> None:
    def commit(batch: list[Sequence[StoredEvent]]) -> list[Outcome]:
        time.sleep(0.01)
        return [[e.originator_version for e in events] for events in batch]

    group = GroupCommit(commit)
    results: dict[int, Sequence[int]] = {}

    def save(n: int) -> None:
        results[n] = group.submit([stored(uuid.uuid4(), n)])

    threads = [threading.Thread(target=save, args=(n,)) for n in range(1, 41)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [n] for n in range(1, 41)}  # each save got its own ids back
    assert sum(group.batches) == 40
    assert max(group.batches) > 1
    assert len(group.batches) < 40


def test_a_lone_save_commits_at_once_in_a_batch_of_its_own() -> None:
    group = GroupCommit(lambda batch: [[7] for _ in batch])
    assert group.submit([stored(uuid.uuid4(), 1)]) == [7]
    assert group.submit([stored(uuid.uuid4(), 1)]) == [7]
    assert group.batches == [1, 1]


def test_a_save_refused_in_the_batch_raises_and_the_others_do_not() -> None:
    gate = threading.Event()

    def commit(batch: list[Sequence[StoredEvent]]) -> list[Outcome]:
        gate.wait(5)
        return [
            IntegrityError("conflict") if events[0].originator_version == 13 else [1]
            for events in batch
        ]

    group = GroupCommit(commit)
    outcomes: dict[int, str] = {}

    def save(n: int) -> None:
        try:
            group.submit([stored(uuid.uuid4(), n)])
            outcomes[n] = "saved"
        except IntegrityError:
            outcomes[n] = "conflict"

    threads = [threading.Thread(target=save, args=(n,)) for n in (1, 12, 13, 14)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # the first leads; the rest queue behind it
    gate.set()
    for thread in threads:
        thread.join()
    assert outcomes == {1: "saved", 12: "saved", 13: "conflict", 14: "saved"}


def test_a_failed_commit_fails_every_save_of_its_batch_and_the_next_batch_still_runs() -> None:
    calls = []

    def commit(batch: list[Sequence[StoredEvent]]) -> list[Outcome]:
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("connection lost")
        return [[1] for _ in batch]

    group = GroupCommit(commit)
    with pytest.raises(RuntimeError, match="connection lost"):
        group.submit([stored(uuid.uuid4(), 1)])
    assert group.submit([stored(uuid.uuid4(), 1)]) == [1]


# ---------------------------------------------------------------- on PostgreSQL


@pytest.fixture
def pg_app(postgres_url: str) -> Iterator[ComplaintsApp]:
    application = ComplaintsApp(Settings(database_url=postgres_url, command_retries=50))
    yield application
    application.close()


@pytest.mark.postgres
def test_group_commit_is_the_default_on_postgres_and_can_be_switched_off(
    postgres_url: str,
) -> None:
    on = ComplaintsApp(Settings(database_url=postgres_url))
    off = ComplaintsApp(Settings(database_url=postgres_url, group_commit=False))
    try:
        assert isinstance(on.recorder, GroupCommitPostgresRecorder)
        assert type(off.recorder) is HashedPostgresRecorder
    finally:
        on.close()
        off.close()


@pytest.mark.postgres
def test_a_conflict_in_a_batch_fails_only_its_own_save(pg_app: ComplaintsApp) -> None:
    recorder = pg_app.recorder
    assert isinstance(recorder, GroupCommitPostgresRecorder)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    recorder.insert_events([stored(b, 1)])
    before = recorder.max_notification_id() or 0

    outcomes = recorder._commit_batch(
        [[stored(a, 1), stored(a, 2)], [stored(b, 1)], [stored(c, 1)], [stored(b, 2)]]
    )

    assert isinstance(outcomes[1], IntegrityError)  # b's version 1 exists already
    saved = [i for o in outcomes if not isinstance(o, BaseException) for i in o]
    assert saved == sorted(saved)
    log = recorder.select_notifications(start=before + 1, limit=10)
    assert [n.id for n in log] == saved  # the ids each save got are where its events are
    assert [(n.originator_id, n.originator_version) for n in log] == [
        (a, 1),
        (a, 2),
        (c, 1),
        (b, 2),
    ]
    for aggregate in (a, b, c):
        checked = verify(recorder.select_events(aggregate), recorder.select_hashes(aggregate))
        assert checked.verified, aggregate


@pytest.mark.postgres
def test_sixteen_writers_share_transactions_and_lose_nothing(pg_app: ComplaintsApp) -> None:
    recorder = pg_app.recorder
    assert isinstance(recorder, GroupCommitPostgresRecorder)
    pg_app.register_seller(SUPERVISOR, "acme", "ACME", Money(Decimal("1000"), "CNY"))
    consumer = Actor(Role.CONSUMER, "u-1")
    shared = pg_app.file_complaint(
        consumer,
        "acme",
        record_order(pg_app, "order-0", consumer=consumer),
        Category.DAMAGED,
        "The lamp arrived broken.",
        REFUND,
    )
    pg_app.accept_complaint(AGENT, shared.id)
    filed: list[tuple[uuid.UUID, int]] = []
    posted = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                if n % 2:
                    complaint = pg_app.file_complaint(
                        consumer,
                        "acme",
                        record_order(pg_app, f"order-{n}-{i}", consumer=consumer),
                        Category.DAMAGED,
                        "The lamp arrived broken.",
                        REFUND,
                    )
                    filed.append((complaint.id, complaint.version))
                else:  # every even writer posts to the one shared case: conflicts
                    posted.append(pg_app.post_message(consumer, shared.id, f"{n}-{i}").version)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert max(recorder.group.batches) > 1  # transactions were shared

    # Every save is there once; the shared case has every message, each at its own version.
    assert len(filed) == 8 * 15
    for complaint_id, version in filed:
        assert pg_app.get_complaint(complaint_id).version == version
    assert len(posted) == len(set(posted)) == 8 * 15  # each message at a version of its own
    messages = [e for e in pg_app.history(shared.id) if type(e).__name__ == "MessagePosted"]
    assert len(messages) == 8 * 15
    # The log holds each save once, in order (ids rolled back with a conflict leave gaps, as
    # any rolled-back insert does), and the chains hold.
    log = recorder.select_notifications(start=1, limit=10_000)
    assert len({(n.originator_id, n.originator_version) for n in log}) == len(log)
    for aggregate in {n.originator_id for n in log}:
        checked = verify(recorder.select_events(aggregate), recorder.select_hashes(aggregate))
        assert checked.verified


@pytest.mark.postgres
def test_a_lone_save_that_conflicts_raises_and_the_connection_keeps_working(
    pg_app: ComplaintsApp,
) -> None:
    recorder = pg_app.recorder
    assert isinstance(recorder, GroupCommitPostgresRecorder)
    taken = uuid.uuid4()
    recorder.insert_events([stored(taken, 1)])
    for _ in range(3):  # more times than the pool has idle connections
        with pytest.raises(IntegrityError):
            recorder.insert_events([stored(taken, 1)])
    fresh = uuid.uuid4()
    assert recorder.insert_events([stored(fresh, 1), stored(fresh, 2)])
    checked = verify(recorder.select_events(fresh), recorder.select_hashes(fresh))
    assert checked.verified
