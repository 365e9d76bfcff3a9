"""Negotiation (R6): the seller's offers, the consumer's answers, a proposed settlement,
asking for the platform to intervene, and messages."""

from __future__ import annotations

from uuid import UUID

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.complaint import Complaint
from complaints.domain.values import Actor, Remedy, Visibility


class NegotiationCommands(CommandRunner):
    @command
    def make_offer(
        self,
        actor: Actor,
        complaint_id: UUID,
        remedy: Remedy,
        message: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.make_offer(self.context(actor), remedy=remedy, message=message)
        return Changes(complaint)

    @command
    def accept_offer(self, actor: Actor, complaint_id: UUID, offer_id: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.accept_offer(self.context(actor), offer_id=offer_id)
        return Changes(complaint)

    @command
    def decline_offer(
        self,
        actor: Actor,
        complaint_id: UUID,
        offer_id: str,
        reason: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.decline_offer(self.context(actor), offer_id=offer_id, reason=reason)
        return Changes(complaint)

    @command
    def propose_settlement(
        self,
        actor: Actor,
        complaint_id: UUID,
        remedy: Remedy,
        message: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.propose_settlement(self.context(actor), remedy=remedy, message=message)
        return Changes(complaint)

    @command
    def assign_mediator(
        self, actor: Actor, complaint_id: UUID, mediator_id: str
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.assign_mediator(self.context(actor), mediator_id=mediator_id)
        return Changes(complaint)

    @command
    def request_intervention(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.request_intervention(self.context(actor))
        return Changes(complaint)

    @command
    def post_message(
        self,
        actor: Actor,
        complaint_id: UUID,
        text: str,
        visibility: Visibility = Visibility.PARTIES,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.post_message(self.context(actor), text=text, visibility=visibility)
        return Changes(complaint)
