"""Ruling (R3): the arbiter's ruling, its acknowledgement, an appeal and its decision (which
may make the ruling final, and with it a confirmed violation: `violation_found`)."""

from __future__ import annotations

from uuid import UUID

from complaints.application.policies import violation_found
from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.complaint import Complaint
from complaints.domain.values import Actor, Outcome, Remedy


class RulingCommands(CommandRunner):
    @command
    def issue_ruling(
        self,
        actor: Actor,
        complaint_id: UUID,
        outcome: Outcome,
        rationale: str,
        remedy: Remedy | None = None,
        rule_codes: list[str] | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.issue_ruling(
            self.context(actor),
            outcome=outcome,
            remedy=remedy,
            rationale=rationale,
            rule_codes=rule_codes or [],
        )
        return Changes(complaint)

    @command
    def acknowledge_ruling(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.acknowledge_ruling(self.context(actor))
        return Changes(complaint)

    @command
    def file_appeal(self, actor: Actor, complaint_id: UUID, grounds: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.file_appeal(self.context(actor), grounds=grounds)
        return Changes(complaint)

    @command
    def decide_appeal(
        self,
        actor: Actor,
        complaint_id: UUID,
        grant: bool,
        rationale: str,
        outcome: Outcome | None = None,
        remedy: Remedy | None = None,
        rule_codes: list[str] | None = None,
    ) -> Changes[Complaint]:
        ctx = self.context(actor)
        complaint = self.get_complaint(complaint_id)
        complaint.decide_appeal(
            ctx,
            grant=grant,
            outcome=outcome,
            remedy=remedy,
            rationale=rationale,
            rule_codes=list(rule_codes or ()),
        )
        return Changes(complaint, violation_found(self, ctx, complaint))
