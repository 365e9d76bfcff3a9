"""Running a what-if over a period: read the log once, replay every case filed in the period
and the strikes of their shops, and sum up before and after.

Only reads: the log is read in batches, the aggregates folded in memory and thrown away.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from complaints.application.whatif.cases import (
    CaseReplay,
    CaseResult,
    Divergence,
    Facts,
    money_total,
)
from complaints.application.whatif.ladder import ShopResult, Strike, read_shop, refold
from complaints.domain.text import Text
from complaints.domain.values import PersonalText
from complaints.domain.whatif import BadPeriod, PolicyProposal, TooManyCases
from complaints.store.transcodings import DataclassAsDict, EnumAsValue

COMPLAINT = "complaints.domain.complaint:Complaint."
SELLER = "complaints.domain.seller:Seller."
BATCH = 2000

#: progress(phase, done, total): phase "reading" counts events, "replaying" counts cases.
Progress = Callable[[str, int, int], None]


@dataclass
class WhatIf:
    start: datetime
    end: datetime
    proposal: PolicyProposal
    as_of: datetime
    cases: list[CaseResult] = field(default_factory=list)
    shops: dict[str, ShopResult] = field(default_factory=dict)
    timelines: dict[str, list[Strike]] = field(default_factory=dict)
    events: int = 0
    seconds: float = 0.0

    @property
    def divergences(self) -> list[Divergence]:
        found = [c.divergence for c in self.cases if c.divergence is not None]
        found += [s.divergence for s in self.shops.values() if s.divergence is not None]
        return found

    def count(self, tag: str) -> int:
        return sum(1 for c in self.cases if c.tag == tag)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def replay(
    app: Any,
    proposal: PolicyProposal,
    start: datetime,
    end: datetime,
    *,
    progress: Progress | None = None,
    limit: int | None = None,
) -> WhatIf:
    """Replay every case filed in [start, end) under `proposal` (an empty one: the identity
    check). `app` is a ComplaintsApp; nothing is written to it."""
    if start.tzinfo is None or end.tzinfo is None:
        raise BadPeriod(
            Text("The period's bounds need a time-zone offset, e.g. 2026-01-01T00:00Z.")
        )
    if end <= start:
        raise BadPeriod(Text("The period must end after it starts."))
    started = time.monotonic()
    result = WhatIf(start, end, proposal, app.clock.now())
    cases, sellers = _read(app, start, end, progress)
    mapper = sealed_mapper(app)
    if limit is not None and len(cases) > limit:
        raise TooManyCases(
            Text(
                "The period holds {cases} cases; at most {limit} are replayed at once."
                " Choose a shorter period, or run `complaints whatif` on the command line.",
                cases=f"{len(cases):,}",
                limit=f"{limit:,}",
            )
        )
    attempts = app.settings.replacement_attempts
    for n, events in enumerate(cases.values(), 1):
        replayed = CaseReplay(events, proposal, as_of=result.as_of, replacement_attempts=attempts)
        result.cases.append(replayed.run())
        result.events += len(events)
        if progress is not None and (n % 100 == 0 or n == len(cases)):
            progress("replaying", n, len(cases))
    shops = {c.shop_id for c in result.cases}
    for seller_id, stored in sellers.items():
        decoded = [mapper.to_domain_event(s) for s in stored]
        shop_id = getattr(decoded[0], "shop_id", None)
        if shop_id not in shops:
            continue
        result.events += len(decoded)
        result.shops[shop_id] = read_shop(seller_id, shop_id, decoded)
    _ladders(result)
    result.seconds = time.monotonic() - started
    return result


class UnopenedText(Transcoding):
    """Personal texts stay sealed: no policy decides on what a text says, so the replay
    never decrypts one (and works as well on cases whose subjects were erased)."""

    type = PersonalText
    name = "PersonalText"

    def encode(self, obj: Any) -> Any:
        raise TypeError("the what-if writes nothing")

    def decode(self, data: Any) -> Any:
        return PersonalText(data["subject"], None)


class EnumByValue(EnumAsValue):
    """An enum member looked up by its value, without the enum's call (a third of the cost of
    decoding an event)."""

    def __init__(self, enum: type[Enum]) -> None:
        super().__init__(enum)
        self.members = {member.value: member for member in enum}

    def decode(self, data: Any) -> Any:
        return self.members[data]


class RecordByFields(DataclassAsDict):
    """A record (a frozen dataclass) rebuilt from its stored fields without calling its
    constructor, when every field is stored and the class neither checks nor converts on
    construction: what was encoded was built by that constructor already."""

    def __init__(self, cls: type[Any]) -> None:
        super().__init__(cls)
        self.plain = (
            not self.sets
            and not self.tuples
            and not hasattr(cls, "__post_init__")
            and "__slots__" not in vars(cls)
        )
        self.count = len(self.fields)

    def decode(self, data: Any) -> Any:
        if not self.plain or len(data) != self.count:
            return super().decode(data)
        record: Any = object.__new__(self.type)
        record.__dict__.update(data)
        return record


def sealed_mapper(app: Any) -> Any:
    """The application's mapper, but leaving personal texts sealed."""
    transcoder = JSONTranscoder()
    app.register_transcodings(transcoder)
    transcoder.register(UnopenedText())
    for transcoding in list(transcoder.names.values()):
        if isinstance(transcoding, EnumAsValue):
            transcoder.register(EnumByValue(transcoding.type))
        elif isinstance(transcoding, DataclassAsDict):
            transcoder.register(RecordByFields(transcoding.type))
    mapper = app.mapper
    return type(mapper)(transcoder=transcoder, compressor=mapper.compressor, cipher=mapper.cipher)


def _read(
    app: Any, start: datetime, end: datetime, progress: Progress | None
) -> tuple[dict[UUID, list[Any]], dict[UUID, list[Any]]]:
    """Every event of the cases filed in the period, and every stored event of each seller."""
    mapper = sealed_mapper(app)
    total = app.recorder.max_notification_id() or 0
    cases: dict[UUID, list[Any]] = {}
    skipped: set[UUID] = set()
    sellers: dict[UUID, list[Any]] = {}
    position = 0
    while batch := app.recorder.select_notifications(start=position + 1, limit=BATCH):
        for stored in batch:
            originator = stored.originator_id
            topic = stored.topic
            if topic.startswith(COMPLAINT):
                if originator in skipped:
                    continue
                events = cases.get(originator)
                if events is None:
                    first = mapper.to_domain_event(stored)
                    if type(first).__name__ != "Filed" or not start <= first.timestamp < end:
                        skipped.add(originator)
                        continue
                    cases[originator] = [first]
                else:
                    events.append(mapper.to_domain_event(stored))
            elif topic.startswith(SELLER):
                sellers.setdefault(originator, []).append(stored)
        position = batch[-1].id
        if progress is not None:
            progress("reading", min(position, total), total)
    return cases, sellers


def _ladders(result: WhatIf) -> None:
    """Check the ladder model against the record, refold each shop under the proposal, and
    mark the cases filed while the proposal restricts a shop it did not restrict."""
    identity = PolicyProposal()
    by_shop: dict[str, list[CaseResult]] = {}
    for case in result.cases:
        by_shop.setdefault(case.shop_id, []).append(case)
    for shop_id, shop in result.shops.items():
        if shop.divergence is not None:
            continue
        baseline = refold(shop, identity, void={}, added=[])
        result.timelines[shop_id] = baseline
        for strike in baseline:
            if (strike.number, strike.kind) != (strike.recorded_number, strike.recorded_kind):
                shop.divergence = Divergence(
                    strike.complaint_id or UUID(int=0),
                    f"shop {shop_id}",
                    0,
                    f"strike {strike.recorded_number} ({_kind(strike.recorded_kind)})",
                    f"strike {strike.number} ({_kind(strike.kind)})",
                )
                break
        if shop.divergence is not None or result.proposal.is_identity:
            continue
        cases = by_shop.get(shop_id, [])
        void = {
            c.id: (c.strikes_void_from, c.tag == "undetermined" or not c.end_known)
            for c in cases
            if c.strikes_void_from is not None
        }
        added = [(at, c.id) for c in cases for at in c.added_strikes]
        result.timelines[shop_id] = refold(shop, result.proposal, void=void, added=added)
        for case in cases:
            for kind, begin, finish in shop.restricted:
                if (
                    case.tag == "unchanged"
                    and begin <= case.filed_at
                    and (finish is None or case.filed_at < finish)
                ):
                    case.tag = "undetermined"
                    case.reason = (
                        f"filed while the proposal has the shop under {kind.value}"
                        f" (from {begin.isoformat()}): whether it would have been filed is unknown"
                    )
                    break


def _kind(kind: Any) -> str:
    return "none" if kind is None else str(kind.value)


# ---------------------------------------------------------------------- summing up
def _facts_summary(facts: Iterable[Facts], ended: Iterable[Facts]) -> dict[str, Any]:
    """Outcomes over every determined case; money and closing over those whose end is known."""
    listed = list(facts)
    closing = list(ended)
    outcomes = Counter(f.outcome for f in listed)
    advanced = [m for f in closing for m in f.advanced]
    return {
        "outcomes": dict(sorted(outcomes.items())),
        "defaultRulings": sum(1 for f in listed if f.by_default),
        "refundsAdvanced": len(advanced),
        "refundsAdvancedTotal": {k: str(v) for k, v in money_total(advanced).items()},
        "closed": sum(1 for f in closing if f.closed_at is not None),
    }


def _median_days(pairs: Iterable[tuple[datetime, datetime | None]]) -> float | None:
    days = [(closed - filed).total_seconds() / 86400 for filed, closed in pairs if closed]
    return round(statistics.median(days), 3) if days else None


def _strikes(
    strikes: Iterable[Strike], *, after: bool, start: datetime, end: datetime
) -> dict[str, Any]:
    listed = [s for s in strikes if start <= s.at < end and not s.undetermined]
    kinds = Counter(_kind(s.kind if after else s.recorded_kind) for s in listed)
    fines = sum(((s.fine if after else s.recorded_fine) or Decimal(0) for s in listed), Decimal(0))
    return {
        "strikes": len(listed),
        "byOffence": dict(sorted(Counter(s.offence.value for s in listed).items())),
        "sanctions": {k: v for k, v in sorted(kinds.items()) if k != "none"},
        "fines": str(fines),
    }


def to_json(result: WhatIf) -> dict[str, Any]:
    """The report as JSON: the figures before and after over the determined cases, and every
    case that changed or could not be determined, with the first event that differs."""
    determined = [c for c in result.cases if c.tag != "undetermined"]
    ended = [c for c in determined if c.end_known]
    afters = [c.determined_after for c in determined]
    ended_afters = [c.determined_after for c in ended]
    recorded = [s for shop in result.shops.values() for s in shop.strikes]
    proposed = [s for line in result.timelines.values() for s in line]
    undetermined_strikes = sum(
        1 for s in recorded if s.undetermined and result.start <= s.at < result.end
    )
    return {
        "period": {"from": result.start.isoformat(), "to": result.end.isoformat()},
        "asOf": result.as_of.isoformat(),
        "proposal": [{"setting": k, "value": v} for k, v in result.proposal.given],
        "replayed": len(result.cases),
        "unchanged": result.count("unchanged"),
        "changed": result.count("changed"),
        "undetermined": result.count("undetermined"),
        "events": result.events,
        "seconds": round(result.seconds, 3),
        "eventsPerSecond": round(result.events_per_second),
        "identity": {
            "ok": not result.divergences,
            "divergences": [d.to_json() for d in result.divergences],
        },
        "before": {
            **_facts_summary((c.before for c in determined), (c.before for c in ended)),
            "medianDaysToClose": _median_days((c.filed_at, c.before.closed_at) for c in ended),
            **_strikes(recorded, after=False, start=result.start, end=result.end),
        },
        "after": {
            **_facts_summary(
                (f for f in afters if f is not None), (f for f in ended_afters if f is not None)
            ),
            "medianDaysToClose": _median_days(
                (c.filed_at, f.closed_at) for c, f in zip(ended, ended_afters, strict=True) if f
            ),
            **_strikes(proposed, after=True, start=result.start, end=result.end),
        },
        "undeterminedStrikes": undetermined_strikes,
        "endUnknown": sum(1 for c in determined if not c.end_known),
        "cases": [
            {
                "id": str(c.id),
                "reference": c.reference,
                "shop": c.shop_id,
                "tag": c.tag,
                "reason": c.reason,
                "firstDifference": None if c.first is None else c.first.to_json(),
                "before": c.before.to_json(),
                "after": None if c.after is None else c.after.to_json(),
            }
            for c in result.cases
            if c.tag != "unchanged"
        ],
    }
