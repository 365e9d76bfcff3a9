"""Policies that span aggregates, shared by more than one command: what a confirmed violation
costs a shop, and when a complaint's final ruling is itself a confirmed violation.

The policies particular to one command stay in that command (`lapse_deadline`'s advance refund,
`resolve_execution_issue`'s, `record_spot_check`'s strike): each reads there in full.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from complaints.application.runner import CommandRunner
from complaints.domain.complaint import Complaint
from complaints.domain.context import CommandContext
from complaints.domain.sanctions import Offence
from complaints.domain.values import Category, Outcome, ViolationKind
from complaints.domain.violation import Violation

#: Confirmed violations that count on the sanction ladder (R8); the rest count on the scorecard.
SANCTIONED_VIOLATIONS = {
    ViolationKind.COUNTERFEIT: Offence.COUNTERFEIT,
    ViolationKind.FRAUD: Offence.FRAUD,
}
#: Complaint categories whose final ruling for the consumer is itself a confirmed violation.
RULED_VIOLATIONS = {
    Category.COUNTERFEIT: ViolationKind.COUNTERFEIT,
    Category.FRAUD: ViolationKind.FRAUD,
}
CONSUMER_FAVOUR = frozenset({Outcome.CONSUMER_FAVOUR_FULL, Outcome.CONSUMER_FAVOUR_PARTIAL})


def violation_found(
    app: CommandRunner, ctx: CommandContext, complaint: Complaint
) -> tuple[Aggregate, ...]:
    """Complaints feed enforcement: when a ruling for the consumer on a counterfeit or fraud
    complaint becomes final in this command (the appeal window closed, or an appeal upheld
    it), a confirmed violation linked to the case, the strike and its rung are saved with
    it. A ruling by default, for a party that did not answer, proves no violation."""
    kind = RULED_VIOLATIONS.get(complaint.category)
    finalised = any(isinstance(e, Complaint.RulingFinalised) for e in complaint.pending_events)
    if (
        kind is None
        or not finalised
        or complaint.decided_by_default
        or complaint.outcome not in CONSUMER_FAVOUR
    ):
        return ()
    violation = Violation.found_by_ruling(
        ctx,
        shop_id=complaint.shop_id,
        kind=kind,
        complaint_id=complaint.id,
        reference=complaint.reference,
    )
    seller = app.get_seller(complaint.shop_id)
    seller.record_violation(ctx, violation_id=violation.id, kind=kind)
    seller.strike(
        ctx,
        app.settings.sanctions,
        offence=SANCTIONED_VIOLATIONS[kind],
        reason=f"Complaint {complaint.reference}: the final ruling found"
        f" {kind.value.lower()} for the consumer.",
        complaint_id=complaint.id,
        violation_id=violation.id,
    )
    return (violation, seller)
