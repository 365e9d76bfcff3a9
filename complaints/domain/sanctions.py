"""The sanction ladder (R4, R8, R10): each offence takes a shop one rung further.

A shop that misses a remedy deadline, sells a counterfeit, defrauds a buyer or fails a spot check
collects a strike. The strikes it has collected within the window (a year by default, as with
Taobao's yearly points) pick the rung: by default a warning, then a fine from the deposit, then a
trading restriction, then closure. Every step is in the settings, so the platform can make the
ladder steeper or gentler without a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import MappingProxyType

from complaints.domain.deadlines import format_duration, parse_duration
from complaints.domain.values import SanctionKind


class Offence(Enum):
    REMEDY_MISSED = "REMEDY_MISSED"  # the seller let the remedy deadline pass
    COUNTERFEIT = "COUNTERFEIT"  # a confirmed counterfeit violation
    FRAUD = "FRAUD"  # a confirmed fraud violation
    SPOT_CHECK_FAILED = "SPOT_CHECK_FAILED"  # the platform's spot check found fault

    @property
    def text(self) -> str:
        return OFFENCE_TEXT[self]


OFFENCE_TEXT = {
    Offence.REMEDY_MISSED: "missed the remedy deadline",
    Offence.COUNTERFEIT: "sold counterfeit goods",
    Offence.FRAUD: "defrauded a buyer",
    Offence.SPOT_CHECK_FAILED: "failed a spot check",
}

DEFAULT_RUNGS = (
    SanctionKind.WARNING,
    SanctionKind.FINE,
    SanctionKind.TRADING_RESTRICTED,
    SanctionKind.SHOP_CLOSED,
)

#: How long each sanction lasts (SANCTION_DURATIONS); one not named lasts until it is lifted.
#: A fine's record ends at once: the money is the sanction.
DEFAULT_DURATIONS: Mapping[SanctionKind, timedelta] = MappingProxyType(
    {
        SanctionKind.WARNING: timedelta(days=90),
        SanctionKind.FINE: timedelta(0),
        SanctionKind.TRADING_RESTRICTED: timedelta(days=30),
    }
)

#: How much each restrictive sanction restricts: a closure outranks a trading restriction.
SEVERITY = {SanctionKind.TRADING_RESTRICTED: 1, SanctionKind.SHOP_CLOSED: 2}


@dataclass(frozen=True)
class SanctionLadder:
    rungs: tuple[SanctionKind, ...] = DEFAULT_RUNGS
    #: The fine taken from the deposit on a FINE rung, in the deposit's currency.
    fine: Decimal = Decimal("500.00")
    #: Strikes older than this no longer count.
    window: timedelta = timedelta(days=365)
    #: How long a sanction of each kind lasts; a kind not named lasts until it is lifted.
    durations: Mapping[SanctionKind, timedelta] = field(default_factory=lambda: DEFAULT_DURATIONS)

    def lasts(self, kind: SanctionKind) -> timedelta | None:
        return self.durations.get(kind)

    def rung(self, strike: int) -> SanctionKind:
        """The sanction for the `strike`-th strike within the window; past the top, the top."""
        return self.rungs[min(strike, len(self.rungs)) - 1]

    def spec(self) -> dict[str, str]:
        return {
            "SANCTION_LADDER": ",".join(k.value for k in self.rungs),
            "SANCTION_FINE": str(self.fine),
            "SANCTION_WINDOW": format_duration(self.window),
            "SANCTION_DURATIONS": ",".join(
                f"{k.value}={format_duration(d)}" for k, d in self.durations.items()
            ),
        }

    @classmethod
    def parse(
        cls,
        ladder: str | None,
        fine: str | None,
        window: str | None,
        durations: str | None = None,
    ) -> SanctionLadder:
        """Read the four settings; each may be left out for its default. Raises ValueError
        naming every problem at once."""
        errors: list[str] = []
        rungs = _rungs(ladder, errors)
        amount = cls.fine
        if fine:
            try:
                amount = Decimal(fine)
            except InvalidOperation:
                amount = Decimal(-1)
            if not amount.is_finite() or amount <= 0 or amount != round(amount, 2):
                errors.append(f"SANCTION_FINE must be a positive amount, not {fine!r}")
                amount = cls.fine
        span = cls.window
        if window:
            try:
                span = parse_duration(window)
            except ValueError as error:
                errors.append(f"SANCTION_WINDOW: {error}")
            else:
                if span <= timedelta(0):
                    errors.append("SANCTION_WINDOW must be longer than zero")
        lasting = _durations(durations, errors)
        if errors:
            raise ValueError("; ".join(errors))
        return cls(rungs, amount.quantize(Decimal("0.01")), span, lasting)


def _durations(text: str | None, errors: list[str]) -> Mapping[SanctionKind, timedelta]:
    """SANCTION_DURATIONS, e.g. ``WARNING=90d,TRADING_RESTRICTED=30d``; left out, the default."""
    if text is None or not text.strip():
        return DEFAULT_DURATIONS
    parsed: dict[SanctionKind, timedelta] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, length = part.partition("=")
        try:
            parsed[SanctionKind(name.strip().upper())] = parse_duration(length)
        except ValueError:
            errors.append(
                f"SANCTION_DURATIONS: cannot read {part!r}; expected KIND=<number><s|m|h|d>"
            )
    return MappingProxyType(parsed)


def _rungs(ladder: str | None, errors: list[str]) -> tuple[SanctionKind, ...]:
    """SANCTION_LADDER, e.g. ``WARNING,FINE,SHOP_CLOSED``; left out, the default."""
    if not ladder:
        return DEFAULT_RUNGS
    names = [n.strip().upper() for n in ladder.split(",") if n.strip()]
    known = {k.value for k in SanctionKind}
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        errors.append(
            f"SANCTION_LADDER must list sanctions from {', '.join(sorted(known))}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
        return DEFAULT_RUNGS
    return tuple(SanctionKind(n) for n in names)
