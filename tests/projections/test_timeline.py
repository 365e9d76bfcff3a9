"""The per-complaint timeline and its redaction for each viewer."""

from __future__ import annotations

import json

import pytest

from complaints.domain.access import Audience
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import ValidationFailed
from complaints.domain.values import Attachment, Role, Visibility
from complaints.projections.read_models import ReadModels
from complaints.projections.timeline import DESCRIBE
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    MEDIATOR,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
)


def test_every_complaint_event_has_a_timeline_entry() -> None:
    events = {
        value
        for value in vars(Complaint).values()
        if isinstance(value, type)
        and issubclass(value, Complaint.Event)
        and value not in {Complaint.Event, Complaint.Created}
    }
    assert events == set(DESCRIBE)


def test_every_event_becomes_one_entry_in_order(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.closed()
    stored_read_models.catch_up()
    page = stored_read_models.timeline.entries(SUPERVISOR, complaint.id, first=100)
    assert page is not None
    history = stored_world.app.history(complaint.id)
    assert [e.version for e in page.items] == [e.originator_version for e in history]
    assert [e.type for e in page.items] == [type(e).__name__ for e in history]
    assert [e.at for e in page.items] == [e.timestamp for e in history]
    first = page.items[0]
    assert first.actor_role is Role.CONSUMER
    assert first.summary.startswith(f"Complaint {complaint.reference} filed about damaged goods")
    assert first.personal == ("description",)
    positions = [e.position for e in page.items]
    assert positions == sorted(positions)


def test_entries_hold_no_personal_text(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.negotiating()
    stored_world.app.post_message(CONSUMER, complaint.id, "Phone me: 139-1234-5678")
    stored_read_models.catch_up()
    page = stored_read_models.timeline.entries(SUPERVISOR, complaint.id, first=100)
    assert page is not None
    dumped = json.dumps([(e.summary, e.details) for e in page.items])
    assert "139-1234-5678" not in dumped
    assert "crushed" not in dumped
    message = page.items[-1]
    assert (message.type, message.personal) == ("MessagePosted", ("text",))


class TestRedaction:
    @pytest.fixture
    def case(self, stored_world: Scenario, stored_read_models: ReadModels) -> Complaint:
        world = stored_world
        complaint = world.under_review()
        world.app.post_message(
            MEDIATOR, complaint.id, "Seller has 3 similar cases", Visibility.STAFF
        )
        world.app.record_finding(ARBITER, complaint.id, "Likely transit damage")
        stored_read_models.catch_up()
        return complaint

    def test_staff_and_auditors_see_every_entry(
        self, case: Complaint, stored_read_models: ReadModels
    ) -> None:
        for viewer in (SUPERVISOR, AUDITOR, AGENT):
            page = stored_read_models.timeline.entries(viewer, case.id, first=100)
            assert page is not None
            assert len(page.items) == case.version + 2

    def test_parties_do_not_see_internal_notes_findings_or_staff_deadlines(
        self, case: Complaint, stored_read_models: ReadModels
    ) -> None:
        for viewer in (CONSUMER, SELLER):
            page = stored_read_models.timeline.entries(viewer, case.id, first=100)
            assert page is not None
            assert {e.audience for e in page.items} == {Audience.PARTIES}
            types = [e.type for e in page.items]
            assert "FindingRecorded" not in types
            assert "DeadlineOverdue" not in types
            summaries = " ".join(e.summary for e in page.items)
            assert "intake" not in summaries
            assert "pickup" not in summaries
            assert "Internal note" not in summaries

    def test_parties_see_who_acted_only_when_it_was_themselves(
        self, case: Complaint, stored_read_models: ReadModels
    ) -> None:
        page = stored_read_models.timeline.entries(SELLER, case.id, first=100)
        assert page is not None
        ids = {e.actor_id for e in page.items}
        assert ids <= {None, SELLER.id}
        staff = stored_read_models.timeline.entries(SUPERVISOR, case.id, first=100)
        assert staff is not None
        assert CONSUMER.id in {e.actor_id for e in staff.items}

    def test_outsiders_see_no_timeline(
        self, case: Complaint, stored_read_models: ReadModels
    ) -> None:
        for viewer in (OTHER_CONSUMER, OTHER_SELLER, PUBLIC):
            assert stored_read_models.timeline.entries(viewer, case.id) is None


def test_a_default_ruling_points_at_the_deadline_it_enforced(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.negotiating()
    deadline = complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
    assert deadline is not None
    stored_world.lapse(complaint, DeadlineKind.SELLER_RESPONSE)
    stored_read_models.catch_up()
    page = stored_read_models.timeline.entries(CONSUMER, complaint.id, first=100)
    assert page is not None
    (ruled,) = [e for e in page.items if e.type == "DefaultRuled"]
    assert ruled.details["enforced_deadline_id"] == deadline.id
    assert f"deadline #{deadline.id}" in ruled.summary
    (cited,) = [e for e in page.items if e.version == deadline.id]
    assert cited.type == "DeadlineSet"


def test_evidence_says_whether_it_answered_a_request(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    world = stored_world
    complaint = world.awaiting_info()
    photo = world.upload(CONSUMER)
    world.app.resubmit_complaint(
        CONSUMER, complaint.id, "Here are the photos of the box.", [Attachment(photo, "photo")]
    )
    world.app.accept_complaint(AGENT, complaint.id)
    world.app.request_intervention(CONSUMER, complaint.id)
    world.app.assign_complaint(SUPERVISOR, complaint.id, ARBITER.id)
    world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["video"])
    world.app.submit_evidence(CONSUMER, complaint.id, "video", "The unboxing.")
    stored_read_models.catch_up()
    page = stored_read_models.timeline.entries(SELLER, complaint.id, first=100)
    assert page is not None
    added, answered = [e for e in page.items if e.type == "EvidenceSubmitted"]
    assert added.summary == "The consumer added evidence: photo."
    assert added.details["request_id"] is None
    assert answered.summary == "The consumer answered evidence request r1: video."
    assert answered.details["request_id"] == "r1"


def test_pages_follow_the_version_cursor(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.closed()
    stored_read_models.catch_up()
    versions: list[int] = []
    after = None
    while True:
        page = stored_read_models.timeline.entries(SUPERVISOR, complaint.id, first=4, after=after)
        assert page is not None
        versions += [e.version for e in page.items]
        if not page.has_next:
            break
        after = page.items[-1].version
    assert versions == list(range(1, complaint.version + 1))


def test_a_timeline_can_stop_where_the_case_stood(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.closed()
    stored_read_models.catch_up()
    page = stored_read_models.timeline.entries(SUPERVISOR, complaint.id, first=100, upto_version=3)
    assert page is not None
    assert [e.version for e in page.items] == [1, 2, 3]


def test_a_page_size_out_of_range_is_refused(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.file()
    with pytest.raises(ValidationFailed):
        stored_read_models.timeline.entries(SUPERVISOR, complaint.id, first=1000)
