"""Who may do what to a shop: every Seller command against the roles and shops that may not,
and the allowed actions derived from the same table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.errors import (
    NoPendingAppeal,
    NotAllowed,
    ReadOnlyRole,
    RoleNotAllowed,
    SameReviewer,
    SanctionAlreadyAppealed,
    SanctionNotActive,
    SanctionNotFound,
)
from complaints.domain.sanctions import Offence
from complaints.domain.seller import (
    OFFERED,
    OFFERED_ON_SANCTIONS,
    PERMISSIONS,
    Action,
    AfterSalesPolicy,
    starting_actions,
)
from complaints.domain.values import Actor, Role, SanctionKind, ViolationKind
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
    cny,
)

OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")
POLICY = AfterSalesPolicy(7, True, 12, "Returns within 7 days in original packaging.")
GROUNDS = "The replies were late because of a holiday."

Call = Callable[[ComplaintsApp, Actor], object]


def aggregate(app: ComplaintsApp, actor: Actor, command: str, **arguments: object) -> object:
    """The platform's own commands have no application method of their own: call the shop."""
    seller = app.get_seller("acme")
    method: Callable[..., object] = getattr(seller, command)
    return method(app.context(actor), **arguments)


COMMANDS: dict[Action, Call] = {
    Action.REGISTER: lambda app, a: app.register_seller(a, "initech", "Initech", cny("10")),
    Action.SET_AFTER_SALES_POLICY: lambda app, a: app.set_after_sales_policy(a, "acme", POLICY),
    Action.TOP_UP_DEPOSIT: lambda app, a: app.top_up_deposit(a, "acme", cny("10")),
    Action.RECORD_SPOT_CHECK: lambda app, a: app.record_spot_check(a, "acme", True, "Fine."),
    Action.SANCTION: lambda app, a: app.sanction_seller(a, "acme", SanctionKind.WARNING, "Late"),
    Action.LIFT_SANCTION: lambda app, a: app.lift_sanction(
        a, "acme", SanctionKind.WARNING, "Replies are on time again."
    ),
    Action.APPEAL_SANCTION: lambda app, a: app.appeal_sanction(a, "acme", "s1", GROUNDS),
    Action.DECIDE_SANCTION_APPEAL: lambda app, a: app.decide_sanction_appeal(
        a, "acme", "s1", True, "Excused."
    ),
    Action.DEDUCT_DEPOSIT: lambda app, a: aggregate(
        app, a, "deduct_deposit", amount=cny("1"), reason="fee", complaint_id=None
    ),
    Action.EXPIRE_SANCTION: lambda app, a: app.expire_sanction(a, "acme", "s1"),
    Action.RECORD_VIOLATION: lambda app, a: aggregate(
        app, a, "record_violation", violation_id=uuid4(), kind=ViolationKind.OTHER
    ),
    Action.STRIKE: lambda app, a: aggregate(
        app,
        a,
        "strike",
        ladder=app.settings.sanctions,
        offence=Offence.SPOT_CHECK_FAILED,
        reason="Labels misleading.",
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


@pytest.fixture
def warned(world: Scenario) -> Scenario:
    """The shop acme, under a warning (s1) that SUPERVISOR imposed."""
    world.seller("acme")
    world.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    return world


def test_every_command_is_in_the_table() -> None:
    assert set(COMMANDS) == set(Action) == set(PERMISSIONS)
    assert set(OFFERED_ON_SANCTIONS) <= set(OFFERED)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_an_auditor_commands_nothing(warned: Scenario, action: Action) -> None:
    with pytest.raises(ReadOnlyRole) as refused:
        COMMANDS[action](warned.app, AUDITOR)
    assert refused.value.code == "READ_ONLY_ROLE"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_the_public_commands_nothing(warned: Scenario, action: Action) -> None:
    with pytest.raises(RoleNotAllowed) as refused:
        COMMANDS[action](warned.app, PUBLIC)
    assert refused.value.code == "ROLE_NOT_ALLOWED"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_role_outside_the_table_is_refused(warned: Scenario, action: Action) -> None:
    for role, actor in EVERY_ROLE.items():
        if role in PERMISSIONS[action].roles:
            continue
        with pytest.raises(RoleNotAllowed) as refused:
            COMMANDS[action](warned.app, actor)
        assert refused.value.code == "ROLE_NOT_ALLOWED", role


@pytest.mark.parametrize(
    "action", [a for a in Action if Role.SELLER in PERMISSIONS[a].roles], ids=lambda a: a.value
)
def test_another_shops_staff_may_not(warned: Scenario, action: Action) -> None:
    warned.seller("globex")
    with pytest.raises(NotAllowed) as refused:
        COMMANDS[action](warned.app, OTHER_SELLER)
    assert refused.value.code == "NOT_ALLOWED"


class TestSanctionRules:
    """The rules about the one sanction a command names, with the refusals they raise."""

    def test_a_sanction_is_appealed_once(self, warned: Scenario) -> None:
        warned.app.appeal_sanction(SELLER, "acme", "s1", GROUNDS)
        with pytest.raises(SanctionAlreadyAppealed):
            warned.app.appeal_sanction(SELLER, "acme", "s1", GROUNDS)

    def test_an_unknown_sanction_is_not_found(self, warned: Scenario) -> None:
        with pytest.raises(SanctionNotFound):
            warned.app.appeal_sanction(SELLER, "acme", "s9", GROUNDS)
        with pytest.raises(SanctionNotFound):
            warned.sellers["acme"].sanction_actions("s9", SELLER, warned.clock.now())

    def test_only_a_waiting_appeal_is_decided_and_not_by_who_imposed_it(
        self, warned: Scenario
    ) -> None:
        with pytest.raises(NoPendingAppeal):
            warned.app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", True, "Yes.")
        warned.app.appeal_sanction(SELLER, "acme", "s1", GROUNDS)
        with pytest.raises(SameReviewer) as refused:
            warned.app.decide_sanction_appeal(SUPERVISOR, "acme", "s1", True, "Yes.")
        assert refused.value.code == "SAME_REVIEWER"

    def test_lifting_needs_an_active_sanction_of_the_kind(self, warned: Scenario) -> None:
        with pytest.raises(SanctionNotActive):
            warned.app.lift_sanction(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Why")


class TestAllowedActions:
    def test_the_shops_own_staff_state_policy_pay_in_and_appeal(self, warned: Scenario) -> None:
        seller = warned.app.get_seller("acme")
        now = warned.clock.now()
        assert seller.allowed_actions(SELLER, now) == [
            "setAfterSalesPolicy",
            "topUpDeposit",
            "appealSanction",
            "registerWebhook",
        ]
        assert seller.sanction_actions("s1", SELLER, now) == ["appealSanction"]

    def test_a_supervisor_supervises_and_sanctions(self, warned: Scenario) -> None:
        seller = warned.app.get_seller("acme")
        now = warned.clock.now()
        assert seller.allowed_actions(SUPERVISOR, now) == [
            "topUpDeposit",
            "recordSpotCheck",
            "sanctionSeller",
            "liftSanction",
            "registerWebhook",
        ]
        assert seller.sanction_actions("s1", SUPERVISOR, now) == ["liftSanction"]

    def test_nobody_else_acts_on_a_shop(self, warned: Scenario) -> None:
        warned.seller("globex")
        seller = warned.app.get_seller("acme")
        now = warned.clock.now()
        for actor in (CONSUMER, OTHER_SELLER, AUDITOR, PUBLIC):
            assert seller.allowed_actions(actor, now) == [], actor
            assert seller.sanction_actions("s1", actor, now) == [], actor
        # Platform staff other than supervisors manage the shop's webhooks only.
        for actor in (AGENT, MEDIATOR, ARBITER):
            assert seller.allowed_actions(actor, now) == ["registerWebhook"], actor

    def test_an_appeal_is_offered_to_a_supervisor_who_did_not_impose_the_sanction(
        self, warned: Scenario
    ) -> None:
        seller = warned.app.appeal_sanction(SELLER, "acme", "s1", GROUNDS)
        now = warned.clock.now()
        assert seller.sanction_actions("s1", SELLER, now) == []
        assert "appealSanction" not in seller.allowed_actions(SELLER, now)
        assert seller.sanction_actions("s1", OTHER_SUPERVISOR, now) == [
            "liftSanction",
            "decideSanctionAppeal",
        ]
        assert "decideSanctionAppeal" in seller.allowed_actions(OTHER_SUPERVISOR, now)
        assert seller.sanction_actions("s1", SUPERVISOR, now) == ["liftSanction"]
        assert "decideSanctionAppeal" not in seller.allowed_actions(SUPERVISOR, now)

    def test_lifting_is_offered_on_the_sanction_it_would_end(self, warned: Scenario) -> None:
        seller = warned.app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Again.")
        now = warned.clock.now()
        assert seller.sanction_actions("s1", SUPERVISOR, now) == []
        assert seller.sanction_actions("s2", SUPERVISOR, now) == ["liftSanction"]
        seller = warned.app.lift_sanction(SUPERVISOR, "acme", SanctionKind.WARNING, "Better.")
        assert seller.sanction_actions("s1", SUPERVISOR, now) == ["liftSanction"]
        assert seller.sanction_actions("s2", SUPERVISOR, now) == []
        seller = warned.app.lift_sanction(SUPERVISOR, "acme", SanctionKind.WARNING, "Better.")
        assert "liftSanction" not in seller.allowed_actions(SUPERVISOR, now)

    def test_an_ended_fine_may_still_be_appealed_an_ended_warning_not(
        self, world: Scenario
    ) -> None:
        world.seller(deposit="300.00")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading.")
        world.app.record_spot_check(SUPERVISOR, "acme", False, "Labels misleading again.")
        world.clock.advance(timedelta(days=91))
        world.app.expire_sanction(PLATFORM, "acme", "s1")
        seller = world.app.expire_sanction(PLATFORM, "acme", "s2")
        assert seller.active_sanctions == []
        now = world.clock.now()
        assert seller.sanction_actions("s1", SELLER, now) == []
        assert seller.sanction_actions("s2", SELLER, now) == ["appealSanction"]
        assert "appealSanction" in seller.allowed_actions(SELLER, now)
        assert "liftSanction" not in seller.allowed_actions(SUPERVISOR, now)

    def test_what_is_offered_is_what_the_commands_accept(self, warned: Scenario) -> None:
        """Every action offered to a role passes that command's own checks of who and when."""
        warned.seller("globex")
        seller = warned.app.get_seller("acme")
        now = warned.clock.now()
        for actor in (SELLER, OTHER_SELLER, CONSUMER, AGENT, SUPERVISOR, AUDITOR):
            offered = seller.allowed_actions(actor, now)
            for action in OFFERED:
                if action.value in offered:
                    assert actor.role in PERMISSIONS[action].roles
                    continue
                with pytest.raises((NotAllowed, SanctionNotActive, NoPendingAppeal)):
                    COMMANDS[action](warned.app, actor)


def test_starting_a_shop_or_a_report_is_offered_by_role() -> None:
    assert starting_actions(SUPERVISOR) == ["registerSeller", "reportViolation"]
    for actor in (CONSUMER, SELLER, AGENT, MEDIATOR, ARBITER):
        assert starting_actions(actor) == ["reportViolation"], actor
    assert starting_actions(AUDITOR) == []
    assert starting_actions(PUBLIC) == []
