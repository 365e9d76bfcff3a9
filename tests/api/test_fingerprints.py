"""Stored idempotency records hold a fingerprint of the command's input. A retry after an upgrade
must still match the record its first attempt left, so the fingerprint of a given call is pinned
here to literal values: a change to how commands are bound or called must not move them.

The values were computed before the mutation layer was rebuilt from one table. A GraphQL mutation
names every argument (absent optional fields as null); a Python call names only what it passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest

from complaints.domain.values import Actor, Category
from complaints.graphql import ids
from complaints.store.idempotency import IdempotencyRecord, record_id
from tests.api.conftest import GraphQL
from tests.scenario import (
    CONSUMER,
    DESCRIPTION,
    PARTIAL,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
)

KEY = "pinned-1"
#: Every complaint filed in these tests gets this reference, so its id is the same in every run.
REFERENCE = "C-2026-PINNED00"
MONEY = {"amount": "199", "currency": "CNY"}


@pytest.fixture(autouse=True)
def fixed_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "complaints.application.complaint.intake.new_reference", lambda now: REFERENCE
    )


def stored_fingerprint(world: Scenario, actor: Actor) -> str:
    record = cast(IdempotencyRecord, world.app.repository.get(record_id(actor, KEY)))
    return record.fingerprint


def mutate(gql: GraphQL, name: str, input_type: str, values: dict[str, Any], actor: Actor) -> None:
    payload = gql.mutate(name, input_type, {**values, "idempotencyKey": KEY}, actor=actor)
    assert payload["__typename"] in {"Complaint", "Seller", "Violation"}, payload


def cid(world: Scenario) -> str:
    return ids.global_id("Complaint", world.negotiating().id)


Call = Callable[[GraphQL, Scenario], Actor]


def register_seller_by_graphql(gql: GraphQL, world: Scenario) -> Actor:
    values = {"shopId": "initech", "name": "Initech", "deposit": MONEY}
    mutate(gql, "registerSeller", "RegisterSellerInput", values, SUPERVISOR)
    return SUPERVISOR


def file_complaint_by_graphql(gql: GraphQL, world: Scenario) -> Actor:
    world.order("order-42")
    values = {
        "shopId": "acme",
        "orderId": "order-42",
        "category": "DAMAGED",
        "description": DESCRIPTION,
        "requestedRemedy": {"type": "REFUND", "amount": MONEY},
    }
    mutate(gql, "fileComplaint", "FileComplaintInput", values, CONSUMER)
    return CONSUMER


def file_complaint_in_python(gql: GraphQL, world: Scenario) -> Actor:
    world.order("order-42")
    world.app.file_complaint(
        CONSUMER, "acme", "order-42", Category.DAMAGED, DESCRIPTION, REFUND, idempotency_key=KEY
    )
    return CONSUMER


def make_offer_by_graphql(gql: GraphQL, world: Scenario) -> Actor:
    values = {"complaintId": cid(world), "remedy": {"type": "PARTIAL_REFUND", "amount": MONEY}}
    mutate(gql, "makeOffer", "MakeOfferInput", values, SELLER)
    return SELLER


def make_offer_in_python(gql: GraphQL, world: Scenario) -> Actor:
    complaint = world.negotiating()
    world.app.make_offer(SELLER, complaint.id, PARTIAL, idempotency_key=KEY)
    return SELLER


def post_message_by_graphql(gql: GraphQL, world: Scenario) -> Actor:
    values = {"complaintId": cid(world), "text": "Could you send a photo of the box?"}
    mutate(gql, "postMessage", "PostMessageInput", values, SELLER)
    return SELLER


def sanction_seller_by_graphql(gql: GraphQL, world: Scenario) -> Actor:
    world.seller()
    values = {"shopId": "acme", "kind": "WARNING", "reason": "Late answers, three times."}
    mutate(gql, "sanctionSeller", "SanctionSellerInput", values, SUPERVISOR)
    return SUPERVISOR


def resubmit_complaint_by_graphql(gql: GraphQL, world: Scenario) -> Actor:
    """Without files: the input resubmissions had before they took any."""
    values = {
        "complaintId": ids.global_id("Complaint", world.awaiting_info().id),
        "description": "Here are the photos of the crushed box.",
    }
    mutate(gql, "resubmitComplaint", "ResubmitComplaintInput", values, CONSUMER)
    return CONSUMER


PINNED: list[tuple[Call, str]] = [
    (
        register_seller_by_graphql,
        "7c73dc855d071c30f53eee9edc4f1e1efddd0ace69563c260484feb1221f74bc",
    ),
    (
        file_complaint_by_graphql,
        "ec3e75d844b11ad66c0ec7b7f0d980452ab4a5bfb7b4eeba47fdb416b31ab7fd",
    ),
    (
        file_complaint_in_python,
        "ec3e75d844b11ad66c0ec7b7f0d980452ab4a5bfb7b4eeba47fdb416b31ab7fd",
    ),
    (
        make_offer_by_graphql,
        "1af48008c693883c595ac56b61da6d2cee7511ea0eddc0154407292063e5c844",
    ),
    (
        make_offer_in_python,
        "38b1431b6fd53f1f13bca6f9d187bc3d8875d306dadd5d5b62ea4a295db615a8",
    ),
    (
        post_message_by_graphql,
        "e23c9025003cd2fcc5a0e281793ecac89dff6c5320c0b272a566ec4e4344d221",
    ),
    (
        resubmit_complaint_by_graphql,
        "944aa00191fb4e1420f7df623dd563b370cba032b642b79aaf3a6cf386434809",
    ),
    (
        sanction_seller_by_graphql,
        "a1e4e273c7fa569f25ff44b31a3d16ed76ff7e6893627cf709a32184760306b5",
    ),
]


@pytest.mark.parametrize(("call", "expected"), PINNED, ids=[c.__name__ for c, _ in PINNED])
def test_a_command_keeps_the_fingerprint_its_stored_records_hold(
    gql: GraphQL, world: Scenario, call: Call, expected: str
) -> None:
    actor = call(gql, world)
    assert stored_fingerprint(world, actor) == expected
