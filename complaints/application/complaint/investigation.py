"""Investigation (R2): assigning an arbiter, requesting and submitting evidence, findings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.complaint import Complaint
from complaints.domain.values import Actor, Role


class InvestigationCommands(CommandRunner):
    @command
    def assign_complaint(
        self,
        actor: Actor,
        complaint_id: UUID,
        arbiter_id: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.assign(self.context(actor), arbiter_id=arbiter_id)
        return Changes(complaint)

    @command
    def request_evidence(
        self,
        actor: Actor,
        complaint_id: UUID,
        party: Role,
        kinds: list[str],
        note: str | None = None,
        due_at: datetime | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.request_evidence(
            self.context(actor), party=party, kinds=kinds, note=note, due_at=due_at
        )
        return Changes(complaint)

    @command
    def submit_evidence(
        self,
        actor: Actor,
        complaint_id: UUID,
        kind: str,
        description: str,
        sha256: str | None = None,
        request_id: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.submit_evidence(
            self.context(actor),
            kind=kind,
            description=description,
            sha256=sha256,
            request_id=request_id,
            files=self.uploads_of(actor, [sha256] if sha256 else []),
        )
        return Changes(complaint)

    @command
    def record_finding(self, actor: Actor, complaint_id: UUID, finding: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.record_finding(self.context(actor), finding=finding)
        return Changes(complaint)
