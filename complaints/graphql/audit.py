"""The audit trails of one complaint, shop or violation, for staff and auditors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from complaints.application import aggregate_of
from complaints.audit import AuditedEvent, audited_history
from complaints.domain.complaint import Complaint
from complaints.domain.errors import (
    ComplaintNotFound,
    DomainError,
    SellerNotFound,
    ViolationNotFound,
)
from complaints.domain.seller import seller_id
from complaints.domain.text import Text
from complaints.domain.values import Role
from complaints.domain.violation import Violation
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import coded
from complaints.graphql.types.audit import AuditEvent, AuditTrail, HistoryTrail
from complaints.projections.transparency import Leaf
from complaints.store.hash_chain import GENESIS

#: Shown for an event too damaged to decode (its data says so too).
UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def shown(e: AuditedEvent, leaves: Mapping[int, Leaf]) -> AuditEvent:
    """An event as the trail shows it, with its place in the transparency log once it is there."""
    return AuditEvent(
        version=e.version,
        type=e.type,
        recorded_at=e.recorded_at or UNKNOWN_TIME,
        actor_role=e.actor.role if e.actor else Role.SYSTEM,
        actor_id=e.actor.id if e.actor else None,
        data=JSON(e.data),
        hash=e.hash,
        previous_hash=None if e.previous_hash == GENESIS else e.previous_hash,
        leaf_index=leaf.index if (leaf := leaves.get(e.version)) else None,
    )


async def audit_trail(info: Info, complaint_id: str) -> AuditTrail:
    app = info.context.app
    log = info.context.read_models.log

    def load() -> AuditTrail:
        uuid = ids.parse_uuid("Complaint", complaint_id, "complaintId")
        # Read from the stored rows alone, as a shop's and a violation's trails are: a case
        # with a row deleted or altered no longer loads whole, and its trail is what shows where.
        verification, events = audited_history(app, uuid)
        if not events or aggregate_of(events[0].stored.topic) is not Complaint:
            raise ComplaintNotFound(Text("No such complaint."))
        leaves = log.leaves_of(uuid)
        return AuditTrail(
            complaint_id=strawberry.ID(ids.global_id("Complaint", uuid)),
            events=[shown(e, leaves) for e in events],
            verified=verification.verified,
            first_broken_version=verification.first_broken_version,
        )

    try:
        return await anyio.to_thread.run_sync(load)
    except DomainError as error:
        raise coded(error) from None


async def shop_trail(info: Info, shop_id: str) -> HistoryTrail:
    app = info.context.app
    log = info.context.read_models.log

    def load() -> HistoryTrail:
        # Read from the stored rows alone: a tampered record may no longer load whole.
        verification, events = audited_history(app, seller_id(shop_id))
        leaves = log.leaves_of(seller_id(shop_id))
        if not events:
            raise SellerNotFound(Text("No shop {shop_id} is registered.", shop_id=shop_id))
        return HistoryTrail(
            subject="Seller",
            id=strawberry.ID(shop_id),
            events=[shown(e, leaves) for e in events],
            verified=verification.verified,
            first_broken_version=verification.first_broken_version,
        )

    try:
        return await anyio.to_thread.run_sync(load)
    except DomainError as error:
        raise coded(error) from None


async def violation_trail(info: Info, violation_id: str) -> HistoryTrail:
    app = info.context.app
    log = info.context.read_models.log

    def load() -> HistoryTrail:
        uuid = ids.parse_uuid("Violation", violation_id, "violationId")
        verification, events = audited_history(app, uuid)
        leaves = log.leaves_of(uuid)
        if not events or aggregate_of(events[0].stored.topic) is not Violation:
            raise ViolationNotFound(Text("No such violation."))
        return HistoryTrail(
            subject="Violation",
            id=strawberry.ID(ids.global_id("Violation", uuid)),
            events=[shown(e, leaves) for e in events],
            verified=verification.verified,
            first_broken_version=verification.first_broken_version,
        )

    try:
        return await anyio.to_thread.run_sync(load)
    except DomainError as error:
        raise coded(error) from None
