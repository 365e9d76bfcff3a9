"""Who may manage a shop's webhook endpoints: every WebhookEndpoint command against the roles
and shops that may not, and the allowed actions derived from the same table."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.errors import NotAParty, ReadOnlyRole, RoleNotAllowed, ValidationFailed
from complaints.domain.values import Actor, Role
from complaints.domain.webhook import PERMISSIONS, Action, WebhookEndpoint
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

PUBLIC_URL = "https://93.184.216.34/hooks/complaints"
MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
Call = Callable[[ComplaintsApp, Actor, UUID], object]

COMMANDS: dict[Action, Call] = {
    Action.REGISTER: lambda app, a, e: app.register_webhook(a, "acme", PUBLIC_URL),
    Action.REGISTER_MARKETPLACE: lambda app, a, e: app.register_marketplace_webhook(a, PUBLIC_URL),
    Action.REMOVE: lambda app, a, e: app.remove_webhook(a, e),
    Action.REDELIVER: lambda app, a, e: app.redeliver_webhooks(a, e, 0),
    Action.DISABLE: lambda app, a, e: app.disable_webhook(a, e, "Failing for 3 days."),
}

EVERY_ROLE: dict[Role, Actor] = {
    Role.CONSUMER: CONSUMER,
    Role.SELLER: SELLER,
    Role.AGENT: AGENT,
    Role.MEDIATOR: MEDIATOR,
    Role.ARBITER: ARBITER,
    Role.SUPERVISOR: SUPERVISOR,
    Role.SYSTEM: PLATFORM,
    Role.MARKETPLACE: MARKETPLACE,
}


def registered(world: Scenario) -> WebhookEndpoint:
    world.seller("acme")
    return world.app.register_webhook(SELLER, "acme", PUBLIC_URL)


def test_every_command_is_in_the_table() -> None:
    assert set(COMMANDS) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_an_auditor_commands_nothing(world: Scenario, action: Action) -> None:
    endpoint = registered(world)
    with pytest.raises(ReadOnlyRole):
        COMMANDS[action](world.app, AUDITOR, endpoint.id)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_the_public_commands_nothing(world: Scenario, action: Action) -> None:
    endpoint = registered(world)
    with pytest.raises(RoleNotAllowed):
        COMMANDS[action](world.app, PUBLIC, endpoint.id)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_role_outside_the_table_is_refused(world: Scenario, action: Action) -> None:
    endpoint = registered(world)
    for role, actor in EVERY_ROLE.items():
        if role in PERMISSIONS[action].roles:
            continue
        with pytest.raises(RoleNotAllowed) as refused:
            COMMANDS[action](world.app, actor, endpoint.id)
        assert refused.value.code == "ROLE_NOT_ALLOWED", role


@pytest.mark.parametrize(
    "action", [a for a in Action if Role.SELLER in PERMISSIONS[a].roles], ids=lambda a: a.value
)
def test_another_shops_staff_may_not(world: Scenario, action: Action) -> None:
    endpoint = registered(world)
    world.seller("globex")
    with pytest.raises(NotAParty) as refused:
        COMMANDS[action](world.app, OTHER_SELLER, endpoint.id)
    assert refused.value.code == "NOT_A_PARTY"


class TestAllowedActions:
    def test_the_shops_staff_and_platform_staff_manage_an_endpoint(self, world: Scenario) -> None:
        endpoint = registered(world)
        now = world.clock.now()
        for actor in (SELLER, AGENT, MEDIATOR, ARBITER, SUPERVISOR):
            assert endpoint.allowed_actions(actor, now) == [
                "removeWebhook",
                "redeliverWebhooks",
            ], actor
        for actor in (OTHER_SELLER, CONSUMER, AUDITOR, PUBLIC):
            assert endpoint.allowed_actions(actor, now) == [], actor

    def test_a_removed_endpoint_is_not_sent_to_again(self, world: Scenario) -> None:
        endpoint = registered(world)
        endpoint = world.app.remove_webhook(SELLER, endpoint.id)
        assert endpoint.allowed_actions(SELLER, world.clock.now()) == ["removeWebhook"]
        with pytest.raises(ValidationFailed):
            world.app.redeliver_webhooks(SELLER, endpoint.id, 0)

    def test_a_disabled_endpoint_may_be_enabled_by_a_redelivery(self, world: Scenario) -> None:
        endpoint = registered(world)
        endpoint = world.app.disable_webhook(PLATFORM, endpoint.id, "Failing for 3 days.")
        assert "redeliverWebhooks" in endpoint.allowed_actions(SELLER, world.clock.now())
        assert world.app.redeliver_webhooks(SELLER, endpoint.id, 0).active


class TestTheMarketplacesOwn:
    def marketplaces(self, world: Scenario) -> WebhookEndpoint:
        world.seller("acme")
        return world.app.register_marketplace_webhook(MARKETPLACE, PUBLIC_URL)

    def test_the_marketplace_manages_its_own_endpoint_and_platform_staff_may_too(
        self, world: Scenario
    ) -> None:
        endpoint = self.marketplaces(world)
        assert endpoint.shop_id is None
        now = world.clock.now()
        for actor in (MARKETPLACE, SUPERVISOR, AGENT):
            assert endpoint.allowed_actions(actor, now) == [
                "removeWebhook",
                "redeliverWebhooks",
            ], actor
        for actor in (SELLER, CONSUMER, AUDITOR, PUBLIC):
            assert endpoint.allowed_actions(actor, now) == [], actor
        assert world.app.redeliver_webhooks(MARKETPLACE, endpoint.id, 0).active
        assert world.app.remove_webhook(MARKETPLACE, endpoint.id).status == "REMOVED"

    def test_a_shops_staff_may_not_touch_the_marketplaces_endpoint(self, world: Scenario) -> None:
        endpoint = self.marketplaces(world)
        for action in (Action.REMOVE, Action.REDELIVER):
            with pytest.raises(NotAParty):
                COMMANDS[action](world.app, SELLER, endpoint.id)

    def test_the_marketplace_may_not_touch_a_shops_endpoint(self, world: Scenario) -> None:
        endpoint = registered(world)
        assert endpoint.allowed_actions(MARKETPLACE, world.clock.now()) == []
        for action in (Action.REMOVE, Action.REDELIVER):
            with pytest.raises(NotAParty) as refused:
                COMMANDS[action](world.app, MARKETPLACE, endpoint.id)
            assert refused.value.code == "NOT_A_PARTY"
        with pytest.raises(RoleNotAllowed):
            world.app.register_webhook(MARKETPLACE, "acme", PUBLIC_URL)
