"""Value types shared by the aggregates: roles, actors, statuses, codes, money, personal text."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class Role(Enum):
    PUBLIC = "PUBLIC"
    CONSUMER = "CONSUMER"
    SELLER = "SELLER"
    AGENT = "AGENT"
    MEDIATOR = "MEDIATOR"
    ARBITER = "ARBITER"
    SUPERVISOR = "SUPERVISOR"
    AUDITOR = "AUDITOR"
    SYSTEM = "SYSTEM"
    #: The marketplace's own systems: they record orders and deliveries, and hear of every shop
    #: decision (a token with no shop).
    MARKETPLACE = "MARKETPLACE"


PARTIES = frozenset({Role.CONSUMER, Role.SELLER})
STAFF = frozenset({Role.AGENT, Role.MEDIATOR, Role.ARBITER, Role.SUPERVISOR})


class Status(Enum):
    SUBMITTED = "SUBMITTED"
    AWAITING_INFO = "AWAITING_INFO"
    NEGOTIATING = "NEGOTIATING"
    UNDER_REVIEW = "UNDER_REVIEW"
    RULED = "RULED"
    APPEAL_REVIEW = "APPEAL_REVIEW"
    FULFILLING = "FULFILLING"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


TERMINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})


class Category(Enum):
    NOT_RECEIVED = "NOT_RECEIVED"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    DAMAGED = "DAMAGED"
    WRONG_ITEM = "WRONG_ITEM"
    COUNTERFEIT = "COUNTERFEIT"
    FRAUD = "FRAUD"
    AFTER_SALES_REFUSED = "AFTER_SALES_REFUSED"
    OTHER = "OTHER"


#: Serious allegations go straight to the platform: no consumer should have to bargain with a
#: seller accused of counterfeiting or fraud.
PLATFORM_CATEGORIES = frozenset({Category.COUNTERFEIT, Category.FRAUD})


class RemedyType(Enum):
    REFUND = "REFUND"
    PARTIAL_REFUND = "PARTIAL_REFUND"
    RETURN_AND_REFUND = "RETURN_AND_REFUND"
    EXCHANGE = "EXCHANGE"
    REPAIR = "REPAIR"
    RESHIP = "RESHIP"
    COMPENSATION = "COMPENSATION"
    EXPLANATION_ONLY = "EXPLANATION_ONLY"


#: Remedies that move money need an amount; an explanation moves nothing and takes none.
MONETARY_REMEDIES = frozenset(
    {
        RemedyType.REFUND,
        RemedyType.PARTIAL_REFUND,
        RemedyType.RETURN_AND_REFUND,
        RemedyType.COMPENSATION,
    }
)


class Outcome(Enum):
    CONSUMER_FAVOUR_FULL = "CONSUMER_FAVOUR_FULL"
    CONSUMER_FAVOUR_PARTIAL = "CONSUMER_FAVOUR_PARTIAL"
    SELLER_FAVOUR_EXPLAINED = "SELLER_FAVOUR_EXPLAINED"
    SETTLED_BY_AGREEMENT = "SETTLED_BY_AGREEMENT"
    WITHDRAWN = "WITHDRAWN"
    REJECTED_INVALID = "REJECTED_INVALID"
    EXPIRED_NO_INFO = "EXPIRED_NO_INFO"
    EXPIRED_NO_RESPONSE = "EXPIRED_NO_RESPONSE"


#: Outcomes an arbiter (or an appeal reviewer) may rule; the others arise from what the parties do.
RULING_OUTCOMES = frozenset(
    {
        Outcome.CONSUMER_FAVOUR_FULL,
        Outcome.CONSUMER_FAVOUR_PARTIAL,
        Outcome.SELLER_FAVOUR_EXPLAINED,
    }
)


class Visibility(Enum):
    PARTIES = "PARTIES"
    STAFF = "STAFF"


class OfferStatus(Enum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    COUNTERED = "COUNTERED"
    SUPERSEDED = "SUPERSEDED"
    EXPIRED = "EXPIRED"


class FulfilmentStep(Enum):
    RETURN_SHIPMENT = "RETURN_SHIPMENT"
    RETURN_RECEIPT = "RETURN_RECEIPT"
    REFUND = "REFUND"
    REPLACEMENT = "REPLACEMENT"


class SanctionKind(Enum):
    WARNING = "WARNING"
    FINE = "FINE"
    TRADING_RESTRICTED = "TRADING_RESTRICTED"
    SHOP_CLOSED = "SHOP_CLOSED"


class ViolationKind(Enum):
    COUNTERFEIT = "COUNTERFEIT"
    FRAUD = "FRAUD"
    MISREPRESENTATION = "MISREPRESENTATION"
    OTHER = "OTHER"


class ViolationStatus(Enum):
    REPORTED = "REPORTED"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"


@dataclass(frozen=True)
class Actor:
    """Who acts: a role, the principal's id, and for seller staff the shop they act for."""

    role: Role
    id: str
    shop_id: str | None = None

    def __str__(self) -> str:
        shop = f"@{self.shop_id}" if self.shop_id else ""
        return f"{self.role.value.lower()}:{self.id}{shop}"


SYSTEM = Actor(Role.SYSTEM, "system")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True)
class Remedy:
    type: RemedyType
    amount: Money | None = None


#: What every read path shows in place of a personal field whose subject was erased.
ERASED = "[erased]"


@dataclass(frozen=True)
class PersonalText:
    """Free text that is personal data of `subject`.

    It is stored encrypted with the subject's own key, never in plaintext. After the subject is
    erased the key is gone, and a reloaded value has `text=None`. The text never shows in a repr,
    so it cannot leak into logs or tracebacks.
    """

    subject: str
    text: str | None = field(repr=False)

    @property
    def erased(self) -> bool:
        return self.text is None

    def reveal(self) -> str:
        return ERASED if self.text is None else self.text


@dataclass(frozen=True)
class EvidenceFile:
    """An uploaded file as the store found it: what evidence records about the file it cites."""

    sha256: str
    media_type: str
    size: int


@dataclass(frozen=True)
class Attachment:
    """Evidence attached when filing: an uploaded file, what kind of evidence it is, and what
    it shows."""

    sha256: str
    kind: str
    description: str | None = None
