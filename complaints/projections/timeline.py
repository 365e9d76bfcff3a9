"""The timeline of each complaint: every event as an entry a person can read.

Entries hold no personal text. An entry names the personal fields its event carries, so that a
reader allowed to see them can fetch them from the event store, where erasure is respected.
Redaction for the viewer happens when the timeline is read (`complaints.domain.access`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from complaints.domain.access import (
    Audience,
    can_view,
    deadline_audience,
    list_scope,
    sees_entry,
    sees_staff_identities,
)
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import format_duration
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.values import Actor, Remedy, Role, Visibility
from complaints.projections.base import (
    Page,
    Projection,
    View,
    check_page_size,
    dumps,
    from_moment,
    moment,
)
from complaints.projections.database import Row, Tx


@dataclass(frozen=True)
class Described:
    summary: str
    audience: Audience = Audience.PARTIES
    details: dict[str, Any] | None = None
    personal: tuple[str, ...] = ()


def words(value: Any) -> str:
    """`NOT_AS_DESCRIBED` -> `not as described`; `seller_response` -> `seller response`."""
    text = value.value if hasattr(value, "value") else str(value)
    return text.replace("_", " ").lower()


def who(role: Role) -> str:
    return {
        Role.CONSUMER: "The consumer",
        Role.SELLER: "The seller",
        Role.MEDIATOR: "The mediator",
        Role.SYSTEM: "The platform",
    }.get(role, f"The {words(role)}")


def remedy_text(remedy: Remedy | None) -> str:
    if remedy is None:
        return "no remedy"
    if remedy.amount is None:
        return words(remedy.type)
    return f"{words(remedy.type)} of {remedy.amount.amount} {remedy.amount.currency}"


def remedy_details(remedy: Remedy | None) -> dict[str, Any] | None:
    """A remedy in an entry's details: an object, the amount a decimal string."""
    if remedy is None:
        return None
    amount = remedy.amount
    return {
        "type": remedy.type.value,
        "amount": None if amount is None else str(amount.amount),
        "currency": None if amount is None else amount.currency,
    }


def when(moment_: datetime) -> str:
    return moment_.strftime("%Y-%m-%d %H:%M UTC")


def citing(codes: list[str] | None, at: datetime) -> str:
    """`Rules cited: R-3.2 (Damage in transit).` — the rulebook explains decisions (R7), with
    each rule's title as in force when the decision was made."""
    named = [f"{c} ({rule.title})" if (rule := RULEBOOK.rule(c, at)) else c for c in codes or []]
    return f" Rules cited: {', '.join(named)}." if named else ""


def enforcing(deadline_id: int | None) -> str:
    return "" if deadline_id is None else f" (enforcing deadline #{deadline_id})"


C = Complaint
DESCRIBE: dict[type[Any], Callable[[Any], Described]] = {
    C.Filed: lambda e: Described(
        f"Complaint {e.reference} filed about {words(e.category)} goods on order {e.order_id};"
        f" the consumer asks for {remedy_text(e.requested_remedy)}.",
        details={
            "category": e.category.value,
            "requested_remedy": remedy_details(e.requested_remedy),
        },
        personal=("description",),
    ),
    C.DeadlineSet: lambda e: Described(
        f"Deadline #{e.originator_version} set: {words(e.kind)}"
        f"{f' for the {words(e.party)}' if e.party else ''}, due {when(e.due_at)}.",
        deadline_audience(e.kind),
        {
            "deadline_id": e.originator_version,
            "kind": e.kind.value,
            "due_at": moment(e.due_at),
            "party": e.party.value if e.party else None,
            "duration_seconds": e.duration_seconds,
            "policy": e.policy,
        },
    ),
    C.DeadlineCleared: lambda e: Described(
        f"Deadline #{e.deadline_id} ({words(e.kind)}) {e.reason}.",
        deadline_audience(e.kind),
        {"deadline_id": e.deadline_id, "kind": e.kind.value, "reason": e.reason},
    ),
    C.DeadlineLapsed: lambda e: Described(
        f"Deadline #{e.deadline_id} ({words(e.kind)}) passed without action.",
        deadline_audience(e.kind),
        {"deadline_id": e.deadline_id, "kind": e.kind.value},
    ),
    C.DeadlineReminded: lambda e: Described(
        f"Reminder: deadline #{e.deadline_id} ({words(e.kind)}) for the {words(e.party)}"
        f" lapses {when(e.due_at)}"
        f" (the {format_duration(timedelta(seconds=e.lead_seconds))} reminder).",
        Audience.PARTIES,
        {
            "deadline_id": e.deadline_id,
            "kind": e.kind.value,
            "party": e.party.value,
            "due_at": moment(e.due_at),
            "lead_seconds": e.lead_seconds,
        },
    ),
    C.DeadlineOverdue: lambda e: Described(
        f"Deadline #{e.deadline_id} ({words(e.kind)}) is overdue; flagged for supervision.",
        Audience.STAFF,
        {"deadline_id": e.deadline_id, "kind": e.kind.value},
    ),
    C.Accepted: lambda e: Described(
        "Accepted for handling; the parties may now negotiate."
        if e.status.value == "NEGOTIATING"
        else "Accepted and referred straight to platform review.",
        details={"status": e.status.value},
    ),
    C.ReturnedForInfo: lambda e: Described(
        f"Returned for more information: {e.reason} Missing: {'; '.join(e.missing)}."
        f"{citing(e.rule_codes, e.timestamp)}",
        details={"reason": e.reason, "missing": e.missing, "rule_codes": e.rule_codes},
    ),
    C.Rejected: lambda e: Described(
        f"Rejected: {e.reason}{citing([e.rule_code] if e.rule_code else [], e.timestamp)}",
        details={"reason": e.reason, "rule_code": e.rule_code},
    ),
    C.Resubmitted: lambda e: Described(
        "The consumer resubmitted the complaint with more detail.", personal=("description",)
    ),
    C.Withdrawn: lambda e: Described("The consumer withdrew the complaint."),
    C.OfferMade: lambda e: Described(
        (
            f"The mediator proposed a settlement: {remedy_text(e.remedy)}."
            if e.by is Role.MEDIATOR
            else f"{who(e.by)} offered {remedy_text(e.remedy)} (offer {e.offer_id})."
        )
        + (f" It replaces offer {e.supersedes}." if e.supersedes else ""),
        details={
            "offer_id": e.offer_id,
            "by": e.by.value,
            "remedy": remedy_details(e.remedy),
            "supersedes": e.supersedes,
        },
        personal=("message",) if e.message is not None else (),
    ),
    C.OfferAccepted: lambda e: Described(
        f"{who(e.by)} accepted offer {e.offer_id}.", details={"offer_id": e.offer_id}
    ),
    C.OfferDeclined: lambda e: Described(
        f"{who(e.by)} declined offer {e.offer_id}.",
        details={"offer_id": e.offer_id},
        personal=("reason",) if e.reason is not None else (),
    ),
    C.Settled: lambda e: Described(
        f"Settled by agreement on {remedy_text(e.remedy)} (offer {e.offer_id}).",
        details={"offer_id": e.offer_id, "remedy": remedy_details(e.remedy)},
    ),
    C.InterventionRequested: lambda e: Described(
        f"{who(e.by)} asked the platform to intervene; the case is under review."
    ),
    C.Escalated: lambda e: Described(
        f"No agreement in time: escalated to platform review{enforcing(e.enforced_deadline_id)}.",
        details={"enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.DefaultRuled: lambda e: Described(
        f"Default ruling: {words(e.outcome)}, {remedy_text(e.remedy)}, because the"
        f" {words(e.deadline_kind)} deadline passed without an answer"
        f"{enforcing(e.enforced_deadline_id)}.{citing(e.rule_codes, e.timestamp)}",
        details={
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "enforced_deadline_id": e.enforced_deadline_id,
            "deadline_kind": e.deadline_kind.value,
            "rule_codes": e.rule_codes or [],
        },
    ),
    C.Assigned: lambda e: Described("An arbiter was assigned to investigate."),
    C.MediatorAssigned: lambda e: Described("A mediator was assigned to the case."),
    C.ProposalLapsed: lambda e: Described(
        f"The mediator's proposal {e.offer_id} was not accepted in time and counts as declined"
        f"{enforcing(e.enforced_deadline_id)}.",
        details={"offer_id": e.offer_id, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.EvidenceRequested: lambda e: Described(
        f"Evidence requested from the {words(e.party)}: {', '.join(e.kinds)};"
        f" due {when(e.due_at)}.",
        details={
            "request_id": e.request_id,
            "party": e.party.value,
            "kinds": e.kinds,
            "note": e.note,
            "due_at": moment(e.due_at),
        },
    ),
    C.EvidenceSubmitted: lambda e: Described(
        f"{who(e.actor.role)} added evidence: {e.kind}."
        if e.request_id is None
        else f"{who(e.actor.role)} answered evidence request {e.request_id}: {e.kind}.",
        details={
            "request_id": e.request_id,
            "evidence_id": e.evidence_id,
            "kind": e.kind,
            "sha256": e.sha256,
            "media_type": e.media_type,
            "size": e.size,
        },
        personal=("description",) if e.description is not None else (),
    ),
    C.EvidenceMissed: lambda e: Described(
        f"Evidence request {e.request_id} was not answered in time"
        f"{enforcing(e.enforced_deadline_id)}.",
        details={"request_id": e.request_id, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.FindingRecorded: lambda e: Described(
        f"Preliminary finding: {e.finding}", Audience.STAFF, {"finding": e.finding}
    ),
    C.RulingIssued: lambda e: Described(
        f"Ruling: {words(e.outcome)}, {remedy_text(e.remedy)}.{citing(e.rule_codes, e.timestamp)}",
        details={
            "level": e.level,
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "rationale": e.rationale,
            "rule_codes": e.rule_codes,
        },
    ),
    C.RulingAcknowledged: lambda e: Described(
        f"{who(e.by)} acknowledged the written notice of the"
        f" {'appeal decision' if e.level == 2 else 'ruling'}.",
        details={"level": e.level},
    ),
    C.AppealFiled: lambda e: Described(f"{who(e.by)} appealed the ruling.", personal=("grounds",)),
    C.AppealDecided: lambda e: Described(
        f"Appeal {'upheld' if e.granted else 'dismissed'}: {words(e.outcome)},"
        f" {remedy_text(e.remedy)}.{citing(e.rule_codes, e.timestamp)}",
        details={
            "granted": e.granted,
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "rationale": e.rationale,
            "rule_codes": e.rule_codes or [],
        },
    ),
    C.RulingFinalised: lambda e: Described(
        f"The decision is final: {words(e.outcome)}, {remedy_text(e.remedy)}"
        f"{enforcing(e.enforced_deadline_id)}.",
        details={
            "outcome": e.outcome.value,
            "remedy": remedy_details(e.remedy),
            "enforced_deadline_id": e.enforced_deadline_id,
        },
    ),
    C.FulfilmentStarted: lambda e: Described(
        f"Carrying out the remedy: {', then '.join(words(s) for s in e.steps)}.",
        details={"steps": [s.value for s in e.steps]},
    ),
    C.RefundConfirmed: lambda e: Described(
        "The seller confirmed the refund"
        f"{f' of {e.amount.amount} {e.amount.currency}' if e.amount else ''}.",
    ),
    C.ReturnShipped: lambda e: Described(
        f"The consumer shipped the goods back with {e.carrier}.",
        details={"carrier": e.carrier},
        personal=("tracking_number",),
    ),
    C.ReturnReceived: lambda e: Described(
        "The return is deemed received: the seller did not confirm in time"
        f"{enforcing(e.enforced_deadline_id)}."
        if e.deemed
        else "The seller confirmed receipt of the return.",
        details={"deemed": e.deemed, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.ReplacementShipped: lambda e: Described(
        f"The seller shipped the goods with {e.carrier}.",
        details={"carrier": e.carrier},
        personal=("tracking_number",),
    ),
    C.RefundAdvanced: lambda e: Described(
        f"The platform paid {e.amount.amount} {e.amount.currency} to the consumer and charged"
        " the seller's deposit, because "
        + (
            "supervision upheld the consumer's dispute of the remedy."
            if e.enforced_deadline_id is None
            else f"the seller missed the remedy deadline{enforcing(e.enforced_deadline_id)}."
        ),
        details={
            "amount": str(e.amount.amount),
            "currency": e.amount.currency,
            "enforced_deadline_id": e.enforced_deadline_id,
        },
    ),
    C.RemedyDefaulted: lambda e: Described(
        f"The seller missed the {words(e.step)} deadline{enforcing(e.enforced_deadline_id)};"
        " a new deadline was set.",
        details={"step": e.step.value, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.ReturnForfeited: lambda e: Described(
        "The consumer did not ship the return in time; the remedy lapsed"
        f"{enforcing(e.enforced_deadline_id)}.",
        details={"enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.Closed: lambda e: Described(
        f"Closed: {words(e.outcome)}{enforcing(e.enforced_deadline_id)}.",
        details={"outcome": e.outcome.value, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.ExecutionIssueRaised: lambda e: Described(
        f"{who(e.by)} reported a problem carrying out the remedy (issue {e.issue_id}).",
        details={"issue_id": e.issue_id},
        personal=("text",),
    ),
    C.ExecutionIssueResolved: lambda e: Described(
        f"Issue {e.issue_id} resolved: {e.resolution}",
        details={"issue_id": e.issue_id, "resolution": e.resolution, "advanced": e.advanced},
    ),
    C.RemedyConfirmed: lambda e: Described(
        "The remedy is deemed received: the consumer did not answer in time"
        f"{enforcing(e.enforced_deadline_id)}."
        if e.deemed
        else "The consumer confirmed the remedy arrived.",
        details={"deemed": e.deemed, "enforced_deadline_id": e.enforced_deadline_id},
    ),
    C.RemedyDisputed: lambda e: Described(
        f"The consumer disputed the remedy: it did not arrive as reported (issue {e.issue_id}).",
        details={"issue_id": e.issue_id},
        personal=("reason",),
    ),
    # A party sees only its own rating (Complaint.ratings); the other's is not in its timeline.
    C.Rated: lambda e: Described(
        f"{who(e.by)} rated the handling {e.score} out of 5.",
        Audience.STAFF,
        details={"score": e.score},
        personal=("comment",) if e.comment is not None else (),
    ),
    C.ClockPaused: lambda e: Described(
        f"The platform paused the case's clock: {e.reason} Deadlines wait until it resumes"
        f"{f', at the latest {when(e.resumes_at)} ({e.limit})' if e.resumes_at else ''}.",
        details={
            "reason": e.reason,
            "resumes_at": moment(e.resumes_at) if e.resumes_at else None,
            "limit": e.limit,
        },
    ),
    C.ClockResumed: lambda e: Described(
        f"The clock runs again after {e.paused_seconds / 3600:.1f} hours paused"
        f"{f', the longest a clock may be paused ({e.limit})' if e.limit else ''};"
        f" {len(e.extended)} deadline(s) moved later by that time.",
        details={
            "paused_seconds": e.paused_seconds,
            "extended": {str(x.deadline_id): moment(x.due_at) for x in e.extended},
            "limit": e.limit,
        },
    ),
    C.MessagePosted: lambda e: Described(
        f"Internal note by the {words(e.actor.role)}."
        if e.visibility is Visibility.STAFF
        else f"{who(e.actor.role)} wrote a message.",
        Audience.STAFF if e.visibility is Visibility.STAFF else Audience.PARTIES,
        {"message_id": e.message_id},
        ("text",),
    ),
}


def describe(event: Any) -> Described:
    return DESCRIBE[type(event)](event)


class Timeline(Projection):
    name = "timeline"
    tables = {  # noqa: RUF012 - read-only class data
        "cases": "complaint_id TEXT PRIMARY KEY, consumer_id TEXT NOT NULL, shop_id TEXT NOT NULL",
        "entries": (
            "complaint_id TEXT NOT NULL, version BIGINT NOT NULL, position BIGINT NOT NULL,"
            " type TEXT NOT NULL, at TEXT NOT NULL, actor_role TEXT NOT NULL,"
            " actor_id TEXT NOT NULL, audience TEXT NOT NULL, summary TEXT NOT NULL,"
            " details TEXT NOT NULL, personal TEXT NOT NULL,"
            " PRIMARY KEY (complaint_id, version)"
        ),
    }
    # v2: an index on position; v3: decisions name the rules they cite; v4: remedies in details
    # are objects, not JSON strings inside the JSON; v5: ratings for staff only; v6: evidence
    # names its file's media type and size; v7: resolutions say whether the platform advanced;
    # v8: a deadline names the duration and the DEADLINES entry that set it; v9: evidence says
    # whether it answered a request or was added unasked
    version = 9
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {entries} (position)",)

    def __init__(self, generation: int) -> None:
        super().__init__(generation)
        #: Entries are written together when the batch is flushed: one round trip, not hundreds.
        self._entries: list[tuple[Any, ...]] = []

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        if not isinstance(event, Complaint.Event):
            return
        if isinstance(event, Complaint.Filed):
            tx.execute(
                f"INSERT INTO {self.t['cases']} (complaint_id, consumer_id, shop_id)"
                " VALUES (?, ?, ?)",
                (str(event.originator_id), event.consumer_id, event.shop_id),
            )
        described = describe(event)
        actor: Actor = event.actor  # type: ignore[attr-defined]
        self._entries.append(
            (
                str(event.originator_id),
                event.originator_version,
                position,
                type(event).__name__,
                moment(event.timestamp),
                actor.role.value,
                actor.id,
                described.audience.value,
                described.summary,
                dumps(described.details or {}),
                dumps(list(described.personal)),
            )
        )

    def flush(self, tx: Tx) -> None:
        tx.many(
            f"INSERT INTO {self.t['entries']} ({', '.join(ENTRY_COLUMNS)})"
            f" VALUES ({', '.join('?' for _ in ENTRY_COLUMNS)})",
            self._entries,
        )
        self._entries.clear()


@dataclass(frozen=True)
class TimelineEntry:
    complaint_id: UUID
    version: int
    position: int
    type: str
    at: datetime
    actor_role: Role
    actor_id: str | None  # staff and auditors see who acted; parties only see themselves
    audience: Audience
    summary: str
    details: dict[str, Any]
    personal: tuple[str, ...]


@dataclass(frozen=True)
class CaseRow:
    """A timeline row as stored (keyed by ENTRY_COLUMNS), with its case's consumer and shop."""

    row: Row
    consumer_id: str
    shop_id: str

    @property
    def complaint_id(self) -> str:
        return str(self.row["complaint_id"])

    @property
    def position(self) -> int:
        return int(self.row["position"])

    @property
    def type(self) -> str:
        return str(self.row["type"])

    @property
    def audience(self) -> Audience:
        return Audience(self.row["audience"])

    def entry_for(self, viewer: Actor) -> TimelineEntry:
        return _entry(self.row, viewer, sees_staff_identities(viewer))


#: The columns of a timeline entry, in the order the projection inserts them.
ENTRY_COLUMNS = (
    "complaint_id",
    "version",
    "position",
    "type",
    "at",
    "actor_role",
    "actor_id",
    "audience",
    "summary",
    "details",
    "personal",
)
#: The same, selected from the entries table under the alias `e`.
_E = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS)


def rows_after_sql(t: dict[str, str]) -> str:
    """Entries after a position (`?`), at most a number (`?`), with their cases' parties."""
    return (
        f"SELECT {_E}, c.consumer_id, c.shop_id"
        f" FROM {t['entries']} e JOIN {t['cases']} c ON c.complaint_id = e.complaint_id"
        " WHERE e.position > ? ORDER BY e.position LIMIT ?"
    )


def head_sql(t: dict[str, str]) -> str:
    return f"SELECT MAX(position) AS head FROM {t['entries']}"


def head_position(row: Row | None) -> int:
    """What `head_sql` read: the newest entry's position, or 0 for none."""
    return 0 if row is None or row["head"] is None else int(row["head"])


def case_rows(rows: list[Row]) -> list[CaseRow]:
    return [CaseRow(r, str(r["consumer_id"]), str(r["shop_id"])) for r in rows]


def _entry(row: Row, viewer: Actor, show_ids: bool) -> TimelineEntry:
    actor_id = row["actor_id"]
    return TimelineEntry(
        UUID(row["complaint_id"]),
        int(row["version"]),
        int(row["position"]),
        row["type"],
        from_moment(row["at"]),
        Role(row["actor_role"]),
        actor_id if show_ids or actor_id == viewer.id else None,
        Audience(row["audience"]),
        row["summary"],
        json.loads(row["details"]),
        tuple(json.loads(row["personal"])),
    )


class TimelineView(View):
    projection = Timeline

    def entries(
        self,
        viewer: Actor,
        complaint_id: UUID,
        *,
        first: int = 50,
        after: int | None = None,
        upto_version: int | None = None,
    ) -> Page[TimelineEntry] | None:
        """The entries this viewer may see, oldest first; None if the complaint is not theirs.

        `after` is the version of the last entry of the previous page; `upto_version` cuts the
        timeline where a complaint stood at that version.
        """
        check_page_size(first)
        audiences = [a.value for a in Audience if sees_entry(viewer, a)]
        show_ids = sees_staff_identities(viewer)

        def query(tx: Tx, t: dict[str, str]) -> Page[TimelineEntry] | None:
            # The case's parties and the page in one statement: a case with no entry the
            # viewer may see still gives one row, with the entry's columns empty.
            marks = ", ".join("?" for _ in audiences) or "NULL"
            on = f"e.complaint_id = c.complaint_id AND e.audience IN ({marks}) AND e.version > ?"
            params: list[Any] = [*audiences, after or 0]
            if upto_version is not None:
                on += " AND e.version <= ?"
                params.append(upto_version)
            rows = tx.all(
                f"SELECT c.consumer_id, c.shop_id, {_E}"
                f" FROM {t['cases']} c LEFT JOIN {t['entries']} e ON {on}"
                " WHERE c.complaint_id = ? ORDER BY e.version LIMIT ?",
                [*params, str(complaint_id), first + 1],
            )
            if not rows:
                return None
            case = rows[0]
            if not can_view(viewer, consumer_id=case["consumer_id"], shop_id=case["shop_id"]):
                return None
            entries = [r for r in rows if r["complaint_id"] is not None]
            items = [_entry(r, viewer, show_ids) for r in entries[:first]]
            return Page(items, has_next=len(entries) > first)

        return self.read(query)

    def since(
        self,
        viewer: Actor,
        position: int,
        *,
        complaint_id: UUID | None = None,
        limit: int = 100,
    ) -> list[TimelineEntry]:
        """Entries after a log position that this viewer may see, in log order: one complaint's,
        or (without `complaint_id`) those of every complaint the viewer may list."""
        scope = list_scope(viewer)
        audiences = [a.value for a in Audience if sees_entry(viewer, a)]
        if scope.nothing or not audiences:
            return []
        conditions = [f"e.audience IN ({', '.join('?' for _ in audiences)})", "e.position > ?"]
        params: list[Any] = [*audiences, position]
        if complaint_id is not None:
            conditions.append("e.complaint_id = ?")
            params.append(str(complaint_id))
        if scope.consumer_id is not None:
            conditions.append("c.consumer_id = ?")
            params.append(scope.consumer_id)
        if scope.shop_id is not None:
            conditions.append("c.shop_id = ?")
            params.append(scope.shop_id)
        show_ids = sees_staff_identities(viewer)

        def query(tx: Tx, t: dict[str, str]) -> list[TimelineEntry]:
            rows = tx.all(
                f"SELECT {_E}"
                f" FROM {t['entries']} e JOIN {t['cases']} c ON c.complaint_id = e.complaint_id"
                f" WHERE {' AND '.join(conditions)} ORDER BY e.position LIMIT ?",
                [*params, limit],
            )
            return [_entry(r, viewer, show_ids) for r in rows]

        return self.read(query)

    def head(self) -> int:
        """The log position of the newest entry (0 for none)."""

        def query(tx: Tx, t: dict[str, str]) -> int:
            return head_position(tx.one(head_sql(t), ()))

        return self.read(query)

    def rows_after(self, position: int, limit: int = 1000) -> list[CaseRow]:
        """Every entry after a log position, for every viewer at once, with the parties of its
        case (to decide who may see it): what one reader per process fans out to subscribers
        (`complaints/projections/tail.py` reads the same on the event loop)."""

        def query(tx: Tx, t: dict[str, str]) -> list[CaseRow]:
            return case_rows(tx.all(rows_after_sql(t), (position, limit)))

        return self.read(query)

    def rows_at(self, positions: list[int]) -> dict[int, CaseRow]:
        """The entries at these log positions, with the parties of their cases."""
        if not positions:
            return {}

        def query(tx: Tx, t: dict[str, str]) -> dict[int, CaseRow]:
            marks = ",".join("?" for _ in positions)
            rows = tx.all(
                f"SELECT {_E}, c.consumer_id, c.shop_id"
                f" FROM {t['entries']} e JOIN {t['cases']} c ON c.complaint_id = e.complaint_id"
                f" WHERE e.position IN ({marks})",
                positions,
            )
            return {row.position: row for row in case_rows(rows)}

        return self.read(query)
