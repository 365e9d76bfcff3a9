"""Replaying one case, event by event, from its own history (tier 1 of the what-if design in
shared/notes/replicas-and-whatif.md, section B: recompute from recorded times).

The case is folded from its recorded events with the domain's own appliers. At each decision the
platform took by itself (a deadline lapsed, or fell overdue), the decision is taken again, by the
domain's own `lapse_deadline`, on the state folded so far, at the recorded moment, under the
recorded policy: what it emits must equal what was recorded, event for event (the identity
check, like Temporal's replayer). Nothing is saved: the replayed aggregate is thrown away.

Beside it runs the proposal. A party deadline whose proposed due time passes before the next
recorded event (or before the end of the history) would have lapsed then: a copy of the case is
forked at that moment and the deadline lapsed there, by the same domain code, under the proposed
durations. Its default decides the case (`changed`), or the case goes on to choices people would
have made (`undetermined`). A party deadline the proposal makes longer, which lapsed in the
history, is `undetermined`: the party might have acted in the extra time. A filing after the
proposed window's end is refused (`changed`); one whose order was never checked is
`undetermined`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from complaints.domain.context import CommandContext
from complaints.domain.deadlines import STAFF_DEADLINES, DeadlineKind, DeadlinePolicy
from complaints.domain.errors import DomainError
from complaints.domain.values import SYSTEM, TERMINAL, Actor, Money, PersonalText
from complaints.domain.whatif import PolicyProposal

Tag = Literal["unchanged", "changed", "undetermined"]
REFUSED = "REFUSED"  # the filing itself would have been refused
OPEN = "OPEN"  # not decided by the end of the history
#: Recorded events looked ahead of a re-decision for the durations of the deadlines it opens.
LOOKAHEAD = 16


@dataclass(frozen=True)
class Facts:
    """What a case came to: the figures the report sums, before and after."""

    outcome: str  # an Outcome's value, a terminal status's, REFUSED or OPEN
    by_default: bool
    advanced: tuple[Money, ...]  # refunds the platform advanced from the deposit
    closed_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "byDefault": self.by_default,
            "advanced": [{"amount": str(m.amount), "currency": m.currency} for m in self.advanced],
            "closedAt": None if self.closed_at is None else self.closed_at.isoformat(),
        }


@dataclass(frozen=True)
class Difference:
    """The first event that differs: the recorded one at `version` (None past the end) and
    what the proposal puts there instead."""

    version: int
    at: datetime
    recorded: str | None
    proposed: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at.isoformat(),
            "recorded": self.recorded,
            "proposed": list(self.proposed),
        }


@dataclass(frozen=True)
class Divergence:
    """The identity check failed: replaying under the recorded policy emitted something else."""

    aggregate_id: UUID
    name: str  # "complaint C-…" or "shop acme"
    version: int
    recorded: str
    replayed: str

    def to_json(self) -> dict[str, Any]:
        return {
            "aggregateId": str(self.aggregate_id),
            "name": self.name,
            "version": self.version,
            "recorded": self.recorded,
            "replayed": self.replayed,
        }


@dataclass
class CaseResult:
    id: UUID
    reference: str
    shop_id: str
    filed_at: datetime
    events: int
    before: Facts
    tag: Tag = "unchanged"
    reason: str | None = None
    first: Difference | None = None
    after: Facts | None = None  # None while undetermined
    divergence: Divergence | None = None
    #: REMEDY_MISSED strikes the proposal adds (their moments), and from when the recorded
    #: strikes of this case no longer happen as recorded (None: all stand).
    added_strikes: list[datetime] = field(default_factory=list)
    strikes_void_from: datetime | None = None
    #: False when the proposal decides the outcome but the case would have gone on (a remedy to
    #: carry out): when it closed, what money moved and what strikes followed are unknown.
    end_known: bool = True

    @property
    def determined_after(self) -> Facts | None:
        return self.before if self.tag == "unchanged" else self.after


def describe(event: Any) -> str:
    """An event as the report names it: its type, and the deadline it concerns if any."""
    name = type(event).__name__
    kind = getattr(event, "kind", None)
    outcome = getattr(event, "outcome", None)
    detail = kind.value if isinstance(kind, DeadlineKind) else None
    if outcome is not None and hasattr(outcome, "value"):
        detail = outcome.value
    return f"{name}({detail})" if detail else name


def same(replayed: Any, recorded: Any) -> bool:
    """The same event, texts compared by whose they are (the replay leaves them sealed)."""
    return type(replayed) is type(recorded) and _plain(vars(replayed)) == _plain(vars(recorded))


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.subject if isinstance(v, PersonalText) else v for k, v in fields.items()}


def fork(complaint: Any) -> Any:
    """A copy of the case to lapse a deadline in. Appliers replace records (frozen dataclasses)
    and never change one in place, so copying the aggregate and each container it holds is
    enough, and far cheaper than a deep copy."""
    copied = copy.copy(complaint)
    for name, value in vars(copied).items():
        if isinstance(value, list | dict | set):
            setattr(copied, name, copy.copy(value))
    return copied


def facts_of(complaint: Any, advanced: Sequence[Money]) -> Facts:
    if complaint.outcome is not None:
        outcome = complaint.outcome.value
    elif complaint.status in TERMINAL:
        outcome = complaint.status.value
    else:
        outcome = OPEN
    return Facts(outcome, bool(complaint.decided_by_default), tuple(advanced), complaint.closed_at)


class CaseReplay:
    """Replays one case; `run()` gives its `CaseResult`."""

    def __init__(
        self,
        events: Sequence[Any],
        proposal: PolicyProposal,
        *,
        as_of: datetime,
        replacement_attempts: int = 1,
    ) -> None:
        self.events = events
        self.proposal = proposal
        self.as_of = as_of
        self.attempts = replacement_attempts
        self.complaint: Any = None
        #: Durations each kind ran for, as the case recorded them (policy-set deadlines only).
        self.recorded: dict[DeadlineKind, timedelta] = {}
        #: Open party deadlines the proposal moves: id -> proposed due time.
        self.proposed_due: dict[int, datetime] = {}
        self.advanced: list[Money] = []
        self.result: CaseResult | None = None

    # ------------------------------------------------------------------ the fold
    def run(self) -> CaseResult:
        events = self.events
        filed = events[0]
        i = 0
        while i < len(events):
            event = events[i]
            if i == 0:
                self.complaint = event.mutate(None)
                self.result = CaseResult(
                    id=filed.originator_id,
                    reference=filed.reference,
                    shop_id=filed.shop_id,
                    filed_at=filed.timestamp,
                    events=len(events),
                    before=Facts(OPEN, False, (), None),
                )
                self._filed(event)
                self._track(event)
                i += 1
                continue
            self._lapse_first(event.timestamp, event)
            name = type(event).__name__
            if name in ("DeadlineLapsed", "DeadlineOverdue"):
                taken = self._redecide(i)
                if taken is None:
                    break  # diverged: nothing after it can be trusted
                i += taken
                continue
            self._before_apply(event)
            self.complaint = event.mutate(self.complaint)
            self._track(event)
            i += 1
        result = self.result
        assert result is not None
        if result.divergence is None:
            self._lapse_first(self.as_of, None)
        result.before = facts_of(self.complaint, self.advanced)
        return result

    def _track(self, event: Any) -> None:
        """Keep the tables the proposal needs, after `event` applied."""
        name = type(event).__name__
        if name == "DeadlineSet":
            self._deadline_set(event)
        elif name in ("DeadlineCleared", "DeadlineLapsed", "DeadlineOverdue"):
            self.proposed_due.pop(event.deadline_id, None)
        elif name == "RefundAdvanced":
            self.advanced.append(event.amount)

    def _deadline_set(self, event: Any) -> None:
        chosen = event.duration_seconds is not None and event.policy is None
        if chosen:
            return  # a due time an actor chose: no policy sets it
        duration = event.due_at - event.timestamp
        self.recorded[event.kind] = duration
        proposed = self.proposal.deadlines.get(event.kind)
        party = event.party is not None and event.kind not in STAFF_DEADLINES
        if party and proposed is not None and proposed != duration:
            self.proposed_due[event.originator_version] = event.timestamp + proposed

    def _before_apply(self, event: Any) -> None:
        """A resumed clock moves each open deadline later; the proposed ones by as much. Under
        a proposed MAX_PAUSE the clock would have resumed at that limit instead: when the
        recorded pause outlasted it, or ended at the recorded limit (the platform resumed it,
        so a longer limit would have kept it paused longer), every open party deadline moves by
        the proposed pause, not the recorded one."""
        if type(event).__name__ != "ClockResumed":
            return
        paused = timedelta(seconds=event.paused_seconds)
        limit = self.proposal.max_pause
        moved = limit is not None and (paused > limit or (event.limit and limit > paused))
        shift = (limit - paused) if moved and limit is not None else timedelta(0)
        for extension in event.extended:
            deadline = self.complaint.deadlines.get(extension.deadline_id)
            if deadline is None:
                continue
            by = extension.due_at - deadline.due_at
            if extension.deadline_id in self.proposed_due:
                self.proposed_due[extension.deadline_id] += by + shift
            elif moved and deadline.party is not None and deadline.kind not in STAFF_DEADLINES:
                self.proposed_due[extension.deadline_id] = extension.due_at + shift

    # ------------------------------------------------------------------ identity
    def _redecide(self, i: int) -> int | None:
        """Take the recorded lapse at `events[i]` again; the number of recorded events it
        reproduced, or None when it diverged (recorded on the result)."""
        event = self.events[i]
        result = self.result
        assert result is not None
        ahead = self.events[i : i + LOOKAHEAD]
        durations = dict(self.recorded)
        for later in ahead:
            if type(later).__name__ == "DeadlineSet" and later.policy is not None:
                durations[later.kind] = later.due_at - later.timestamp
        policy = DeadlinePolicy({**DeadlinePolicy().durations, **durations})
        ctx = CommandContext(event.actor, event.timestamp, policy, self.attempts)
        if result.first is None:
            self._longer(event)
        try:
            self.complaint.lapse_deadline(ctx, event.deadline_id)
        except DomainError as error:
            self._diverged(event, f"refused: {error.code}")
            return None
        produced = self.complaint.collect_events()
        recorded = self.events[i : i + len(produced)]
        for replayed, was in zip(produced, recorded, strict=False):
            if not same(replayed, was):
                self._diverged(was, describe(replayed))
                return None
        if len(recorded) < len(produced) or not produced:
            self._diverged(event, "nothing" if not produced else describe(produced[-1]))
            return None
        for replayed in produced:
            self._track(replayed)
        return len(produced)

    def _diverged(self, recorded: Any, replayed: str) -> None:
        result = self.result
        assert result is not None
        result.divergence = Divergence(
            result.id,
            f"complaint {result.reference}",
            recorded.originator_version,
            describe(recorded),
            replayed,
        )

    # ------------------------------------------------------------------ the proposal
    def _filed(self, event: Any) -> None:
        result = self.result
        assert result is not None
        ends = event.window_ends_at
        if event.order is not None and ends is not None and event.timestamp > ends:
            self._diverged(event, "refused: FILING_WINDOW_CLOSED")
            return
        if not self.proposal.changes_window:
            return
        if event.order is None:
            result.tag = "undetermined"
            result.reason = (
                "filed without an order check: the order's dates are not recorded, so its"
                " window cannot be recomputed"
            )
            result.first = Difference(1, event.timestamp, "Filed", ())
            result.strikes_void_from = event.timestamp
            return
        end = self.proposal.window_end(event.order)
        if end is not None and event.timestamp > end:
            result.tag = "changed"
            result.reason = f"filed after the proposed window ended ({end.isoformat()}): refused"
            result.first = Difference(
                1, event.timestamp, "Filed", ("refused: FILING_WINDOW_CLOSED",)
            )
            result.after = Facts(REFUSED, False, (), None)
            result.strikes_void_from = event.timestamp

    def _longer(self, event: Any) -> None:
        """A deadline that lapsed in the history, but runs longer under the proposal."""
        due = self.proposed_due.get(event.deadline_id)
        if due is None or due <= event.timestamp or type(event).__name__ != "DeadlineLapsed":
            return
        result = self.result
        assert result is not None
        result.tag = "undetermined"
        result.reason = (
            f"the {event.kind.value} deadline would have run until {due.isoformat()}: whether"
            " the party would have acted by then is unknown"
        )
        result.first = Difference(
            event.originator_version, event.timestamp, describe(event), ("(deadline still open)",)
        )
        result.strikes_void_from = event.timestamp

    def _lapse_first(self, moment: datetime, upcoming: Any) -> None:
        """If a proposed due time passes before `moment` (the next recorded event, or the end
        of the history), the deadline lapses then, in a fork of the case."""
        result = self.result
        assert result is not None
        complaint = self.complaint
        if result.first is not None or not self.proposed_due or complaint.paused_at is not None:
            return
        open_ = [(due, d) for d, due in self.proposed_due.items() if d in complaint.deadlines]
        if not open_:
            return
        due, deadline_id = min(open_)
        if due >= moment:
            return
        shadow = fork(complaint)
        shadow.deadlines[deadline_id] = replace(shadow.deadlines[deadline_id], due_at=due)
        policy = self.proposal.deadline_policy(self.recorded)
        ctx = CommandContext(_system(self.events), due, policy, self.attempts)
        lapse = shadow.lapse_deadline(ctx, deadline_id)
        produced = shadow.collect_events()
        kind = complaint.deadlines[deadline_id].kind.value
        result.first = Difference(
            upcoming.originator_version if upcoming is not None else complaint.version + 1,
            due,
            None if upcoming is None else describe(upcoming),
            tuple(describe(e) for e in produced),
        )
        result.strikes_void_from = due
        advanced = list(self.advanced)
        if lapse is not None and lapse.advance_refund is not None:
            assert lapse.advance_refund.amount is not None
            advanced.append(lapse.advance_refund.amount)
        if lapse is not None and lapse.remedy_missed:
            result.added_strikes.append(due)
        decided = shadow.status in TERMINAL or (shadow.final and shadow.outcome is not None)
        if decided:
            result.tag = "changed"
            result.end_known = shadow.status in TERMINAL
            result.reason = f"the {kind} deadline would have lapsed at {due.isoformat()}"
            result.after = facts_of(shadow, advanced)
        else:
            result.tag = "undetermined"
            result.reason = (
                f"the {kind} deadline would have lapsed at {due.isoformat()} and the case gone"
                f" on ({shadow.status.value}): what people would then have done is unknown"
            )


def _system(events: Sequence[Any]) -> Actor:
    """The actor the platform lapses deadlines as, as the history recorded it."""
    for event in events:
        if type(event).__name__ in ("DeadlineLapsed", "DeadlineOverdue"):
            return event.actor  # type: ignore[no-any-return]
    return SYSTEM


def money_total(amounts: Sequence[Money]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for money in amounts:
        totals[money.currency] = totals.get(money.currency, Decimal(0)) + money.amount
    return totals
