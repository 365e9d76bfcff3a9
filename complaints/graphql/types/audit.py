"""A complaint's audit trail: every stored event with its hash, for staff and auditors."""

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
