"""The transparency log's builder, on both stores: every event becomes a leaf once, in the
event log's order, with the contract's leaf text; checkpoints are signed as C2SP says, only when
the tree grew and no oftener than LOG_CHECKPOINT_EVERY; a rival builder appends nothing twice.
Roots are checked against RFC 9162's tree hash written out independently (tests/store/rfc9162)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from complaints.audit import audited_history
from complaints.projections.read_models import ReadModels
from complaints.projections.transparency import log_signer
from complaints.store.notes import Checkpoint, Signer, Verifier
from complaints.workers.transparency import LogBuilder
from tests.scenario import Scenario
from tests.store import rfc9162


@pytest.fixture
def models(stored_world: Scenario) -> Iterator[ReadModels]:
    read_models = ReadModels(stored_world.app)
    yield read_models
    read_models.close()


@pytest.fixture
def signer() -> Signer:
    return Signer.generate("complaints.test")


def builder(
    world: Scenario,
    models: ReadModels,
    signer: Signer,
    *,
    checkpoint_every: float | None = None,
    poll: float = 1.0,
) -> LogBuilder:
    return LogBuilder(world.app, models.log, signer, checkpoint_every=checkpoint_every, poll=poll)


def test_every_event_becomes_one_leaf_in_the_event_logs_order(
    stored_world: Scenario, models: ReadModels, signer: Signer
) -> None:
    case = stored_world.closed()
    other = stored_world.file()
    log = builder(stored_world, models, signer)
    notifications = stored_world.app.recorder.select_notifications(start=1, limit=10_000)
    assert log.catch_up() == len(notifications)
    leaves = models.log.leaves(0, len(notifications) + 5)
    assert [leaf.position for leaf in leaves] == [n.id for n in notifications]
    assert [leaf.index for leaf in leaves] == list(range(len(notifications)))
    _, history = audited_history(stored_world.app, case.id)
    by_version = models.log.leaves_of(case.id)
    assert [by_version[e.version].text for e in history] == [
        f"{case.id}:{e.version}:{e.hash}" for e in history
    ]
    assert other.id in {leaf.aggregate_id for leaf in leaves}
    texts = [leaf.text.encode() for leaf in leaves]
    assert models.log.root(len(texts)) == rfc9162.mth(texts)
    assert log.catch_up() == 0, "nothing is appended twice"


def test_a_rival_builder_appends_nothing_twice(
    stored_world: Scenario, models: ReadModels, signer: Signer
) -> None:
    stored_world.closed()
    first, second = builder(stored_world, models, signer), builder(stored_world, models, signer)
    stale = models.log.state()
    assert first.step() > 0
    second._state = stale  # it read the state before the first one moved it
    assert second.step() == 0
    assert second.catch_up() == 0, "it reads the state afresh and finds nothing new"
    size = models.log.state().size
    assert size == len(stored_world.app.recorder.select_notifications(start=1, limit=10_000))
    leaves = models.log.leaves(0, size)
    assert models.log.root(size) == rfc9162.mth([leaf.text.encode() for leaf in leaves])


def test_checkpoints_are_signed_notes_only_when_the_tree_grew(
    stored_world: Scenario, models: ReadModels, signer: Signer
) -> None:
    stored_world.file()
    log = builder(stored_world, models, signer, checkpoint_every=10.0)
    log.catch_up()
    now = datetime.now(UTC)
    first = log.checkpoint(now)
    assert first is not None
    size = models.log.state().size
    text = Verifier.parse(signer.verifier_key).open(first.note)
    assert Checkpoint.parse(text) == Checkpoint(
        "complaints.localhost/log", size, first.checkpoint.root_hash
    )
    leaves = models.log.leaves(0, size)
    assert first.checkpoint.root_hash == rfc9162.mth([leaf.text.encode() for leaf in leaves])
    assert log.checkpoint(now + timedelta(seconds=60)) is None, "the tree did not grow"
    stored_world.file()
    log.catch_up()
    assert log.checkpoint(now + timedelta(seconds=5)) is None, "too soon"
    second = log.checkpoint(now + timedelta(seconds=11))
    assert second is not None
    assert second.tree_size > size
    assert models.log.checkpoint(size) == first
    assert models.log.latest_checkpoint() == second


def test_the_running_builder_follows_saves_and_signs(
    stored_world: Scenario, models: ReadModels, signer: Signer
) -> None:
    log = builder(stored_world, models, signer, checkpoint_every=0.05, poll=0.2)
    log.start()
    try:
        stored_world.file()
        head = models.head()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            latest = models.log.latest_checkpoint()
            if latest is not None and latest.tree_size == head:
                break
            time.sleep(0.02)
        assert models.log.lag(head) == 0
        latest = models.log.latest_checkpoint()
        assert latest is not None
        assert latest.tree_size == head
    finally:
        log.stop()


def test_development_signs_with_the_key_kept_beside_the_database(stored_world: Scenario) -> None:
    settings = stored_world.app.settings
    signer = log_signer(settings)
    assert signer.name == "complaints.localhost"
    assert log_signer(settings).verifier_key == signer.verifier_key
