"""One page of a complaint's timeline, as the viewer may see it."""

from __future__ import annotations

from uuid import UUID

from complaints.domain.errors import ValidationFailed
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import coded
from complaints.graphql.resolvers import read
from complaints.graphql.types.relay import PageInfo, page_info
from complaints.graphql.types.timeline import TimelineConnection, TimelineEdge, TimelineEntry


async def timeline_connection(
    info: Info,
    complaint_id: UUID,
    *,
    first: int | None,
    after: str | None,
    upto_version: int | None = None,
) -> TimelineConnection:
    context = info.context
    try:
        after_version = ids.parse_cursor("TimelineEntry", after)
    except ValidationFailed as error:
        raise coded(error) from None
    page = await read(
        lambda: context.read_models.timeline.entries(
            context.actor,
            complaint_id,
            first=50 if first is None else first,
            after=after_version,
            upto_version=upto_version,
        )
    )
    if page is None:
        return TimelineConnection(
            edges=[],
            page_info=PageInfo(
                has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
            ),
        )
    edges = [
        TimelineEdge(cursor=ids.cursor("TimelineEntry", e.version), node=TimelineEntry.of(e))
        for e in page.items
    ]
    return TimelineConnection(
        edges=edges,
        page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
    )
