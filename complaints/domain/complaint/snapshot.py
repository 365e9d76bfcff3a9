"""How a Complaint snapshot keeps the complaint's state as JSON.

JSON has no tuples, sets or non-string keys; those parts of the state are stored as arrays and
turned back when the snapshot is loaded. Personal text stays sealed (see transcodings.py), so
erasure reaches snapshots as it reaches events.

The state's class version (`Complaint.class_version`) says which attributes a snapshot holds;
`upcast_v1_v2` ... `upcast_v5_v6` bring an older snapshot's state up to date
when it is loaded.
A record an old snapshot cannot tell is left unknown (None), and the application replays the
case's events for it (`CommandRunner.whole`).
"""

from __future__ import annotations

from typing import Any

from complaints.domain.values import Outcome, Status


def encode_state(state: dict[str, Any]) -> None:
    """Turn, in place, the parts JSON cannot hold into arrays."""
    state["deadlines"] = [[n, d] for n, d in state["deadlines"].items()]
    state["ratings"] = [[role, r] for role, r in state["ratings"].items()]
    state["acknowledgements"] = sorted(
        ([n, role] for n, role in state["acknowledgements"]), key=str
    )


def decode_state(state: dict[str, Any]) -> None:
    """Turn, in place, the arrays `encode_state` wrote back into what they were."""
    state["deadlines"] = {int(n): d for n, d in state["deadlines"]}
    state["ratings"] = dict(state["ratings"])
    state["acknowledgements"] = frozenset((n, r) for n, r in state["acknowledgements"])
    if state["rejection"] is not None:
        state["rejection"] = tuple(state["rejection"])
    state["pending_steps"] = tuple(state["pending_steps"])


def upcast_v1_v2(state: dict[str, Any]) -> None:
    """Version 2 keeps the deadline that lapsed last and the ruling by default.

    A version 1 snapshot holds neither, and cannot tell them: its case then has no lapsed
    deadline, and a case it shows decided by default has no `default_ruling` (the one state in
    which that is None), so that a reader knows to find it in the events. The same holds when the
    ruling by default came after the snapshot but the lapse it enforced came before."""
    state["lapsed_deadline"] = None
    state["default_ruling"] = None


def upcast_v2_v3(state: dict[str, Any]) -> None:
    """Version 3 counts the consumer's resubmissions.

    A resubmission answers the latest return for information, and only it: the consumer may
    resubmit only while awaiting information, and each return then awaits one answer, which
    is a resubmission, a withdrawal, or the resubmission deadline lapsing (the case closes as
    EXPIRED_NO_INFO). So every return but the latest was answered by a resubmission, and the
    latest was too unless the case still awaits it, expired on it, or was withdrawn. Only a
    withdrawn case returned for information cannot tell which (withdrawal before or after
    resubmitting leaves the same state): its count is left unknown. This holds between the
    events of one command too, since each applier that decides it (`ReturnedForInfo`,
    `Resubmitted`, `Closed`, `Withdrawn`) sets the status or outcome it is read from."""
    returns = len(state["info_requests"])
    if returns == 0:
        state["resubmissions"] = 0
    elif state["status"] is Status.AWAITING_INFO or state["outcome"] is Outcome.EXPIRED_NO_INFO:
        state["resubmissions"] = returns - 1
    elif state["status"] is Status.WITHDRAWN:
        state["resubmissions"] = None
    else:
        state["resubmissions"] = returns


def upcast_v4_v5(state: dict[str, Any]) -> None:
    """Version 5 keeps when a paused clock resumes by itself (MAX_PAUSE). A version 4
    snapshot's pause was recorded before pauses had a limit: it has none recorded, and the
    limit in force when it is reached applies."""
    state["pause_limit_at"] = None


def upcast_v5_v6(state: dict[str, Any]) -> None:
    """Version 6 keeps the mediator assigned to the case. A version 5 snapshot's case was
    never assigned one (mediators were not assigned before)."""
    state["assigned_mediator_id"] = None


def upcast_v3_v4(state: dict[str, Any]) -> None:
    """Version 4 keeps the facts of the order a filing was checked against. A version 3
    snapshot's case was filed before filings checked orders: it has none."""
    state.setdefault("order", None)
