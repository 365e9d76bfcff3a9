"""Violations reported against a shop (R8, R10)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain.errors import ViolationNotFound
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.violation import Violation as ViolationAggregate
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.enums import Role, ViolationKind
from complaints.graphql.types.relay import Node, PageInfo
from complaints.graphql.types.rulebook import Rule
from complaints.projections.sellers import ViolationRecord


@strawberry.type
class Violation(Node):
    id: strawberry.ID
    shop_id: str
    kind: ViolationKind
    status: str
    reported_at: datetime
    reported_by: Role
    decided_at: datetime | None
    complaint_id: strawberry.ID | None
    _id: strawberry.Private[UUID]
    _aggregate: strawberry.Private[ViolationAggregate | None] = None

    @classmethod
    def of(cls, violation: ViolationAggregate | ViolationRecord) -> Violation:
        """From the aggregate (one report by id) or the read model's row (the list): the two
        have the same shape."""
        return cls(
            id=strawberry.ID(ids.global_id("Violation", violation.id)),
            shop_id=violation.shop_id,
            kind=violation.kind,
            status=violation.status.value,
            reported_at=violation.reported_at,
            reported_by=violation.reported_by,
            decided_at=violation.decided_at,
            complaint_id=strawberry.ID(ids.global_id("Complaint", violation.complaint_id))
            if violation.complaint_id
            else None,
            _id=violation.id,
            _aggregate=violation if isinstance(violation, ViolationAggregate) else None,
        )

    async def _violation(self, info: Info) -> ViolationAggregate | None:
        if self._aggregate is None:
            try:
                self._aggregate = await anyio.to_thread.run_sync(
                    info.context.app.get_violation, self._id
                )
            except ViolationNotFound:
                return None
        return self._aggregate

    @strawberry.field(description="What was reported; [erased] after the reporter's erasure")
    async def description(self, info: Info) -> str | None:
        violation = await self._violation(info)
        return None if violation is None else violation.description.reveal()

    @strawberry.field(
        description="The reported shop's answer, if it gave one before the decision;"
        " [erased] after its author's erasure"
    )
    async def seller_response(self, info: Info) -> str | None:
        violation = await self._violation(info)
        if violation is None or violation.seller_response is None:
            return None
        return violation.seller_response.reveal()

    @strawberry.field(
        description="Until when the reported shop may answer (VIOLATION_RESPONSE): no decision"
        " before it unless the shop has answered"
    )
    async def response_due_at(self, info: Info) -> datetime | None:
        violation = await self._violation(info)
        return None if violation is None else violation.response_due_at

    @strawberry.field(
        description="When a supervisor must have decided (VIOLATION_DECISION); past it, the"
        " report waits overdue in the supervision queue"
    )
    async def decision_due_at(self, info: Info) -> datetime | None:
        violation = await self._violation(info)
        return None if violation is None else violation.decision_due_at

    @strawberry.field(description="Why the violation was confirmed")
    async def rationale(self, info: Info) -> str | None:
        violation = await self._violation(info)
        return None if violation is None else violation.rationale

    @strawberry.field(
        description="The rules a confirmation cites, each as in force when it was decided"
    )
    async def rules(self, info: Info) -> list[Rule]:
        violation = await self._violation(info)
        if violation is None:
            return []
        return [
            Rule.of(rule)
            for code in violation.rule_codes
            if (rule := RULEBOOK.rule(code, at=violation.decided_at)) is not None
        ]

    @strawberry.field(description="Mutation names the viewer may call on this violation now")
    async def allowed_actions(self, info: Info) -> list[str]:
        violation = await self._violation(info)
        if violation is None:
            return []
        return violation.allowed_actions(info.context.actor, info.context.app.clock.now())


@strawberry.type
class ViolationEdge:
    cursor: str
    node: Violation


@strawberry.type
class ViolationConnection:
    edges: list[ViolationEdge]
    page_info: PageInfo
    total_count: int
