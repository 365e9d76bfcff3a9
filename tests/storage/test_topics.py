"""The golden list of topics: every class our stored data names is listed, and every topic ever
listed still resolves to its class. See the header of tests/storage/topics.txt."""

from __future__ import annotations

from pathlib import Path

from eventsourcing.utils import get_topic, register_topic

from complaints.domain.complaint import Complaint
from complaints.domain.erasure import SubjectErasure
from complaints.domain.seller import Seller
from complaints.domain.violation import Violation
from complaints.idempotency import IdempotencyRecord
from tests.storage.golden_topics import (
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
        f"These topics are not in {LIST}. Topics are stored data: add each as a line of its own"
        " (and if a class moved, see the file's header):\n" + "\n".join(missing)
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
    old = "tests.storage.gone_away:Moved"
    new = get_topic(Moved)
    listing = tmp_path / "topics.txt"
    listing.write_text(f"# a class that moved\n{old}{ARROW}{new}\n", encoding="utf-8")
    (before,) = unresolved(read_list(listing))
    assert f'register_topic("{old}", Moved)' in before
    register_topic(old, Moved)
    assert unresolved(read_list(listing)) == []
    # The old line left as it was names the move it needs.
    listing.write_text(f"{old}\n", encoding="utf-8")
    (plain,) = unresolved(read_list(listing))
    assert f"`{old}{ARROW}{new}`" in plain


def test_a_class_that_is_gone_fails() -> None:
    gone = "complaints.domain.complaint:Complaint.NeverWasAnEvent"
    (problem,) = unresolved([Line(1, gone, gone)])
    assert "nothing is found" in problem
