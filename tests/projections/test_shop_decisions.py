"""The shop decisions read model (SQLite and PostgreSQL): each decision about a shop and each
violation reported against it, described with no personal text, redacted per viewer, with the
shop's standing after it."""

from __future__ import annotations

import json

from complaints.domain.seller import Seller
from complaints.domain.values import Actor, Role, SanctionKind, ViolationKind
from complaints.domain.violation import Violation
from complaints.domain.webhook import ENTRY_TYPES, SHOP_EVENT_TYPES, TIMELINE_TYPES
from complaints.projections.read_models import ReadModels
from complaints.projections.shop_decisions import DESCRIBE
from tests.scenario import CONSUMER, SELLER, SUPERVISOR, Scenario, cny

MARKETPLACE = Actor(Role.MARKETPLACE, "mkt-1")
REPORT = "The seller's brand is fake; I am Lin Wei at 139-0000-1111."


def test_each_shop_event_type_names_an_event_of_the_seller_or_a_violation() -> None:
    assert ENTRY_TYPES == TIMELINE_TYPES | SHOP_EVENT_TYPES
    assert not TIMELINE_TYPES & SHOP_EVENT_TYPES
    owners = {"seller": Seller, "violation": Violation}
    for event, (name, _) in DESCRIBE.items():
        owner, _, event_name = name.partition(".")
        assert getattr(owners[owner], event_name) is event, name
    assert {name for name, _ in DESCRIBE.values()} == SHOP_EVENT_TYPES


def test_decisions_are_described_per_shop_with_the_standing_after_each(
    stored_world: Scenario, stored_read_models: ReadModels
) -> None:
    world, models, app = stored_world, stored_read_models, stored_world.app
    world.seller("acme")
    world.seller("globex")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.FINE, "Late again.", fine=cny("20"))
    app.sanction_seller(SUPERVISOR, "globex", SanctionKind.WARNING, "Late replies.")
    app.sanction_seller(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Fraud.")
    reported = app.report_violation(CONSUMER, "acme", ViolationKind.OTHER, REPORT)
    app.respond_to_violation(SELLER, reported.id, "We deny it; our invoices are on file.")
    app.lift_sanction(SUPERVISOR, "acme", SanctionKind.SHOP_CLOSED, "Cleared on review.")
    world.file()  # a case: not a decision about the shop
    models.catch_up()

    rows = models.shop_decisions.of_shop("acme")
    assert [r.type for r in rows] == [
        "seller.SanctionImposed",
        "seller.DepositDeducted",
        "seller.SanctionImposed",
        "violation.Reported",
        "violation.Responded",
        "seller.SanctionLifted",
    ]
    assert [r.shop_id for r in models.shop_decisions.rows_after(0)].count("globex") == 1
    assert json.dumps([r.row for r in rows]).count("Lin Wei") == 0  # personal text: named only
    reported_row = rows[3].entry_for(MARKETPLACE)
    assert reported_row.personal == ("description",)
    assert reported_row.details["violation"]["reported_by"] == "CONSUMER"
    assert reported_row.actor_id is None  # the reporter is not named
    closed = rows[2].entry_for(MARKETPLACE)
    assert (closed.standing["status"], closed.standing["can_take_orders"]) == ("CLOSED", False)
    assert [s["id"] for s in closed.standing["active_sanctions"]] == ["s1", "s2"]
    lifted = rows[5].entry_for(MARKETPLACE)
    assert lifted.details["sanction"] == {"id": "s2", "kind": "SHOP_CLOSED"}
    assert lifted.standing["can_take_orders"] is True
    # The deposit after a deduction: the shop's own staff and the platform's, not the others'.
    deducted = rows[1]
    assert "balance_after" in deducted.entry_for(SELLER).details["deposit"]
    assert "balance_after" in deducted.entry_for(SUPERVISOR).details["deposit"]
    assert "balance_after" not in deducted.entry_for(MARKETPLACE).details["deposit"]
    assert deducted.entry_for(SUPERVISOR).actor_id == SUPERVISOR.id
    assert deducted.entry_for(SELLER).actor_id is None
