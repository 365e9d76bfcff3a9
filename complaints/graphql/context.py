"""What every resolver receives: who is asking, and the application and read models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.application import ComplaintsApp
from complaints.domain.complaint import Complaint
from complaints.domain.errors import ComplaintNotFound
from complaints.domain.text import Text
from complaints.domain.values import Actor
from complaints.graphql.errors import CodedError
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from complaints.store.signal import AsyncPulse


@dataclass
class Context:
    app: ComplaintsApp
    read_models: ReadModels
    settings: Settings
    actor: Actor
    projected: AsyncPulse
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    expires_at: datetime | None = None
    #: The language the answer is said in (a tag of `complaints.language.LANGUAGES`).
    locale: str = "en"
    #: Pulsed after each timeline batch alone; subscriptions follow it (else `projected`).
    timeline_projected: AsyncPulse | None = None
    #: Aggregates loaded for this request, so that each is read from the store once.
    _complaints: dict[UUID, Complaint | None] = field(default_factory=dict)

    def check_still_valid(self) -> None:
        """Long-lived sockets outlive tokens: end the subscription when the token expires."""
        if self.expires_at is not None and self.app.clock.now() >= self.expires_at:
            raise CodedError(
                "TOKEN_EXPIRED", Text("The token has expired; reconnect with a new one.")
            )

    async def complaint(self, complaint_id: UUID, *, fresh: bool = False) -> Complaint | None:
        """The complaint, if it exists and this viewer may see it; None otherwise."""
        if fresh or complaint_id not in self._complaints:
            # Known unchanged since it was last read: no I/O, so answered on the event loop.
            cached = self.app.cached_complaint(complaint_id)
            if cached is not None:
                self._complaints[complaint_id] = cached
            else:
                try:
                    self._complaints[complaint_id] = await anyio.to_thread.run_sync(
                        self.app.read_complaint, complaint_id
                    )
                except ComplaintNotFound:
                    self._complaints[complaint_id] = None
        complaint = self._complaints[complaint_id]
        if complaint is None or not complaint.can_view(self.actor):
            return None
        return complaint


#: What a resolver declares to receive the context.
Info = strawberry.Info[Context, None]
