"""How the domain's value types are written into stored events.

Enums are stored by value and dataclasses as plain objects, so an exported event reads as JSON
without knowing our classes. Personal text is sealed on the way in and opened on the way out.

The `eventsourcing` transcoder looks transcodings up by exact type, so each type gets its own.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from complaints.domain.deadlines import Deadline, DeadlineKind, Extension
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
from complaints.domain.sanctions import Offence
from complaints.domain.seller import (
    AfterSalesPolicy,
    ConfirmedViolation,
    LedgerEntry,
    Sanction,
    SanctionAppeal,
    SpotCheck,
    Strike,
)
from complaints.domain.values import (
    Actor,
    Category,
    FulfilmentStep,
    Money,
    OfferStatus,
    Outcome,
    PersonalText,
    Remedy,
    RemedyType,
    Role,
    SanctionKind,
    Status,
    ViolationKind,
    Visibility,
)
from complaints.store.personal_data import PersonalDataCipher

ENUMS: tuple[type[Enum], ...] = (
    Role,
    Status,
    Category,
    RemedyType,
    Outcome,
    Visibility,
    OfferStatus,
    FulfilmentStep,
    SanctionKind,
    ViolationKind,
    DeadlineKind,
    Offence,
)
VALUES: tuple[type[Any], ...] = (Actor, Money, Remedy, AfterSalesPolicy, Extension, OrderFacts)
#: What a Seller snapshot holds besides the values above (events never carry these).
SELLER_STATE: tuple[type[Any], ...] = (
    LedgerEntry,
    Sanction,
    SanctionAppeal,
    SpotCheck,
    Strike,
    ConfirmedViolation,
)
#: What a Complaint snapshot holds besides the values above. Personal text inside these stays
#: sealed under its subject's key, so erasure reaches snapshots as it reaches events.
COMPLAINT_STATE: tuple[type[Any], ...] = (
    Deadline,
    Offer,
    InfoRequest,
    EvidenceRequest,
    Evidence,
    Finding,
    Ruling,
    DefaultRuling,
    Appeal,
    Shipment,
    ExecutionIssue,
    Rating,
)


class EnumAsValue(Transcoding):
    def __init__(self, enum: type[Enum]) -> None:
        self.type = enum
        self.name = enum.__name__

    def encode(self, obj: Any) -> Any:
        return obj.value

    def decode(self, data: Any) -> Any:
        return self.type(data)


class DataclassAsDict(Transcoding):
    """A dataclass as an object of its fields. JSON has only arrays, so tuple and frozenset
    fields (declared as such) are turned back into what they were."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__
        fields = dataclasses.fields(cls)
        self.fields = tuple(f.name for f in fields)
        self.sets = frozenset(f.name for f in fields if str(f.type).startswith("frozenset"))
        self.tuples = frozenset(f.name for f in fields if str(f.type).startswith("tuple"))

    def encode(self, obj: Any) -> Any:
        encoded = {name: getattr(obj, name) for name in self.fields}
        for name in self.sets:
            encoded[name] = sorted(encoded[name], key=str)
        return encoded

    def decode(self, data: Any) -> Any:
        for name in self.sets & data.keys():
            data[name] = frozenset(data[name])
        for name in self.tuples & data.keys():
            if isinstance(data[name], list):
                data[name] = tuple(data[name])
        return self.type(**data)


class SealedPersonalText(Transcoding):
    type = PersonalText
    name = "PersonalText"

    def __init__(self, cipher: PersonalDataCipher) -> None:
        self.cipher = cipher

    def encode(self, obj: Any) -> Any:
        return self.cipher.seal(obj)

    def decode(self, data: Any) -> Any:
        return self.cipher.open(data)


def register_domain_transcodings(transcoder: JSONTranscoder, cipher: PersonalDataCipher) -> None:
    for enum in ENUMS:
        transcoder.register(EnumAsValue(enum))
    for cls in (*VALUES, *SELLER_STATE, *COMPLAINT_STATE):
        transcoder.register(DataclassAsDict(cls))
    transcoder.register(SealedPersonalText(cipher))
