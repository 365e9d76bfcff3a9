"""The translation every resolver shares: run a command in a worker thread and map refusals to
typed errors; read the read models off the event loop; resolve ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

import anyio.to_thread

from complaints.domain.errors import DomainError, ValidationFailed
from complaints.graphql import ids
from complaints.graphql.context import Context, Info
from complaints.graphql.errors import AnyError, as_error, coded

T = TypeVar("T")
DEFAULT_PAGE = 20


async def run_command(info: Info, call: Callable[[], T]) -> T | AnyError:
    """Run one application command off the event loop. A refusal becomes its typed error.

    On success, wait (bounded by READ_YOUR_WRITES_SECONDS) until the read models include the
    command's events, so that the caller's next query sees its own write. Where the read models
    are applied inline (in the command's own transaction), they already do: no wait.
    """
    context = info.context

    def run() -> tuple[T | DomainError, int | None]:
        try:
            result = call()
        except DomainError as refusal:
            return refusal, None
        return result, context.app.last_saved_position()

    outcome, position = await anyio.to_thread.run_sync(run)
    if isinstance(outcome, DomainError):
        return as_error(outcome)
    wait = context.settings.read_your_writes_seconds
    if position is not None and wait > 0 and not context.read_models.applied(position):
        await anyio.to_thread.run_sync(lambda: context.read_models.wait_for(position, timeout=wait))
    if context.read_models.db.router is not None:
        await _hand_token(context)
    return outcome


async def _hand_token(context: Context) -> None:
    """With read replicas: where the log stands now, after the commit and the read models'
    update, goes back to the client (`Read-After`, `extensions.readAfter`) and is kept for the
    actor, so that its next reads wait for a replica to have replayed it."""
    lsn = await anyio.to_thread.run_sync(context.read_models.db.wrote, str(context.actor))
    if lsn is None:
        return
    request = context.request
    if request is not None:
        request.scope.setdefault("state", {})["read_after"] = lsn
    headers = getattr(context.response, "headers", None)
    if headers is not None:
        headers["Read-After"] = lsn


async def read(call: Callable[[], T]) -> T:
    """Run a read-model query off the event loop; a bad argument becomes a coded error."""
    try:
        return await anyio.to_thread.run_sync(call)
    except ValidationFailed as error:
        raise coded(error) from None


def complaint_uuid(value: str, field: str = "complaintId") -> UUID:
    return ids.parse_uuid("Complaint", value, field)
