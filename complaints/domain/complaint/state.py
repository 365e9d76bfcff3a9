"""What a complaint holds, and what can be read from it without changing it.

`ComplaintState` declares every attribute of a complaint's state (the `Filed` applier in
intake.py gives each its first value), the questions asked of that state, and the few helpers that
appliers share to replace a record in a list. The guards (guards.py) are typed against it; the
phases of a case (case.py and the modules beside it) extend it.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, CommandMethodDecorator

from complaints.domain import access
from complaints.domain.deadlines import Deadline, DeadlineKind
from complaints.domain.errors import OfferNotFound
from complaints.domain.order import OrderFacts
from complaints.domain.records import (
    Appeal,
    DefaultRuling,
    Evidence,
    EvidenceRequest,
    ExecutionIssue,
    Finding,
    InfoRequest,
    Offer,
    Rating,
    Ruling,
    Shipment,
)
from complaints.domain.text import Text
from complaints.domain.values import (
    Actor,
    Category,
    FulfilmentStep,
    Money,
    OfferStatus,
    Outcome,
    PersonalText,
    Remedy,
    Role,
    Status,
)

NAMESPACE = uuid.UUID("6f1c2e4a-8d8b-4c1e-9a57-3b2f0c6d9e10")


def complaint_id(reference: str) -> UUID:
    """Complaint ids derive from the reference, so a reference can never be issued twice."""
    return uuid.uuid5(NAMESPACE, f"complaint:{reference}")


def other_party(role: Role) -> Role:
    return Role.SELLER if role is Role.CONSUMER else Role.CONSUMER


class ComplaintState:
    """The state of one complaint. A plain class: only `Complaint` is an aggregate (see
    `__init_subclass__`)."""

    reference: str
    consumer_id: str
    shop_id: str
    order_id: str
    category: Category
    description: PersonalText
    requested_remedy: Remedy
    #: The facts of the order the filing was checked against; None where orders were not
    #: checked (ORDER_CHECK=off, or filed before filings checked them).
    order: OrderFacts | None
    filed_at: datetime
    status: Status
    #: Open deadlines by id (the version of the `DeadlineSet` event that opened each).
    deadlines: dict[int, Deadline]
    #: Each return for information, oldest first: what intake asked and the rules it cited.
    info_requests: list[InfoRequest]
    #: The rejection's reason and rule code; the case closed (`closed_at`) when it was made.
    rejection: tuple[str, str | None] | None
    #: How many times the consumer resubmitted. None only when loaded from a snapshot older
    #: than this count that cannot tell it (see snapshot.py); the events then do.
    resubmissions: int | None
    offers: list[Offer]
    turn: Role | None
    arbiter_id: str | None
    #: The mediator a supervisor assigned to the case under intervention (assignMediator).
    assigned_mediator_id: str | None
    evidence_requests: list[EvidenceRequest]
    evidence: list[Evidence]
    findings: list[Finding]
    rulings: list[Ruling]
    acknowledgements: frozenset[tuple[int, Role]]
    appeals: list[Appeal]
    outcome: Outcome | None
    remedy: Remedy | None
    final: bool
    decided_by_default: bool
    enforced_deadline_id: int | None
    #: The deadline that lapsed last, as it stood then (due time moved by any pause).
    lapsed_deadline: Deadline | None
    #: The ruling by default, if a party's silence decided the case. None on a case decided by
    #: default only when it was loaded from a snapshot older than this record (see snapshot.py).
    default_ruling: DefaultRuling | None
    pending_steps: tuple[FulfilmentStep, ...]
    shipments: list[Shipment]
    refunded: Money | None
    advanced_refund: Money | None
    return_deemed_received: bool
    remedy_forfeited: bool
    remedy_defaults: int
    closed_at: datetime | None
    execution_issues: list[ExecutionIssue]
    ratings: dict[Role, Rating]
    #: Message bodies live in the events and the timeline; deciding needs only the count.
    messages_posted: int
    paused_at: datetime | None
    pause_reason: str | None
    paused_seconds: float
    #: When a paused clock resumes by itself (MAX_PAUSE when it was paused); None when it runs,
    #: or for a pause recorded before pauses had a limit (then the limit in force applies).
    pause_limit_at: datetime | None

    if TYPE_CHECKING:
        # Given by `Aggregate`, which only `Complaint` extends.
        version: int
        created_on: datetime

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Gather the events and `@event` methods of every phase onto the aggregate class
        before eventsourcing processes it.

        eventsourcing reads an aggregate's events and `@event` methods from the class's own
        namespace only, and names each event class after the class it finds it on. Gathered
        here, they are defined exactly as if written in `Complaint`'s own body: as
        `Complaint.<Event>` in `complaints.domain.complaint`, the topics they are stored under.
        The phases stay plain classes, so nothing else treats them as aggregates."""
        if issubclass(cls, Aggregate):
            for phase in reversed(cls.__mro__[1:]):
                if issubclass(phase, ComplaintState) and not issubclass(phase, Aggregate):
                    for name, value in vars(phase).items():
                        if name not in vars(cls) and _is_event_part(value):
                            setattr(cls, name, value)
        super().__init_subclass__(**kwargs)

    # ---------------------------------------------------------------- reading
    def is_party(self, actor: Actor) -> bool:
        if actor.role is Role.CONSUMER:
            return actor.id == self.consumer_id
        if actor.role is Role.SELLER:
            return actor.shop_id == self.shop_id
        return False

    def can_view(self, actor: Actor) -> bool:
        """Parties see their own cases; staff, auditors and the platform all; the public none."""
        return access.can_view(actor, consumer_id=self.consumer_id, shop_id=self.shop_id)

    @property
    def open_deadlines(self) -> list[Deadline]:
        return sorted(self.deadlines.values(), key=lambda d: (d.due_at, d.id))

    @property
    def current_step(self) -> FulfilmentStep | None:
        return self.pending_steps[0] if self.pending_steps else None

    @property
    def open_offer(self) -> Offer | None:
        return next((o for o in reversed(self.offers) if o.is_open), None)

    @property
    def open_execution_issues(self) -> list[ExecutionIssue]:
        return [i for i in self.execution_issues if i.is_open]

    @property
    def latest_ruling(self) -> Ruling | None:
        return self.rulings[-1] if self.rulings else None

    @property
    def decision_level(self) -> int | None:
        """The level of the latest decision the parties acknowledge: 1 for the arbiter's ruling
        or a ruling by default, 2 for the appeal's decision; None before any."""
        if self.rulings:
            return self.rulings[-1].level
        return 1 if self.decided_by_default else None

    def offer(self, offer_id: str) -> Offer:
        for offer in self.offers:
            if offer.id == offer_id:
                return offer
        raise OfferNotFound(
            Text(
                "Complaint {reference} has no offer {offer_id!r}.",
                reference=self.reference,
                offer_id=offer_id,
            )
        )

    def deadline_of(self, kind: DeadlineKind, ref: str | None = None) -> Deadline | None:
        for deadline in self.open_deadlines:
            if deadline.kind is kind and (ref is None or deadline.ref == ref):
                return deadline
        return None

    @property
    def latest_info_request(self) -> InfoRequest | None:
        return self.info_requests[-1] if self.info_requests else None

    @property
    def intake_citations(self) -> list[tuple[str, datetime]]:
        """The rules intake cited, each with when: of every return for information, then of
        the rejection; a code cited again is named once, as first cited."""
        cited = [(code, r.requested_at) for r in self.info_requests for code in r.rule_codes]
        if self.rejection is not None and self.rejection[1] is not None:
            assert self.closed_at is not None  # a rejection closes the case as it is made
            cited.append((self.rejection[1], self.closed_at))
        first: dict[str, datetime] = {}
        for code, at in cited:
            first.setdefault(code, at)
        return list(first.items())

    def open_requests_for(self, role: Role) -> list[EvidenceRequest]:
        return [
            r
            for r in self.evidence_requests
            if r.party is role
            and not r.fulfilled
            and self.deadline_of(DeadlineKind.EVIDENCE, r.id) is not None
        ]

    # ---------------------------------------------------------------- replacing records (appliers)
    def _open_offer_ids(self, *, parties_only: bool = False) -> list[str]:
        return [o.id for o in self.offers if o.is_open and not (parties_only and o.is_proposal)]

    def _expire(self, offer_ids: list[str]) -> None:
        for offer_id in offer_ids:
            self._set_offer_status(offer_id, OfferStatus.EXPIRED)

    def _set_offer_status(self, offer_id: str, status: OfferStatus) -> None:
        self._replace_offer(offer_id, status=status)

    def _replace_offer(
        self,
        offer_id: str,
        *,
        status: OfferStatus | None = None,
        accepted_by: frozenset[Role] | None = None,
    ) -> None:
        self.offers = [
            replace(
                o,
                status=status or o.status,
                accepted_by=o.accepted_by if accepted_by is None else accepted_by,
            )
            if o.id == offer_id
            else o
            for o in self.offers
        ]

    def _replace_request(self, request_id: str, *, fulfilled: bool) -> None:
        self.evidence_requests = [
            replace(r, fulfilled=fulfilled) if r.id == request_id else r
            for r in self.evidence_requests
        ]


def _is_event_part(value: object) -> bool:
    """An event class, or a method decorated with `@event` (the `Filed` applier `__init__` too)."""
    if isinstance(value, CommandMethodDecorator):
        return True
    return isinstance(value, type) and issubclass(value, CanMutateAggregate)
