"""Intake (R1): filing a complaint (one open complaint per order), accepting, returning for
information, rejecting, resubmitting, withdrawing."""

from __future__ import annotations

import secrets
from datetime import datetime
from uuid import UUID

from complaints.application.read_cache import CachedReads
from complaints.application.runner import Changes, command
from complaints.domain.complaint import Complaint
from complaints.domain.errors import DuplicateComplaint
from complaints.domain.order import OrderCheck
from complaints.domain.order_index import OrderComplaints, order_index_id
from complaints.domain.validation import is_identifier
from complaints.domain.values import TERMINAL, Actor, Attachment, Category, Remedy

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def new_reference(now: datetime) -> str:
    """A short, unambiguous reference such as C-2026-7KQ2M9XD (40 random bits, five to a
    character: one draw, where a choice per character took eight)."""
    bits = secrets.randbits(40)
    code = "".join(_REFERENCE_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"C-{now.year}-{code}"


class IntakeCommands(CachedReads):
    @command
    def file_complaint(
        self,
        actor: Actor,
        shop_id: str,
        order_id: str,
        category: Category,
        description: str,
        requested_remedy: Remedy,
        evidence: list[Attachment] | None = None,
    ) -> Changes[Complaint]:
        ctx = self.context(actor)
        seller = self.read_seller(shop_id)  # only read: the filing changes nothing of the shop
        attached = evidence or []
        # Where orders are checked, the filing is checked against the marketplace's record of
        # the order (only read: the filing changes nothing of it).
        window = None
        order = None
        if self.settings.order_check is OrderCheck.REQUIRED:
            window = self.settings.filing_window
            recorded = (
                self.find_order(seller.shop_id, order_id) if is_identifier(order_id) else None
            )
            order = None if recorded is None else recorded.facts
        complaint = Complaint.file(
            ctx,
            reference=new_reference(ctx.now),
            shop_id=seller.shop_id,
            order_id=order_id,
            category=category,
            description=description,
            requested_remedy=requested_remedy,
            evidence=attached,
            files=self.uploads_of(actor, [a.sha256 for a in attached]),
            order=order,
            window=window,
        )
        # One open complaint per order: the index is saved with the complaint, so of two
        # filings that race, the store refuses one, and its retry finds the other open.
        index = self._order_index(seller.shop_id, order_id, actor.id)
        if index is None:
            index = OrderComplaints(
                shop_id=seller.shop_id,
                order_id=order_id,
                consumer_id=actor.id,
                complaint_id=complaint.id,
                reference=complaint.reference,
                timestamp=ctx.now,
            )
        else:
            latest_id, reference = index.latest
            if self.get_complaint(latest_id).status not in TERMINAL:
                raise DuplicateComplaint(reference)
            index.index(complaint.id, complaint.reference, ctx.now)
        return Changes(complaint, (index,))

    def _order_index(self, shop_id: str, order_id: str, consumer_id: str) -> OrderComplaints | None:
        index = self.unsnapshotted(order_index_id(shop_id, order_id, consumer_id))
        assert index is None or isinstance(index, OrderComplaints)
        return index

    @command
    def accept_complaint(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.accept(self.context(actor))
        return Changes(complaint)

    @command
    def return_complaint_for_info(
        self,
        actor: Actor,
        complaint_id: UUID,
        reason: str,
        missing: list[str],
        rule_codes: list[str] | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.return_for_info(
            self.context(actor), reason=reason, missing=missing, rule_codes=rule_codes or []
        )
        return Changes(complaint)

    @command
    def reject_complaint(
        self,
        actor: Actor,
        complaint_id: UUID,
        reason: str,
        rule_code: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.reject(self.context(actor), reason=reason, rule_code=rule_code)
        return Changes(complaint)

    @command
    def resubmit_complaint(
        self,
        actor: Actor,
        complaint_id: UUID,
        description: str,
        evidence: list[Attachment] | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        attached = evidence or []
        complaint.resubmit(
            self.context(actor),
            description=description,
            evidence=attached,
            files=self.uploads_of(actor, [a.sha256 for a in attached]),
        )
        return Changes(complaint)

    @command
    def withdraw_complaint(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.withdraw(self.context(actor))
        return Changes(complaint)
