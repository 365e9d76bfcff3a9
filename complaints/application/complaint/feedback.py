"""Feedback (R5): the consumer rates how the case was handled."""

from __future__ import annotations

from uuid import UUID

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.complaint import Complaint
from complaints.domain.values import Actor


class FeedbackCommands(CommandRunner):
    @command
    def rate_handling(
        self,
        actor: Actor,
        complaint_id: UUID,
        score: int,
        comment: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.rate_handling(self.context(actor), score=score, comment=comment)
        return Changes(complaint)
