"""The audit trail of one complaint, for staff and auditors."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from complaints.audit import audited_history
from complaints.domain.errors import DomainError
from complaints.domain.values import Role
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import coded
from complaints.graphql.types.audit import AuditEvent, AuditTrail
from complaints.store.hash_chain import GENESIS

#: Shown for an event too damaged to decode (its data says so too).
UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)


async def audit_trail(info: Info, complaint_id: str) -> AuditTrail:
    app = info.context.app
    log = info.context.read_models.log

    def load() -> AuditTrail:
        uuid = ids.parse_uuid("Complaint", complaint_id, "complaintId")
        app.get_complaint(uuid)
        verification, events = audited_history(app, uuid)
        leaves = log.leaves_of(uuid)
        return AuditTrail(
            complaint_id=strawberry.ID(ids.global_id("Complaint", uuid)),
            events=[
                AuditEvent(
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
                for e in events
            ],
            verified=verification.verified,
            first_broken_version=verification.first_broken_version,
        )

    try:
        return await anyio.to_thread.run_sync(load)
    except DomainError as error:
        raise coded(error) from None
