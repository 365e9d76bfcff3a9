"""Complaint summary and search, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import ValidationFailed
from complaints.domain.values import Category, Outcome, Remedy, RemedyType, Status
from complaints.projections.complaint_list import ComplaintFilter, remedy_from_json, remedy_json
from complaints.projections.read_models import ReadModels
from tests.scenario import (
    AGENT,
    AUDITOR,
    CONSUMER,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PUBLIC,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
)


def search(
    models: ReadModels, world: Scenario, viewer: object = SUPERVISOR, **kw: object
) -> list[str]:
    page = models.complaints.search(viewer, ComplaintFilter(**kw), now=world.clock.now())  # type: ignore[arg-type]
    return [s.reference for s in page.items]


@pytest.fixture
def cases(stored_world: Scenario, stored_read_models: ReadModels) -> dict[str, str]:
    """Four complaints in different states, by two consumers, against one shop."""
    world = stored_world
    settled = world.closed()
    ruled = world.ruled()
    fresh = world.file(
        category=Category.COUNTERFEIT,
        description="Fake logo stitched on the bag; see the photos please.",
    )
    theirs = world.file(
        consumer=OTHER_CONSUMER,
        category=Category.NOT_RECEIVED,
        description="The parcel never arrived although tracking says so.",
    )
    stored_read_models.catch_up()
    return {
        "settled": settled.reference,
        "ruled": ruled.reference,
        "fresh": fresh.reference,
        "theirs": theirs.reference,
    }


class TestSummary:
    def test_a_summary_reflects_the_case(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.closed()
        stored_read_models.catch_up()
        summary = stored_read_models.complaints.get(SUPERVISOR, complaint.id)
        assert summary is not None
        assert (summary.reference, summary.status, summary.outcome) == (
            complaint.reference,
            Status.CLOSED,
            Outcome.SETTLED_BY_AGREEMENT,
        )
        assert (summary.requested_remedy, summary.remedy) == (REFUND, REFUND)
        assert summary.version == complaint.version
        assert summary.closed_at == complaint.closed_at
        survey = complaint.open_deadlines[0]
        assert summary.next_due_at == survey.due_at

    def test_a_summary_is_for_the_cases_parties_and_staff(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.file()
        stored_read_models.catch_up()
        view = stored_read_models.complaints
        for viewer in (CONSUMER, SELLER, AGENT, AUDITOR):
            assert view.get(viewer, complaint.id) is not None
        for viewer in (OTHER_CONSUMER, OTHER_SELLER, PUBLIC):
            assert view.get(viewer, complaint.id) is None

    def test_a_default_ruling_is_marked(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.lapse(stored_world.negotiating(), DeadlineKind.SELLER_RESPONSE)
        stored_read_models.catch_up()
        summary = stored_read_models.complaints.get(SUPERVISOR, complaint.id)
        assert summary is not None
        assert summary.decided_by_default
        assert summary.status is Status.FULFILLING


class TestScope:
    def test_staff_and_auditors_see_every_complaint(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        for viewer in (SUPERVISOR, AGENT, AUDITOR):
            assert len(search(stored_read_models, stored_world, viewer)) == 4

    def test_a_consumer_sees_only_their_own(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        assert search(stored_read_models, stored_world, OTHER_CONSUMER) == [cases["theirs"]]
        assert cases["theirs"] not in search(stored_read_models, stored_world, CONSUMER)

    def test_a_seller_sees_only_its_shop(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        assert len(search(stored_read_models, stored_world, SELLER)) == 4
        assert search(stored_read_models, stored_world, OTHER_SELLER) == []

    def test_the_public_sees_none(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        page = stored_read_models.complaints.search(
            PUBLIC, ComplaintFilter(), now=stored_world.clock.now()
        )
        assert (page.items, page.total) == ([], 0)

    def test_a_filter_cannot_widen_the_scope(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        assert (
            search(stored_read_models, stored_world, OTHER_CONSUMER, consumer_id=CONSUMER.id) == []
        )
        assert search(stored_read_models, stored_world, OTHER_SELLER, shop_id="acme") == []


class TestFilters:
    def test_by_status(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        found = search(stored_read_models, stored_world, statuses=(Status.RULED, Status.CLOSED))
        assert set(found) == {cases["ruled"], cases["settled"]}

    def test_by_category(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        found = search(stored_read_models, stored_world, category=Category.COUNTERFEIT)
        assert found == [cases["fresh"]]

    def test_by_shop_and_consumer(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        assert len(search(stored_read_models, stored_world, shop_id="acme")) == 4
        assert search(stored_read_models, stored_world, shop_id="globex") == []
        assert search(stored_read_models, stored_world, consumer_id=OTHER_CONSUMER.id) == [
            cases["theirs"]
        ]

    def test_by_overdue(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        assert search(stored_read_models, stored_world, overdue=True) == []
        stored_world.clock.advance(timedelta(hours=25))
        overdue = search(stored_read_models, stored_world, overdue=True)
        assert set(overdue) == {cases["fresh"], cases["theirs"]}
        assert set(search(stored_read_models, stored_world, overdue=False)) == {
            cases["settled"],
            cases["ruled"],
        }

    def test_by_free_text_in_the_description_reference_or_order(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        assert search(stored_read_models, stored_world, search="FAKE logo") == [cases["fresh"]]
        assert search(stored_read_models, stored_world, search="parcel arrived") == [
            cases["theirs"]
        ]
        assert search(stored_read_models, stored_world, search=cases["ruled"]) == [cases["ruled"]]
        assert search(stored_read_models, stored_world, search="nothing-like-this") == []

    @pytest.mark.parametrize(
        "term", ["%", "_", "\\", "' OR 1=1 --", '"; DROP TABLE x; --', "%%%", "a_b"]
    )
    def test_wildcards_and_quotes_are_searched_as_text(
        self,
        term: str,
        cases: dict[str, str],
        stored_world: Scenario,
        stored_read_models: ReadModels,
    ) -> None:
        assert search(stored_read_models, stored_world, search=term) == []
        assert len(search(stored_read_models, stored_world)) == 4

    def test_filters_combine(
        self, cases: dict[str, str], stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        found = search(
            stored_read_models,
            stored_world,
            statuses=(Status.SUBMITTED,),
            category=Category.NOT_RECEIVED,
            search="parcel",
        )
        assert found == [cases["theirs"]]


class TestPages:
    def test_keyset_pages_walk_every_complaint_once_newest_first(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        filed = [stored_world.file().reference for _ in range(7)]
        stored_read_models.catch_up()
        seen: list[str] = []
        after = None
        while True:
            page = stored_read_models.complaints.search(
                SUPERVISOR, ComplaintFilter(), now=stored_world.clock.now(), first=3, after=after
            )
            assert page.total == 7
            seen += [s.reference for s in page.items]
            if not page.has_next:
                break
            after = page.items[-1].seq
        assert seen == list(reversed(filed))

    def test_a_new_complaint_does_not_shift_later_pages(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        for _ in range(4):
            stored_world.file()
        stored_read_models.catch_up()
        first = stored_read_models.complaints.search(
            SUPERVISOR, ComplaintFilter(), now=stored_world.clock.now(), first=2
        )
        stored_world.file()
        stored_read_models.catch_up()
        second = stored_read_models.complaints.search(
            SUPERVISOR,
            ComplaintFilter(),
            now=stored_world.clock.now(),
            first=2,
            after=first.items[-1].seq,
        )
        assert second.total == 5
        assert not {s.id for s in first.items} & {s.id for s in second.items}
        assert len(second.items) == 2

    @pytest.mark.parametrize("first", [0, -1, 101])
    def test_a_page_size_out_of_range_is_refused(
        self, first: int, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        with pytest.raises(ValidationFailed):
            stored_read_models.complaints.search(
                SUPERVISOR, ComplaintFilter(), now=stored_world.clock.now(), first=first
            )


class TestPersonalData:
    def test_erasure_empties_the_searchable_description(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.file(description="My flat at 17 Lotus Lane was flooded by it.")
        stored_read_models.catch_up()
        assert search(stored_read_models, stored_world, search="lotus lane") == [
            complaint.reference
        ]
        stored_world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        stored_read_models.catch_up()
        assert search(stored_read_models, stored_world, search="lotus lane") == []
        assert search(stored_read_models, stored_world, search=complaint.reference) == [
            complaint.reference
        ]

    def test_a_rebuild_after_erasure_never_sees_the_text(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        stored_world.file(description="My flat at 17 Lotus Lane was flooded by it.")
        stored_world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        stored_read_models.rebuild("complaint_list")
        assert search(stored_read_models, stored_world, search="lotus") == []

    def test_a_resubmission_replaces_the_searchable_text(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.awaiting_info()
        stored_world.app.resubmit_complaint(
            CONSUMER, complaint.id, "Added: the seller's chat promised a replacement."
        )
        stored_read_models.catch_up()
        assert search(stored_read_models, stored_world, search="chat promised") == [
            complaint.reference
        ]
        assert search(stored_read_models, stored_world, search="crushed") == []


def test_remedies_round_trip_through_their_stored_form() -> None:
    for remedy in (REFUND, Remedy(RemedyType.RESHIP), Remedy(RemedyType.EXPLANATION_ONLY)):
        assert remedy_from_json(remedy_json(remedy)) == remedy
