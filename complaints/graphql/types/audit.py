"""Audit trails: every stored event of a complaint, a shop or a violation with its hash, for
staff and auditors."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from complaints.graphql.enums import Role


@strawberry.type
class AuditEvent:
    version: int
    type: str
    recorded_at: datetime
    actor_role: Role
    actor_id: str | None
    data: JSON
    hash: str
    previous_hash: str | None
    leaf_index: int | None = strawberry.field(
        description="The event's leaf in the transparency log; null until it is in the log"
    )


@strawberry.type
class AuditTrail:
    complaint_id: strawberry.ID
    events: list[AuditEvent]
    verified: bool
    first_broken_version: int | None


@strawberry.type(
    description="The hash-chained history of a shop or a violation, verified as a case's is"
)
class HistoryTrail:
    subject: str = strawberry.field(description="Seller or Violation")
    id: strawberry.ID = strawberry.field(description="The shop's id, or the violation's global id")
    events: list[AuditEvent]
    verified: bool
    first_broken_version: int | None
