"""What each viewer may do to a shop, its sanctions, its violations and its webhook endpoints,
as the API offers it: `allowedActions` on Seller, Sanction, Violation and WebhookEndpoint, and
`viewerAllowedActions` for what starts a shop or a report (contract dueprocess.graphql)."""

from __future__ import annotations

from typing import Any

import pytest

from complaints.domain.values import Actor, Role, SanctionKind, ViolationKind
from complaints.graphql import ids
from tests.api.conftest import GraphQL
from tests.scenario import (
    AGENT,
    ARBITER,
    AUDITOR,
    CONSUMER,
    MEDIATOR,
    OTHER_SELLER,
    PUBLIC,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
)

OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "supervisor-2")
EVERYONE = (CONSUMER, SELLER, OTHER_SELLER, AGENT, MEDIATOR, ARBITER, SUPERVISOR, AUDITOR, PUBLIC)

SHOP = """query { seller(shopId: "acme") { allowedActions sanctions { id allowedActions } } }"""
VIOLATION = "query($id: ID!) { node(id: $id) { ... on Violation { status allowedActions } } }"
ENDPOINTS = """query { webhookEndpoints(shopId: "acme") { id allowedActions } }"""


def shop(gql: GraphQL, actor: Actor) -> Any:
    return gql.data(SHOP, actor=actor)["seller"]


@pytest.fixture
def appealed(world: Scenario, gql: GraphQL) -> Scenario:
    """acme under a warning (s1) that SUPERVISOR imposed and the shop appealed, and a fine (s2)
    nobody appealed."""
    world.seller("acme")
    world.seller("globex")
    app = world.app
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.WARNING, "Late replies.")
    app.appeal_sanction(SELLER, "acme", "s1", "The replies were late because of a holiday.")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.FINE, "Fake goods.", fine=cny("10"))
    gql.read_models.catch_up()
    return world


EXPECTED_ON_SHOP: dict[Actor, list[str]] = {
    SELLER: ["setAfterSalesPolicy", "topUpDeposit", "appealSanction", "registerWebhook"],
    SUPERVISOR: [
        "topUpDeposit",
        "recordSpotCheck",
        "sanctionSeller",
        "liftSanction",
        "registerWebhook",
    ],
    OTHER_SUPERVISOR: [
        "topUpDeposit",
        "recordSpotCheck",
        "sanctionSeller",
        "liftSanction",
        "decideSanctionAppeal",
        "registerWebhook",
    ],
    AGENT: ["registerWebhook"],
    MEDIATOR: ["registerWebhook"],
    ARBITER: ["registerWebhook"],
    CONSUMER: [],
    OTHER_SELLER: [],
    AUDITOR: [],
    PUBLIC: [],
}


@pytest.mark.parametrize("viewer", list(EXPECTED_ON_SHOP), ids=lambda a: f"{a.role.value}-{a.id}")
def test_a_shop_offers_each_viewer_what_it_may_do(
    gql: GraphQL, appealed: Scenario, viewer: Actor
) -> None:
    assert shop(gql, viewer)["allowedActions"] == EXPECTED_ON_SHOP[viewer]


def test_each_sanction_offers_its_own_actions(gql: GraphQL, appealed: Scenario) -> None:
    def on_sanctions(viewer: Actor) -> dict[str, list[str]]:
        return {s["id"]: s["allowedActions"] for s in shop(gql, viewer)["sanctions"]}

    assert on_sanctions(SELLER) == {"s1": [], "s2": ["appealSanction"]}
    assert on_sanctions(SUPERVISOR) == {"s1": ["liftSanction"], "s2": ["liftSanction"]}
    assert on_sanctions(OTHER_SUPERVISOR) == {
        "s1": ["liftSanction", "decideSanctionAppeal"],
        "s2": ["liftSanction"],
    }
    for viewer in (CONSUMER, OTHER_SELLER, AGENT, AUDITOR, PUBLIC):
        assert on_sanctions(viewer) == {"s1": [], "s2": []}, viewer


def test_what_a_shop_offers_follows_its_sanctions(gql: GraphQL, appealed: Scenario) -> None:
    app = appealed.app
    app.decide_sanction_appeal(OTHER_SUPERVISOR, "acme", "s1", True, "Excused.")
    app.lift_sanction(SUPERVISOR, "acme", SanctionKind.FINE, "Repaid.")
    gql.read_models.catch_up()
    assert "liftSanction" not in shop(gql, SUPERVISOR)["allowedActions"]
    assert "decideSanctionAppeal" not in shop(gql, OTHER_SUPERVISOR)["allowedActions"]
    # A fine that has ended may still be appealed.
    assert "appealSanction" in shop(gql, SELLER)["allowedActions"]


def test_a_violation_offers_the_shops_answer_and_the_supervisors_decision(
    gql: GraphQL, world: Scenario
) -> None:
    world.seller("acme")
    world.seller("globex")
    violation = world.app.report_violation(
        CONSUMER, "acme", ViolationKind.COUNTERFEIT, "The handbag is an obvious fake."
    )
    gid = ids.global_id("Violation", violation.id)

    def offered(viewer: Actor) -> Any:
        node = gql.data(VIOLATION, {"id": gid}, actor=viewer)["node"]
        return None if node is None else node["allowedActions"]

    assert offered(SELLER) == ["respondToViolation"]
    # No confirmation while the shop may still answer (RESPONSE_WINDOW_OPEN).
    assert offered(SUPERVISOR) == ["dismissViolation"]
    for viewer in (CONSUMER, AGENT, MEDIATOR, ARBITER, AUDITOR):
        assert offered(viewer) == [], viewer
    world.app.respond_to_violation(SELLER, violation.id, "We bought it from the brand itself.")
    assert offered(SELLER) == []
    assert offered(SUPERVISOR) == ["confirmViolation", "dismissViolation"]
    world.confirm_violation(violation.id)
    assert offered(SUPERVISOR) == []


def test_a_listed_violation_offers_the_same(gql: GraphQL, world: Scenario) -> None:
    world.seller("acme")
    world.app.report_violation(
        CONSUMER, "acme", ViolationKind.OTHER, "Abusive replies to buyers in three cases."
    )
    gql.read_models.catch_up()
    listed = "{ violations { edges { node { allowedActions } } } }"
    for viewer, expected in (
        (SELLER, ["respondToViolation"]),
        (SUPERVISOR, ["dismissViolation"]),
        (AUDITOR, []),
    ):
        edges = gql.data(listed, actor=viewer)["violations"]["edges"]
        assert [e["node"]["allowedActions"] for e in edges] == [expected], viewer


def test_an_endpoint_offers_its_management_to_its_shop_and_platform_staff(
    gql: GraphQL, world: Scenario
) -> None:
    world.seller("acme")
    world.app.register_webhook(SELLER, "acme", "https://93.184.216.34/hooks")
    gql.read_models.catch_up()
    for viewer in (SELLER, AGENT, SUPERVISOR):
        endpoints = gql.data(ENDPOINTS, actor=viewer)["webhookEndpoints"]
        assert [e["allowedActions"] for e in endpoints] == [
            ["removeWebhook", "redeliverWebhooks"]
        ], viewer
    endpoints = gql.data(ENDPOINTS, actor=AUDITOR)["webhookEndpoints"]
    assert [e["allowedActions"] for e in endpoints] == [[]]


def test_what_starts_a_shop_or_a_report_is_offered_by_role(gql: GraphQL) -> None:
    def offered(viewer: Actor) -> list[str]:
        return list(gql.data("{ viewerAllowedActions }", actor=viewer)["viewerAllowedActions"])

    assert offered(SUPERVISOR) == ["registerSeller", "reportViolation", "eraseSubject"]
    for viewer in (CONSUMER, SELLER, AGENT, MEDIATOR, ARBITER):
        assert offered(viewer) == ["reportViolation"], viewer
    assert offered(AUDITOR) == []
    assert offered(PUBLIC) == []


def test_every_name_offered_is_a_mutation_of_the_schema(gql: GraphQL, appealed: Scenario) -> None:
    schema = gql.data("{ __schema { mutationType { fields { name } } } }")["__schema"]
    mutations = {f["name"] for f in schema["mutationType"]["fields"]}
    for viewer in (*EVERYONE, OTHER_SUPERVISOR):
        seller = shop(gql, viewer)
        offered = set(seller["allowedActions"])
        for sanction in seller["sanctions"]:
            offered |= set(sanction["allowedActions"])
        assert offered <= mutations, viewer
