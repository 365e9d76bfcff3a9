"""Time (DESIGN §9): pausing and resuming a case's clock, and what the deadline worker sends:
a due deadline lapsing (with its default outcome, advance refund and strike in one save),
and reminders before it."""

from __future__ import annotations

from uuid import UUID

from complaints.application.policies import violation_found
from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.complaint import Complaint
from complaints.domain.sanctions import Offence
from complaints.domain.values import Actor


class TimeCommands(CommandRunner):
    @command
    def pause_clock(self, actor: Actor, complaint_id: UUID, reason: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.pause_clock(self.context(actor), reason=reason)
        return Changes(complaint)

    @command
    def resume_clock(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.resume_clock(self.context(actor))
        return Changes(complaint)

    @command
    def resume_clock_at_limit(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        """Resume a clock paused for as long as it may be (MAX_PAUSE). Idempotent: the
        deadline worker may send it for a clock already resumed; nothing is recorded then."""
        complaint = self.get_complaint(complaint_id)
        complaint.resume_at_limit(self.context(actor))
        return Changes(complaint)

    @command
    def lapse_deadline(
        self,
        actor: Actor,
        complaint_id: UUID,
        deadline_id: int,
    ) -> Changes[Complaint]:
        """Enforce a due deadline. When the seller defaulted on a refund, the platform pays the
        consumer first and recovers the sum from the deposit, in the same transaction."""
        ctx = self.context(actor)
        complaint = self.get_complaint(complaint_id)
        result = complaint.lapse_deadline(ctx, deadline_id)
        if result is None or not result.remedy_missed:
            return Changes(complaint, violation_found(self, ctx, complaint))
        seller = self.get_seller(complaint.shop_id)
        if result.advance_refund is not None:
            assert result.advance_refund.amount is not None
            seller.deduct_deposit(
                ctx,
                result.advance_refund.amount,
                reason="advance refund to the consumer",
                complaint_id=complaint.id,
            )
        seller.strike(
            ctx,
            self.settings.sanctions,
            offence=Offence.REMEDY_MISSED,
            reason=f"Complaint {complaint.reference}: the remedy was not carried out in time.",
            complaint_id=complaint.id,
        )
        return Changes(complaint, (seller,))

    @command
    def remind_deadline(
        self, actor: Actor, complaint_id: UUID, deadline_id: int
    ) -> Changes[Complaint]:
        """Remind a deadline's party before it lapses (REMINDERS), if a reminder is owed now.
        Idempotent: the deadline worker may send it twice; the case records it once."""
        complaint = self.get_complaint(complaint_id)
        complaint.remind(self.context(actor), deadline_id, self.settings.reminders)
        return Changes(complaint)
