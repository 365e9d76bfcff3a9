"""The parts a complaint's state is made of. All are immutable; a change replaces the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaints.domain.deadlines import Deadline
from complaints.domain.values import (
    FulfilmentStep,
    OfferStatus,
    Outcome,
    PersonalText,
    Remedy,
    Role,
)


@dataclass(frozen=True)
class Offer:
    """A remedy put on the table by a party, or a settlement proposed by a mediator."""

    id: str
    by: Role
    remedy: Remedy
    message: PersonalText | None
    made_at: datetime
    status: OfferStatus = OfferStatus.OPEN
    #: Mediator proposals need both parties; party offers need the other party only.
    accepted_by: frozenset[Role] = frozenset()

    @property
    def is_open(self) -> bool:
        return self.status is OfferStatus.OPEN

    @property
    def is_proposal(self) -> bool:
        return self.by is Role.MEDIATOR


@dataclass(frozen=True)
class InfoRequest:
    reason: str
    missing: tuple[str, ...]
    rule_codes: tuple[str, ...]
    requested_at: datetime


@dataclass(frozen=True)
class EvidenceRequest:
    id: str
    party: Role
    kinds: tuple[str, ...]
    note: str | None
    due_at: datetime
    requested_at: datetime
    fulfilled: bool = False


@dataclass(frozen=True)
class Evidence:
    id: str
    request_id: str | None  # None: answers no request (attached, or volunteered)
    by: Role
    kind: str
    description: PersonalText | None
    sha256: str | None
    submitted_at: datetime
    media_type: str | None = None  # of the cited file; None before files were described
    size: int | None = None


@dataclass(frozen=True)
class Finding:
    text: str
    arbiter_id: str
    recorded_at: datetime


@dataclass(frozen=True)
class Ruling:
    """A decision at one review level: 1 is the arbiter's ruling, 2 the appeal decision."""

    level: int
    outcome: Outcome
    remedy: Remedy | None
    rationale: str
    rule_codes: tuple[str, ...]
    decided_by: str
    decided_at: datetime
    granted: bool | None = None  # appeal decisions only: was the appeal upheld?


@dataclass(frozen=True)
class DefaultRuling:
    """The ruling made when a party let its deadline pass without an answer: the outcome and
    remedy it granted, the deadline it enforced (as it stood when it lapsed, its due time moved
    by any pause of the clock) and when it was made."""

    outcome: Outcome
    remedy: Remedy
    deadline: Deadline
    decided_at: datetime
    #: The rules it cites: those of the deadline it enforced (none before rulings by default
    #: cited any).
    rule_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appeal:
    by: Role
    grounds: PersonalText
    filed_at: datetime


@dataclass(frozen=True)
class Shipment:
    step: FulfilmentStep
    carrier: str
    tracking_number: PersonalText
    shipped_at: datetime


@dataclass(frozen=True)
class ExecutionIssue:
    id: str
    by: Role
    text: PersonalText
    raised_at: datetime
    resolution: str | None = None
    resolved_at: datetime | None = None
    #: The consumer disputed that the remedy arrived; a supervisor advances it or dismisses this.
    dispute: bool = False
    #: The platform paid the remedy in the seller's place to resolve it.
    advanced: bool = False

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class Rating:
    by: Role
    score: int
    comment: PersonalText | None
    rated_at: datetime


@dataclass(frozen=True)
class LapseResult:
    """What a lapsed deadline asks of the rest of the platform (the application acts on it)."""

    deadline_id: int
    advance_refund: Remedy | None = None
    #: The seller let the remedy deadline pass: a strike on the sanction ladder.
    remedy_missed: bool = False
