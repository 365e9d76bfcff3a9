"""Who may see what: the one place that scopes reads by party and redacts per viewer.

- A consumer sees only their own complaints; seller staff only those against their shop.
- Platform staff and auditors see every complaint; the platform itself too.
- The public sees no complaint at all (only statistics and sanctioned sellers).
- Timeline entries meant for staff (internal notes, findings, staff deadlines) are hidden from
  the parties, and only staff see who among staff acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from complaints.domain.deadlines import STAFF_DEADLINES, DeadlineKind
from complaints.domain.values import PARTIES, STAFF, Actor, Role

#: Roles that read every complaint.
READS_ALL = STAFF | {Role.AUDITOR, Role.SYSTEM}


class Audience(Enum):
    """Who a timeline entry is for."""

    PARTIES = "PARTIES"  # both parties and all staff
    STAFF = "STAFF"  # platform staff and auditors only


@dataclass(frozen=True)
class ListScope:
    """The complaints a viewer may list: none, one consumer's, one shop's, or all."""

    everything: bool = False
    consumer_id: str | None = None
    shop_id: str | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.consumer_id is None and self.shop_id is None


def list_scope(viewer: Actor) -> ListScope:
    if viewer.role in READS_ALL:
        return ListScope(everything=True)
    if viewer.role is Role.CONSUMER:
        return ListScope(consumer_id=viewer.id)
    if viewer.role is Role.SELLER and viewer.shop_id:
        return ListScope(shop_id=viewer.shop_id)
    return ListScope()


def can_view(viewer: Actor, *, consumer_id: str, shop_id: str) -> bool:
    scope = list_scope(viewer)
    if scope.everything:
        return True
    if scope.consumer_id is not None:
        return scope.consumer_id == consumer_id
    return scope.shop_id is not None and scope.shop_id == shop_id


def sees_entry(viewer: Actor, audience: Audience) -> bool:
    """Whether a viewer who may see the complaint also sees an entry of its timeline."""
    if viewer.role in PARTIES:
        return audience is Audience.PARTIES
    return viewer.role in READS_ALL


def deadline_audience(kind: DeadlineKind) -> Audience:
    """Deadlines that bind staff (intake, pickup, ruling) are internal service levels."""
    return Audience.STAFF if kind in STAFF_DEADLINES else Audience.PARTIES


def sees_staff_identities(viewer: Actor) -> bool:
    return viewer.role in READS_ALL


def sees_deposit(viewer: Actor, shop_id: str) -> bool:
    """A shop's deposit is for its own staff and the platform's."""
    if viewer.role is Role.SELLER:
        return viewer.shop_id == shop_id
    return viewer.role in READS_ALL
