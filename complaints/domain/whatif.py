"""A proposed policy for the what-if replay (issue 33), read from the settings' own syntax.

`complaints whatif --set DEADLINES=seller_response=24h --set FILING_WINDOW=10d` names the
settings that would change; every setting left out stays as each decision recorded it (the
baseline is the recorded policy, never today's settings). A proposal with no setting at all is
the identity check: replaying under the recorded policy must reproduce every decision.

Each setting a proposal may name has one reader in `READERS`; adding one (MAX_PAUSE, once the
clock may be paused for at most so long) is a field on `PolicyProposal` and a line in that table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import ClassVar

from complaints.domain.deadlines import DeadlineKind, DeadlinePolicy, parse_duration
from complaints.domain.errors import DomainError, RoleNotAllowed
from complaints.domain.order import FilingWindow, OrderFacts
from complaints.domain.sanctions import SanctionLadder
from complaints.domain.text import Text
from complaints.domain.values import Actor, Role

#: The settings a sanction ladder is made of, each recorded with every strike.
LADDER_KEYS = ("SANCTION_LADDER", "SANCTION_FINE", "SANCTION_WINDOW", "SANCTION_DURATIONS")
#: The most cases `policyWhatIf` replays while the request waits (more: a worker job).
MAX_CASES = 5000


class WhatIfRefused(DomainError):
    code: ClassVar[str] = "WHATIF_REFUSED"


class BadProposal(WhatIfRefused):
    """A `--set KEY=VALUE` that cannot be read, or a setting a what-if cannot vary."""

    code = "WHATIF_BAD_SETTING"


class BadPeriod(WhatIfRefused):
    code = "WHATIF_BAD_PERIOD"


class TooManyCases(WhatIfRefused):
    code = "WHATIF_TOO_MANY_CASES"


@dataclass(frozen=True)
class PolicyProposal:
    """What would change. Empty mappings and None mean: as recorded."""

    #: Deadline durations that change, by kind (DEADLINES, only the kinds it names).
    deadlines: Mapping[DeadlineKind, timedelta] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: Ladder settings that change (SANCTION_LADDER, _FINE, _WINDOW, _DURATIONS), as written.
    ladder: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    filing_window: timedelta | None = None  # FILING_WINDOW, after delivery
    filing_window_undelivered: timedelta | None = None  # FILING_WINDOW_UNDELIVERED
    max_pause: timedelta | None = None  # MAX_PAUSE: the longest a case's clock stays paused
    #: The settings as given, in order, for the report.
    given: tuple[tuple[str, str], ...] = ()

    @property
    def is_identity(self) -> bool:
        return not self.given

    @property
    def changes_window(self) -> bool:
        return self.filing_window is not None or self.filing_window_undelivered is not None

    def deadline_policy(self, recorded: Mapping[DeadlineKind, timedelta]) -> DeadlinePolicy:
        """The durations a case would have run under: as recorded, with the proposal's."""
        durations = dict(DeadlinePolicy().durations)
        durations.update(recorded)
        durations.update(self.deadlines)
        return DeadlinePolicy(MappingProxyType(durations))

    def sanction_ladder(self, recorded: Mapping[str, str] | None) -> SanctionLadder:
        """The ladder a strike would have met: the one it recorded, with the proposal's."""
        spec = {**(recorded or {}), **self.ladder}
        return SanctionLadder.parse(
            spec.get("SANCTION_LADDER"),
            spec.get("SANCTION_FINE"),
            spec.get("SANCTION_WINDOW"),
            spec.get("SANCTION_DURATIONS"),
        )

    def window_end(self, order: OrderFacts) -> datetime | None:
        """The end of a filing's window under the proposal; None where the proposal leaves
        the setting that governs this order (delivered or not) as it was."""
        if order.delivered_at is not None:
            if self.filing_window is None:
                return None
            return FilingWindow(after_delivery=self.filing_window).ends_at(order)
        if self.filing_window_undelivered is None:
            return None
        return FilingWindow(undelivered=self.filing_window_undelivered).ends_at(order)

    @classmethod
    def parse(cls, assignments: Sequence[str]) -> PolicyProposal:
        """Read ``KEY=VALUE`` settings; refuses (BadProposal) naming every problem at once."""
        proposal = cls()
        errors: list[str] = []
        seen: set[str] = set()
        for assignment in assignments:
            key, equals, value = assignment.partition("=")
            key = key.strip().upper()
            reader = READERS.get(key)
            if not equals or not value.strip():
                errors.append(f"{assignment!r}: expected KEY=VALUE")
                continue
            if reader is None:
                known = ", ".join(READERS)
                errors.append(f"{key}: a what-if can vary only {known}")
                continue
            if key in seen:
                errors.append(f"{key} is set twice")
                continue
            seen.add(key)
            try:
                proposal = reader(proposal, value.strip())
            except ValueError as error:
                errors.append(f"{key}: {error}")
                continue
            proposal = replace(proposal, given=(*proposal.given, (key, value.strip())))
        if errors:
            # The problems name settings in their own syntax, as the command line does.
            raise BadProposal(
                Text("The proposed policy cannot be read: {problems}", problems="; ".join(errors))
            )
        return proposal


def _deadlines(proposal: PolicyProposal, value: str) -> PolicyProposal:
    parsed = DeadlinePolicy.parse(value)  # raises on any unknown kind or duration
    names = {part.partition("=")[0].strip() for part in value.split(",") if part.strip()}
    changed = {kind: parsed.durations[kind] for kind in DeadlineKind if kind.value in names}
    return replace(proposal, deadlines=MappingProxyType(changed))


def _ladder(key: str) -> Callable[[PolicyProposal, str], PolicyProposal]:
    def read(proposal: PolicyProposal, value: str) -> PolicyProposal:
        spec = {**proposal.ladder, key: value}
        SanctionLadder.parse(*(spec.get(k) for k in LADDER_KEYS))  # raises what is wrong
        return replace(proposal, ladder=MappingProxyType(spec))

    return read


def _positive(value: str) -> timedelta:
    duration = parse_duration(value)
    if duration <= timedelta(0):
        raise ValueError("must be longer than zero")
    return duration


#: One reader per setting a what-if may vary.
READERS: dict[str, Callable[[PolicyProposal, str], PolicyProposal]] = {
    "DEADLINES": _deadlines,
    **{key: _ladder(key) for key in LADDER_KEYS},
    "FILING_WINDOW": lambda p, v: replace(p, filing_window=_positive(v)),
    "FILING_WINDOW_UNDELIVERED": lambda p, v: replace(p, filing_window_undelivered=_positive(v)),
    "MAX_PAUSE": lambda p, v: replace(p, max_pause=_positive(v)),
}


def authorize_whatif(actor: Actor) -> None:
    """Only supervisors replay cases under a proposed policy: the report names cases and shops,
    and weighs the platform's own rules."""
    if actor.role is not Role.SUPERVISOR:
        raise RoleNotAllowed(Text("Only supervisors run a policy what-if."))
