"""The supervision queue: what waits for a supervisor, the longest-waiting first."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain.errors import FieldError, ValidationFailed, ViolationNotFound
from complaints.domain.text import Text
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.types.complaint import ComplaintNode
from complaints.graphql.types.relay import PageInfo
from complaints.graphql.types.violation import Violation
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
        description="Of a case: overdue or past_due (a staff deadline passed),"
        " remedy_defaulted, execution_issue, appeal_waiting, pause_limit (its clock resumed"
        " by itself at MAX_PAUSE), mediator_needed (under intervention, no mediator yet)."
        " Of a shop: violation_waiting,"
        " sanction_appeal, and violation_overdue, sanction_appeal_overdue once their"
        " deadline has passed"
    )
    shop_id: str | None
    since: datetime = strawberry.field(description="Since when it has waited")
    due_at: datetime | None = strawberry.field(
        description="The deadline: the one that passed, for overdue and past_due; the"
        " decision's, for a violation or a sanction's appeal"
    )
    detail: str
    sanction_id: strawberry.ID | None = strawberry.field(
        description="The appealed sanction (Sanction.id) of sanction_appeal items"
    )
    _complaint_id: strawberry.Private[UUID | None]
    _violation_id: strawberry.Private[UUID | None]

    @classmethod
    def of(cls, item: QueueItem) -> SupervisionItem:
        return cls(
            kind=item.kind,
            shop_id=item.shop_id,
            since=item.since,
            due_at=item.due_at,
            detail=item.detail,
            sanction_id=None if item.sanction_id is None else strawberry.ID(item.sanction_id),
            _complaint_id=item.complaint_id,
            _violation_id=item.violation_id,
        )

    @strawberry.field(description="The case, for a case's items")
    async def complaint(self, info: Info) -> ComplaintNode | None:
        if self._complaint_id is None:
            return None
        found = await info.context.complaint(self._complaint_id)
        return None if found is None else ComplaintNode.of(found)

    @strawberry.field(description="The report, for violation items")
    async def violation(self, info: Info) -> Violation | None:
        if self._violation_id is None:
            return None
        try:
            found = await anyio.to_thread.run_sync(
                info.context.app.get_violation, self._violation_id
            )
        except ViolationNotFound:
            return None
        return Violation.of(found)


@strawberry.type
class SupervisionEdge:
    cursor: str
    node: SupervisionItem


@strawberry.type
class SupervisionConnection:
    edges: list[SupervisionEdge]
    page_info: PageInfo
    total_count: int
