"""What every case and every deposit must satisfy, checked by replaying their events. Used by the
hypothesis state machine (tests/domain) and by the load run (tests/reliability)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import AggregateEvent

from complaints.domain.seller import Seller
from complaints.domain.values import TERMINAL

DECISIONS = {"Settled", "DefaultRuled", "RulingFinalised"}
MONEY_MOVES = {"RefundConfirmed", "RefundAdvanced"}
ADVANCE = "advance refund to the consumer"


def check_case(events: list[AggregateEvent]) -> Any:
    """Replay one case and check, event by event:
    - at most one ruling per review level, and the appeal reviewer is not the arbiter who ruled;
    - money moves only after a ruling, a default ruling or an agreement;
    - a terminal state stays terminal.
    Returns the replayed complaint."""
    names = [type(e).__name__ for e in events]
    assert names.count("RulingIssued") <= 1
    assert names.count("AppealDecided") <= 1
    arbiters = {e.arbiter_id for e in events if type(e).__name__ == "RulingIssued"}  # type: ignore[attr-defined]
    for e in events:
        if type(e).__name__ == "AppealDecided":
            assert e.actor.id not in arbiters  # type: ignore[attr-defined]
    decided = False
    terminal = None
    complaint: Any = None
    for e in events:
        name = type(e).__name__
        decided = decided or name in DECISIONS
        if name in MONEY_MOVES:
            assert decided, f"{name} moved money before any decision"
        complaint = e.mutate(complaint)
        if terminal is not None:
            assert complaint.status is terminal, f"left {terminal} by {name}"
        elif complaint.status in TERMINAL:
            terminal = complaint.status
    return complaint


def check_ledger(seller: Seller) -> None:
    """The deposit never goes below zero, a shortfall is debt, and the ledger adds up."""
    assert seller.balance >= 0
    assert seller.debt >= 0
    assert seller.balance - seller.debt == sum(entry.amount for entry in seller.ledger)


def check_advances(seller: Seller, advanced: dict[Any, Any]) -> None:
    """Each advance refund the platform paid on a case of this shop is charged to its deposit
    exactly once, for the same amount; nothing else is charged as one."""
    charged = {e.complaint_id: -e.amount for e in seller.ledger if e.reason == ADVANCE}
    assert len(charged) == sum(1 for e in seller.ledger if e.reason == ADVANCE)
    assert charged == advanced
