"""Due process for shops over the API: a violation report's answer window and decision deadline,
its reasoned confirmation, a sanction appeal's decision deadline, and the supervision queue's
items for both (waiting, then overdue, gone once decided)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import Actor, Role, SanctionKind, ViolationKind
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AUDITOR,
    CONSUMER,
    MEDIATOR,
    PARTIAL,
    PLATFORM,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
)

OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")

VIOLATION = """query($id: ID!) { node(id: $id) { ... on Violation {
  status responseDueAt decisionDueAt rationale rules { code title version } allowedActions } } }"""
QUEUE = """{ supervisionQueue(first: 50) { edges { node {
  kind shopId dueAt detail sanctionId complaint { reference }
  violation { id status } } } } }"""
CONFIRM = """mutation($input: ViolationActionInput!) { confirmViolation(input: $input) {
  __typename ... on Error { code message } ... on ValidationFailed { fields { field } }
  ... on Violation { status rationale rules { code } } } }"""
REASONS = {"rationale": "The stitching and the logo are not the brand's.", "ruleCodes": ["R-8.1"]}


def report(world: Scenario) -> str:
    world.seller("acme")
    violation = world.app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is an obvious fake."
    )
    return ids.global_id("Violation", violation.id)


def queue(gql: GraphQL) -> list[dict[str, Any]]:
    gql.read_models.catch_up()
    edges = gql.data(QUEUE, actor=SUPERVISOR)["supervisionQueue"]["edges"]
    return [edge["node"] for edge in edges]


def confirm(gql: GraphQL, values: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = gql.data(CONFIRM, {"input": values}, actor=SUPERVISOR)[
        "confirmViolation"
    ]
    return payload


class TestViolations:
    def test_a_report_shows_its_window_and_deadline(self, gql: GraphQL, world: Scenario) -> None:
        gid = report(world)
        now = world.clock.now()
        shown = gql.data(VIOLATION, {"id": gid}, actor=SUPERVISOR)["node"]
        assert shown["responseDueAt"] == (now + timedelta(days=3)).isoformat()
        assert shown["decisionDueAt"] == (now + timedelta(days=5)).isoformat()
        assert (shown["rationale"], shown["rules"]) == (None, [])
        assert shown["allowedActions"] == ["dismissViolation"]

    def test_confirming_before_the_shop_is_heard_is_refused(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        gid = report(world)
        refused = confirm(gql, {"violationId": gid, **REASONS})
        assert (refused["__typename"], refused["code"]) == ("Conflict", "RESPONSE_WINDOW_OPEN")
        assert gql.data(VIOLATION, {"id": gid}, actor=SUPERVISOR)["node"]["status"] == "REPORTED"

    def test_a_confirmation_without_reasons_or_rules_is_refused(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        gid = report(world)
        world.clock.advance(timedelta(days=3))
        refused = confirm(gql, {"violationId": gid})
        assert refused["__typename"] == "ValidationFailed"
        assert sorted(f["field"] for f in refused["fields"]) == ["rationale", "ruleCodes"]
        refused = confirm(gql, {"violationId": gid, "rationale": "Fake.", "ruleCodes": ["R-0"]})
        assert [f["field"] for f in refused["fields"]] == ["ruleCodes"]

    def test_a_confirmation_shows_its_reasons_and_rules(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        gid = report(world)
        world.clock.advance(timedelta(days=3))
        confirmed = confirm(gql, {"violationId": gid, **REASONS})
        assert confirmed == {
            "__typename": "Violation",
            "status": "CONFIRMED",
            "rationale": REASONS["rationale"],
            "rules": [{"code": "R-8.1"}],
        }
        shown = gql.data(VIOLATION, {"id": gid}, actor=CONSUMER)["node"]
        assert [r["title"] for r in shown["rules"]] == ["Counterfeit and fraud"]

    def test_the_queue_holds_a_report_until_it_is_decided_overdue_past_its_deadline(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        gid = report(world)
        reported_at = world.clock.now()
        (waiting,) = queue(gql)
        assert waiting["kind"] == "violation_waiting"
        assert waiting["violation"] == {"id": gid, "status": "REPORTED"}
        assert (waiting["shopId"], waiting["complaint"], waiting["sanctionId"]) == (
            "acme",
            None,
            None,
        )
        assert waiting["dueAt"] == (reported_at + timedelta(days=5)).isoformat()
        world.clock.advance(timedelta(days=5))
        (overdue,) = queue(gql)
        assert overdue["kind"] == "violation_overdue"
        assert overdue["violation"] == {"id": gid, "status": "REPORTED"}  # nothing decided
        assert confirm(gql, {"violationId": gid, **REASONS})["__typename"] == "Violation"
        assert queue(gql) == []

    def test_a_dismissed_report_leaves_the_queue(self, gql: GraphQL, world: Scenario) -> None:
        gid = report(world)
        assert [i["kind"] for i in queue(gql)] == ["violation_waiting"]
        world.app.dismiss_violation(SUPERVISOR, ids.parse_uuid("Violation", gid, "id"), "No.")
        assert queue(gql) == []


class TestSanctionAppeals:
    SANCTION = """query { seller(shopId: "acme") { sanctions { id appeal {
      filedAt decisionDueAt granted } } } }"""

    def test_an_appeal_shows_its_deadline_and_waits_in_the_queue(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        world.seller("acme")
        world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
        filed = world.clock.now()
        world.app.appeal_sanction(SELLER, "acme", "s1", "Our replies were late over a holiday.")
        due = (filed + timedelta(days=5)).isoformat()
        for viewer in (SELLER, SUPERVISOR):
            (sanction,) = gql.data(self.SANCTION, actor=viewer)["seller"]["sanctions"]
            assert sanction["appeal"]["decisionDueAt"] == due, viewer
        (waiting,) = queue(gql)
        assert (waiting["kind"], waiting["sanctionId"], waiting["shopId"]) == (
            "sanction_appeal",
            "s1",
            "acme",
        )
        assert (waiting["dueAt"], waiting["complaint"], waiting["violation"]) == (due, None, None)
        world.clock.advance(timedelta(days=5))
        assert [i["kind"] for i in queue(gql)] == ["sanction_appeal_overdue"]
        world.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", False, "Notified late.")
        assert queue(gql) == []
        (sanction,) = gql.data(self.SANCTION, actor=SELLER)["seller"]["sanctions"]
        assert (sanction["appeal"]["granted"], sanction["appeal"]["decisionDueAt"]) == (
            False,
            due,
        )

    def test_a_case_appeal_shows_its_review_deadline_to_staff_only(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        ruled = world.ruled()
        appealed = world.app.file_appeal(SELLER, ruled.id, "The photos are staged ones.")
        review = appealed.deadline_of(DeadlineKind.APPEAL_REVIEW)
        assert review is not None
        gid = ids.global_id("Complaint", ruled.id)
        document = (
            f'{{ node(id: "{gid}") {{ ... on Complaint {{ appeal {{ decisionDueAt }} }} }} }}'
        )
        staff = gql.data(document, actor=SUPERVISOR)["node"]["appeal"]["decisionDueAt"]
        assert staff == review.due_at.isoformat()
        assert gql.data(document, actor=SELLER)["node"]["appeal"]["decisionDueAt"] is None


class TestReasonedRulings:
    DECISION = """query($id: ID!) { node(id: $id) { ... on Complaint {
      ruling { byDefault rules { code } acknowledgedBy }
      appealDecision { granted outcome remedy { type } rationale rules { code title }
        decidedAt acknowledgedBy } } } }"""
    DECIDE = """mutation($input: DecideAppealInput!) { decideAppeal(input: $input) {
      __typename ... on Error { code } ... on ValidationFailed { fields { field } } } }"""
    ACKNOWLEDGE = """mutation($input: ComplaintActionInput!) { acknowledgeRuling(input: $input) {
      __typename ... on Error { code } } }"""

    def shown(self, gql: GraphQL, gid: str) -> dict[str, Any]:
        node: dict[str, Any] = gql.data(self.DECISION, {"id": gid}, actor=SUPERVISOR)["node"]
        return node

    def acknowledge(self, gql: GraphQL, gid: str, actor: Actor) -> dict[str, Any]:
        payload: dict[str, Any] = gql.data(
            self.ACKNOWLEDGE, {"input": {"complaintId": gid}}, actor=actor
        )["acknowledgeRuling"]
        return payload

    def test_a_default_ruling_cites_its_rule_and_is_acknowledged_with_its_appeal_decision(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        case = world.lapse(world.negotiating(), DeadlineKind.SELLER_RESPONSE)
        gid = ids.global_id("Complaint", case.id)
        assert self.shown(gql, gid) == {
            "ruling": {"byDefault": True, "rules": [{"code": "R-6.1"}], "acknowledgedBy": []},
            "appealDecision": None,
        }
        for party in (CONSUMER, SELLER):
            assert self.acknowledge(gql, gid, party) == {"__typename": "Complaint"}
        again = self.acknowledge(gql, gid, SELLER)
        assert (again["__typename"], again["code"]) == (
            "InvalidTransition",
            "ALREADY_ACKNOWLEDGED",
        )
        world.app.file_appeal(SELLER, case.id, "The goods were returned unused.")
        granted = {"complaintId": gid, "grant": True, "rationale": "Refunded outside the platform."}
        granted["outcome"] = "SELLER_FAVOUR_EXPLAINED"
        refused = gql.data(self.DECIDE, {"input": granted}, actor=SUPERVISOR)["decideAppeal"]
        assert refused["__typename"] == "ValidationFailed"
        assert [f["field"] for f in refused["fields"]] == ["ruleCodes"]
        granted["ruleCodes"] = ["R-7.1"]
        decided = gql.data(self.DECIDE, {"input": granted}, actor=SUPERVISOR)["decideAppeal"]
        assert decided == {"__typename": "Complaint"}
        assert self.acknowledge(gql, gid, CONSUMER) == {"__typename": "Complaint"}
        shown = self.shown(gql, gid)
        assert shown["ruling"]["acknowledgedBy"] == ["CONSUMER", "SELLER"]
        decision = shown["appealDecision"]
        assert decision["granted"] is True
        assert (decision["outcome"], decision["remedy"]) == (
            "SELLER_FAVOUR_EXPLAINED",
            {"type": "EXPLANATION_ONLY"},
        )
        assert decision["rationale"] == "Refunded outside the platform."
        assert decision["rules"] == [{"code": "R-7.1", "title": "Carrying out decisions"}]
        assert decision["acknowledgedBy"] == ["CONSUMER"]
        assert decision["decidedAt"] == world.clock.now().isoformat()


class TestPauseLimit:
    def test_a_clock_resumed_at_its_limit_waits_in_the_queue_until_staff_look(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        world.app.pause_clock(SUPERVISOR, complaint.id, "Waiting on the courier")
        world.clock.advance(timedelta(days=14))
        assert queue(gql) == []  # paused, within its limit
        world.app.resume_clock_at_limit(PLATFORM, complaint.id)
        (item,) = queue(gql)
        assert item["kind"] == "pause_limit"
        assert item["complaint"] == {"reference": complaint.reference}
        assert item["detail"] == "the clock resumed by itself (MAX_PAUSE=14d)"
        assert (item["violation"], item["sanctionId"]) == (None, None)
        gid = ids.global_id("Complaint", complaint.id)
        entries = gql.data(
            "query($id: ID!) { complaint(id: $id) {"
            " timeline(first: 50) { edges { node { type summary } } } } }",
            {"id": gid},
            actor=SUPERVISOR,
        )["complaint"]["timeline"]["edges"]
        resumed = [e["node"]["summary"] for e in entries if e["node"]["type"] == "ClockResumed"]
        assert resumed == [
            "The clock runs again after 336.0 hours paused, the longest a clock may be paused"
            " (MAX_PAUSE=14d); 2 deadline(s) moved later by that time."
        ]
        world.app.pause_clock(SUPERVISOR, complaint.id, "Still waiting on the courier")
        assert queue(gql) == []


class TestMediators:
    CASE = """query($id: ID!) { node(id: $id) { ... on Complaint { assignedMediatorId
      offers { id by status answerDueAt } } } }"""
    MINE = """query($mediator: String!) { complaints(filter: {assignedMediatorId: $mediator}) {
      totalCount edges { node { reference } } } }"""
    ASSIGN = """mutation($input: AssignMediatorInput!) { assignMediator(input: $input) {
      __typename ... on Error { code } } }"""

    def test_a_supervisor_assigns_a_mediator_who_finds_the_case_in_their_queue(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        complaint = world.app.request_intervention(CONSUMER, world.negotiating().id)
        world.negotiating()  # another case, not theirs
        gid = ids.global_id("Complaint", complaint.id)
        assert [i["kind"] for i in queue(gql)] == ["mediator_needed"]
        assigned = gql.data(
            self.ASSIGN, {"input": {"complaintId": gid, "mediatorId": "med-7"}}, actor=SUPERVISOR
        )["assignMediator"]
        assert assigned == {"__typename": "Complaint"}
        assert queue(gql) == []
        assert (
            gql.data(self.CASE, {"id": gid}, actor=SUPERVISOR)["node"]["assignedMediatorId"]
            == "med-7"
        )
        assert (
            gql.data(self.CASE, {"id": gid}, actor=CONSUMER)["node"]["assignedMediatorId"] is None
        )
        mine = gql.data(self.MINE, {"mediator": "med-7"}, actor=MEDIATOR)["complaints"]
        assert mine["totalCount"] == 1
        assert mine["edges"] == [{"node": {"reference": complaint.reference}}]
        refused = gql.run(self.MINE, {"mediator": "med-7"}, actor=CONSUMER)
        assert refused.errors[0].extensions["code"] == "NOT_ALLOWED"

    def test_a_proposal_shows_until_when_it_may_be_answered(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        complaint = world.negotiating()
        complaint = world.app.propose_settlement(MEDIATOR, complaint.id, PARTIAL)
        gid = ids.global_id("Complaint", complaint.id)
        offers = gql.data(self.CASE, {"id": gid}, actor=CONSUMER)["node"]["offers"]
        due = (world.clock.now() + timedelta(days=3)).isoformat()
        assert [(o["by"], o["status"], o["answerDueAt"]) for o in offers] == [
            ("CONSUMER", "SUPERSEDED", None),
            ("MEDIATOR", "OPEN", due),
        ]
        world.lapse(complaint, DeadlineKind.SETTLEMENT_ANSWER)
        offers = gql.data(self.CASE, {"id": gid}, actor=CONSUMER)["node"]["offers"]
        assert [(o["status"], o["answerDueAt"]) for o in offers] == [
            ("SUPERSEDED", None),
            ("DECLINED", None),
        ]


class TestHistoryTrails:
    SHOP = """query($shop: String!) { shopAuditTrail(shopId: $shop) { subject id verified
      firstBrokenVersion events { version type actorRole hash previousHash } } }"""
    VIOLATION = """query($id: ID!) { violationAuditTrail(violationId: $id) { subject id verified
      firstBrokenVersion events { version type actorRole data } } }"""

    def test_staff_and_auditors_read_a_shops_and_a_violations_chained_history(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        gid = report(world)
        world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
        for viewer in (SUPERVISOR, AUDITOR):
            shop = gql.data(self.SHOP, {"shop": "acme"}, actor=viewer)["shopAuditTrail"]
            assert (shop["subject"], shop["id"], shop["verified"]) == ("Seller", "acme", True)
            assert shop["firstBrokenVersion"] is None
            assert [e["type"] for e in shop["events"]] == ["Registered", "SanctionImposed"]
            first, second = shop["events"]
            assert first["previousHash"] is None
            assert second["previousHash"] == first["hash"]
            trail = gql.data(self.VIOLATION, {"id": gid}, actor=viewer)["violationAuditTrail"]
            assert (trail["subject"], trail["id"], trail["verified"]) == ("Violation", gid, True)
            (reported,) = trail["events"]
            assert (reported["type"], reported["actorRole"]) == ("Reported", "CONSUMER")
            assert reported["data"]["response_due_at"] is not None

    def test_no_one_else_reads_them_and_an_unknown_subject_is_not_found(
        self, gql: GraphQL, world: Scenario
    ) -> None:
        gid = report(world)
        for viewer in (CONSUMER, SELLER, PUBLIC):
            for document, variables in (
                (self.SHOP, {"shop": "acme"}),
                (self.VIOLATION, {"id": gid}),
            ):
                (error,) = gql.run(document, variables, actor=viewer).errors
                assert error.extensions["code"] == "NOT_ALLOWED", viewer
        (error,) = gql.run(self.SHOP, {"shop": "nobody"}, actor=AUDITOR).errors
        assert error.extensions["code"] == "SELLER_NOT_FOUND"
        missing = ids.global_id("Violation", uuid4())
        (error,) = gql.run(self.VIOLATION, {"id": missing}, actor=AUDITOR).errors
        assert error.extensions["code"] == "VIOLATION_NOT_FOUND"

    def test_a_case_is_not_a_violation(self, gql: GraphQL, world: Scenario) -> None:
        complaint = world.negotiating()
        result = gql.run(self.VIOLATION, {"id": str(complaint.id)}, actor=AUDITOR)
        (error,) = result.errors
        assert error.extensions["code"] == "VIOLATION_NOT_FOUND"
