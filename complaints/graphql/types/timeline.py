"""A complaint's timeline: entries redacted for the viewer, in cursor pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from complaints.domain.rulebook import RULEBOOK
from complaints.domain.values import PersonalText
from complaints.graphql.context import Info
from complaints.graphql.enums import Role
from complaints.graphql.types.relay import PageInfo
from complaints.graphql.types.rulebook import Rule
from complaints.projections.timeline import TimelineEntry as EntryRecord


def camel(name: str) -> str:
    """`enforced_deadline_id` -> `enforcedDeadlineId`, as the schema's own field names."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any) -> Any:
    """Details as clients read them: every object key in camelCase, at every depth."""
    if isinstance(value, dict):
        return {camel(str(key)): camel_keys(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [camel_keys(inner) for inner in value]
    return value


@strawberry.type
class TimelineEntry:
    position: int
    type: str
    at: datetime
    actor_role: Role
    summary: str
    version: int
    actor_id: str | None = strawberry.field(
        description="Who acted: shown to staff and auditors, and to parties for their own acts"
    )
    details: JSON = strawberry.field(
        description="What the entry's type records, as plain JSON with camelCase keys;"
        " docs/timeline.md lists each type's keys"
    )
    _complaint_id: strawberry.Private[UUID]
    _personal: strawberry.Private[tuple[str, ...]]
    _rule_codes: strawberry.Private[tuple[str, ...]]

    @classmethod
    def of(cls, entry: EntryRecord) -> TimelineEntry:
        return cls(
            position=entry.position,
            type=entry.type,
            at=entry.at,
            actor_role=entry.actor_role,
            summary=entry.summary,
            version=entry.version,
            actor_id=entry.actor_id,
            details=JSON(camel_keys(entry.details)),
            _complaint_id=entry.complaint_id,
            _personal=entry.personal,
            _rule_codes=(
                *(entry.details.get("rule_codes") or ()),
                *((entry.details["rule_code"],) if entry.details.get("rule_code") else ()),
            ),
        )

    @strawberry.field(description="The rules this entry's decision cites, with their texts")
    def rules(self) -> list[Rule]:
        return [
            Rule.of(rule)
            for code in self._rule_codes
            if (rule := RULEBOOK.rule(code, at=self.at)) is not None
        ]

    @strawberry.field(
        description="The entry's personal text (a message, a description), read from the event"
        " store for whoever may see the entry; [erased] once its author was erased"
    )
    async def text(self, info: Info) -> str | None:
        if not self._personal:
            return None
        app = info.context.app
        event = await anyio.to_thread.run_sync(app.event, self._complaint_id, self.version)
        texts = [getattr(event, name, None) for name in self._personal]
        shown = [t.reveal() for t in texts if isinstance(t, PersonalText)]
        return "\n".join(shown) if shown else None


@strawberry.type
class TimelineEdge:
    cursor: str
    node: TimelineEntry


@strawberry.type
class TimelineConnection:
    edges: list[TimelineEdge]
    page_info: PageInfo
