"""Replaying a shop's strikes through a proposed sanction ladder.

Identity: the shop's Seller stream is folded with the domain's appliers, and each recorded strike
is struck again by `Seller.strike`, at its moment, under the ladder it recorded; what that emits
(the strike, its sanction, a fine from the deposit) must equal what was recorded.

The proposal: the shop's strikes (those the case replays leave standing, plus the REMEDY_MISSED
strikes they add) are counted again through the proposed window, and each lands on the proposed
ladder's rung; a restriction is not imposed twice, as in `Seller.strike`. A sanction keeps its
recorded end where it stays the same kind; a new one lasts as the proposed ladder says, or until a
supervisor lifted the recorded sanction of that strike. While the proposal puts the shop under a
restriction it was not under, what the shop did is unknown: its strikes and the cases filed
against it in that span are `undetermined`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from complaints.application.whatif.cases import Divergence, describe, same
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlinePolicy
from complaints.domain.errors import DomainError
from complaints.domain.sanctions import SEVERITY, Offence, SanctionLadder
from complaints.domain.values import SanctionKind
from complaints.domain.whatif import PolicyProposal


@dataclass
class Strike:
    """A strike on the shop's timeline, as recorded or as the proposal adds it."""

    at: datetime
    offence: Offence
    complaint_id: UUID | None
    policy: dict[str, str] | None
    recorded_number: int | None = None  # None: a strike the proposal adds
    recorded_kind: SanctionKind | None = None
    recorded_end: datetime | None = None  # when its recorded sanction ended, if it did
    lifted_at: datetime | None = None  # when a supervisor lifted that sanction, if one did
    number: int | None = None  # under the proposal
    kind: SanctionKind | None = None
    fine: Decimal | None = None
    recorded_fine: Decimal | None = None
    undetermined: bool = False


@dataclass
class ShopResult:
    shop_id: str
    strikes: list[Strike] = field(default_factory=list)
    #: Spans the proposal puts the shop under a restriction it was not under: (kind, from, to).
    restricted: list[tuple[SanctionKind, datetime, datetime | None]] = field(default_factory=list)
    divergence: Divergence | None = None
    #: Sanctions a supervisor imposed without a strike: [kind, from, to], as recorded.
    fixed: dict[str, list[Any]] = field(default_factory=dict)


def read_shop(seller_id: UUID, shop_id: str, events: Sequence[Any]) -> ShopResult:
    """Fold the shop's stream, checking each recorded strike again (identity), and collect its
    strikes with what their sanctions came to."""
    result = ShopResult(shop_id)
    seller: Any = None
    imposed: dict[str, Strike] = {}  # sanction id -> the strike that imposed it
    i = 0
    while i < len(events):
        event = events[i]
        name = type(event).__name__
        if name != "Struck" or seller is None:
            seller = event.mutate(seller)
            _ended(event, imposed, result.fixed)
            i += 1
            continue
        ladder = PolicyProposal().sanction_ladder(event.policy)
        ctx = CommandContext(event.actor, event.timestamp, DeadlinePolicy())
        try:
            seller.strike(
                ctx,
                ladder,
                offence=event.offence,
                reason=event.reason,
                complaint_id=event.complaint_id,
                violation_id=event.violation_id,
            )
        except DomainError as error:
            result.divergence = Divergence(
                seller_id, f"shop {shop_id}", event.originator_version, "Struck", error.code
            )
            return result
        produced = seller.collect_events()
        recorded = list(events[i : i + len(produced)])
        for replayed, was in zip(produced, recorded, strict=False):
            if not same(replayed, was):
                result.divergence = Divergence(
                    seller_id,
                    f"shop {shop_id}",
                    was.originator_version,
                    describe(was),
                    describe(replayed),
                )
                return result
        if len(recorded) < len(produced):
            result.divergence = Divergence(
                seller_id, f"shop {shop_id}", event.originator_version, "(end)", "more"
            )
            return result
        strike = Strike(
            event.timestamp,
            event.offence,
            event.complaint_id,
            event.policy,
            recorded_number=event.strike,
            recorded_kind=event.sanction_kind,
        )
        for was in recorded:
            if type(was).__name__ == "SanctionImposed":
                imposed[was.sanction_id] = strike
                if was.fine is not None:
                    strike.recorded_fine = was.fine.amount
        result.strikes.append(strike)
        i += len(produced)
    return result


def _ended(event: Any, imposed: dict[str, Strike], fixed: dict[str, list[Any]]) -> None:
    name = type(event).__name__
    if name == "SanctionImposed":
        fixed[event.sanction_id] = [event.kind, event.timestamp, None]
        return
    if name in ("SanctionLifted", "SanctionExpired") and event.sanction_id in fixed:
        fixed[event.sanction_id][2] = event.timestamp
        return
    if name not in ("SanctionLifted", "SanctionExpired"):
        return
    strike = imposed.get(event.sanction_id)
    if strike is not None and strike.recorded_end is None:
        strike.recorded_end = event.timestamp
        if name == "SanctionLifted":
            strike.lifted_at = event.timestamp


def refold(
    shop: ShopResult,
    proposal: PolicyProposal,
    *,
    void: dict[UUID, tuple[datetime, bool]],
    added: Sequence[tuple[datetime, UUID]],
) -> list[Strike]:
    """The shop's strikes under the proposal. `void`: per case, from when its recorded strikes
    no longer stand and whether that is undetermined; `added`: REMEDY_MISSED strikes the case
    replays add. Returns the proposed timeline (recorded strikes that stand, and added ones)."""
    timeline: list[Strike] = []
    unknown: datetime | None = None  # from the first strike whose happening is unknown
    for strike in shop.strikes:
        gone = void.get(strike.complaint_id) if strike.complaint_id else None
        if gone is not None and strike.at >= gone[0]:
            strike.undetermined = gone[1]
            strike.number = strike.kind = None
            if gone[1] and (unknown is None or strike.at < unknown):
                unknown = strike.at
            continue
        timeline.append(strike)
    policies = [s.policy for s in shop.strikes]
    for at, complaint_id in added:
        earlier = [s.policy for s in shop.strikes if s.at <= at]
        policy = earlier[-1] if earlier else (policies[0] if policies else None)
        timeline.append(Strike(at, Offence.REMEDY_MISSED, complaint_id, policy))
    timeline.sort(key=lambda s: s.at)
    counted: list[datetime] = []
    sanctions: list[tuple[SanctionKind, datetime, datetime | None]] = [
        (kind, start, end) for kind, start, end in shop.fixed.values()
    ]
    shop.restricted = []
    for strike in timeline:
        if unknown is not None and strike.at >= unknown:
            # Counted after a strike that may or may not have happened: its rung is unknown.
            strike.undetermined = True
            strike.number = strike.kind = None
            continue
        if any(
            start <= strike.at and (end is None or strike.at < end)
            for _, start, end in shop.restricted
        ):
            strike.undetermined = True
            strike.number = strike.kind = None
            continue
        ladder = proposal.sanction_ladder(strike.policy)
        strike.number = sum(1 for t in counted if t > strike.at - ladder.window) + 1
        kind: SanctionKind | None = ladder.rung(strike.number)
        if kind in SEVERITY and any(
            SEVERITY.get(k, 0) >= SEVERITY[kind]
            and start <= strike.at
            and (end is None or strike.at < end)
            for k, start, end in sanctions
        ):
            kind = None
        counted.append(strike.at)
        strike.kind = kind
        strike.fine = ladder.fine if kind is SanctionKind.FINE else None
        if kind is None:
            continue
        end = _end(strike, kind, ladder)
        sanctions.append((kind, strike.at, end))
        was = SEVERITY.get(strike.recorded_kind, 0) if strike.recorded_kind else 0
        if kind in SEVERITY and SEVERITY[kind] > was:
            shop.restricted.append((kind, strike.at, end))
    return timeline


def _end(strike: Strike, kind: SanctionKind, ladder: SanctionLadder) -> datetime | None:
    if kind is strike.recorded_kind and strike.recorded_number is not None:
        return strike.recorded_end
    lasts = ladder.lasts(kind)
    end = None if lasts is None else strike.at + lasts
    if strike.lifted_at is not None and (end is None or strike.lifted_at < end):
        end = strike.lifted_at
    return end
