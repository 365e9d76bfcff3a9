"""Deadlines: their kinds, the default durations, and the policy that turns a kind into a due time.

Each deadline is recorded on the complaint as a `DeadlineSet` event when its step opens. The due
time is stored in the event, so a later change of policy never rewrites what a party was told.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from types import MappingProxyType

from complaints.domain.values import Role


class DeadlineKind(Enum):
    INTAKE = "intake"  # an agent reviews a new complaint
    RESUBMISSION = "resubmission"  # the consumer adds what was missing
    SELLER_RESPONSE = "seller_response"  # the seller's first answer to the requested remedy
    NEGOTIATION_TURN = "negotiation_turn"  # the party on turn answers the standing offer
    ESCALATION = "escalation"  # no agreement by then: the platform steps in
    PICKUP = "pickup"  # a supervisor assigns an arbiter to an escalated case
    EVIDENCE = "evidence"  # a party sends the evidence it was asked for
    RULING = "ruling"  # the assigned arbiter rules
    APPEAL_WINDOW = "appeal_window"  # either party may appeal the ruling
    REMEDY = "remedy"  # the seller carries out the remedy (refund, replacement)
    REMEDY_CONFIRMATION = "remedy_confirmation"  # the consumer confirms the remedy arrived
    RETURN_SHIPMENT = "return_shipment"  # the consumer ships the goods back
    RETURN_RECEIPT = "return_receipt"  # the seller confirms the return arrived
    SURVEY = "survey"  # the parties rate the handling
    APPEAL_REVIEW = "appeal_review"  # a supervisor decides an appeal
    EXECUTION_ISSUE = "execution_issue"  # supervision answers a problem with the remedy
    SETTLEMENT_ANSWER = "settlement_answer"  # the parties answer a mediator's proposal
    # A shop's, not a case's: kept on the violation and the sanction they bind.
    VIOLATION_RESPONSE = "violation_response"  # the reported shop may answer the report
    VIOLATION_DECISION = "violation_decision"  # a supervisor decides the report
    SANCTION_APPEAL_REVIEW = "sanction_appeal_review"  # a supervisor decides a sanction's appeal


#: Deadlines that bind platform staff rather than a party. Missing one makes the case overdue for
#: supervision; it never decides the case against anyone.
STAFF_DEADLINES = frozenset(
    {
        DeadlineKind.INTAKE,
        DeadlineKind.PICKUP,
        DeadlineKind.RULING,
        DeadlineKind.APPEAL_REVIEW,
        DeadlineKind.EXECUTION_ISSUE,
        DeadlineKind.VIOLATION_DECISION,
        DeadlineKind.SANCTION_APPEAL_REVIEW,
    }
)

#: Deadlines about a shop rather than a case: due times recorded on the violation or the
#: sanction's appeal they bind. None decides anything when it passes: the shop's window only
#: opens the decision, and staff deadlines past due wait in the supervision queue.
SHOP_DEADLINES = frozenset(
    {
        DeadlineKind.VIOLATION_RESPONSE,
        DeadlineKind.VIOLATION_DECISION,
        DeadlineKind.SANCTION_APPEAL_REVIEW,
    }
)
#: The deadlines a complaint opens, and the deadline worker enforces.
CASE_DEADLINES = frozenset(set(DeadlineKind) - SHOP_DEADLINES)

#: The rule of the platform rulebook each deadline a ruling by default enforces: the ruling
#: cites it (R7).
DEFAULT_RULING_RULES: Mapping[DeadlineKind, tuple[str, ...]] = MappingProxyType(
    {
        DeadlineKind.SELLER_RESPONSE: ("R-6.1",),
        DeadlineKind.NEGOTIATION_TURN: ("R-6.1",),
    }
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: The longest a case's clock stays paused before it resumes by itself (MAX_PAUSE).
DEFAULT_MAX_PAUSE = 14 * DAY

DEFAULT_DURATIONS: Mapping[DeadlineKind, timedelta] = MappingProxyType(
    {
        DeadlineKind.INTAKE: 24 * HOUR,
        DeadlineKind.RESUBMISSION: 7 * DAY,
        DeadlineKind.SELLER_RESPONSE: 48 * HOUR,
        DeadlineKind.NEGOTIATION_TURN: 72 * HOUR,
        DeadlineKind.ESCALATION: 7 * DAY,
        DeadlineKind.PICKUP: 24 * HOUR,
        DeadlineKind.EVIDENCE: 3 * DAY,
        DeadlineKind.RULING: 5 * DAY,
        DeadlineKind.APPEAL_WINDOW: 15 * DAY,
        DeadlineKind.REMEDY: 48 * HOUR,
        DeadlineKind.REMEDY_CONFIRMATION: 7 * DAY,
        DeadlineKind.RETURN_SHIPMENT: 7 * DAY,
        DeadlineKind.RETURN_RECEIPT: 10 * DAY,
        DeadlineKind.SURVEY: 7 * DAY,
        DeadlineKind.APPEAL_REVIEW: 5 * DAY,
        DeadlineKind.EXECUTION_ISSUE: 3 * DAY,
        DeadlineKind.SETTLEMENT_ANSWER: 3 * DAY,
        DeadlineKind.VIOLATION_RESPONSE: 3 * DAY,
        DeadlineKind.VIOLATION_DECISION: 5 * DAY,
        DeadlineKind.SANCTION_APPEAL_REVIEW: 5 * DAY,
    }
)

_UNITS = {"s": timedelta(seconds=1), "m": timedelta(minutes=1), "h": HOUR, "d": DAY}
_OVERRIDE = re.compile(r"^\s*([a-z_]+)\s*=\s*(\d+)\s*([smhd])\s*$")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


def parse_duration(text: str) -> timedelta:
    """Read a duration such as ``30s``, ``15m``, ``48h`` or ``7d``."""
    match = _DURATION.match(text)
    if match is None:
        msg = f"cannot read duration {text!r}; expected <number><s|m|h|d>"
        raise ValueError(msg)
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class DeadlinePolicy:
    durations: Mapping[DeadlineKind, timedelta] = field(default_factory=lambda: DEFAULT_DURATIONS)

    def due(self, kind: DeadlineKind, now: datetime) -> datetime:
        return now + self.durations[kind]

    def terms(self, *kinds: DeadlineKind) -> str:
        """The terms of some kinds, as a record cites them, e.g. ``violation_response=3d``."""
        return ",".join(f"{k.value}={format_duration(self.durations[k])}" for k in kinds)

    def spec(self) -> str:
        """The policy written back in the form `parse` reads, e.g. ``intake=1d,remedy=48h``."""
        return ",".join(f"{k.value}={format_duration(d)}" for k, d in self.durations.items())

    @classmethod
    def parse(cls, spec: str) -> DeadlinePolicy:
        """Read overrides such as ``seller_response=3s,appeal_window=2m`` (units s, m, h, d)."""
        durations = dict(DEFAULT_DURATIONS)
        for part in filter(None, (p.strip() for p in spec.split(","))):
            match = _OVERRIDE.match(part)
            if match is None:
                msg = f"cannot read deadline override {part!r}; expected kind=<number><s|m|h|d>"
                raise ValueError(msg)
            name, number, unit = match.groups()
            try:
                kind = DeadlineKind(name)
            except ValueError:
                known = ", ".join(k.value for k in DeadlineKind)
                msg = f"unknown deadline kind {name!r}; known kinds: {known}"
                raise ValueError(msg) from None
            duration = int(number) * _UNITS[unit]
            if duration <= timedelta(0):
                msg = f"deadline {name} must be longer than zero"
                raise ValueError(msg)
            durations[kind] = duration
        return cls(MappingProxyType(durations))


def format_duration(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Deadline:
    """An open deadline. Its id is the version of the `DeadlineSet` event that opened it."""

    id: int
    kind: DeadlineKind
    due_at: datetime
    party: Role | None = None
    ref: str | None = None
    overdue: bool = False
    set_at: datetime | None = None
    #: The shortest lead, in seconds, its party was last reminded at (None: not reminded).
    reminded: int | None = None

    def is_due(self, now: datetime) -> bool:
        return now >= self.due_at


def reminder_due(
    deadline: Deadline, leads: tuple[timedelta, ...], now: datetime
) -> timedelta | None:
    """The reminder the deadline's party is owed now, if any: the shortest lead whose moment
    (due time minus the lead) has come, when the deadline is still ahead, it was set before that
    moment (setting it was notice enough), and no reminder as short was given yet. A worker that
    was away sends only the most urgent one it missed."""
    if deadline.party is None or deadline.kind in STAFF_DEADLINES or deadline.overdue:
        return None
    if now >= deadline.due_at:
        return None  # lapsed: never reminded afterwards
    passed = [lead for lead in leads if deadline.due_at - lead <= now]
    if not passed:
        return None
    lead = min(passed)
    if deadline.set_at is not None and deadline.set_at >= deadline.due_at - lead:
        return None
    if deadline.reminded is not None and deadline.reminded <= lead.total_seconds():
        return None
    return lead


def parse_leads(spec: str) -> tuple[timedelta, ...]:
    """REMINDERS, e.g. ``24h,2h``: how long before a party's deadline it is reminded."""
    leads = tuple(sorted({parse_duration(p) for p in spec.split(",") if p.strip()}, reverse=True))
    if any(lead <= timedelta(0) for lead in leads):
        msg = "each reminder must be longer than zero"
        raise ValueError(msg)
    return leads


@dataclass(frozen=True)
class Extension:
    """A deadline moved later when a paused clock resumed."""

    deadline_id: int
    due_at: datetime
