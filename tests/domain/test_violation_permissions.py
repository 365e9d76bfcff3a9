"""Who may do what to a reported violation: every Violation command against the roles, shops and
statuses that may not, and the allowed actions derived from the same table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.deadlines import DeadlinePolicy
from complaints.domain.errors import (
    AlreadyResponded,
    Conflict,
    NotAParty,
    ReadOnlyRole,
    ResponseWindowOpen,
    RoleNotAllowed,
    ValidationFailed,
    ViolationAlreadyDecided,
)
from complaints.domain.values import Actor, Role, ViolationKind, ViolationStatus
from complaints.domain.violation import OFFERED, PERMISSIONS, Action, Violation
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONFIRMATION,
    CONSUMER,
    MEDIATOR,
    OTHER_SELLER,
    PLATFORM,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
)

ANSWER = "Bought from the brand's distributor; the invoice is on the listing."
Call = Callable[[ComplaintsApp, Actor, UUID], object]

COMMANDS: dict[Action, Call] = {
    Action.REPORT: lambda app, a, v: app.report_violation(
        a, "acme", ViolationKind.COUNTERFEIT, "The handbag is an obvious fake."
    ),
    Action.RESPOND: lambda app, a, v: app.respond_to_violation(a, v, ANSWER),
    Action.CONFIRM: lambda app, a, v: app.confirm_violation(a, v, *CONFIRMATION),
    Action.DISMISS: lambda app, a, v: app.dismiss_violation(a, v, "The logo is genuine."),
    Action.FIND_BY_RULING: lambda app, a, v: Violation.found_by_ruling(
        app.context(a),
        shop_id="acme",
        kind=ViolationKind.FRAUD,
        complaint_id=uuid4(),
        reference="C-1",
    ),
}

EVERY_ROLE: dict[Role, Actor] = {
    Role.CONSUMER: CONSUMER,
    Role.SELLER: SELLER,
    Role.AGENT: AGENT,
    Role.MEDIATOR: MEDIATOR,
    Role.ARBITER: ARBITER,
    Role.SUPERVISOR: SUPERVISOR,
    Role.SYSTEM: PLATFORM,
}


def reported(world: Scenario) -> Violation:
    world.seller("acme")
    return world.app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is an obvious fake."
    )


def test_every_command_is_in_the_table() -> None:
    assert set(COMMANDS) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_an_auditor_commands_nothing(world: Scenario, action: Action) -> None:
    violation = reported(world)
    with pytest.raises(ReadOnlyRole) as refused:
        COMMANDS[action](world.app, AUDITOR, violation.id)
    assert refused.value.code == "READ_ONLY_ROLE"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_the_public_commands_nothing(world: Scenario, action: Action) -> None:
    violation = reported(world)
    with pytest.raises(RoleNotAllowed) as refused:
        COMMANDS[action](world.app, PUBLIC, violation.id)
    assert refused.value.code == "ROLE_NOT_ALLOWED"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_role_outside_the_table_is_refused(world: Scenario, action: Action) -> None:
    violation = reported(world)
    for role, actor in EVERY_ROLE.items():
        if role in PERMISSIONS[action].roles:
            continue
        with pytest.raises(RoleNotAllowed) as refused:
            COMMANDS[action](world.app, actor, violation.id)
        assert refused.value.code == "ROLE_NOT_ALLOWED", role


def test_only_the_reported_shop_responds(world: Scenario) -> None:
    violation = reported(world)
    with pytest.raises(NotAParty) as refused:
        world.app.respond_to_violation(OTHER_SELLER, violation.id, ANSWER)
    assert refused.value.code == "NOT_A_PARTY"


def test_any_shops_staff_may_report_any_shop(world: Scenario) -> None:
    world.seller("acme")
    violation = world.app.report_violation(
        OTHER_SELLER, "acme", ViolationKind.COUNTERFEIT, "Our brand, sold as theirs."
    )
    assert violation.reported_by is Role.SELLER


@pytest.mark.parametrize("action", OFFERED, ids=lambda a: a.value)
def test_a_decided_violation_takes_no_more_commands(world: Scenario, action: Action) -> None:
    violation = reported(world)
    world.app.dismiss_violation(SUPERVISOR, violation.id, "Not shown.")
    actor = SELLER if action is Action.RESPOND else SUPERVISOR
    with pytest.raises(ViolationAlreadyDecided) as refused:
        COMMANDS[action](world.app, actor, violation.id)
    assert refused.value.code == "VIOLATION_ALREADY_DECIDED"


def test_the_shop_responds_once(world: Scenario) -> None:
    violation = reported(world)
    world.app.respond_to_violation(SELLER, violation.id, ANSWER)
    with pytest.raises(AlreadyResponded) as refused:
        world.app.respond_to_violation(SELLER, violation.id, ANSWER)
    assert refused.value.code == "ALREADY_RESPONDED"


class TestAllowedActions:
    def test_a_new_report_is_answered_by_its_shop_and_decided_by_a_supervisor(
        self, world: Scenario
    ) -> None:
        violation = reported(world)
        now = world.clock.now()
        assert violation.allowed_actions(SELLER, now) == ["respondToViolation"]
        # While the shop may still answer, a report can be dismissed but not confirmed.
        assert violation.allowed_actions(SUPERVISOR, now) == ["dismissViolation"]
        for actor in (CONSUMER, OTHER_SELLER, AGENT, MEDIATOR, ARBITER, AUDITOR, PUBLIC):
            assert violation.allowed_actions(actor, now) == [], actor
        assert violation.response_due_at is not None
        after = violation.response_due_at
        assert violation.allowed_actions(SUPERVISOR, after) == [
            "confirmViolation",
            "dismissViolation",
        ]
        assert violation.allowed_actions(SELLER, after) == ["respondToViolation"]

    def test_an_answer_is_given_once(self, world: Scenario) -> None:
        violation = reported(world)
        violation = world.app.respond_to_violation(SELLER, violation.id, ANSWER)
        now = world.clock.now()
        assert violation.allowed_actions(SELLER, now) == []
        assert violation.allowed_actions(SUPERVISOR, now) == [
            "confirmViolation",
            "dismissViolation",
        ]

    def test_a_decided_violation_offers_nothing(self, world: Scenario) -> None:
        violation = reported(world)
        violation = world.confirm_violation(violation.id)
        now = world.clock.now()
        for actor in (SELLER, SUPERVISOR, CONSUMER):
            assert violation.allowed_actions(actor, now) == [], actor


class TestDueProcess:
    """A report opens the shop's window to answer and the staff's deadline to decide; a
    confirmation waits for the shop to be heard and states its reasons and rules."""

    def test_a_report_opens_the_answer_window_and_the_decision_deadline(
        self, world: Scenario
    ) -> None:
        violation = reported(world)
        now = world.clock.now()
        assert violation.response_due_at == now + timedelta(days=3)
        assert violation.decision_due_at == now + timedelta(days=5)
        assert violation.rationale is None
        assert violation.rule_codes == ()

    def test_the_windows_follow_the_deadline_settings(self, world: Scenario) -> None:
        world.app.settings = replace(
            world.app.settings,
            deadlines=DeadlinePolicy.parse("violation_response=1d,violation_decision=2d"),
        )
        violation = reported(world)
        now = world.clock.now()
        assert (violation.response_due_at, violation.decision_due_at) == (
            now + timedelta(days=1),
            now + timedelta(days=2),
        )

    def test_no_confirmation_while_the_shop_may_still_answer(self, world: Scenario) -> None:
        violation = reported(world)
        world.clock.advance(timedelta(days=3) - timedelta(seconds=1))
        with pytest.raises(ResponseWindowOpen) as refused:
            world.app.confirm_violation(SUPERVISOR, violation.id, *CONFIRMATION)
        assert refused.value.code == "RESPONSE_WINDOW_OPEN"
        assert isinstance(refused.value, Conflict)
        assert world.app.get_violation(violation.id).version == violation.version
        world.clock.advance(timedelta(seconds=1))
        confirmed = world.app.confirm_violation(SUPERVISOR, violation.id, *CONFIRMATION)
        assert confirmed.status is ViolationStatus.CONFIRMED

    def test_a_shop_that_answered_has_been_heard(self, world: Scenario) -> None:
        violation = reported(world)
        world.app.respond_to_violation(SELLER, violation.id, ANSWER)
        confirmed = world.app.confirm_violation(SUPERVISOR, violation.id, *CONFIRMATION)
        assert confirmed.status is ViolationStatus.CONFIRMED

    def test_a_dismissal_need_not_wait(self, world: Scenario) -> None:
        violation = reported(world)
        dismissed = world.app.dismiss_violation(SUPERVISOR, violation.id, "Not shown.")
        assert dismissed.status is ViolationStatus.DISMISSED

    @pytest.mark.parametrize(
        ("rationale", "codes", "fields"),
        [
            ("", ["R-8.1"], ["rationale"]),
            ("   ", ["R-8.1"], ["rationale"]),
            ("Fake, as the photos show.", [], ["rule_codes"]),
            ("Fake, as the photos show.", ["R-99.9"], ["rule_codes"]),
            ("", [], ["rationale", "rule_codes"]),
        ],
    )
    def test_a_confirmation_states_its_reasons_and_rules(
        self, world: Scenario, rationale: str, codes: list[str], fields: list[str]
    ) -> None:
        violation = reported(world)
        world.app.respond_to_violation(SELLER, violation.id, ANSWER)
        with pytest.raises(ValidationFailed) as refused:
            world.app.confirm_violation(SUPERVISOR, violation.id, rationale, codes)
        assert sorted({f.field for f in refused.value.fields}) == fields
        assert world.app.get_violation(violation.id).status is ViolationStatus.REPORTED

    def test_the_confirmation_records_its_reasons(self, world: Scenario) -> None:
        violation = reported(world)
        world.app.respond_to_violation(SELLER, violation.id, ANSWER)
        confirmed = world.app.confirm_violation(
            SUPERVISOR, violation.id, "  The logo is misprinted.  ", ["R-4.1", "R-8.1"]
        )
        assert confirmed.rationale == "The logo is misprinted."
        assert confirmed.rule_codes == ("R-4.1", "R-8.1")
        assert world.app.get_violation(violation.id).rule_codes == ("R-4.1", "R-8.1")

    def test_a_passed_decision_deadline_decides_nothing(self, world: Scenario) -> None:
        violation = reported(world)
        world.clock.advance(timedelta(days=6))
        assert world.app.get_violation(violation.id).status is ViolationStatus.REPORTED
        assert world.app.get_violation(violation.id).version == violation.version
