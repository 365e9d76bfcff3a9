"""The supervision queue: what waits for a supervisor, the longest-waiting first."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.text import Text
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.types.complaint import ComplaintNode
from complaints.graphql.types.relay import PageInfo
from complaints.projections.supervision import QueueItem

Key = tuple[datetime, str, str, str]


def cursor(item: QueueItem) -> str:
    since, complaint_id, kind, ref = item.key
    return ids.global_id("Supervision", f"{since.isoformat()}|{complaint_id}|{kind}|{ref}")


def parse_cursor(value: str | None) -> Key | None:
    """The queue key a cursor names; a clear refusal for anything else."""
    if value is None:
        return None
    wrong = ValidationFailed([FieldError("after", Text("is not a cursor from this list"))])
    if ids.kind_of(value) != "Supervision":
        raise wrong
    raw = ids.global_id_value(value)
    parts = raw.split("|", 3)
    if len(parts) != 4:
        raise wrong
    since, complaint_id, kind, ref = parts
    try:
        moment = datetime.fromisoformat(since)
        key = (moment, str(UUID(complaint_id)), kind, ref)
    except ValueError:
        raise wrong from None
    if moment.tzinfo is None:  # ours always carry their offset
        raise wrong
    return key


@strawberry.type
class SupervisionItem:
    kind: str = strawberry.field(
        description="overdue or past_due (a staff deadline passed), remedy_defaulted,"
        " execution_issue, appeal_waiting"
    )
    shop_id: str | None
    since: datetime = strawberry.field(description="Since when it has waited")
    due_at: datetime | None = strawberry.field(
        description="The deadline that passed, for overdue and past_due"
    )
    detail: str
    _complaint_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, item: QueueItem) -> SupervisionItem:
        return cls(
            kind=item.kind,
            shop_id=item.shop_id,
            since=item.since,
            due_at=item.due_at,
            detail=item.detail,
            _complaint_id=item.complaint_id,
        )

    @strawberry.field
    async def complaint(self, info: Info) -> ComplaintNode | None:
        found = await info.context.complaint(self._complaint_id)
        return None if found is None else ComplaintNode.of(found)


@strawberry.type
class SupervisionEdge:
    cursor: str
    node: SupervisionItem


@strawberry.type
class SupervisionConnection:
    edges: list[SupervisionEdge]
    page_info: PageInfo
    total_count: int
