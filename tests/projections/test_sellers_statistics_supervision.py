"""Seller scorecards and the sanctioned list, public statistics, pending deadlines, supervision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import ValidationFailed
from complaints.domain.seller import AfterSalesPolicy, ShopStatus
from complaints.domain.values import (
    Category,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    SanctionKind,
    ViolationKind,
    ViolationStatus,
)
from complaints.projections.read_models import ReadModels
from complaints.projections.sellers import ViolationQuery
from tests.scenario import (
    AGENT,
    CONSUMER,
    OTHER_CONSUMER,
    PARTIAL,
    PLATFORM,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)


class TestScorecard:
    def test_a_scorecard_counts_accepted_and_upheld_complaints_and_resolution_time(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        world = stored_world
        world.file()  # not yet accepted: does not count against the shop
        settled = world.negotiating()
        world.clock.advance(timedelta(hours=10))
        world.app.accept_offer(SELLER, settled.id, "o1")
        world.app.confirm_refund(SELLER, settled.id)
        world.app.confirm_remedy_received(CONSUMER, settled.id)  # closed after 10 h: not upheld
        defaulted = world.negotiating()
        world.lapse(defaulted, DeadlineKind.SELLER_RESPONSE)  # upheld by default
        stored_read_models.catch_up()
        record = stored_read_models.sellers.get("acme")
        assert record is not None
        assert record.scorecard.complaints == 2
        assert record.scorecard.upheld_against_seller == 1
        assert record.scorecard.median_resolution_hours == pytest.approx(10.0)

    def test_a_shop_shows_its_deposit_policy_and_status(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        stored_world.seller()
        stored_world.app.set_after_sales_policy(
            SELLER, "acme", AfterSalesPolicy(7, True, 12, "Seven-day returns.")
        )
        stored_world.app.top_up_deposit(SELLER, "acme", cny("50"))
        stored_read_models.catch_up()
        record = stored_read_models.sellers.get("acme")
        assert record is not None
        assert record.deposit == cny("1050.00")
        assert record.policy == AfterSalesPolicy(7, True, 12, "Seven-day returns.")
        assert record.status == ShopStatus.OPEN
        assert stored_read_models.sellers.get("nowhere") is None


class TestSanctionedList:
    def test_sanctioned_shops_are_listed_most_recent_first_until_lifted(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        app = stored_world.app
        for shop in ("acme", "globex", "initech"):
            stored_world.seller(shop)
        app.sanction_seller(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Non-compliance")
        app.sanction_seller(SUPERVISOR, "globex", SanctionKind.SHOP_CLOSED, "Counterfeits")
        stored_read_models.catch_up()
        page = stored_read_models.sellers.sanctioned()
        assert [r.shop_id for r in page.items] == ["globex", "acme"]
        assert page.total == 2
        assert page.items[0].status == ShopStatus.CLOSED
        assert page.items[0].sanctions[0].reason == "Counterfeits"
        app.lift_sanction(SUPERVISOR, "acme", SanctionKind.TRADING_RESTRICTED, "Fixed")
        stored_read_models.catch_up()
        assert [r.shop_id for r in stored_read_models.sellers.sanctioned().items] == ["globex"]
        acme = stored_read_models.sellers.get("acme")
        assert acme is not None
        assert acme.status == ShopStatus.OPEN
        assert acme.sanctions[0].lifted_at is not None

    def test_the_list_pages_by_cursor(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        shops = [f"shop-{n}" for n in range(5)]
        for shop in shops:
            stored_world.seller(shop)
            stored_world.app.sanction_seller(SUPERVISOR, shop, SanctionKind.WARNING, "Late")
        stored_read_models.catch_up()
        first = stored_read_models.sellers.sanctioned(first=2)
        second = stored_read_models.sellers.sanctioned(
            first=2, after=first.items[-1].sanctioned_seq
        )
        third = stored_read_models.sellers.sanctioned(
            first=2, after=second.items[-1].sanctioned_seq
        )
        listed = [r.shop_id for page in (first, second, third) for r in page.items]
        assert listed == list(reversed(shops))
        assert (first.has_next, second.has_next, third.has_next) == (True, True, False)


class TestStatistics:
    def test_the_figures_of_a_known_set_of_cases(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        world, app = stored_world, stored_world.app
        start = world.clock.now()
        a = world.negotiating()  # settled after 4 h, rated 5
        world.clock.advance(timedelta(hours=4))
        app.accept_offer(SELLER, a.id, "o1")
        app.confirm_refund(SELLER, a.id)
        app.confirm_remedy_received(CONSUMER, a.id)
        app.rate_handling(CONSUMER, a.id, 5)
        app.rate_handling(SELLER, a.id, 1)  # sellers' ratings are not consumer satisfaction
        b = world.awaiting_info()  # expires after 7 d: a default outcome
        world.lapse(b, DeadlineKind.RESUBMISSION)
        c = world.file(category=Category.COUNTERFEIT)
        app.reject_complaint(AGENT, c.id, "Not a purchase on this platform.", "R-1.1")
        app.rate_handling(CONSUMER, c.id, 2)
        world.file(category=Category.NOT_RECEIVED)  # still open
        stored_read_models.catch_up()
        figures = stored_read_models.statistics.period(start, world.clock.now() + timedelta(1))
        assert figures.filed == 4
        assert figures.closed == 3
        assert figures.by_outcome == {
            "EXPIRED_NO_INFO": 1,
            "REJECTED_INVALID": 1,
            "SETTLED_BY_AGREEMENT": 1,
        }
        assert figures.by_category == {"COUNTERFEIT": 1, "DAMAGED": 2, "NOT_RECEIVED": 1}
        # resolution hours: 4 (settled), 168 (expired), 0 (rejected at once)
        assert figures.median_resolution_hours == pytest.approx(4.0)
        assert figures.satisfaction_average == pytest.approx(3.5)
        assert figures.satisfaction_responses == 2
        assert figures.default_ruling_rate == pytest.approx(1 / 3)

    def test_a_period_counts_what_happened_in_it(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        stored_world.file()
        later = stored_world.clock.advance(timedelta(days=40))
        stored_world.file()
        stored_read_models.catch_up()
        figures = stored_read_models.statistics.period(later, later + timedelta(days=1))
        assert figures.filed == 1
        empty = stored_read_models.statistics.period(
            later + timedelta(days=5), later + timedelta(days=6)
        )
        assert (
            empty.filed,
            empty.closed,
            empty.median_resolution_hours,
            empty.default_ruling_rate,
        ) == (0, 0, None, None)

    def test_erasing_a_person_changes_no_figure(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.closed()
        stored_world.app.rate_handling(CONSUMER, complaint.id, 4, "Fine, thanks.")
        stored_read_models.catch_up()
        window = (
            stored_world.clock.now() - timedelta(days=1),
            stored_world.clock.now() + timedelta(days=1),
        )
        before = stored_read_models.statistics.period(*window)
        stored_world.app.erase_subject(SUPERVISOR, CONSUMER.id)
        stored_read_models.catch_up()
        assert stored_read_models.statistics.period(*window) == before
        stored_read_models.rebuild("statistics")
        assert stored_read_models.statistics.period(*window) == before

    def test_a_period_must_run_forwards_in_a_time_zone(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        now = stored_world.clock.now()
        with pytest.raises(ValidationFailed):
            stored_read_models.statistics.period(now, now - timedelta(days=1))
        with pytest.raises(ValidationFailed):
            stored_read_models.statistics.period(now.replace(tzinfo=None), now)


class TestPendingDeadlines:
    def test_due_deadlines_come_oldest_first_and_leave_when_enforced(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        first = stored_world.negotiating()
        stored_world.clock.advance(timedelta(hours=1))
        second = stored_world.negotiating()
        stored_read_models.catch_up()
        now = stored_world.clock.now()
        assert stored_read_models.deadlines.due(now) == []
        later = now + timedelta(hours=48)
        due = stored_read_models.deadlines.due(later)
        assert [(d.complaint_id, d.kind) for d in due] == [
            (first.id, DeadlineKind.SELLER_RESPONSE),
            (second.id, DeadlineKind.SELLER_RESPONSE),
        ]
        assert due[0].party is Role.SELLER
        assert due[0].reference == first.reference
        stored_world.lapse(first, DeadlineKind.SELLER_RESPONSE)
        stored_read_models.catch_up()
        remaining = stored_read_models.deadlines.due(stored_world.clock.now())
        assert first.id not in {
            d.complaint_id for d in remaining if d.kind is DeadlineKind.SELLER_RESPONSE
        }

    def test_a_flagged_staff_deadline_is_no_longer_due(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.file()
        stored_world.lapse(complaint, DeadlineKind.INTAKE)
        stored_read_models.catch_up()
        assert stored_read_models.deadlines.due(stored_world.clock.now()) == []
        (intake,) = stored_read_models.deadlines.of(complaint.id)
        assert intake.overdue


class TestViolations:
    def test_reports_are_listed_newest_first_with_their_decisions(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        stored_world.seller("acme")
        stored_world.seller("globex")
        app = stored_world.app
        fake = app.report_violation(
            CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is a fake; the logo is wrong."
        )
        other = app.report_violation(
            SUPERVISOR, "globex", ViolationKind.OTHER, "Abusive replies to buyers in three cases."
        )
        stored_world.confirm_violation(fake.id)
        stored_read_models.catch_up()
        view = stored_read_models.sellers
        everything = view.violations(ViolationQuery())
        assert [(v.id, v.status) for v in everything.items] == [
            (other.id, ViolationStatus.REPORTED),
            (fake.id, ViolationStatus.CONFIRMED),
        ]
        assert everything.items[1].decided_at is not None
        assert everything.items[1].reported_by is Role.CONSUMER
        page = view.violations(ViolationQuery(), first=1)
        assert (len(page.items), page.has_next, page.total) == (1, True, 2)
        rest = view.violations(ViolationQuery(), first=1, after=page.items[0].seq)
        assert [v.id for v in rest.items] == [fake.id]
        acme = view.violations(
            ViolationQuery(shop_id="acme", statuses=(ViolationStatus.CONFIRMED,))
        )
        assert [v.id for v in acme.items] == [fake.id]
        assert view.violations(ViolationQuery(kind=ViolationKind.FRAUD)).total == 0


class TestSupervisionQueue:
    def test_overdue_intake_waits_in_the_queue_until_handled(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        complaint = stored_world.file()
        stored_world.clock.advance(timedelta(hours=25))
        stored_read_models.catch_up()
        queue = stored_read_models.supervision.queue(stored_world.clock.now())
        assert [(i.kind, i.reference) for i in queue] == [("past_due", complaint.reference)]
        stored_world.app.lapse_deadline(PLATFORM, complaint.id, complaint.open_deadlines[0].id)
        stored_read_models.catch_up()
        queue = stored_read_models.supervision.queue(stored_world.clock.now())
        assert [(i.kind, i.detail) for i in queue] == [("overdue", "intake overdue")]
        stored_world.app.accept_complaint(AGENT, complaint.id)
        stored_read_models.catch_up()
        assert stored_read_models.supervision.queue(stored_world.clock.now()) == []

    def test_a_disputed_remedy_and_a_late_appeal_decision_are_queued(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        world = stored_world
        refunded = world.fulfilling()
        world.app.confirm_refund(SELLER, refunded.id)
        disputed = world.app.dispute_remedy(CONSUMER, refunded.id, "No money arrived.")
        ruled = world.ruled()
        appealed = world.app.file_appeal(SELLER, ruled.id, "The photos show older damage.")
        stored_read_models.catch_up()
        queue = stored_read_models.supervision.queue(world.clock.now())
        assert {(i.complaint_id, i.kind) for i in queue} == {
            (refunded.id, "execution_issue"),
            (ruled.id, "appeal_waiting"),
        }
        # Both staff deadlines pass unanswered: each is flagged overdue as well.
        world.lapse(disputed, DeadlineKind.EXECUTION_ISSUE)
        world.lapse(appealed, DeadlineKind.APPEAL_REVIEW)
        stored_read_models.catch_up()
        queue = stored_read_models.supervision.queue(world.clock.now())
        assert {(i.complaint_id, i.kind, i.detail) for i in queue if i.kind == "overdue"} == {
            (refunded.id, "overdue", "execution_issue overdue"),
            (ruled.id, "overdue", "appeal_review overdue"),
        }
        world.app.resolve_execution_issue(SUPERVISOR, refunded.id, "The bank confirms payment.")
        world.app.decide_appeal(SUPERVISOR, ruled.id, False, "The ruling stands.")
        stored_read_models.catch_up()
        assert stored_read_models.supervision.queue(world.clock.now()) == []

    def test_execution_issues_and_defaulted_remedies_are_queued(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        reship = stored_world.fulfilling(remedy=Remedy(RemedyType.RESHIP))
        stored_world.lapse(reship, DeadlineKind.REMEDY)
        partial = stored_world.fulfilling(remedy=PARTIAL)
        stored_world.app.raise_execution_issue(CONSUMER, partial.id, "Refund never arrived.")
        stored_read_models.catch_up()
        queue = stored_read_models.supervision.queue(stored_world.clock.now())
        # The reshipment names no value to refund: the platform hands it to supervision.
        assert {(i.complaint_id, i.kind) for i in queue} == {
            (reship.id, "remedy_defaulted"),
            (reship.id, "execution_issue"),
            (partial.id, "execution_issue"),
        }
        stored_world.app.ship_replacement(SELLER, reship.id, "EMS", "E1")
        stored_world.app.resolve_execution_issue(SUPERVISOR, reship.id, "Shipped at last.")
        stored_world.app.resolve_execution_issue(SUPERVISOR, partial.id, "Bank delay; paid now.")
        stored_read_models.catch_up()
        assert stored_read_models.supervision.queue(stored_world.clock.now()) == []

    def test_an_appeal_waits_in_the_queue_until_decided(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        ruled = stored_world.ruled()
        stored_world.app.file_appeal(SELLER, ruled.id, "The photos are staged ones.")
        stored_read_models.catch_up()
        queue = stored_read_models.supervision.queue(stored_world.clock.now())
        assert [(i.kind, i.ref, i.detail) for i in queue] == [
            ("appeal_waiting", "SELLER", "appeal by the seller")
        ]
        stored_world.app.decide_appeal(SUPERVISOR, ruled.id, False, "The ruling stands.")
        stored_read_models.catch_up()
        assert stored_read_models.supervision.queue(stored_world.clock.now()) == []

    def test_an_overdue_item_carries_its_deadline_and_pages_by_key(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        first, second = stored_world.file(), stored_world.file(consumer=OTHER_CONSUMER)
        stored_world.clock.advance(timedelta(hours=25))
        stored_world.app.lapse_deadline(PLATFORM, first.id, first.open_deadlines[0].id)
        stored_read_models.catch_up()
        now = stored_world.clock.now()
        queue = stored_read_models.supervision.queue(now)
        assert {i.kind for i in queue} == {"overdue", "past_due"}
        assert all(i.due_at == first.open_deadlines[0].due_at for i in queue)
        page = stored_read_models.supervision.page(now, first=1)
        assert (len(page.items), page.has_next, page.total) == (1, True, 2)
        rest = stored_read_models.supervision.page(now, first=5, after=page.items[0].key)
        assert (len(rest.items), rest.has_next, rest.total) == (1, False, 2)
        assert {page.items[0].complaint_id, rest.items[0].complaint_id} == {first.id, second.id}
        with pytest.raises(ValidationFailed):
            stored_read_models.supervision.page(now, first=0)

    def test_parties_deadlines_are_left_to_the_platform(
        self, stored_world: Scenario, stored_read_models: ReadModels
    ) -> None:
        stored_world.negotiating()
        stored_read_models.catch_up()
        later = stored_world.clock.now() + timedelta(days=30)
        assert stored_read_models.supervision.queue(later) == []


def test_an_outcome_ruled_against_the_seller_is_upheld_once_final(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    complaint = stored_world.ruled(outcome=Outcome.CONSUMER_FAVOUR_PARTIAL, remedy=PARTIAL)
    stored_read_models.catch_up()
    record = stored_read_models.sellers.get("acme")
    assert record is not None
    assert record.scorecard.upheld_against_seller == 0  # not final while appeals are open
    stored_world.lapse(complaint, DeadlineKind.APPEAL_WINDOW)
    stored_read_models.catch_up()
    record = stored_read_models.sellers.get("acme")
    assert record is not None
    assert record.scorecard.upheld_against_seller == 1
