"""Violations reported against a shop (R8, R10)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from complaints.domain.violation import Violation as ViolationAggregate
from complaints.graphql import ids
from complaints.graphql.enums import ViolationKind
from complaints.graphql.types.relay import Node


@strawberry.type
class Violation(Node):
    id: strawberry.ID
    shop_id: str
    kind: ViolationKind
    status: str
    reported_at: datetime
    complaint_id: strawberry.ID | None

    @classmethod
    def of(cls, violation: ViolationAggregate) -> Violation:
        return cls(
            id=strawberry.ID(ids.global_id("Violation", violation.id)),
            shop_id=violation.shop_id,
            kind=violation.kind,
            status=violation.status.value,
            reported_at=violation.reported_at,
            complaint_id=strawberry.ID(ids.global_id("Complaint", violation.complaint_id))
            if violation.complaint_id
            else None,
        )
