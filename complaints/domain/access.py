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


def sees_staff_deadlines(viewer: Actor) -> bool:
    """Staff deadlines (intake, pickup, ruling, supervision's answer) are internal service
    levels: staff and auditors see when they fall due, the parties do not."""
    return sees_entry(viewer, Audience.STAFF)


def sees_arbiter(viewer: Actor) -> bool:
    """Which arbiter a case is assigned to is the platform's own business."""
    return viewer.role in READS_ALL


def sees_findings(viewer: Actor) -> bool:
    """An arbiter's preliminary findings are internal until the ruling states its reasons."""
    return viewer.role in READS_ALL


def sees_consumer_id(viewer: Actor, consumer_id: str) -> bool:
    """Who filed: for staff, auditors and that consumer; the seller deals with the case, not
    with the person."""
    if viewer.role is Role.CONSUMER:
        return viewer.id == consumer_id
    return viewer.role in READS_ALL


def sees_rating(viewer: Actor, rated_by: Role) -> bool:
    """A party sees its own rating of the handling; staff and auditors see both."""
    return viewer.role in READS_ALL or viewer.role is rated_by


def searches_by_person(viewer: Actor) -> bool:
    """Filtering complaints by the arbiter or the consumer is for staff and auditors."""
    return viewer.role in READS_ALL


def reads_history(viewer: Actor) -> bool:
    """A case's audit trail, and the case as it stood at any moment: staff and auditors."""
    return viewer.role in READS_ALL


def reads_supervision_queue(viewer: Actor) -> bool:
    """The queue of waits on staff: the supervisors who clear it, and auditors."""
    return viewer.role in {Role.SUPERVISOR, Role.AUDITOR}


def violation_scope(viewer: Actor) -> ListScope:
    """The reported violations a viewer may list: all for staff and auditors, its own shop's
    for a shop's staff, none for anyone else (a reporter finds its own report by its id)."""
    if viewer.role in READS_ALL:
        return ListScope(everything=True)
    if viewer.role is Role.SELLER and viewer.shop_id:
        return ListScope(shop_id=viewer.shop_id)
    return ListScope()


def sees_violation(viewer: Actor, *, shop_id: str, reporter_id: str | None) -> bool:
    """Staff and auditors see every report; a shop's staff see the reports against it; the
    reporter sees its own."""
    scope = violation_scope(viewer)
    if scope.everything or (scope.shop_id is not None and scope.shop_id == shop_id):
        return True
    return reporter_id is not None and viewer.id == reporter_id


def follows_own_cases(viewer: Actor) -> bool:
    """A feed of every case of one's own: for a consumer, or a shop's staff."""
    return viewer.role in PARTIES and not list_scope(viewer).nothing


def sees_order(viewer: Actor, *, consumer_id: str, shop_id: str) -> bool:
    """An order the marketplace recorded: for its consumer, the shop's staff, platform staff,
    auditors and the marketplace itself; for no one else (not even whether it exists)."""
    return viewer.role is Role.MARKETPLACE or can_view(
        viewer, consumer_id=consumer_id, shop_id=shop_id
    )


def lists_own_orders(viewer: Actor) -> bool:
    """A list of one's own orders, to complain about: for a consumer signed in."""
    return viewer.role is Role.CONSUMER
