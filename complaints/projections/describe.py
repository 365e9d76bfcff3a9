"""Each event of a complaint as a timeline entry a person can read: its summary, who may see it,
its details and the personal fields it carries.

Summaries are `Text`s: English as written here, stored with their templates and parameters, so
that each reader gets them in their own language (`complaints.language`). The parties' own words
(reasons, findings, resolutions) are parameters and are never translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from complaints.domain.access import Audience, deadline_audience
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import format_duration
from complaints.domain.labels import label
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.text import Text
from complaints.domain.values import Remedy, Role, Visibility
from complaints.projections.base import moment

#: The level of an appeal decision (a first ruling is level 1).
APPEAL_LEVEL = 2


@dataclass(frozen=True)
class Described:
    summary: Text
    audience: Audience = Audience.PARTIES
    details: dict[str, Any] | None = None
    personal: tuple[str, ...] = ()


def words(value: Any) -> str:
    """`NOT_AS_DESCRIBED` -> `not as described`; `seller_response` -> `seller response`."""
    text = value.value if hasattr(value, "value") else str(value)
    return text.replace("_", " ").lower()


WHO = {
    Role.CONSUMER: Text("The consumer"),
    Role.SELLER: Text("The seller"),
    Role.MEDIATOR: Text("The mediator"),
    Role.SYSTEM: Text("The platform"),
}


def who(role: Role) -> Text:
    return WHO.get(role) or Text("The {role}", role=label(role))


def remedy_text(remedy: Remedy | None) -> Text:
    if remedy is None:
        return Text("no remedy")
    if remedy.amount is None:
        return label(remedy.type)
    return Text(
        "{remedy} of {amount} {currency}",
        remedy=label(remedy.type),
        amount=str(remedy.amount.amount),
        currency=remedy.amount.currency,
    )


def remedy_details(remedy: Remedy | None) -> dict[str, Any] | None:
    """A remedy in an entry's details: an object, the amount a decimal string."""
    if remedy is None:
        return None
    amount = remedy.amount
    return {
        "type": remedy.type.value,
        "amount": None if amount is None else str(amount.amount),
        "currency": None if amount is None else amount.currency,
    }


def when(moment_: datetime) -> str:
    return moment_.strftime("%Y-%m-%d %H:%M UTC")


def citing(codes: list[str] | None, at: datetime) -> Text | str:
    """` Rules cited: R-3.2 (Damage in transit).` — the rulebook explains decisions (R7), with
    each rule's title as in force when the decision was made."""
    named: list[Text | str] = [
        Text("{code} ({title})", code=c, title=rule.title) if (rule := RULEBOOK.rule(c, at)) else c
        for c in codes or []
    ]
    return Text(" Rules cited: {rules}.", rules=named) if named else ""


def enforcing(deadline_id: int | None) -> Text | str:
    if deadline_id is None:
        return ""
    return Text(" (enforcing deadline #{deadline_id})", deadline_id=deadline_id)


def _deadline_set(e: Any) -> Text:
    if e.party:
        return Text(
            "Deadline #{deadline_id} set: {kind} for the {party}, due {due_at}.",
            deadline_id=e.originator_version,
            kind=label(e.kind),
            party=label(e.party),
            due_at=when(e.due_at),
        )
    return Text(
        "Deadline #{deadline_id} set: {kind}, due {due_at}.",
        deadline_id=e.originator_version,
        kind=label(e.kind),
        due_at=when(e.due_at),
    )


CLEARED = {
    "met": Text("Deadline #{deadline_id} ({kind}) met."),
    "cancelled": Text("Deadline #{deadline_id} ({kind}) cancelled."),
}


def _deadline_cleared(e: Any) -> Text:
    template = CLEARED.get(e.reason)
    if template is None:  # a reason this code does not know: said as it was stored
        return Text(
            "Deadline #{deadline_id} ({kind}) {reason}.",
            deadline_id=e.deadline_id,
            kind=label(e.kind),
            reason=e.reason,
        )
    return Text(template.template, deadline_id=e.deadline_id, kind=label(e.kind))


def _offer_made(e: Any) -> Text:
    offer = (
        Text("The mediator proposed a settlement: {remedy}.", remedy=remedy_text(e.remedy))
        if e.by is Role.MEDIATOR
        else Text(
            "{who} offered {remedy} (offer {offer_id}).",
            who=who(e.by),
            remedy=remedy_text(e.remedy),
            offer_id=e.offer_id,
        )
    )
    if not e.supersedes:
        return offer
    return Text("{offer} It replaces offer {supersedes}.", offer=offer, supersedes=e.supersedes)


def _then(steps: list[Text]) -> Text | str:
    """`return shipment, then return receipt, then refund`, in the reader's language."""
    said: Text | str = ""
    for step in reversed(steps):
        said = Text("{step}, then {more}", step=step, more=said) if said else step
    return said


def _evidence_submitted(e: Any) -> Text:
    if e.request_id is None:
        return Text("{who} added evidence: {kind}.", who=who(e.actor.role), kind=e.kind)
    return Text(
        "{who} answered evidence request {request_id}: {kind}.",
        who=who(e.actor.role),
        request_id=e.request_id,
        kind=e.kind,
    )


def _refund_advanced(e: Any) -> Text:
    if e.enforced_deadline_id is None:
        return Text(
            "The platform paid {amount} {currency} to the consumer and charged the seller's"
            " deposit, because supervision upheld the consumer's dispute of the remedy.",
            amount=str(e.amount.amount),
            currency=e.amount.currency,
        )
    return Text(
        "The platform paid {amount} {currency} to the consumer and charged the seller's"
        " deposit, because the seller missed the remedy deadline{enforcing}.",
        amount=str(e.amount.amount),
        currency=e.amount.currency,
        enforcing=enforcing(e.enforced_deadline_id),
    )


C = Complaint
DESCRIBE: dict[type[Any], Callable[[Any], Described]] = {
    C.Filed: lambda e: Described(
        Text(
            "Complaint {reference} filed about {category} goods on order {order_id};"
            " the consumer asks for {remedy}.",
            reference=e.reference,
            category=label(e.category),
            order_id=e.order_id,
            remedy=remedy_text(e.requested_remedy),
        ),
        details={
            "category": e.category.value,
            "requested_remedy": remedy_details(e.requested_remedy),
        },
        personal=("description",),
    ),
    C.DeadlineSet: lambda e: Described(
        _deadline_set(e),
        deadline_audience(e.kind),
        {
            "deadline_id": e.originator_version,
            "kind": e.kind.value,
            "due_at": moment(e.due_at),
            "party": e.party.value if e.party else None,
            "duration_seconds": e.duration_seconds,
            "policy": e.policy,
        },
    ),
    C.DeadlineCleared: lambda e: Described(
        _deadline_cleared(e),
        deadline_audience(e.kind),
        {"deadline_id": e.deadline_id, "kind": e.kind.value, "reason": e.reason},
    ),
    C.DeadlineLapsed: lambda e: Described(
        Text(
            "Deadline #{deadline_id} ({kind}) passed without action.",
            deadline_id=e.deadline_id,
            kind=label(e.kind),
        ),
        deadline_audience(e.kind),
        {"deadline_id": e.deadline_id, "kind": e.kind.value},
    ),
    C.DeadlineReminded: lambda e: Described(
        Text(
            "Reminder: deadline #{deadline_id} ({kind}) for the {party} lapses {due_at}"
            " (the {lead} reminder).",
            deadline_id=e.deadline_id,
            kind=label(e.kind),
            party=label(e.party),
            due_at=when(e.due_at),
            lead=format_duration(timedelta(seconds=e.lead_seconds)),
        ),
        Audience.PARTIES,
        {
            "deadline_id": e.deadline_id,
            "kind": e.kind.value,
            "party": e.party.value,
            "due_at": moment(e.due_at),
            "lead_seconds": e.lead_seconds,
        },
    ),
    C.DeadlineOverdue: lambda e: Described(
        Text(
            "Deadline #{deadline_id} ({kind}) is overdue; flagged for supervision.",
            deadline_id=e.deadline_id,
            kind=label(e.kind),
        ),
        Audience.STAFF,
        {"deadline_id": e.deadline_id, "kind": e.kind.value},
    ),
    C.Accepted: lambda e: Described(
        Text("Accepted for handling; the parties may now negotiate.")
        if e.status.value == "NEGOTIATING"
        else Text("Accepted and referred straight to platform review."),
        details={"status": e.status.value},
    ),
    C.ReturnedForInfo: lambda e: Described(
        Text(
            "Returned for more information: {reason} Missing: {missing}.{citing}",
            reason=e.reason,
            missing="; ".join(e.missing),
            citing=citing(e.rule_codes, e.timestamp),
        ),
        details={"reason": e.reason, "missing": e.missing, "rule_codes": e.rule_codes},
    ),
    C.Rejected: lambda e: Described(
        Text(
            "Rejected: {reason}{citing}",
            reason=e.reason,
            citing=citing([e.rule_code] if e.rule_code else [], e.timestamp),
        ),
        details={"reason": e.reason, "rule_code": e.rule_code},
    ),
    C.Resubmitted: lambda e: Described(
        Text("The consumer resubmitted the complaint with more detail."),
        personal=("description",),
    ),
    C.Withdrawn: lambda e: Described(Text("The consumer withdrew the complaint.")),
    C.OfferMade: lambda e: Described(
        _offer_made(e),
        details={
            "offer_id": e.offer_id,
            "by": e.by.value,
            "remedy": remedy_details(e.remedy),
            "supersedes": e.supersedes,
        },
        personal=("message",) if e.message is not None else (),
    ),
    C.OfferAccepted: lambda e: Described(
        Text("{who} accepted offer {offer_id}.", who=who(e.by), offer_id=e.offer_id),
        details={"offer_id": e.offer_id},
    ),
    C.OfferDeclined: lambda e: Described(
        Text("{who} declined offer {offer_id}.", who=who(e.by), offer_id=e.offer_id),
        details={"offer_id": e.offer_id},
        personal=("reason",) if e.reason is not None else (),
    ),
    C.Settled: lambda e: Described(
        Text(
            "Settled by agreement on {remedy} (offer {offer_id}).",
            remedy=remedy_text(e.remedy),
            offer_id=e.offer_id,
        ),
        details={"offer_id": e.offer_id, "remedy": remedy_details(e.remedy)},
    ),
    C.InterventionRequested: lambda e: Described(
        Text("{who} asked the platform to intervene; the case is under review.", who=who(e.by))
    ),
    C.Escalated: lambda e: Described(
        Text(
            "No agreement in time: escalated to platform review{enforcing}.",
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={"enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.DefaultRuled: lambda e: Described(
        Text(
            "Default ruling: {outcome}, {remedy}, because the {deadline} deadline passed"
            " without an answer{enforcing}.{citing}",
            outcome=label(e.outcome),
            remedy=remedy_text(e.remedy),
            deadline=label(e.deadline_kind),
            enforcing=enforcing(e.enforced_deadline_id),
            citing=citing(e.rule_codes, e.timestamp),
        ),
        details={
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "enforced_deadline_id": e.enforced_deadline_id,
            "deadline_kind": e.deadline_kind.value,
            "rule_codes": e.rule_codes or [],
        },
    ),
    C.Assigned: lambda e: Described(Text("An arbiter was assigned to investigate.")),
    C.MediatorAssigned: lambda e: Described(Text("A mediator was assigned to the case.")),
    C.ProposalLapsed: lambda e: Described(
        Text(
            "The mediator's proposal {offer_id} was not accepted in time and counts as"
            " declined{enforcing}.",
            offer_id=e.offer_id,
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={"offer_id": e.offer_id, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.EvidenceRequested: lambda e: Described(
        Text(
            "Evidence requested from the {party}: {kinds}; due {due_at}.",
            party=label(e.party),
            kinds=", ".join(e.kinds),
            due_at=when(e.due_at),
        ),
        details={
            "request_id": e.request_id,
            "party": e.party.value,
            "kinds": e.kinds,
            "note": e.note,
            "due_at": moment(e.due_at),
        },
    ),
    C.EvidenceSubmitted: lambda e: Described(
        _evidence_submitted(e),
        details={
            "request_id": e.request_id,
            "evidence_id": e.evidence_id,
            "kind": e.kind,
            "sha256": e.sha256,
            "media_type": e.media_type,
            "size": e.size,
        },
        personal=("description",) if e.description is not None else (),
    ),
    C.EvidenceMissed: lambda e: Described(
        Text(
            "Evidence request {request_id} was not answered in time{enforcing}.",
            request_id=e.request_id,
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={"request_id": e.request_id, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.FindingRecorded: lambda e: Described(
        Text("Preliminary finding: {finding}", finding=e.finding),
        Audience.STAFF,
        {"finding": e.finding},
    ),
    C.RulingIssued: lambda e: Described(
        Text(
            "Ruling: {outcome}, {remedy}.{citing}",
            outcome=label(e.outcome),
            remedy=remedy_text(e.remedy),
            citing=citing(e.rule_codes, e.timestamp),
        ),
        details={
            "level": e.level,
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "rationale": e.rationale,
            "rule_codes": e.rule_codes,
        },
    ),
    C.RulingAcknowledged: lambda e: Described(
        Text("{who} acknowledged the written notice of the appeal decision.", who=who(e.by))
        if e.level == APPEAL_LEVEL
        else Text("{who} acknowledged the written notice of the ruling.", who=who(e.by)),
        details={"level": e.level},
    ),
    C.AppealFiled: lambda e: Described(
        Text("{who} appealed the ruling.", who=who(e.by)), personal=("grounds",)
    ),
    C.AppealDecided: lambda e: Described(
        Text(
            "Appeal upheld: {outcome}, {remedy}.{citing}",
            outcome=label(e.outcome),
            remedy=remedy_text(e.remedy),
            citing=citing(e.rule_codes, e.timestamp),
        )
        if e.granted
        else Text(
            "Appeal dismissed: {outcome}, {remedy}.{citing}",
            outcome=label(e.outcome),
            remedy=remedy_text(e.remedy),
            citing=citing(e.rule_codes, e.timestamp),
        ),
        details={
            "granted": e.granted,
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "rationale": e.rationale,
            "rule_codes": e.rule_codes or [],
        },
    ),
    C.RulingFinalised: lambda e: Described(
        Text(
            "The decision is final: {outcome}, {remedy}{enforcing}.",
            outcome=label(e.outcome),
            remedy=remedy_text(e.remedy),
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "enforced_deadline_id": e.enforced_deadline_id,
        },
    ),
    C.FulfilmentStarted: lambda e: Described(
        Text(
            "Carrying out the remedy: {steps}.",
            steps=_then([label(s) for s in e.steps]),
        ),
        details={"steps": [s.value for s in e.steps]},
    ),
    C.RefundConfirmed: lambda e: Described(
        Text(
            "The seller confirmed the refund of {amount} {currency}.",
            amount=str(e.amount.amount),
            currency=e.amount.currency,
        )
        if e.amount
        else Text("The seller confirmed the refund."),
    ),
    C.ReturnShipped: lambda e: Described(
        Text("The consumer shipped the goods back with {carrier}.", carrier=e.carrier),
        details={"carrier": e.carrier},
        personal=("tracking_number",),
    ),
    C.ReturnReceived: lambda e: Described(
        Text(
            "The return is deemed received: the seller did not confirm in time{enforcing}.",
            enforcing=enforcing(e.enforced_deadline_id),
        )
        if e.deemed
        else Text("The seller confirmed receipt of the return."),
        details={"deemed": e.deemed, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.ReplacementShipped: lambda e: Described(
        Text("The seller shipped the goods with {carrier}.", carrier=e.carrier),
        details={"carrier": e.carrier},
        personal=("tracking_number",),
    ),
    C.RefundAdvanced: lambda e: Described(
        _refund_advanced(e),
        details={
            "amount": str(e.amount.amount),
            "currency": e.amount.currency,
            "enforced_deadline_id": e.enforced_deadline_id,
        },
    ),
    C.RemedyDefaulted: lambda e: Described(
        Text(
            "The seller missed the {step} deadline{enforcing}; a new deadline was set.",
            step=label(e.step),
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={"step": e.step.value, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.ReturnForfeited: lambda e: Described(
        Text(
            "The consumer did not ship the return in time; the remedy lapsed{enforcing}.",
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={"enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.Closed: lambda e: Described(
        Text(
            "Closed: {outcome}{enforcing}.",
            outcome=label(e.outcome),
            enforcing=enforcing(e.enforced_deadline_id),
        ),
        details={"outcome": e.outcome.value, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.ExecutionIssueRaised: lambda e: Described(
        Text(
            "{who} reported a problem carrying out the remedy (issue {issue_id}).",
            who=who(e.by),
            issue_id=e.issue_id,
        ),
        details={"issue_id": e.issue_id},
        personal=("text",),
    ),
    C.ExecutionIssueResolved: lambda e: Described(
        Text(
            "Issue {issue_id} resolved: {resolution}",
            issue_id=e.issue_id,
            resolution=e.resolution,
        ),
        details={"issue_id": e.issue_id, "resolution": e.resolution, "advanced": e.advanced},
    ),
    C.RemedyConfirmed: lambda e: Described(
        Text(
            "The remedy is deemed received: the consumer did not answer in time{enforcing}.",
            enforcing=enforcing(e.enforced_deadline_id),
        )
        if e.deemed
        else Text("The consumer confirmed the remedy arrived."),
        details={"deemed": e.deemed, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.RemedyDisputed: lambda e: Described(
        Text(
            "The consumer disputed the remedy: it did not arrive as reported (issue {issue_id}).",
            issue_id=e.issue_id,
        ),
        details={"issue_id": e.issue_id},
        personal=("reason",),
    ),
    # A party sees only its own rating (Complaint.ratings); the other's is not in its timeline.
    C.Rated: lambda e: Described(
        Text("{who} rated the handling {score} out of 5.", who=who(e.by), score=e.score),
        Audience.STAFF,
        details={"score": e.score},
        personal=("comment",) if e.comment is not None else (),
    ),
    C.ClockPaused: lambda e: Described(
        Text(
            "The platform paused the case's clock: {reason} Deadlines wait until it resumes,"
            " at the latest {resumes_at} ({limit}).",
            reason=e.reason,
            resumes_at=when(e.resumes_at),
            limit=e.limit,
        )
        if e.resumes_at
        else Text(
            "The platform paused the case's clock: {reason} Deadlines wait until it resumes.",
            reason=e.reason,
        ),
        details={
            "reason": e.reason,
            "resumes_at": moment(e.resumes_at) if e.resumes_at else None,
            "limit": e.limit,
        },
    ),
    C.ClockResumed: lambda e: Described(
        Text(
            "The clock runs again after {hours:.1f} hours paused, the longest a clock may be"
            " paused ({limit}); {count} deadline(s) moved later by that time.",
            hours=e.paused_seconds / 3600,
            limit=e.limit,
            count=len(e.extended),
        )
        if e.limit
        else Text(
            "The clock runs again after {hours:.1f} hours paused; {count} deadline(s) moved"
            " later by that time.",
            hours=e.paused_seconds / 3600,
            count=len(e.extended),
        ),
        details={
            "paused_seconds": e.paused_seconds,
            "extended": {str(x.deadline_id): moment(x.due_at) for x in e.extended},
            "limit": e.limit,
        },
    ),
    C.MessagePosted: lambda e: Described(
        Text("Internal note by the {role}.", role=label(e.actor.role))
        if e.visibility is Visibility.STAFF
        else Text("{who} wrote a message.", who=who(e.actor.role)),
        Audience.STAFF if e.visibility is Visibility.STAFF else Audience.PARTIES,
        {"message_id": e.message_id},
        ("text",),
    ),
}


def describe(event: Any) -> Described:
    return DESCRIBE[type(event)](event)
