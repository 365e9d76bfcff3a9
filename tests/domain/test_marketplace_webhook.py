"""The marketplace's webhook endpoint: only the marketplace registers one, under the same URL
rules as a shop's (SSRF), filtered to shop event types only; and the names of those types."""

from __future__ import annotations

import pytest

from complaints.domain.errors import ReadOnlyRole, RoleNotAllowed, ValidationFailed
from complaints.domain.seller import starting_actions
from complaints.domain.values import Actor, Role
from tests.scenario import AUDITOR, CONSUMER, PUBLIC, SELLER, SUPERVISOR, Scenario

MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
PUBLIC_URL = "https://93.184.216.34/hooks/marketplace"  # a literal: no DNS needed here


def fields(error: ValidationFailed) -> dict[str, str]:
    return {f.field: f.message for f in error.fields}


def test_the_marketplace_registers_an_endpoint_of_no_shop(world: Scenario) -> None:
    endpoint = world.app.register_marketplace_webhook(
        MARKETPLACE, PUBLIC_URL, ["violation.Confirmed", "seller.SanctionImposed"]
    )
    assert (endpoint.shop_id, endpoint.marketplace, endpoint.active) == (None, True, True)
    assert endpoint.events == ["seller.SanctionImposed", "violation.Confirmed"]
    assert endpoint.secret.reveal().startswith("whsec_")
    assert endpoint.wants("seller.SanctionImposed")
    assert not endpoint.wants("seller.SanctionLifted")


@pytest.mark.parametrize("actor", [SELLER, SUPERVISOR, CONSUMER, PUBLIC], ids=lambda a: a.id)
def test_no_one_else_registers_the_marketplaces_endpoint(world: Scenario, actor: Actor) -> None:
    before = world.app.recorder.max_notification_id()
    with pytest.raises(RoleNotAllowed):
        world.app.register_marketplace_webhook(actor, PUBLIC_URL)
    with pytest.raises(ReadOnlyRole):
        world.app.register_marketplace_webhook(AUDITOR, PUBLIC_URL)
    assert world.app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/hook",
        "http://localhost:9/hook",
        "ftp://93.184.216.34/hook",
        "not a url",
    ],
)
def test_a_url_that_may_not_be_an_endpoint_is_refused_and_changes_nothing(
    world: Scenario, url: str
) -> None:
    before = world.app.recorder.max_notification_id()
    with pytest.raises(ValidationFailed) as refused:
        world.app.register_marketplace_webhook(MARKETPLACE, url)
    assert "url" in fields(refused.value)
    assert world.app.recorder.max_notification_id() == before


def test_its_filter_names_shop_event_types_only(world: Scenario) -> None:
    with pytest.raises(ValidationFailed) as refused:
        world.app.register_marketplace_webhook(
            MARKETPLACE, PUBLIC_URL, ["seller.SanctionImposed", "Filed", "seller.Exploded"]
        )
    assert fields(refused.value) == {
        "events.1": "'Filed' is not a shop event type (seller.* or violation.*)",
        "events.2": "'seller.Exploded' is not a shop event type (seller.* or violation.*)",
    }


def test_a_shops_endpoint_may_filter_to_its_own_decisions_too(world: Scenario) -> None:
    world.seller("acme")
    endpoint = world.app.register_webhook(
        SELLER, "acme", PUBLIC_URL, ["Filed", "seller.SanctionImposed"]
    )
    assert endpoint.events == ["Filed", "seller.SanctionImposed"]


def test_registering_it_is_offered_to_the_marketplace_alone() -> None:
    assert starting_actions(MARKETPLACE) == ["reportViolation", "registerMarketplaceWebhook"]
    for actor in (SELLER, SUPERVISOR, CONSUMER, AUDITOR, PUBLIC):
        assert "registerMarketplaceWebhook" not in starting_actions(actor), actor
