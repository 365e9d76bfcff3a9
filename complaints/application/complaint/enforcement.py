"""Enforcement (R4): carrying out the remedy (refund, return, replacement), execution issues
and their resolution (an advance refund from the shop's deposit, with a strike), and the
consumer's confirmation or dispute."""

from __future__ import annotations

from uuid import UUID

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.complaint import Complaint
from complaints.domain.sanctions import Offence
from complaints.domain.values import Actor


class EnforcementCommands(CommandRunner):
    @command
    def confirm_refund(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.confirm_refund(self.context(actor))
        return Changes(complaint)

    @command
    def ship_return(
        self,
        actor: Actor,
        complaint_id: UUID,
        carrier: str,
        tracking_number: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.ship_return(self.context(actor), carrier=carrier, tracking_number=tracking_number)
        return Changes(complaint)

    @command
    def confirm_return_received(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.confirm_return_received(self.context(actor))
        return Changes(complaint)

    @command
    def ship_replacement(
        self,
        actor: Actor,
        complaint_id: UUID,
        carrier: str,
        tracking_number: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.ship_replacement(
            self.context(actor), carrier=carrier, tracking_number=tracking_number
        )
        return Changes(complaint)

    @command
    def raise_execution_issue(
        self, actor: Actor, complaint_id: UUID, text: str
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.raise_execution_issue(self.context(actor), text=text)
        return Changes(complaint)

    @command
    def resolve_execution_issue(
        self,
        actor: Actor,
        complaint_id: UUID,
        resolution: str,
        issue_id: str | None = None,
        advance_refund: bool | None = None,
    ) -> Changes[Complaint]:
        """A supervisor resolves an execution issue. For a disputed remedy, `advance_refund`
        has the platform pay it from the seller's deposit, with a strike, exactly as for a
        missed refund; without it the dispute is dismissed. Either way the case closes."""
        ctx = self.context(actor)
        complaint = self.get_complaint(complaint_id)
        advanced = complaint.resolve_execution_issue(
            ctx, issue_id=issue_id, resolution=resolution, advance_refund=bool(advance_refund)
        )
        if advanced is None:
            return Changes(complaint)
        seller = self.get_seller(complaint.shop_id)
        seller.deduct_deposit(
            ctx, advanced, reason="advance refund to the consumer", complaint_id=complaint.id
        )
        seller.strike(
            ctx,
            self.settings.sanctions,
            offence=Offence.REMEDY_MISSED,
            reason=f"Complaint {complaint.reference}: the consumer disputed the remedy, and"
            " supervision found it was not carried out.",
            complaint_id=complaint.id,
        )
        return Changes(complaint, (seller,))

    @command
    def confirm_remedy_received(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.confirm_remedy_received(self.context(actor))
        return Changes(complaint)

    @command
    def dispute_remedy(self, actor: Actor, complaint_id: UUID, reason: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.dispute_remedy(self.context(actor), reason=reason)
        return Changes(complaint)
