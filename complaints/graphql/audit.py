"""The audit trails of one complaint, shop or violation, for staff and auditors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

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
from complaints.domain.seller import Seller, seller_id
from complaints.domain.text import Text
from complaints.domain.values import Role
from complaints.domain.violation import Violation
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import coded
from complaints.graphql.types.audit import AuditEvent, AuditTrail, HistoryTrail
from complaints.projections.transparency import Leaf
from complaints.store.hash_chain import GENESIS

T = TypeVar("T")

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


@dataclass(frozen=True)
class Trail:
    """One aggregate's stored rows, verified, with each event's place in the transparency log."""

    events: list[AuditEvent]
    verified: bool
    first_broken_version: int | None


def stored_trail(info: Info, aggregate_id: UUID, kind: type[Any], missing: DomainError) -> Trail:
    """Read from the stored rows alone, never by loading the aggregate: a record with a row
    deleted or altered no longer loads whole, and its trail is what shows where. `missing` is
    raised when no row of that kind of aggregate is stored under the id."""
    verification, events = audited_history(info.context.app, aggregate_id)
    if not events or aggregate_of(events[0].stored.topic) is not kind:
        raise missing
    leaves = info.context.read_models.log.leaves_of(aggregate_id)
    return Trail(
        [shown(e, leaves) for e in events],
        verification.verified,
        verification.first_broken_version,
    )


async def off_the_loop(load: Callable[[], T]) -> T:
    try:
        return await anyio.to_thread.run_sync(load)
    except DomainError as error:
        raise coded(error) from None


async def audit_trail(info: Info, complaint_id: str) -> AuditTrail:
    def load() -> AuditTrail:
        uuid = ids.parse_uuid("Complaint", complaint_id, "complaintId")
        trail = stored_trail(info, uuid, Complaint, ComplaintNotFound(Text("No such complaint.")))
        return AuditTrail(
            complaint_id=strawberry.ID(ids.global_id("Complaint", uuid)),
            events=trail.events,
            verified=trail.verified,
            first_broken_version=trail.first_broken_version,
        )

    return await off_the_loop(load)


async def shop_trail(info: Info, shop_id: str) -> HistoryTrail:
    def load() -> HistoryTrail:
        missing = SellerNotFound(Text("No shop {shop_id} is registered.", shop_id=shop_id))
        trail = stored_trail(info, seller_id(shop_id), Seller, missing)
        return HistoryTrail(
            subject="Seller",
            id=strawberry.ID(shop_id),
            events=trail.events,
            verified=trail.verified,
            first_broken_version=trail.first_broken_version,
        )

    return await off_the_loop(load)


async def violation_trail(info: Info, violation_id: str) -> HistoryTrail:
    def load() -> HistoryTrail:
        uuid = ids.parse_uuid("Violation", violation_id, "violationId")
        trail = stored_trail(info, uuid, Violation, ViolationNotFound(Text("No such violation.")))
        return HistoryTrail(
            subject="Violation",
            id=strawberry.ID(ids.global_id("Violation", uuid)),
            events=trail.events,
            verified=trail.verified,
            first_broken_version=trail.first_broken_version,
        )

    return await off_the_loop(load)
