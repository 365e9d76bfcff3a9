"""The domain's enums, registered under the names the contract gives them.

`strawberry.enum` marks the domain class itself, so the aliases below are the domain types and
resolvers pass values through without converting them.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeAlias

import strawberry

from complaints.domain import values

for enum, name in (
    (values.Status, "ComplaintStatus"),
    (values.Category, "ComplaintCategory"),
    (values.RemedyType, "RemedyType"),
    (values.Outcome, "Outcome"),
    (values.Role, "Role"),
    (values.Visibility, "MessageVisibility"),
    (values.ViolationKind, "ViolationKind"),
    (values.SanctionKind, "SanctionKind"),
):
    strawberry.enum(enum, name=name)

ComplaintStatus: TypeAlias = values.Status
ComplaintCategory: TypeAlias = values.Category
RemedyType: TypeAlias = values.RemedyType
Outcome: TypeAlias = values.Outcome
Role: TypeAlias = values.Role
MessageVisibility: TypeAlias = values.Visibility
ViolationKind: TypeAlias = values.ViolationKind
SanctionKind: TypeAlias = values.SanctionKind


@strawberry.enum(description="The two parties of a complaint")
class Party(Enum):
    CONSUMER = "CONSUMER"
    SELLER = "SELLER"

    @classmethod
    def of(cls, role: values.Role) -> Party:
        """The party a role acts for (records of parties' acts hold only these two)."""
        return cls(role.value)


@strawberry.enum(description="How a list of complaints is ordered")
class ComplaintOrder(Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="The most recently filed first")
    SOONEST_DEADLINE = strawberry.enum_value(
        "SOONEST_DEADLINE",
        description=(
            "The open deadline that falls soonest first; cases with none, or with the clock"
            " paused, after them, newest first"
        ),
    )
