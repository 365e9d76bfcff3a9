"""R2: investigation. Assignment, evidence requested from one party, findings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import (
    InvalidTransition,
    NoArbiterAssigned,
    NotAssignedArbiter,
    RoleNotAllowed,
    ValidationFailed,
)
from complaints.domain.values import Actor, Attachment, Category, Role, Status
from tests.scenario import (
    AGENT,
    ARBITER,
    CONSUMER,
    OTHER_ARBITER,
    OTHER_CONSUMER,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    png,
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
        photo = world.upload(CONSUMER)
        complaint = world.app.submit_evidence(
            CONSUMER, complaint.id, "photo", "Crushed corner, front view", photo
        )
        (evidence,) = complaint.evidence
        assert (evidence.by, evidence.kind, evidence.sha256) == (Role.CONSUMER, "photo", photo)
        assert (evidence.media_type, evidence.size) == ("image/png", len(png()))
        assert complaint.evidence_requests[0].fulfilled
        assert complaint.deadline_of(DeadlineKind.EVIDENCE) is None

    def test_a_request_stays_open_until_every_kind_arrives(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo", "video"])
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Front view")
        assert not complaint.evidence_requests[0].fulfilled
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "video", "Unboxing")
        assert complaint.evidence_requests[0].fulfilled

    def test_the_other_party_volunteers_what_it_was_not_asked(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        complaint = world.app.submit_evidence(SELLER, complaint.id, "photo", "Our warehouse photo")
        assert [(e.by, e.request_id) for e in complaint.evidence] == [(Role.SELLER, None)]
        assert not complaint.evidence_requests[0].fulfilled

    def test_an_unrequested_kind_is_volunteered_and_the_request_stays_open(
        self, world: Scenario
    ) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "video", "A video")
        assert [(e.kind, e.request_id) for e in complaint.evidence] == [("video", None)]
        assert not complaint.evidence_requests[0].fulfilled
        assert complaint.deadline_of(DeadlineKind.EVIDENCE, "r1") is not None
        with pytest.raises(ValidationFailed) as refused:
            world.app.submit_evidence(CONSUMER, complaint.id, "video", "A video", request_id="r1")
        assert refused.value.fields[0].field == "kind"
        assert "photo" in refused.value.fields[0].message

    def test_an_upload_hash_must_be_sha256(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        with pytest.raises(ValidationFailed):
            world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Photo", "not-a-hash")

    def test_a_hash_that_names_no_upload_is_refused(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        with pytest.raises(ValidationFailed) as refused:
            world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Photo", PHOTO_HASH)
        assert [f.field for f in refused.value.fields] == ["sha256"]
        assert "POST /uploads" in refused.value.fields[0].message
        assert world.app.get_complaint(complaint.id).evidence == []

    def test_another_persons_upload_cannot_be_cited(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        theirs = world.upload(OTHER_CONSUMER)
        with pytest.raises(ValidationFailed):
            world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Photo", theirs)

    def test_an_erased_upload_names_nothing(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        photo = world.upload(OTHER_CONSUMER)
        world.app.erase_subject(SUPERVISOR, OTHER_CONSUMER.id)
        assert world.app.files.describe(OTHER_CONSUMER.id, photo) is None

    def test_evidence_answers_the_request_it_names(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo", "video"])
        complaint = world.app.submit_evidence(
            CONSUMER, complaint.id, "photo", "For the second request", request_id="r2"
        )
        assert complaint.evidence[0].request_id == "r2"
        assert [r.fulfilled for r in complaint.evidence_requests] == [False, False]
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "photo", "For the first")
        assert complaint.evidence[1].request_id == "r1"
        assert [r.fulfilled for r in complaint.evidence_requests] == [True, False]

    def test_a_request_id_that_names_no_open_request_is_refused(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        world.app.request_evidence(ARBITER, complaint.id, Role.SELLER, ["invoice"])
        for other in ("r2", "r9"):  # the seller's request; no such request
            with pytest.raises(ValidationFailed) as refused:
                world.app.submit_evidence(
                    CONSUMER, complaint.id, "photo", "Photo", request_id=other
                )
            assert [f.field for f in refused.value.fields] == ["request_id"]
        with pytest.raises(ValidationFailed) as refused:
            world.app.submit_evidence(CONSUMER, complaint.id, "video", "Clip", request_id="r1")
        assert [f.field for f in refused.value.fields] == ["kind"]


class TestVolunteeredEvidence:
    @pytest.mark.parametrize("party", [CONSUMER, SELLER])
    def test_either_party_volunteers_evidence_while_negotiating(
        self, world: Scenario, party: Actor
    ) -> None:
        complaint = world.negotiating()
        chat = world.upload(party, png("chat"))
        complaint = world.app.submit_evidence(
            party, complaint.id, "chat_log", "The chat about the parcel", chat
        )
        (evidence,) = complaint.evidence
        assert (evidence.by, evidence.kind, evidence.request_id) == (party.role, "chat_log", None)
        assert (evidence.sha256, evidence.media_type) == (chat, "image/png")
        assert complaint.status is Status.NEGOTIATING

    def test_either_party_volunteers_evidence_under_review_before_any_request(
        self, world: Scenario
    ) -> None:
        complaint = world.under_review(assigned=False)
        complaint = world.app.submit_evidence(SELLER, complaint.id, "invoice", "Our invoice")
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "photo", "The box")
        assert [(e.by, e.request_id) for e in complaint.evidence] == [
            (Role.SELLER, None),
            (Role.CONSUMER, None),
        ]

    def test_a_requested_kind_still_answers_the_request(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Before any request")
        world.app.request_evidence(ARBITER, complaint.id, Role.CONSUMER, ["photo"])
        complaint = world.app.submit_evidence(CONSUMER, complaint.id, "photo", "As asked")
        assert [e.request_id for e in complaint.evidence] == [None, "r1"]
        assert complaint.evidence_requests[0].fulfilled

    @pytest.mark.parametrize("stage", ["submitted", "awaiting_info", "ruled", "closed"])
    def test_evidence_comes_only_while_the_case_is_argued(
        self, world: Scenario, stage: str
    ) -> None:
        complaint = {
            "submitted": world.file,
            "awaiting_info": world.awaiting_info,
            "ruled": world.ruled,
            "closed": world.closed,
        }[stage]()
        with pytest.raises(InvalidTransition):
            world.app.submit_evidence(CONSUMER, complaint.id, "photo", "Too early or too late")

    def test_staff_volunteer_nothing(self, world: Scenario) -> None:
        complaint = world.negotiating()
        with pytest.raises(RoleNotAllowed):
            world.app.submit_evidence(AGENT, complaint.id, "photo", "Not a party")

    def test_volunteered_evidence_is_checked_as_requested_evidence_is(
        self, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        theirs = world.upload(OTHER_CONSUMER)
        for kind, description, sha256, field in [
            ("bad kind!", "A photo", None, "kind"),
            ("photo", " ", None, "description"),
            ("photo", "A photo", PHOTO_HASH, "sha256"),
            ("photo", "A photo", theirs, "sha256"),
            ("photo", "A photo", "not-a-hash", "sha256"),
        ]:
            with pytest.raises(ValidationFailed) as refused:
                world.app.submit_evidence(CONSUMER, complaint.id, kind, description, sha256)
            assert [f.field for f in refused.value.fields] == [field]
        assert world.app.get_complaint(complaint.id).evidence == []


class TestEvidenceWhenFiling:
    def test_files_attached_when_filing_are_evidence(self, world: Scenario) -> None:
        world.seller()
        photo = world.upload(CONSUMER)
        video = world.upload(CONSUMER, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40)
        complaint = world.app.file_complaint(
            CONSUMER,
            "acme",
            world.order("order-7"),
            Category.DAMAGED,
            "The vase arrived in pieces; see the photo.",
            REFUND,
            [Attachment(photo, "photo", "The box"), Attachment(video, "unboxing")],
        )
        assert [(e.id, e.request_id, e.kind, e.sha256) for e in complaint.evidence] == [
            ("e1", None, "photo", photo),
            ("e2", None, "unboxing", video),
        ]
        assert complaint.evidence[0].description is not None
        assert complaint.evidence[0].description.reveal() == "The box"
        assert complaint.evidence[1].description is None
        assert complaint.evidence[0].size == len(png())

    def test_an_attachment_must_name_an_upload_of_the_consumers_own(self, world: Scenario) -> None:
        world.seller()
        theirs = world.upload(OTHER_CONSUMER)
        with pytest.raises(ValidationFailed) as refused:
            world.app.file_complaint(
                CONSUMER,
                "acme",
                "order-7",
                Category.DAMAGED,
                "The vase arrived in pieces; see the photo.",
                REFUND,
                [
                    Attachment(theirs, "photo"),
                    Attachment("nope", "bad kind!"),
                    Attachment(PHOTO_HASH, "photo", " "),
                ],
            )
        assert [f.field for f in refused.value.fields] == [
            "evidence.0.sha256",
            "evidence.1.kind",
            "evidence.1.sha256",
            "evidence.2.description",
            "evidence.2.sha256",
        ]

    def test_at_most_ten_files_are_attached(self, world: Scenario) -> None:
        world.seller()
        photo = world.upload(CONSUMER)
        with pytest.raises(ValidationFailed) as refused:
            world.app.file_complaint(
                CONSUMER,
                "acme",
                "order-7",
                Category.DAMAGED,
                "The vase arrived in pieces; see the photo.",
                REFUND,
                [Attachment(photo, "photo")] * 11,
            )
        assert [f.field for f in refused.value.fields] == ["evidence"]


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
