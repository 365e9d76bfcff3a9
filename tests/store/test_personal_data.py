"""DESIGN §7: personal fields sealed with a key per subject; erasure destroys the key."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaints.domain.errors import ReadOnlyRole, RoleNotAllowed, SubjectNotFound, ValidationFailed
from complaints.domain.values import ERASED, Outcome, PersonalText, Role, Status
from complaints.settings import Store
from complaints.store.personal_data import (
    KeyStore,
    MemoryKeyStore,
    PersonalDataCipher,
    PostgresKeyStore,
    SqliteKeyStore,
    TamperedPersonalData,
)
from tests.scenario import (
    AGENT,
    AUDITOR,
    CONSUMER,
    SELLER,
    SUPERVISOR,
    Scenario,
    posted_messages,
)

SECRET_STORY = "My neighbour Zhang Wei signed for it at 12 Garden Road."


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KeyStore]:
    store: KeyStore
    if request.param == "memory":
        store = MemoryKeyStore()
    elif request.param == "sqlite":
        store = SqliteKeyStore(tmp_path / "keys.db", cache_seconds=0)
    else:
        url = request.getfixturevalue("postgres_url")
        store = PostgresKeyStore(Store.parse(url), cache_seconds=0)
    yield store
    store.close()


class TestKeyStore:
    def test_a_subject_keeps_one_key(self, keys: KeyStore) -> None:
        first = keys.key_for("u-1")
        assert keys.key_for("u-1") == first
        assert keys.key_for("u-2") != first
        assert keys.secret(first.id) == first.secret

    def test_destroying_a_subjects_keys_leaves_the_others(self, keys: KeyStore) -> None:
        mine, theirs = keys.key_for("u-1"), keys.key_for("u-2")
        assert keys.destroy("u-1") == 1
        assert keys.secret(mine.id) is None
        assert not keys.has_keys("u-1")
        assert keys.secret(theirs.id) == theirs.secret

    def test_a_subject_erased_earlier_gets_a_fresh_key_for_new_data(self, keys: KeyStore) -> None:
        old = keys.key_for("u-1")
        keys.destroy("u-1")
        new = keys.key_for("u-1")
        assert new.id != old.id
        assert keys.secret(old.id) is None

    def test_concurrent_first_use_agrees_on_one_key(self, keys: KeyStore) -> None:
        seen = []
        barrier = threading.Barrier(8)

        def use() -> None:
            barrier.wait()
            seen.append(keys.key_for("u-race").id)

        threads = [threading.Thread(target=use) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(seen)) == 1


class TestCipher:
    def test_sealed_text_opens_to_the_same_text(self) -> None:
        cipher = PersonalDataCipher(MemoryKeyStore())
        sealed = cipher.seal(PersonalText("u-1", SECRET_STORY))
        assert SECRET_STORY not in json.dumps(sealed)
        assert cipher.open(sealed) == PersonalText("u-1", SECRET_STORY)

    def test_the_same_text_seals_differently_each_time(self) -> None:
        cipher = PersonalDataCipher(MemoryKeyStore())
        one = cipher.seal(PersonalText("u-1", "same"))
        two = cipher.seal(PersonalText("u-1", "same"))
        assert one["ciphertext"] != two["ciphertext"]

    def test_an_altered_ciphertext_is_detected(self) -> None:
        cipher = PersonalDataCipher(MemoryKeyStore())
        sealed = cipher.seal(PersonalText("u-1", SECRET_STORY))
        raw = bytearray(base64.b64decode(sealed["ciphertext"]))
        raw[0] ^= 1
        sealed["ciphertext"] = base64.b64encode(bytes(raw)).decode()
        with pytest.raises(TamperedPersonalData):
            cipher.open(sealed)

    def test_a_ciphertext_moved_to_another_subject_is_detected(self) -> None:
        cipher = PersonalDataCipher(MemoryKeyStore())
        sealed = cipher.seal(PersonalText("u-1", SECRET_STORY))
        with pytest.raises(TamperedPersonalData):
            cipher.open({**sealed, "subject": "u-2"})

    def test_after_erasure_the_text_opens_as_erased(self) -> None:
        keys = MemoryKeyStore()
        cipher = PersonalDataCipher(keys)
        sealed = cipher.seal(PersonalText("u-1", SECRET_STORY))
        keys.destroy("u-1")
        opened = cipher.open(sealed)
        assert opened.erased
        assert opened.reveal() == ERASED

    def test_personal_text_never_shows_in_a_repr(self) -> None:
        assert SECRET_STORY not in repr(PersonalText("u-1", SECRET_STORY))


class TestErasure:
    def test_erasure_hides_every_personal_field_of_the_subject(self, world: Scenario) -> None:
        complaint = world.file(description=SECRET_STORY)
        world.app.accept_complaint(AGENT, complaint.id)
        world.app.post_message(CONSUMER, complaint.id, "Call me on 138 0000 0000.")
        world.app.post_message(SELLER, complaint.id, "We are checking with the courier.")
        receipt = world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        assert receipt.subject_id == CONSUMER.id
        complaint = world.app.get_complaint(complaint.id)
        assert complaint.description.reveal() == ERASED
        posted = posted_messages(world.app, complaint.id)
        assert posted[0].text.reveal() == ERASED
        assert posted[1].text.reveal() == "We are checking with the courier."

    def test_erasure_keeps_the_case_and_its_figures(self, world: Scenario) -> None:
        complaint = world.closed()
        world.app.rate_handling(CONSUMER, complaint.id, 4, "Good")
        before = world.app.get_complaint(complaint.id)
        world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        after = world.app.get_complaint(complaint.id)
        assert (after.status, after.outcome, after.remedy, after.version) == (
            Status.CLOSED,
            Outcome.SETTLED_BY_AGREEMENT,
            before.remedy,
            before.version,
        )
        assert after.ratings[Role.CONSUMER].score == 4
        assert after.consumer_id == CONSUMER.id

    def test_erasure_reaches_replays_of_the_past(self, world: Scenario) -> None:
        complaint = world.file(description=SECRET_STORY)
        world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        then = world.app.complaint_as_of(complaint.id, version=1)
        assert then.description.erased
        filed = world.app.history(complaint.id)[0]
        assert filed.description.erased  # type: ignore[attr-defined]

    def test_erasure_is_an_event_and_erasing_again_changes_nothing(self, world: Scenario) -> None:
        world.file()
        first = world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        again = world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        assert (again.id, again.version) == (first.id, first.version)
        assert [actor for _, actor in again.erasures] == [SUPERVISOR]

    def test_new_data_after_erasure_can_be_erased_in_turn(self, world: Scenario) -> None:
        world.file()
        world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        complaint = world.file(description="A second, unrelated complaint about a kettle.")
        assert complaint.description.reveal().startswith("A second")
        record = world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        assert len(record.erasures) == 2
        assert world.app.get_complaint(complaint.id).description.erased

    def test_an_unknown_subject_is_not_found(self, world: Scenario) -> None:
        with pytest.raises(SubjectNotFound):
            world.app.erase_subject(SUPERVISOR, "u-nobody")

    def test_only_a_supervisor_erases(self, world: Scenario) -> None:
        world.file()
        with pytest.raises(RoleNotAllowed):
            world.app.erase_subject(AGENT, CONSUMER.id)
        with pytest.raises(ReadOnlyRole):
            world.app.erase_subject(AUDITOR, CONSUMER.id)
        with pytest.raises(RoleNotAllowed):
            world.app.erase_subject(CONSUMER, CONSUMER.id)

    def test_a_malformed_subject_id_is_refused(self, world: Scenario) -> None:
        with pytest.raises(ValidationFailed):
            world.app.erase_subject(SUPERVISOR, "")
