"""The transparency log through GraphQL: the latest checkpoint and its key, inclusion proofs for
the case's viewers, consistency proofs for anyone. Every proof is checked with RFC 9162's
verification algorithms written out in tests/store/rfc9162.py, and every signature with the
`cryptography` library directly, not with the project's own code."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.graphql import ids
from complaints.projections.read_models import ReadModels
from complaints.projections.transparency import log_signer
from complaints.settings import Settings
from complaints.workers.transparency import LogBuilder
from tests.api.conftest import GraphQL
from tests.keys import LOG_SIGNING_KEY
from tests.scenario import AUDITOR, CONSUMER, OTHER_CONSUMER, OTHER_SELLER, PUBLIC, SELLER, Scenario
from tests.store import rfc9162

CHECKPOINT = "{ logCheckpoint { origin treeSize rootHash note } }"
KEY = "{ logKey { origin keyName publicKey verifierKey } }"
INCLUSION = """query($id: ID!, $version: Int!, $size: Int) {
  inclusionProof(complaintId: $id, version: $version, treeSize: $size) {
    leafIndex treeSize leafHash auditPath } }"""
CONSISTENCY = """query($first: Int!, $second: Int) {
  consistencyProof(firstSize: $first, secondSize: $second) { firstSize secondSize path } }"""
AUDIT = "query($id: ID!) { auditTrail(complaintId: $id) { events { version hash leafIndex } } }"


@pytest.fixture
def api_app(clock: ManualClock, tmp_path: Path) -> Iterator[ComplaintsApp]:
    settings = Settings(
        database_url="memory://",
        read_your_writes_seconds=0,
        upload_dir=tmp_path / "uploads",
        log_signing_key=LOG_SIGNING_KEY,
    )
    app = ComplaintsApp(settings, clock=clock)
    yield app
    app.close()


@pytest.fixture
def builder(api_app: ComplaintsApp, models: ReadModels) -> Iterator[LogBuilder]:
    log = LogBuilder(api_app, models.log, log_signer(api_app.settings))
    yield log
    log.leadership.close()


def sign(builder: LogBuilder) -> None:
    builder.catch_up()
    assert builder.checkpoint(force=True) is not None


@pytest.fixture
def case(world: Scenario, builder: LogBuilder) -> Complaint:
    complaint = world.closed()
    sign(builder)
    return complaint


def opened(note: str, verifier_key: str) -> str:
    """The note's text, its signature checked by hand: C2SP signed-note with Ed25519."""
    name, key_hash, key = verifier_key.split("+", 2)
    raw = base64.b64decode(key)
    assert raw[0] == 1
    assert hashlib.sha256(f"{name}\n".encode() + raw).digest()[:4].hex() == key_hash
    text, _, signatures = note.rpartition("\n\n")
    prefix = f"\u2014 {name} "
    (line,) = [s for s in signatures.splitlines() if s.startswith(prefix)]
    blob = base64.b64decode(line[len(prefix) :])
    assert blob[:4].hex() == key_hash
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], (text + "\n").encode())
    return text + "\n"


def checkpoint(gql: GraphQL) -> dict[str, Any]:
    found: dict[str, Any] = gql.data(CHECKPOINT)["logCheckpoint"]
    return found


def test_the_latest_checkpoint_is_a_note_signed_by_the_log_key(
    gql: GraphQL, case: Complaint
) -> None:
    latest = checkpoint(gql)
    key = gql.data(KEY)["logKey"]
    assert key["origin"] == latest["origin"] == "complaints.localhost/log"
    assert key["keyName"] == "complaints.test"
    assert key["verifierKey"].endswith(
        "+" + base64.b64encode(b"\x01" + base64.b64decode(key["publicKey"])).decode()
    )
    origin, size, root = opened(latest["note"], key["verifierKey"]).splitlines()
    assert (origin, int(size)) == (latest["origin"], latest["treeSize"])
    assert base64.b64decode(root).hex() == latest["rootHash"]


def test_every_event_of_a_case_is_proven_in_the_checkpoint(gql: GraphQL, case: Complaint) -> None:
    latest = checkpoint(gql)
    root = bytes.fromhex(latest["rootHash"])
    case_id = ids.global_id("Complaint", case.id)
    events = gql.data(AUDIT, {"id": case_id}, actor=AUDITOR)["auditTrail"]["events"]
    assert len(events) == case.version
    for event in events:
        proof = gql.data(INCLUSION, {"id": case_id, "version": event["version"]}, actor=CONSUMER)[
            "inclusionProof"
        ]
        leaf = f"{case.id}:{event['version']}:{event['hash']}".encode()
        assert proof["leafHash"] == hashlib.sha256(b"\x00" + leaf).hexdigest()
        assert proof["leafIndex"] == event["leafIndex"]
        assert proof["treeSize"] == latest["treeSize"]
        path = [bytes.fromhex(h) for h in proof["auditPath"]]
        assert rfc9162.verify_inclusion(
            proof["leafIndex"], proof["treeSize"], bytes.fromhex(proof["leafHash"]), path, root
        )


def test_a_proof_in_an_earlier_checkpoint_verifies_against_its_root(
    gql: GraphQL, world: Scenario, builder: LogBuilder, case: Complaint
) -> None:
    first = checkpoint(gql)
    world.closed()
    sign(builder)
    assert checkpoint(gql)["treeSize"] > first["treeSize"]
    case_id = ids.global_id("Complaint", case.id)
    proof = gql.data(
        INCLUSION, {"id": case_id, "version": 2, "size": first["treeSize"]}, actor=SELLER
    )["inclusionProof"]
    assert proof["treeSize"] == first["treeSize"]
    path = [bytes.fromhex(h) for h in proof["auditPath"]]
    assert rfc9162.verify_inclusion(
        proof["leafIndex"],
        proof["treeSize"],
        bytes.fromhex(proof["leafHash"]),
        path,
        bytes.fromhex(first["rootHash"]),
    )


def test_the_later_checkpoint_is_proven_to_extend_the_earlier(
    gql: GraphQL, world: Scenario, builder: LogBuilder, case: Complaint
) -> None:
    first = checkpoint(gql)
    world.closed()
    sign(builder)
    second = checkpoint(gql)
    proof = gql.data(CONSISTENCY, {"first": first["treeSize"]})["consistencyProof"]
    assert (proof["firstSize"], proof["secondSize"]) == (first["treeSize"], second["treeSize"])
    assert rfc9162.verify_consistency(
        first["treeSize"],
        second["treeSize"],
        bytes.fromhex(first["rootHash"]),
        bytes.fromhex(second["rootHash"]),
        [bytes.fromhex(h) for h in proof["path"]],
    )
    for size in range(1, second["treeSize"] + 1, 7):
        between = gql.data(CONSISTENCY, {"first": size, "second": second["treeSize"]})
        assert between["consistencyProof"]["firstSize"] == size


@pytest.mark.parametrize("viewer", [PUBLIC, OTHER_CONSUMER, OTHER_SELLER])
def test_who_may_not_see_the_case_gets_no_proof(gql: GraphQL, case: Complaint, viewer: Any) -> None:
    case_id = ids.global_id("Complaint", case.id)
    assert gql.data(INCLUSION, {"id": case_id, "version": 1}, actor=viewer) == {
        "inclusionProof": None
    }


def test_an_event_not_in_the_tree_has_no_proof_yet(
    gql: GraphQL, world: Scenario, case: Complaint
) -> None:
    case_id = ids.global_id("Complaint", case.id)
    assert gql.data(INCLUSION, {"id": case_id, "version": case.version + 1}, actor=AUDITOR) == {
        "inclusionProof": None
    }
    events = gql.data(AUDIT, {"id": case_id}, actor=AUDITOR)["auditTrail"]["events"]
    assert all(e["leafIndex"] is not None for e in events)


def error_code(result: Any) -> str:
    assert result.errors is not None
    return str(result.errors[0].extensions["code"])


def test_a_tree_size_no_checkpoint_was_signed_at_is_refused(gql: GraphQL, case: Complaint) -> None:
    case_id = ids.global_id("Complaint", case.id)
    size = checkpoint(gql)["treeSize"] - 1
    result = gql.run(INCLUSION, {"id": case_id, "version": 1, "size": size}, actor=AUDITOR)
    assert error_code(result) == "CHECKPOINT_NOT_FOUND"


@pytest.mark.parametrize(("first", "second"), [(0, None), (5, 3), (1, 10_000)])
def test_impossible_sizes_are_refused(
    gql: GraphQL, case: Complaint, first: int, second: int | None
) -> None:
    result = gql.run(CONSISTENCY, {"first": first, "second": second})
    assert error_code(result) == "VALIDATION_FAILED"
    # Each problem names its argument, for a form to show it beside the field.
    named = {f["field"] for f in result.errors[0].extensions["fields"]}
    assert named
    assert named <= {"firstSize", "secondSize"}


def test_before_the_first_checkpoint_there_is_none_to_give(gql: GraphQL) -> None:
    assert error_code(gql.run(CHECKPOINT)) == "CHECKPOINT_NOT_FOUND"
    assert error_code(gql.run(CONSISTENCY, {"first": 1})) == "CHECKPOINT_NOT_FOUND"
