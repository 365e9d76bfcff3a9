"""Who may do what to a reported violation: every Violation command against the roles, shops and
statuses that may not, and the allowed actions derived from the same table."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.errors import (
    AlreadyResponded,
    NotAParty,
    ReadOnlyRole,
    RoleNotAllowed,
    ViolationAlreadyDecided,
)
from complaints.domain.values import Actor, Role, ViolationKind
from complaints.domain.violation import OFFERED, PERMISSIONS, Action, Violation
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
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
    Action.CONFIRM: lambda app, a, v: app.confirm_violation(a, v),
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
        assert violation.allowed_actions(SUPERVISOR, now) == [
            "confirmViolation",
            "dismissViolation",
        ]
        for actor in (CONSUMER, OTHER_SELLER, AGENT, MEDIATOR, ARBITER, AUDITOR, PUBLIC):
            assert violation.allowed_actions(actor, now) == [], actor

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
        violation = world.app.confirm_violation(SUPERVISOR, violation.id)
        now = world.clock.now()
        for actor in (SELLER, SUPERVISOR, CONSUMER):
            assert violation.allowed_actions(actor, now) == [], actor
