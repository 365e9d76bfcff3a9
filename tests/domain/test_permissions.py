"""Who may do what: every complaint command against the roles and parties that may not."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.complaint.permissions import PERMISSIONS, Action
from complaints.domain.errors import NotAllowed, NotAParty, ReadOnlyRole, RoleNotAllowed
from complaints.domain.values import Actor, Outcome, Role
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    MEDIATOR,
    OTHER_CONSUMER,
    OTHER_SELLER,
    PARTIAL,
    PLATFORM,
    PUBLIC,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
)

Call = Callable[[ComplaintsApp, Actor, UUID], object]

COMMANDS: dict[Action, Call] = {
    Action.ACCEPT: lambda app, a, c: app.accept_complaint(a, c),
    Action.RETURN_FOR_INFO: lambda app, a, c: app.return_complaint_for_info(a, c, "r", ["m"]),
    Action.REJECT: lambda app, a, c: app.reject_complaint(a, c, "reason"),
    Action.RESUBMIT: lambda app, a, c: app.resubmit_complaint(a, c, "more detail here"),
    Action.WITHDRAW: lambda app, a, c: app.withdraw_complaint(a, c),
    Action.MAKE_OFFER: lambda app, a, c: app.make_offer(a, c, PARTIAL),
    Action.ACCEPT_OFFER: lambda app, a, c: app.accept_offer(a, c, "o1"),
    Action.DECLINE_OFFER: lambda app, a, c: app.decline_offer(a, c, "o1"),
    Action.PROPOSE_SETTLEMENT: lambda app, a, c: app.propose_settlement(a, c, PARTIAL),
    Action.REQUEST_INTERVENTION: lambda app, a, c: app.request_intervention(a, c),
    Action.POST_MESSAGE: lambda app, a, c: app.post_message(a, c, "hello"),
    Action.ASSIGN: lambda app, a, c: app.assign_complaint(a, c, "arbiter-1"),
    Action.ASSIGN_MEDIATOR: lambda app, a, c: app.assign_mediator(a, c, "mediator-1"),
    Action.REQUEST_EVIDENCE: lambda app, a, c: app.request_evidence(a, c, Role.CONSUMER, ["x"]),
    Action.SUBMIT_EVIDENCE: lambda app, a, c: app.submit_evidence(a, c, "x", "a photo"),
    Action.RECORD_FINDING: lambda app, a, c: app.record_finding(a, c, "finding"),
    Action.ISSUE_RULING: lambda app, a, c: app.issue_ruling(
        a, c, Outcome.CONSUMER_FAVOUR_FULL, "why", REFUND
    ),
    Action.ACKNOWLEDGE_RULING: lambda app, a, c: app.acknowledge_ruling(a, c),
    Action.FILE_APPEAL: lambda app, a, c: app.file_appeal(a, c, "grounds for appeal"),
    Action.DECIDE_APPEAL: lambda app, a, c: app.decide_appeal(a, c, False, "why"),
    Action.CONFIRM_REFUND: lambda app, a, c: app.confirm_refund(a, c),
    Action.SHIP_RETURN: lambda app, a, c: app.ship_return(a, c, "SF", "1"),
    Action.CONFIRM_RETURN_RECEIVED: lambda app, a, c: app.confirm_return_received(a, c),
    Action.SHIP_REPLACEMENT: lambda app, a, c: app.ship_replacement(a, c, "SF", "1"),
    Action.CONFIRM_REMEDY_RECEIVED: lambda app, a, c: app.confirm_remedy_received(a, c),
    Action.DISPUTE_REMEDY: lambda app, a, c: app.dispute_remedy(a, c, "Nothing arrived."),
    Action.RAISE_EXECUTION_ISSUE: lambda app, a, c: app.raise_execution_issue(a, c, "issue"),
    Action.RESOLVE_EXECUTION_ISSUE: lambda app, a, c: app.resolve_execution_issue(a, c, "ok"),
    Action.RATE_HANDLING: lambda app, a, c: app.rate_handling(a, c, 5),
    Action.PAUSE_CLOCK: lambda app, a, c: app.pause_clock(a, c, "waiting on the carrier"),
    Action.RESUME_CLOCK: lambda app, a, c: app.resume_clock(a, c),
    Action.LAPSE_DEADLINE: lambda app, a, c: app.lapse_deadline(a, c, 2),
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


def test_every_command_is_in_the_table() -> None:
    assert set(COMMANDS) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_an_auditor_commands_nothing(world: Scenario, action: Action) -> None:
    complaint = world.file()
    with pytest.raises(ReadOnlyRole):
        COMMANDS[action](world.app, AUDITOR, complaint.id)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_the_public_commands_nothing(world: Scenario, action: Action) -> None:
    complaint = world.file()
    with pytest.raises(RoleNotAllowed):
        COMMANDS[action](world.app, PUBLIC, complaint.id)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_role_outside_the_table_is_refused(world: Scenario, action: Action) -> None:
    complaint = world.file()
    for role, actor in EVERY_ROLE.items():
        if role in PERMISSIONS[action].roles:
            continue
        with pytest.raises(RoleNotAllowed):
            COMMANDS[action](world.app, actor, complaint.id)


@pytest.mark.parametrize(
    "action",
    [a for a in Action if PERMISSIONS[a].roles & {Role.CONSUMER, Role.SELLER}],
    ids=lambda a: a.value,
)
def test_a_consumer_or_shop_outside_the_case_is_not_a_party(
    world: Scenario, action: Action
) -> None:
    complaint = world.file()
    outsider = OTHER_CONSUMER if Role.CONSUMER in PERMISSIONS[action].roles else OTHER_SELLER
    with pytest.raises(NotAParty):
        COMMANDS[action](world.app, outsider, complaint.id)


class TestAllowedActions:
    def test_a_new_complaint_offers_intake_to_agents_and_withdrawal_to_its_consumer(
        self, world: Scenario
    ) -> None:
        complaint = world.file()
        now = world.clock.now()
        assert complaint.allowed_actions(AGENT, now) == [
            "acceptComplaint",
            "returnComplaintForInfo",
            "rejectComplaint",
            "postMessage",
            "pauseClock",
        ]
        assert complaint.allowed_actions(CONSUMER, now) == ["withdrawComplaint", "postMessage"]
        assert complaint.allowed_actions(OTHER_CONSUMER, now) == []
        assert complaint.allowed_actions(AUDITOR, now) == []
        assert complaint.allowed_actions(PUBLIC, now) == []

    def test_in_negotiation_only_the_party_on_turn_may_offer(self, world: Scenario) -> None:
        complaint = world.negotiating()
        now = world.clock.now()
        assert complaint.allowed_actions(SELLER, now) == [
            "makeOffer",
            "acceptOffer",
            "declineOffer",
            "requestIntervention",
            "postMessage",
            "submitEvidence",
        ]
        assert complaint.allowed_actions(CONSUMER, now) == [
            "withdrawComplaint",
            "requestIntervention",
            "postMessage",
            "submitEvidence",
        ]
        assert "proposeSettlement" in complaint.allowed_actions(MEDIATOR, now)

    def test_under_review_the_assigned_arbiter_investigates(self, world: Scenario) -> None:
        complaint = world.under_review()
        now = world.clock.now()
        assert complaint.allowed_actions(ARBITER, now) == [
            "postMessage",
            "requestEvidence",
            "recordFinding",
            "pauseClock",
        ]
        other = Actor(Role.ARBITER, "arbiter-2")
        assert complaint.allowed_actions(other, now) == ["postMessage"]

    def test_after_a_ruling_the_parties_acknowledge_and_may_appeal(self, world: Scenario) -> None:
        complaint = world.ruled()
        now = world.clock.now()
        assert complaint.allowed_actions(SELLER, now) == [
            "postMessage",
            "acknowledgeRuling",
            "fileAppeal",
        ]

    def test_a_refused_command_is_never_offered(self, world: Scenario) -> None:
        complaint = world.fulfilling()
        for actor in [CONSUMER, SELLER, AGENT, MEDIATOR, ARBITER, SUPERVISOR]:
            for name in complaint.allowed_actions(actor, world.clock.now()):
                action = Action(name)
                assert actor.role in PERMISSIONS[action].roles
        with pytest.raises(NotAllowed):
            world.app.confirm_refund(CONSUMER, complaint.id)
