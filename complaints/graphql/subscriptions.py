"""Subscriptions over graphql-transport-ws: a stream of timeline entries, with the complaint as
it stands after each.

Each subscriber remembers the log position of the last entry it sent. It reads the timeline read
model for entries after that position, sends them in order, and sleeps until the read models move
(a pulse from this process's runners, or a NOTIFY from another process's) or a second passes.
A client that reconnects with `after` set to the last position it saw misses nothing and gets
nothing twice.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain.access import list_scope
from complaints.domain.values import PARTIES
from complaints.graphql.errors import CodedError
from complaints.graphql.resolvers import complaint_uuid
from complaints.graphql.types import ComplaintNode, ComplaintUpdate, Info, TimelineEntry

POLL_SECONDS = 1.0


async def _updates(
    info: Info, complaint_id: UUID | None, after: int | None
) -> AsyncGenerator[ComplaintUpdate, None]:
    context = info.context
    views = context.read_models
    if after is None:
        positions = await anyio.to_thread.run_sync(views.positions, ["timeline"])
        after = positions.get("timeline", 0)
    position = after
    while True:
        context.check_still_valid()
        seen = context.projected.pulses
        entries = await anyio.to_thread.run_sync(
            functools.partial(
                views.timeline.since, context.actor, position, complaint_id=complaint_id
            )
        )
        for entry in entries:
            complaint = await context.complaint(entry.complaint_id, fresh=True)
            position = entry.position
            if complaint is not None:
                yield ComplaintUpdate(
                    position=entry.position,
                    complaint=ComplaintNode.of(complaint),
                    entry=TimelineEntry.of(entry),
                )
        if not entries:
            await context.projected.wait(seen, POLL_SECONDS)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="One case, for its parties and staff; `after` is the last position received"
    )
    async def complaint_updates(
        self, info: Info, complaint_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[ComplaintUpdate, None]:
        try:
            uuid = complaint_uuid(complaint_id)
        except Exception:
            raise CodedError("VALIDATION_FAILED", "complaintId is not a complaint id") from None
        if await info.context.complaint(uuid) is None:
            raise CodedError("NOT_ALLOWED", "No such complaint among yours.")
        async for update in _updates(info, uuid, after):
            yield update

    @strawberry.subscription(description="Every case of the signed-in consumer or seller")
    async def my_complaint_updates(
        self, info: Info, after: int | None = None
    ) -> AsyncGenerator[ComplaintUpdate, None]:
        viewer = info.context.actor
        if viewer.role not in PARTIES or list_scope(viewer).nothing:
            raise CodedError("NOT_ALLOWED", "Sign in as a consumer or seller to follow your cases.")
        async for update in _updates(info, None, after):
            yield update
