"""The golden list of topics: every class our stored data names is listed, and every topic ever
listed still resolves to its class. See the header of tests/store/topics.txt. And what reads
stored topics resolves them to classes, so that a registered old topic reads as the new one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic, register_topic

from complaints.application import AGGREGATES, ComplaintsApp
from complaints.audit import audited_history
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.erasure import SubjectErasure
from complaints.domain.errors import ComplaintNotFound
from complaints.domain.seller import Seller
from complaints.domain.violation import Violation
from complaints.ops.cli import describe_aggregate
from complaints.settings import Settings
from complaints.store.idempotency import IdempotencyRecord
from tests.scenario import Scenario
from tests.store.golden_topics import (
    ARROW,
    LIST,
    Line,
    aggregate_classes,
    current_topics,
    read_list,
    unlisted,
    unresolved,
)


def test_every_class_our_data_can_name_is_listed() -> None:
    missing = unlisted(read_list(), current_topics())
    assert not missing, (
        f"These topics are not in {LIST} (topics are stored data; see its header):\n"
        + "\n".join(missing)
    )


def test_every_listed_topic_still_resolves_to_its_class() -> None:
    problems = unresolved(read_list())
    assert not problems, "\n".join(problems)


def test_the_list_is_sorted_and_names_each_stored_topic_once() -> None:
    stored = [line.stored for line in read_list()]
    assert len(set(stored)) == len(stored), "a topic is listed twice"
    assert stored == sorted(stored), f"keep {LIST.name} sorted by the topic as stored"


def test_the_walk_finds_every_aggregate_and_their_events() -> None:
    aggregates = set(aggregate_classes())
    assert {Complaint, Seller, Violation, SubjectErasure, IdempotencyRecord} <= aggregates
    assert set(AGGREGATES) == aggregates, "name each aggregate in application.AGGREGATES"
    current = current_topics()
    for cls in (
        Complaint,
        Complaint.Filed,
        Complaint.MessagePosted,
        Complaint.Snapshot,
        Seller.Struck,
        SubjectErasure.Erased,
        IdempotencyRecord.Recorded,
        Seller.Snapshot,  # the library's own: Seller has no snapshot class of its own
    ):
        assert current[get_topic(cls)] is cls


class Moved:
    """Stands for a class that moved here from a module that no longer exists."""


def test_a_moved_class_passes_once_its_old_topic_is_registered(tmp_path: Path) -> None:
    old = "tests.store.gone_away:Moved"
    new = get_topic(Moved)
    listing = tmp_path / "topics.txt"
    listing.write_text(f"# a class that moved\n{old}{ARROW}{new}\n", encoding="utf-8")
    (before,) = unresolved(read_list(listing))
    assert f'register_topic("{old}", Moved)' in before
    register_topic(old, Moved)
    assert unresolved(read_list(listing)) == []
    # The old line left as it was names the move it needs, from both sides.
    listing.write_text(f"{old}\n", encoding="utf-8")
    (plain,) = unresolved(read_list(listing))
    assert f"`{old}{ARROW}{new}`" in plain
    (missing,) = unlisted(read_list(listing), {new: Moved})
    assert f"rewrite line 1 as `{old}{ARROW}{new}`" in missing
    (added,) = unlisted([], {new: Moved})
    assert added == f"{new}: a new class; add this line"


def test_a_class_that_is_gone_fails() -> None:
    gone = "complaints.domain.complaint:Complaint.NeverWasAnEvent"
    (problem,) = unresolved([Line(1, gone, gone)])
    assert "nothing is found" in problem


def test_readers_find_a_class_by_its_registered_old_topic(
    sqlite_url: str, clock: ManualClock
) -> None:
    """Events stored under an old topic (here: as if Complaint had been `Grievance` in another
    module) read as they did once that topic is registered: as-of reads, the audit's event
    types and the names `complaints audit verify` prints all follow the class, not the text."""
    register_topic("complaints.gone.grievance:Grievance", Complaint)
    app = ComplaintsApp(Settings(database_url=sqlite_url), clock=clock)
    try:
        case = Scenario(app, clock).closed()
        path = sqlite_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.execute(
                "UPDATE stored_events SET topic = replace(topic, ?, ?)",
                (get_topic(Complaint), "complaints.gone.grievance:Grievance"),
            )
        conn.close()
        stored = app.recorder.select_events(case.id)
        assert {s.topic.split(".")[2] for s in stored} == {"grievance:Grievance"}
        assert app.complaint_as_of(case.id, version=2).version == 2
        _, audited = audited_history(app, case.id)
        assert [e.type for e in audited] == [type(e).__name__ for e in app.history(case.id)]
        assert describe_aggregate(app, case.id) == f"complaint {case.reference} ({case.id})"
        seller = app.get_seller("acme")
        assert describe_aggregate(app, seller.id) == f"seller acme ({seller.id})"
        with pytest.raises(ComplaintNotFound):
            app.complaint_as_of(seller.id, version=1)
    finally:
        app.close()
