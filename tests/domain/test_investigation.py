"""R2: investigation. Assignment, evidence requested from one party, findings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    EvidenceNotRequested,
    InvalidTransition,
    NoArbiterAssigned,
    NotAssignedArbiter,
    RoleNotAllowed,
    ValidationFailed,
)
from complaints.domain.values import Role
from tests.scenario import (
    AGENT,
    ARBITER,
    CONSUMER,
    OTHER_ARBITER,
    SELLER,
    SUPERVISOR,
    Scenario,
)

PHOTO_HASH = "9f" * 32


class TestAssignment:
    def test_a_supervisor_assigns_and_the_ruling_clock_starts(self, world: Scenario) -> None:
        complaint = world.under_review(assigned=False)
        complaint = world.app.assign_complaint(SUPERVISOR, complaint.id, ARBITER.id)
        assert complaint.arbiter_id == ARBITER.id
        (ruling,) = complaint.open_deadlines
        assert ruling.kind is DeadlineKind.RULING
        assert ruling.due_at == world.clock.now() + timedelta(days=5)

    def test_reassignment_keeps_the_ruling_deadline(self, world: Scenario) -> None:
        complaint = world.under_review()
        before = complaint.deadline_of(DeadlineKind.RULING)
        world.clock.advance(timedelta(hours=3))
        complaint = world.app.assign_complaint(SUPERVISOR, complaint.id, OTHER_ARBITER.id)
        assert complaint.arbiter_id == OTHER_ARBITER.id
        assert complaint.deadline_of(DeadlineKind.RULING) == before

    def test_only_a_supervisor_assigns(self, world: Scenario) -> None:
        complaint = world.under_review(assigned=False)
        with pytest.raises(RoleNotAllowed):
            world.app.assign_complaint(AGENT, complaint.id, ARBITER.id)

    def test_a_case_in_negotiation_cannot_be_assigned(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(InvalidTransition):
            world.app.assign_complaint(SUPERVISOR, complaint.id, ARBITER.id)

    def test_the_arbiter_id_must_be_an_identifier(self, world: Scenario) -> None:
        complaint = world.under_review(assigned=False)
        with pytest.raises(ValidationFailed):
            world.app.assign_complaint(SUPERVISOR, complaint.id, "")


class TestEvidence:
    def test_the_arbiter_asks_one_party_for_named_kinds_of_evidence(self, world: Scenario) -> None:
        complaint = world.under_review()
        complaint = world.app.request_evidence(
            ARBITER, complaint.id, Role.CONSUMER, ["photo", "video"], "Show the box"
        )
        (request,) = complaint.evidence_requests
        assert (request.party, request.kinds) == (Role.CONSUMER, ("photo", "video"))
        deadline = complaint.deadline_of(DeadlineKind.EVIDENCE, request.id)
        assert deadline is not None
        assert deadline.party is Role.CONSUMER
        assert deadline.due_at == world.clock.now() + timedelta(days=3)

    def test_the_arbiter_may_set_its_own_due_time(self, world: Scenario) -> None:
        complaint = world.under_review()
        due = world.clock.now() + timedelta(hours=12)
        complaint = world.app.request_evidence(
            ARBITER, complaint.id, Role.SELLER, ["chat_log"], due_at=due
        )
        assert complaint.evidence_requests[0].due_at == due

    @pytest.mark.parametrize("hours", [-1, 0, 24 * 31])
    def test_a_due_time_must_be_in_the_next_thirty_days(self, world: Scenario, hours: int) -> None:
        complaint = world.under_review()
        with pytest.raises(ValidationFailed):
            world.app.request_evidence(
                ARBITER,
                complaint.id,
                Role.CONSUMER,
                ["photo"],
                due_at=world.clock.now() + timedelta(hours=hours),
            )

    def test_evidence_is_asked_of_a_party_only(self, world: Scenario) -> None:
        complaint = world.under_review()
        with pytest.raises(ValidationFailed) as refused:
            world.app.request_evidence(ARBITER, complaint.id, Role.AGENT, [])
        assert {f.field for f in refused.value.fields} == {"party", "kinds"}

    def test_nothing_is_asked_before_an_arbiter_is_assigned(self, world: Scenario) -> None:
        complaint = world.under_review(assigned=False)
        with pytest.raises(NoArbiterAssigned):
            world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])

    def test_only_the_assigned_arbiter_investigates(self, world: Scenario) -> None:
        complaint = world.under_review()
        with pytest.raises(NotAssignedArbiter):
            world.app.request_evidence(OTHER_ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        with pytest.raises(NotAssignedArbiter):
            world.app.record_finding(OTHER_ARBITER, complaint.id, "Looks fine")

    def test_the_requested_party_submits_and_the_request_is_met(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        complaint = world.app.submit_evidence(
            CONSUMER, complaint.id, "photo", "Crushed corner, front view", PHOTO_HASH
        )
        (evidence,) = complaint.evidence
        assert (evidence.by, evidence.kind, evidence.sha256) == (Role.CONSUMER, "photo", PHOTO_HASH)
        assert complaint.evidence_requests[0].fulfilled
        assert complaint.deadline_of(DeadlineKind.EVIDENCE) is None

    def test_a_request_stays_open_until_every_kind_arrives(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo", "video"])
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Front view")
        assert not complaint.evidence_requests[0].fulfilled
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "video", "Unboxing")
        assert complaint.evidence_requests[0].fulfilled

    def test_the_other_party_cannot_submit(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        with pytest.raises(EvidenceNotRequested):
            world.app.submit_evidence(SELLER, complaint.id, "photo", "Our warehouse photo")

    def test_an_unrequested_kind_is_refused(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        with pytest.raises(ValidationFailed) as refused:
            world.app.submit_evidence(CONSUMER, complaint.id, "video", "A video")
        assert refused.value.fields[0].field == "kind"
        assert "photo" in refused.value.fields[0].message

    def test_an_upload_hash_must_be_sha256(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        with pytest.raises(ValidationFailed):
            world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Photo", "not-a-hash")


class TestFindings:
    def test_the_arbiter_records_a_preliminary_finding(self, world: Scenario) -> None:
        complaint = world.under_review()
        complaint = world.app.record_finding(ARBITER, complaint.id, "Transit damage likely.")
        assert [(f.text, f.arbiter_id) for f in complaint.findings] == [
            ("Transit damage likely.", ARBITER.id)
        ]

    def test_a_finding_cannot_be_empty(self, world: Scenario) -> None:
        complaint = world.under_review()
        with pytest.raises(ValidationFailed):
            world.app.record_finding(ARBITER, complaint.id, "")
