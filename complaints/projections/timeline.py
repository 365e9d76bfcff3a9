"""The timeline of each complaint: every event as an entry a person can read.

Entries hold no personal text. An entry names the personal fields its event carries, so that a
reader allowed to see them can fetch them from the event store, where erasure is respected.
Redaction for the viewer happens when the timeline is read (`complaints.domain.access`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from complaints.domain.access import (
    Audience,
    can_view,
    list_scope,
    sees_entry,
    sees_staff_identities,
)
from complaints.domain.complaint import Complaint
from complaints.domain.text import Text
from complaints.domain.values import Actor, Role
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
from complaints.projections.describe import DESCRIBE, Described, describe, when, words

__all__ = ["DESCRIBE", "Described", "describe", "when", "words"]


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
    # whether it answered a request or was added unasked; v10: a summary is stored as its
    # template and parameters (JSON), so that each reader reads it in their language
    version = 10
    readable_from = 10
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
                dumps(described.summary.as_json()),
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
    summary: Text
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
        Text.from_json(json.loads(row["summary"])),
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
