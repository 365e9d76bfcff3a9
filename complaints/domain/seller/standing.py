"""A shop's standing: what the marketplace may do for it now (R4, R8). The marketplace asks it
before it lists a product or takes an order; the webhooks tell it after every shop decision.

It is read from the shop's active sanctions alone (a sanction counts until it is lifted or the
platform records its expiry), so the aggregate, the read model and the webhooks' record of each
decision all derive it here, from the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from complaints.domain.seller.records import shop_status
from complaints.domain.values import SanctionKind

#: Sanctions that stop the shop listing products; the first of them also stops it taking orders.
RESTRICTING = frozenset({SanctionKind.SHOP_CLOSED, SanctionKind.TRADING_RESTRICTED})


class Binding(Protocol):
    """What the standing reads of an active sanction: the domain's record or a read model's."""

    @property
    def kind(self) -> SanctionKind: ...

    @property
    def until(self) -> datetime | None: ...


@dataclass(frozen=True)
class Standing:
    status: str  # ShopStatus: OPEN, TRADING_RESTRICTED or CLOSED
    can_take_orders: bool
    can_list_products: bool
    #: When the restriction that binds ends: the latest end of the active restricting
    #: sanctions. None when the shop is not restricted, or when one of them has no end (it
    #: binds until a supervisor lifts it).
    restricted_until: datetime | None


def standing(active: Iterable[Binding]) -> Standing:
    """The standing of a shop under these active sanctions (warnings and fines bind nothing)."""
    active = list(active)
    kinds = {s.kind for s in active}
    restricting = [s for s in active if s.kind in RESTRICTING]
    ends = [s.until for s in restricting]
    return Standing(
        status=shop_status(kinds),
        can_take_orders=SanctionKind.SHOP_CLOSED not in kinds,
        can_list_products=not restricting,
        restricted_until=None
        if not ends or any(end is None for end in ends)
        else max(end for end in ends if end is not None),
    )
