"""Money and remedies, as the domain's value types show them."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from complaints.domain.values import Money as MoneyValue
from complaints.domain.values import Remedy as RemedyValue
from complaints.graphql.enums import RemedyType


@strawberry.type
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, money: MoneyValue | None) -> Money | None:
        return None if money is None else cls(amount=money.amount, currency=money.currency)


@strawberry.type
class Remedy:
    type: RemedyType
    amount: Money | None

    @classmethod
    def of(cls, remedy: RemedyValue | None) -> Remedy | None:
        return None if remedy is None else cls(type=remedy.type, amount=Money.of(remedy.amount))


def required_remedy(remedy: RemedyValue) -> Remedy:
    converted = Remedy.of(remedy)
    assert converted is not None
    return converted
