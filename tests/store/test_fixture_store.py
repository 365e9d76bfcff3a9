"""Data written by old code still loads: the fixture store in tests/fixtures/store-v1.

The fixture was written once (see its README) and is never regenerated. Each test opens a copy
of it with today's code: every aggregate loads, every complaint replays at every version and
moment, the hash chain verifies, the read models rebuild to what they showed then, and every
topic stored in it is in the golden list (tests/store/topics.txt).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from complaints.application import ComplaintsApp
from complaints.audit import verify_store
from complaints.domain.complaint import Complaint
from complaints.domain.values import ERASED
from complaints.projections.complaint_list import ComplaintFilter
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.fixtures.make_store import DB, EXPECTED, timeline
from tests.scenario import DESCRIPTION, SUPERVISOR
from tests.store.golden_topics import listed_topics, read_list
from tests.store.test_audit import cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v1"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads((FIXTURE / EXPECTED).read_text(encoding="utf-8"))
    return facts


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A copy of the fixture: opening a store may add tables, and the fixture stays as written."""
    copy = tmp_path / DB
    shutil.copyfile(FIXTURE / DB, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app(url: str) -> Iterator[ComplaintsApp]:
    application = ComplaintsApp(Settings(database_url=url))
    yield application
    application.close()


def aggregate_ids(app: ComplaintsApp) -> list[UUID]:
    """Every aggregate in the store, in the order it was created, from the notification log."""
    return [
        UUID(str(n.originator_id))
        for n in app.recorder.select_notifications(1, 1_000_000)
        if n.originator_version == 1
    ]


def case_ids(expected: dict[str, Any]) -> dict[str, UUID]:
    return {name: UUID(case["id"]) for name, case in expected["cases"].items()}


def test_every_aggregate_loads(app: ComplaintsApp, expected: dict[str, Any]) -> None:
    kinds: Counter[str] = Counter()
    for aggregate_id in aggregate_ids(app):
        aggregate: object = app.repository.get(aggregate_id)
        assert isinstance(aggregate, Aggregate)
        kinds[type(aggregate).__name__] += 1
    assert kinds == expected["aggregates"]
    assert app.recorder.max_notification_id() == expected["events"]
    for name, case in expected["cases"].items():
        complaint = app.get_complaint(UUID(case["id"]))
        facts = (complaint.reference, complaint.status.value, complaint.version)
        assert facts == (case["reference"], case["status"], case["version"]), name
        assert (complaint.outcome.value if complaint.outcome else None) == case["outcome"], name
    for shop_id, facts in expected["sellers"].items():
        seller = app.get_seller(shop_id)
        assert (seller.version, seller.status, str(seller.deposit.amount)) == (
            facts["version"],
            facts["status"],
            facts["deposit"],
        ), shop_id
        assert sorted(s.kind.value for s in seller.active_sanctions) == facts["active_sanctions"]


def test_the_snapshots_are_there_and_load(app: ComplaintsApp, expected: dict[str, Any]) -> None:
    assert app.snapshots is not None
    for aggregate_id, versions in expected["snapshots"].items():
        snapshots = list(app.snapshots.get(UUID(aggregate_id)))
        assert [s.originator_version for s in snapshots] == versions
        for snapshot in snapshots:
            from_snapshot = snapshot.mutate(None)  # type: ignore[attr-defined]
            replayed = project_aggregate(
                None, app.events.get(UUID(aggregate_id), lte=snapshot.originator_version)
            )
            assert vars(from_snapshot) == vars(replayed)


def test_every_complaint_replays_at_every_version_and_moment(
    app: ComplaintsApp, expected: dict[str, Any]
) -> None:
    for name, complaint_id in case_ids(expected).items():
        history = app.history(complaint_id)
        assert len(history) == expected["cases"][name]["version"]
        for version in range(1, len(history) + 1):
            replayed = project_aggregate(None, history[:version])
            as_of = app.complaint_as_of(complaint_id, version=version)
            assert vars(as_of) == vars(replayed), (name, version)
        for event in history:
            last = max(e.originator_version for e in history if e.timestamp <= event.timestamp)
            as_of = app.complaint_as_of(complaint_id, at=event.timestamp)
            assert as_of.version == last, (name, event.originator_version)


def test_the_whole_store_verifies(app: ComplaintsApp, url: str, expected: dict[str, Any]) -> None:
    report = verify_store(app)
    assert report.broken == {}
    assert report.aggregates == sum(expected["aggregates"].values())
    assert report.events == expected["events"]
    verified = cli("audit", "verify", url=url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "all verified" in verified.stdout


def test_an_old_case_exports_and_verifies_on_its_own(
    app: ComplaintsApp, url: str, expected: dict[str, Any], tmp_path: Path
) -> None:
    complaint_id = case_ids(expected)["appealed"]
    exported = cli("audit", "export", str(complaint_id), url=url)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [line["type"] for line in lines] == [type(e).__name__ for e in app.history(complaint_id)]
    history = tmp_path / "case.ndjson"
    history.write_text(exported.stdout)
    verified = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "verify_export.py"), str(history)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout


def test_the_read_models_rebuild_as_they_were(app: ComplaintsApp, expected: dict[str, Any]) -> None:
    shown = expected["read_models"]
    models = ReadModels(app)
    try:
        assert models.catch_up() > 0
        assert all(status.lag == 0 for status in models.status())
        listed = models.complaints.search(
            SUPERVISOR, ComplaintFilter(), now=app.clock.now(), first=100
        )
        assert listed.total == shown["listed"] == len(expected["cases"])
        assert {str(s.id): s.status.value for s in listed.items} == shown["statuses"]
        assert shown["statuses"] == {c["id"]: c["status"] for c in expected["cases"].values()}
        for name, complaint_id in case_ids(expected).items():
            entries = timeline(models, complaint_id)
            assert len(entries) == shown["timeline_entries"][name], name
        sanctioned = models.sellers.sanctioned(first=100)
        assert [s.shop_id for s in sanctioned.items] == shown["sanctioned"]
        assert "shady" in shown["sanctioned"]
        for shop_id, facts in expected["sellers"].items():
            record = models.sellers.get(shop_id)
            assert record is not None
            assert record.status == facts["status"]
    finally:
        models.close()


def test_personal_data_reads_as_it_did(app: ComplaintsApp, expected: dict[str, Any]) -> None:
    """The keys live in the same file: what was readable still is, and the erased stay erased."""
    cases = case_ids(expected)
    assert app.get_complaint(cases["settled"]).description.reveal() == DESCRIPTION
    erased = app.get_complaint(cases["erased"])
    assert erased.consumer_id == expected["erased_subject"]
    assert erased.description.reveal() == ERASED
    assert not app.keys.has_keys(expected["erased_subject"])
    messages = [e for e in app.history(cases["erased"]) if isinstance(e, Complaint.MessagePosted)]
    assert [m.text.reveal() for m in messages] == [ERASED]


def test_every_topic_stored_is_in_the_golden_list(app: ComplaintsApp, url: str) -> None:
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        stored = {
            topic
            for (topic,) in conn.execute(
                "SELECT topic FROM stored_events UNION SELECT topic FROM stored_snapshots"
            )
        }
    conn.close()
    # Topics are also written inside the data: the aggregate's class in each created event and
    # in each snapshot.
    inside = set()
    for aggregate_id in aggregate_ids(app):
        first = next(iter(app.events.get(aggregate_id, lte=1)))
        inside.add(first.originator_topic)  # type: ignore[attr-defined]
        for snapshot in app.snapshots.get(aggregate_id) if app.snapshots else ():
            inside.add(snapshot.topic)  # type: ignore[attr-defined]
    assert "eventsourcing.domain:Snapshot" in stored
    assert "complaints.domain.complaint:Complaint.Snapshot" in stored
    unlisted = (stored | inside) - listed_topics(read_list())
    assert not unlisted, f"stored but not in tests/store/topics.txt: {sorted(unlisted)}"
