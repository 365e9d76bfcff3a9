"""Webhook endpoints: who may register them, which URLs are refused before any request is made,
and the signing secret, sealed in the store and shown once."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.errors import (
    NotAllowed,
    NotAParty,
    ReadOnlyRole,
    RoleNotAllowed,
    SellerNotFound,
    ValidationFailed,
    WebhookNotFound,
)
from complaints.domain.values import SYSTEM, Actor, Role
from complaints.domain.webhook import ENTRY_TYPES, check_url, is_public_address
from tests.scenario import AUDITOR, CONSUMER, OTHER_SELLER, SELLER, SUPERVISOR, Scenario

PUBLIC_URL = "https://93.184.216.34/hooks/complaints"  # a literal: no DNS needed here


def fields(error: ValidationFailed) -> dict[str, str]:
    return {f.field: f.message for f in error.fields}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "https://224.0.0.1/hook",
        "https://[64:ff9b::a00:1]/hook",  # NAT64 for 10.0.0.1
        "https://[2002:7f00:1::]/hook",  # 6to4 for 127.0.0.1
        "https://[::ffff:0:7f00:1]/hook",  # IPv4-translated 127.0.0.1
        "https://[::7f00:1]/hook",  # IPv4-compatible 127.0.0.1
    ],
)
def test_a_url_on_a_non_public_address_is_refused(url: str) -> None:
    problems = check_url(url, require_https=False, allow_private=False)
    assert [p.field for p in problems] == ["url"], url
    assert "public" in problems[0].message or "https" in problems[0].message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "absolute URL"),
        ("ftp://93.184.216.34/x", "https://"),
        ("https:///nohost", "host"),
        ("https://user:pw@93.184.216.34/", "user name"),
        ("https://93.184.216.34/#frag", "fragment"),
        ("https://93.184.216.34/a b", "spaces"),
        ("https://93.184.216.34:99999/", "valid URL"),
        ("https://" + "a" * 3000 + ".com/", "at most"),
    ],
)
def test_a_malformed_url_is_refused(url: str, says: str) -> None:
    problems = check_url(url, require_https=False, allow_private=False)
    assert problems
    assert says in problems[0].message


def test_production_takes_https_only() -> None:
    assert check_url("http://93.184.216.34/", require_https=True, allow_private=False)
    assert not check_url("http://93.184.216.34/", require_https=False, allow_private=False)
    assert not check_url(PUBLIC_URL, require_https=True, allow_private=False)


def test_private_addresses_are_allowed_only_when_the_setting_says_so() -> None:
    assert not check_url("http://127.0.0.1:9/", require_https=False, allow_private=True)
    assert is_public_address("93.184.216.34")
    assert not is_public_address("not an address")


def test_registration_needs_the_shops_staff_or_platform_staff(world: Scenario) -> None:
    world.seller("acme")
    app = world.app
    created = app.register_webhook(SELLER, "acme", PUBLIC_URL)
    assert created.shop_id == "acme"
    assert created.active
    assert app.register_webhook(SUPERVISOR, "acme", PUBLIC_URL).shop_id == "acme"
    with pytest.raises(NotAParty):
        app.register_webhook(OTHER_SELLER, "acme", PUBLIC_URL)
    with pytest.raises(RoleNotAllowed):
        app.register_webhook(CONSUMER, "acme", PUBLIC_URL)
    with pytest.raises(ReadOnlyRole):
        app.register_webhook(AUDITOR, "acme", PUBLIC_URL)
    with pytest.raises(SellerNotFound):
        app.register_webhook(SUPERVISOR, "no-such-shop", PUBLIC_URL)


def test_events_must_be_timeline_entry_types(world: Scenario) -> None:
    world.seller("acme")
    endpoint = world.app.register_webhook(SELLER, "acme", PUBLIC_URL, ["OfferMade", "Filed"])
    assert endpoint.events == ["Filed", "OfferMade"]
    assert endpoint.wants("Filed")
    assert not endpoint.wants("Rated")
    with pytest.raises(ValidationFailed) as refused:
        world.app.register_webhook(SELLER, "acme", PUBLIC_URL, ["Filed", "Exploded"])
    assert fields(refused.value) == {"events.1": "'Exploded' is not a timeline entry type"}
    assert {"Filed", "DeadlineReminded", "RulingIssued"} <= ENTRY_TYPES
    assert "Event" not in ENTRY_TYPES


def test_a_loopback_url_is_refused_at_registration_and_changes_nothing(world: Scenario) -> None:
    world.seller("acme")
    before = world.app.recorder.max_notification_id()
    for url in ("http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.0.0.7/"):
        with pytest.raises(ValidationFailed) as refused:
            world.app.register_webhook(SELLER, "acme", url)
        assert "url" in fields(refused.value)
    assert world.app.recorder.max_notification_id() == before


def resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str]) -> None:
    """Make these names resolve to these addresses, as a DNS server would answer."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[Any]:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_that_resolves_to_loopback_is_refused(
    world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.seller("acme")
    resolving(
        monkeypatch, {"hooks.acme.example": "127.0.0.1", "meta.acme.example": "169.254.169.254"}
    )
    for name in ("hooks.acme.example", "meta.acme.example"):
        with pytest.raises(ValidationFailed) as refused:
            world.app.register_webhook(SELLER, "acme", f"https://{name}/hook")
        # The refusal does not say where the name points: that would map internal names.
        assert fields(refused.value)["url"] == f"{name} resolves to an address that is not public"
    with pytest.raises(ValidationFailed) as refused:
        world.app.register_webhook(SELLER, "acme", "https://no-such-host.invalid/hook")
    assert fields(refused.value)["url"] == "no-such-host.invalid cannot be resolved"


def test_remove_disable_and_redeliver(world: Scenario) -> None:
    world.seller("acme")
    app = world.app
    endpoint = app.register_webhook(SELLER, "acme", PUBLIC_URL)
    with pytest.raises(RoleNotAllowed):
        app.disable_webhook(SELLER, endpoint.id, "no")
    disabled = app.disable_webhook(SYSTEM, endpoint.id, "Deliveries failed for 3 days.")
    assert not disabled.active
    assert disabled.disabled_reason
    head = app.recorder.max_notification_id() or 0
    with pytest.raises(ValidationFailed):
        app.redeliver_webhooks(SELLER, endpoint.id, head + 1)
    with pytest.raises(NotAParty):
        app.redeliver_webhooks(OTHER_SELLER, endpoint.id, 0)
    enabled = app.redeliver_webhooks(SELLER, endpoint.id, 0)
    assert enabled.active
    removed = app.remove_webhook(SELLER, endpoint.id)
    assert removed.removed
    assert not removed.active
    assert app.remove_webhook(SELLER, endpoint.id).removed  # twice: nothing more
    with pytest.raises(ValidationFailed):
        app.redeliver_webhooks(SELLER, endpoint.id, 0)
    with pytest.raises(WebhookNotFound):
        app.remove_webhook(SELLER, world.sellers["acme"].id)  # not an endpoint's id


def test_the_signing_secret_never_reaches_the_store_in_clear(
    stored_app: ComplaintsApp, stored_world: Scenario, tmp_path: Path
) -> None:
    stored_world.seller("acme")
    endpoint = stored_app.register_webhook(SELLER, "acme", PUBLIC_URL)
    secret = endpoint.secret.reveal()
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    assert secret not in repr(endpoint.secret)
    reloaded = stored_app.get_webhook(endpoint.id)
    assert reloaded.secret.reveal() == secret  # the deliverer can read it
    for stored in stored_app.recorder.select_events(endpoint.id):
        assert secret.encode() not in stored.state
        assert secret[6:].encode() not in stored.state


def test_a_seller_actor_needs_its_shop(world: Scenario) -> None:
    world.seller("acme")
    with pytest.raises(NotAllowed):
        world.app.register_webhook(Actor(Role.SELLER, "staff-x", None), "acme", PUBLIC_URL)


def test_https_is_required_in_production(world: Scenario) -> None:
    world.seller("acme")
    world.app.settings = dataclasses.replace(world.app.settings, environment="production")
    with pytest.raises(ValidationFailed) as refused:
        world.app.register_webhook(SELLER, "acme", "http://93.184.216.34/hook")
    assert fields(refused.value) == {"url": "must use https in production"}
