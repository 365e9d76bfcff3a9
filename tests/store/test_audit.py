"""Auditors on the real stores: tampering found at the right version, exports that verify on
their own, as-of state equal to replay, and erasure that leaves no plaintext anywhere."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from complaints.application import ComplaintsApp
from complaints.audit import export_lines
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.values import (
    Actor,
    Attachment,
    Category,
    Role,
    SanctionKind,
    ViolationKind,
)
from complaints.projections.read_models import ReadModels
from complaints.settings import Store
from tests.scenario import (
    ARBITER,
    CONSUMER,
    MEDIATOR,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    png,
)
from tests.store.test_stores import store_bytes, upload_bytes

ROOT = Path(__file__).resolve().parents[2]
OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")


class Tamper:
    """An insider with direct access to the events table."""

    def __init__(self, url: str) -> None:
        self.store = Store.parse(url)

    def _run(self, sql_sqlite: str, sql_pg: str, params: tuple[Any, ...]) -> None:
        if self.store.kind == "sqlite":
            assert self.store.path is not None
            with sqlite3.connect(self.store.path) as conn:
                conn.execute(sql_sqlite, params)
        else:
            with psycopg.connect(self.store.conninfo, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{self.store.schema}"')
                conn.execute(sql_pg, params)

    def _id(self, aggregate: UUID) -> Any:
        return aggregate.hex if self.store.kind == "sqlite" else aggregate

    def update(self, aggregate: UUID, version: int, state: bytes) -> None:
        self._run(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            "UPDATE complaints_events SET state = %s WHERE originator_id = %s"
            " AND originator_version = %s",
            (state, self._id(aggregate), version),
        )

    def delete(self, aggregate: UUID, version: int) -> None:
        self._run(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            "DELETE FROM complaints_events WHERE originator_id = %s AND originator_version = %s",
            (self._id(aggregate), version),
        )

    def insert(self, aggregate: UUID, version: int, topic: str, state: bytes) -> None:
        self._run(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
            " VALUES (?, ?, ?, ?)",
            "INSERT INTO complaints_events (originator_id, originator_version, topic, state)"
            " VALUES (%s, %s, %s, %s)",
            (self._id(aggregate), version, topic, state),
        )


def state_of(app: ComplaintsApp, aggregate: UUID, version: int) -> tuple[str, bytes]:
    (stored,) = app.recorder.select_events(aggregate, gt=version - 1, lte=version)
    return stored.topic, stored.state


@pytest.fixture
def case(stored_world: Scenario) -> Complaint:
    complaint = stored_world.closed()
    assert stored_world.app.verify_history(complaint.id).verified
    return complaint


def test_an_untouched_store_verifies(stored_world: Scenario, case: Complaint) -> None:
    verification = stored_world.app.verify_history(case.id)
    assert verification.verified
    assert verification.first_broken_version is None
    assert [e.stored.originator_version for e in verification.events] == list(
        range(1, case.version + 1)
    )


def test_a_modified_event_is_found_at_its_version(
    stored_world: Scenario, store_url: str, case: Complaint
) -> None:
    _, state = state_of(stored_world.app, case.id, 3)
    Tamper(store_url).update(case.id, 3, state.replace(b"NEGOTIATING", b"UNDER_REVIEW"))
    verification = stored_world.app.verify_history(case.id)
    assert verification.first_broken_version == 3
    assert [v for v, _ in verification.problems] == [3]
    assert "modified" in verification.problems[0][1]


def test_a_deleted_event_is_found_at_its_version(
    stored_world: Scenario, store_url: str, case: Complaint
) -> None:
    Tamper(store_url).delete(case.id, 4)
    verification = stored_world.app.verify_history(case.id)
    assert verification.first_broken_version == 4
    assert "deleted" in verification.problems[0][1]


def test_a_deleted_last_event_is_found(
    stored_world: Scenario, store_url: str, case: Complaint
) -> None:
    Tamper(store_url).delete(case.id, case.version)
    verification = stored_world.app.verify_history(case.id)
    assert verification.problems == [
        (case.version, f"version {case.version} deleted: its hash is recorded")
    ]


def test_an_inserted_event_is_found_at_its_version(
    stored_world: Scenario, store_url: str, case: Complaint
) -> None:
    topic, state = state_of(stored_world.app, case.id, 5)
    Tamper(store_url).insert(case.id, case.version + 1, topic, state)
    verification = stored_world.app.verify_history(case.id)
    assert verification.first_broken_version == case.version + 1
    assert "inserted" in verification.problems[0][1]


def test_reordered_events_are_found(
    stored_world: Scenario, store_url: str, case: Complaint
) -> None:
    tamper = Tamper(store_url)
    _, fifth = state_of(stored_world.app, case.id, 5)
    _, sixth = state_of(stored_world.app, case.id, 6)
    tamper.update(case.id, 5, sixth)
    tamper.update(case.id, 6, fifth)
    verification = stored_world.app.verify_history(case.id)
    assert [v for v, _ in verification.problems] == [5, 6]


def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complaints", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def test_audit_verify_names_each_broken_case_and_version(
    stored_world: Scenario, store_url: str, case: Complaint
) -> None:
    other = stored_world.closed()
    clean = cli("audit", "verify", url=store_url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "all verified" in clean.stdout
    assert "events/s" in clean.stdout
    Tamper(store_url).delete(case.id, 2)
    broken = cli("audit", "verify", url=store_url)
    assert broken.returncode == 1
    assert f"complaint {case.reference}" in broken.stdout
    assert "version 2 deleted" in broken.stdout
    assert other.reference not in broken.stdout
    one = cli("audit", "verify", "--complaint", other.reference, url=store_url)
    assert one.returncode == 0, one.stdout


def test_an_export_verifies_with_the_standalone_verifier(
    stored_world: Scenario, store_url: str, case: Complaint, tmp_path: Path
) -> None:
    exported = cli("audit", "export", case.reference, url=store_url)
    assert exported.returncode == 0, exported.stderr
    history = tmp_path / "case.ndjson"
    history.write_text(exported.stdout)
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [line["version"] for line in lines] == list(range(1, case.version + 1))
    assert lines[0]["type"] == "Filed"
    assert lines[0]["actor"]["role"] == Role.CONSUMER.value
    verifier = ROOT / "tools" / "verify_export.py"
    assert len(verifier.read_text().splitlines()) <= 100
    verified = subprocess.run(
        [sys.executable, str(verifier), str(history)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.startswith(f"verified: {case.version} events")
    # A forged line is caught by the verifier alone.
    lines[2]["state"] = base64.b64encode(b'{"forged": true}').decode()
    history.write_text("".join(json.dumps(line) + "\n" for line in lines))
    forged = subprocess.run(
        [sys.executable, str(verifier), str(history)], capture_output=True, text=True, check=False
    )
    assert forged.returncode == 1
    assert "version 3: hash does not match" in forged.stdout


def test_the_state_as_of_every_version_of_a_long_case_equals_a_replay(
    stored_world: Scenario,
) -> None:
    app = stored_world.app
    complaint = stored_world.negotiating()
    for n in range(15):
        app.post_message(CONSUMER, complaint.id, f"note {n}")
        app.post_message(SELLER, complaint.id, f"reply {n}")
    app.request_intervention(CONSUMER, complaint.id)
    app.assign_complaint(SUPERVISOR, complaint.id, ARBITER.id)
    app.record_finding(ARBITER, complaint.id, "Long case.")
    final = app.get_complaint(complaint.id)
    assert final.version > 40
    replayed: Any = None
    for event in app.history(complaint.id):
        replayed = event.mutate(replayed)
        as_of = app.complaint_as_of(complaint.id, version=event.originator_version)
        assert as_of.__dict__ == replayed.__dict__
        at = app.complaint_as_of(complaint.id, at=event.timestamp)
        assert at.version >= event.originator_version


SECRET = "ZQX-erasure-marker: Flat 9, 17 Lotus Lane, 139-8888-7777"


def test_after_erasure_the_plaintext_appears_nowhere(
    stored_app: ComplaintsApp, store_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    world = Scenario(stored_app, clock)
    models = ReadModels(stored_app)
    try:
        complaint = world.negotiating()
        stored_app.post_message(CONSUMER, complaint.id, SECRET)
        world.seller()
        photo = world.upload(CONSUMER, png(SECRET))
        filed = stored_app.file_complaint(
            CONSUMER,
            "acme",
            world.order("order-2002"),
            Category.DAMAGED,
            SECRET,
            REFUND,
            [Attachment(photo, "photo", SECRET)],
        )
        models.catch_up()
        assert models.complaints.search(SUPERVISOR, _filter("lotus"), now=clock.now()).total == 1
        assert models.complaints.file_owners(SELLER, photo) == [CONSUMER.id]
        sealed = stored_app.files.open(CONSUMER.id, photo)
        assert sealed is not None
        assert b"".join(sealed.read()) == png(SECRET)
        stored_app.erase_subject(SUPERVISOR, CONSUMER.id)
        models.catch_up()
        # The file is still on disk, sealed, and nothing can open it any more.
        assert stored_app.files.open(CONSUMER.id, photo) is None
        assert stored_app.files.describe(CONSUMER.id, photo) is None
        description = stored_app.get_complaint(filed.id).evidence[0].description
        assert description is not None
        assert description.reveal() == "[erased]"
        # Every read path shows the field as erased.
        assert stored_app.get_complaint(filed.id).description.reveal() == "[erased]"
        assert models.complaints.search(SUPERVISOR, _filter("lotus"), now=clock.now()).total == 0
        exported = "\n".join(
            export_lines(stored_app, filed.id) + export_lines(stored_app, complaint.id)
        )
        assert SECRET not in exported
        assert "[erased]" in exported
        # The chain still verifies: it hashed the ciphertext, which erasure did not touch.
        assert stored_app.verify_history(filed.id).verified
        assert stored_app.verify_history(complaint.id).verified
    finally:
        models.close()
    stored_app.close()
    raw = store_bytes(store_url)
    assert SECRET.encode() not in raw
    assert b"Lotus Lane" not in raw
    uploads = upload_bytes(stored_app)
    assert uploads.startswith(b"CPF1 "), "the sealed file is still there"
    assert SECRET.encode() not in uploads
    assert b"Lotus Lane" not in uploads


def test_after_erasure_no_api_response_carries_the_plaintext(
    stored_app: ComplaintsApp, clock: ManualClock
) -> None:
    import asyncio

    from complaints.graphql.context import Context
    from complaints.graphql.schema import schema
    from complaints.store.signal import AsyncPulse

    world = Scenario(stored_app, clock)
    models = ReadModels(stored_app)
    try:
        complaint = world.file(description=SECRET)
        stored_app.post_message(MEDIATOR, complaint.id, "Noted.")
        stored_app.erase_subject(SUPERVISOR, CONSUMER.id)
        models.catch_up()
        from complaints.graphql import ids

        gid = ids.global_id("Complaint", complaint.id)
        document = """query($id: ID!) {
          complaint(id: $id) { description timeline(first: 50) { edges { node { text summary } } } }
          complaintAsOf(id: $id, version: 1) { description }
          auditTrail(complaintId: $id) { verified events { data } }
          complaints(filter: {search: "lotus"}) { totalCount } }"""

        async def run() -> Any:
            context = Context(
                app=stored_app,
                read_models=models,
                settings=stored_app.settings,
                actor=SUPERVISOR,
                projected=AsyncPulse(asyncio.get_running_loop()),
            )
            return await schema.execute(document, {"id": gid}, context_value=context)

        result = asyncio.run(run())
        assert result.errors is None, result.errors
        dumped = json.dumps(result.data)
        assert SECRET not in dumped
        assert "Lotus" not in dumped
        assert result.data["complaint"]["description"] == "[erased]"
        assert result.data["complaintAsOf"]["description"] == "[erased]"
        assert result.data["auditTrail"]["verified"] is True
        assert result.data["complaints"]["totalCount"] == 0
    finally:
        models.close()


def _filter(search: str) -> Any:
    from complaints.projections.complaint_list import ComplaintFilter

    return ComplaintFilter(search=search)


def test_an_auditor_reads_everything_and_commands_nothing(stored_world: Scenario) -> None:
    from complaints.domain.errors import ReadOnlyRole
    from tests.scenario import AUDITOR

    complaint = stored_world.negotiating()
    assert complaint.can_view(AUDITOR)
    with pytest.raises(ReadOnlyRole):
        stored_world.app.post_message(AUDITOR, complaint.id, "I was here")


def shop_with_a_history(world: Scenario) -> tuple[UUID, UUID]:
    """acme's record (registered, sanctioned, appealed, decided) and a violation report
    against it, answered and confirmed: their aggregate ids."""
    seller = world.seller("acme")
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    world.app.appeal_sanction(SELLER, "acme", "s1", "Our replies were late over a holiday.")
    world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", False, "Not notified.")
    violation = world.app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag's logo is printed crooked."
    )
    world.app.respond_to_violation(SELLER, violation.id, "Bought from the brand's distributor.")
    world.confirm_violation(violation.id)
    return seller.id, violation.id


class TestShopsAndViolations:
    """A shop's record and a violation report are hash-chained as a case is."""

    def test_each_verifies_untouched(self, stored_world: Scenario) -> None:
        seller_id, violation_id = shop_with_a_history(stored_world)
        for aggregate in (seller_id, violation_id):
            verification = stored_world.app.verify_history(aggregate)
            assert verification.verified
            assert len(verification.events) == stored_world.app.repository.get(aggregate).version

    def test_a_tampered_seller_row_is_found_at_its_version(
        self, stored_world: Scenario, store_url: str
    ) -> None:
        seller_id, violation_id = shop_with_a_history(stored_world)
        topic, state = state_of(stored_world.app, seller_id, 2)
        assert topic.endswith("Seller.SanctionImposed")
        Tamper(store_url).update(seller_id, 2, state.replace(b"Late replies.", b"Fraud!!!!!!!"))
        verification = stored_world.app.verify_history(seller_id)
        assert verification.first_broken_version == 2
        assert [v for v, _ in verification.problems] == [2]
        assert "modified" in verification.problems[0][1]
        assert stored_world.app.verify_history(violation_id).verified

    def test_a_deleted_violation_row_is_found_at_its_version(
        self, stored_world: Scenario, store_url: str
    ) -> None:
        _, violation_id = shop_with_a_history(stored_world)
        Tamper(store_url).delete(violation_id, 2)
        verification = stored_world.app.verify_history(violation_id)
        assert verification.first_broken_version == 2
        assert "deleted" in verification.problems[0][1]

    def test_audit_verify_covers_every_kind_and_names_the_shop(
        self, stored_world: Scenario, store_url: str
    ) -> None:
        seller_id, violation_id = shop_with_a_history(stored_world)
        clean = cli("audit", "verify", url=store_url)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        one_shop = cli("audit", "verify", "--shop", "acme", url=store_url)
        assert one_shop.returncode == 0, one_shop.stdout + one_shop.stderr
        events = stored_world.app.get_seller("acme").version
        assert f"shop acme: {events} events verified" in one_shop.stdout
        one_violation = cli("audit", "verify", "--violation", str(violation_id), url=store_url)
        assert one_violation.returncode == 0, one_violation.stdout + one_violation.stderr
        assert f"violation {violation_id}: 3 events verified" in one_violation.stdout
        _, state = state_of(stored_world.app, seller_id, 3)
        Tamper(store_url).update(seller_id, 3, state + b" ")
        broken = cli("audit", "verify", url=store_url)
        assert broken.returncode == 1
        assert f"seller acme ({seller_id}): version 3 modified" in broken.stdout
        assert str(violation_id) not in broken.stdout
        shop = cli("audit", "verify", "--shop", "acme", url=store_url)
        assert shop.returncode == 1
        assert f"shop acme ({seller_id}): version 3 modified" in shop.stdout
        unknown = cli("audit", "verify", "--shop", "nobody", url=store_url)
        assert unknown.returncode == 2
