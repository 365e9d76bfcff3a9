"""Shop decisions: every decision the platform makes about a shop (a sanction imposed, lifted,
expired or its appeal decided; money taken from its deposit) and every violation reported
against it, reported, answered, confirmed or dismissed, as entries a person can read, each with
the shop's standing after it. The webhook deliverer follows it beside the timeline: a shop's
endpoints hear of their own shop's, the marketplace's endpoints of every shop's.

As in the timeline, entries hold no personal text: a reporter's description and a shop's
response are named (`personal`), never copied. What only the shop's own staff and the platform
see (the deposit's balance and debt after a deduction) is kept apart (`private`), and who among
staff acted is shown to staff only: `DecisionRow.entry_for` redacts per viewer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaints.domain.access import sees_deposit, sees_staff_identities
from complaints.domain.labels import label
from complaints.domain.seller import Seller, standing
from complaints.domain.text import Text
from complaints.domain.values import Actor, Money, Role, SanctionKind, ViolationKind
from complaints.domain.violation import Violation
from complaints.domain.webhook import SHOP_EVENT_TYPES
from complaints.projections.base import Projection, View, dumps, from_moment, moment
from complaints.projections.database import Row, Tx
from complaints.projections.describe import citing, when, words


@dataclass(frozen=True)
class Described:
    summary: Text
    #: What the shop and the marketplace read: the sanction, violation or deduction named.
    details: dict[str, Any]
    #: What only the shop's own staff and platform staff read (`access.sees_deposit`).
    private: dict[str, Any] | None = None
    personal: tuple[str, ...] = ()


@dataclass(frozen=True)
class Known:
    """What the read model knows of the shop when it describes an event: the sanction an event
    names, the violation, the shop."""

    shop_id: str
    sanction: dict[str, Any] | None = None  # kind, until of the sanction the event names
    violation: dict[str, Any] | None = None  # kind, complaint of the violation


def money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value.amount), "currency": value.currency}


def sanction_named(e: Any, known: Known) -> dict[str, Any]:
    sanction = known.sanction or {}
    return {"id": e.sanction_id, "kind": sanction.get("kind")}


def violation_named(e: Any, known: Known, **more: Any) -> dict[str, Any]:
    violation = known.violation or {}
    return {
        "violation_id": str(e.originator_id),
        "kind": violation.get("kind"),
        "complaint_id": violation.get("complaint_id"),
        **more,
    }


#: Each kind of sanction as a summary names it.
SANCTIONS = {
    SanctionKind.WARNING: Text("a warning"),
    SanctionKind.FINE: Text("a fine"),
    SanctionKind.TRADING_RESTRICTED: Text("a trading restriction"),
    SanctionKind.SHOP_CLOSED: Text("the shop's closure"),
}


def sanction_kind(value: str | None) -> Text | str:
    """A sanction's kind as read back from the read model, in words."""
    return label(SanctionKind(value)) if value else words(value)


def violation_kind(value: str | None) -> Text | str:
    return label(ViolationKind(value)) if value else words(value)


def imposed(e: Seller.SanctionImposed, known: Known) -> Described:
    lasting: Text | str = (
        Text(" until {until}", until=when(e.until)) if e.until else Text(" until it is lifted")
    )
    what: Text | str = SANCTIONS.get(e.kind, words(e.kind))
    if e.fine is not None:
        what = Text(
            "a fine of {amount} {currency}", amount=str(e.fine.amount), currency=e.fine.currency
        )
        lasting = ""
    return Described(
        Text(
            "The platform imposed {what}{lasting}: {reason}",
            what=what,
            lasting=lasting,
            reason=e.reason,
        ),
        {
            "sanction": {
                "id": e.sanction_id,
                "kind": e.kind.value,
                "reason": e.reason,
                "imposed_at": moment(e.timestamp),
                "until": moment(e.until) if e.until else None,
                "complaint_id": str(e.complaint_id) if e.complaint_id else None,
                "fine": money(e.fine),
            }
        },
    )


def lifted(e: Seller.SanctionLifted, known: Known) -> Described:
    sanction = sanction_named(e, known)
    return Described(
        Text(
            "Sanction {sanction_id} ({kind}) lifted: {reason}",
            sanction_id=e.sanction_id,
            kind=sanction_kind(sanction["kind"]),
            reason=e.reason,
        ),
        {"sanction": sanction, "reason": e.reason},
    )


def expired(e: Seller.SanctionExpired, known: Known) -> Described:
    sanction = sanction_named(e, known)
    return Described(
        Text(
            "Sanction {sanction_id} ({kind}) expired.",
            sanction_id=e.sanction_id,
            kind=sanction_kind(sanction["kind"]),
        ),
        {"sanction": sanction},
    )


def appeal_decided(e: Seller.SanctionAppealDecided, known: Known) -> Described:
    sanction = sanction_named(e, known)
    kind = sanction_kind(sanction["kind"])
    return Described(
        Text(
            "The shop's appeal of sanction {sanction_id} ({kind}) was granted: {rationale}",
            sanction_id=e.sanction_id,
            kind=kind,
            rationale=e.rationale,
        )
        if e.granted
        else Text(
            "The shop's appeal of sanction {sanction_id} ({kind}) was dismissed: {rationale}",
            sanction_id=e.sanction_id,
            kind=kind,
            rationale=e.rationale,
        ),
        {"sanction": sanction, "granted": e.granted, "rationale": e.rationale},
    )


def deducted(e: Seller.DepositDeducted, known: Known) -> Described:
    return Described(
        Text(
            "{amount} {currency} taken from the shop's deposit: {reason}",
            amount=str(e.amount.amount),
            currency=e.amount.currency,
            reason=e.reason,
        ),
        {
            "deposit": {
                "amount": money(e.amount),
                "reason": e.reason,
                "complaint_id": str(e.complaint_id) if e.complaint_id else None,
            }
        },
        private={
            "deposit": {
                "balance_after": {"amount": str(e.balance_after), "currency": e.amount.currency},
                "debt_after": {"amount": str(e.debt_after), "currency": e.amount.currency},
            }
        },
    )


def reported(e: Violation.Reported, known: Known) -> Described:
    return Described(
        Text(
            "A {kind} violation was reported against the shop by the {role}."
            " The shop may answer until {until}.",
            kind=label(e.kind),
            role=label(e.actor.role),
            until=when(e.response_due_at),
        )
        if e.response_due_at
        else Text(
            "A {kind} violation was reported against the shop by the {role}.",
            kind=label(e.kind),
            role=label(e.actor.role),
        ),
        {
            "violation": {
                "violation_id": str(e.originator_id),
                "kind": e.kind.value,
                "complaint_id": str(e.complaint_id) if e.complaint_id else None,
                "reported_by": e.actor.role.value,
                "status": "REPORTED",
                "response_due_at": moment(e.response_due_at) if e.response_due_at else None,
                "decision_due_at": moment(e.decision_due_at) if e.decision_due_at else None,
            }
        },
        personal=("description",),
    )


def responded(e: Violation.Responded, known: Known) -> Described:
    violation = violation_named(e, known, status="REPORTED")
    return Described(
        Text(
            "The shop answered the {kind} violation report.",
            kind=violation_kind(violation["kind"]),
        ),
        {"violation": violation},
        personal=("response",),
    )


def confirmed(e: Violation.Confirmed, known: Known) -> Described:
    violation = violation_named(e, known, status="CONFIRMED")
    return Described(
        Text(
            "The {kind} violation was confirmed: {rationale}{citing}",
            kind=violation_kind(violation["kind"]),
            rationale=e.rationale,
            citing=citing(e.rule_codes, e.timestamp),
        )
        if e.rationale
        else Text(
            "The {kind} violation was confirmed.{citing}",
            kind=violation_kind(violation["kind"]),
            citing=citing(e.rule_codes, e.timestamp),
        ),
        {"violation": violation, "rationale": e.rationale, "rule_codes": e.rule_codes or []},
    )


def dismissed(e: Violation.Dismissed, known: Known) -> Described:
    violation = violation_named(e, known, status="DISMISSED")
    return Described(
        Text(
            "The {kind} violation report was dismissed: {reason}",
            kind=violation_kind(violation["kind"]),
            reason=e.reason,
        ),
        {"violation": violation, "reason": e.reason},
    )


#: Each event told, under the type endpoints filter by (`webhook.SHOP_EVENT_TYPES`).
DESCRIBE: dict[type[Any], tuple[str, Callable[[Any, Known], Described]]] = {
    Seller.SanctionImposed: ("seller.SanctionImposed", imposed),
    Seller.SanctionLifted: ("seller.SanctionLifted", lifted),
    Seller.SanctionExpired: ("seller.SanctionExpired", expired),
    Seller.SanctionAppealDecided: ("seller.SanctionAppealDecided", appeal_decided),
    Seller.DepositDeducted: ("seller.DepositDeducted", deducted),
    Violation.Reported: ("violation.Reported", reported),
    Violation.Responded: ("violation.Responded", responded),
    Violation.Confirmed: ("violation.Confirmed", confirmed),
    Violation.Dismissed: ("violation.Dismissed", dismissed),
}
assert {name for name, _ in DESCRIBE.values()} == SHOP_EVENT_TYPES

ENTRY_COLUMNS = (
    "position",
    "shop_id",
    "type",
    "at",
    "actor_role",
    "actor_id",
    "summary",
    "details",
    "private",
    "personal",
    "standing",
)


class ShopDecisions(Projection):
    name = "shop_decisions"
    # v2: a summary is stored as its template and parameters (JSON), for each reader's language
    version = 2
    readable_from = 2
    tables = {  # noqa: RUF012 - read-only class data
        "shops": "seller_id TEXT PRIMARY KEY, shop_id TEXT NOT NULL",
        # Each sanction, for the standing after each decision and the kind a decision names.
        "sanctions": (
            "shop_id TEXT NOT NULL, sanction_id TEXT NOT NULL, kind TEXT NOT NULL, until TEXT,"
            " active BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (shop_id, sanction_id)"
        ),
        "violations": (
            "violation_id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, kind TEXT NOT NULL,"
            " complaint_id TEXT"
        ),
        "entries": (
            "position BIGINT PRIMARY KEY, shop_id TEXT NOT NULL, type TEXT NOT NULL,"
            " at TEXT NOT NULL, actor_role TEXT NOT NULL, actor_id TEXT NOT NULL,"
            " summary TEXT NOT NULL, details TEXT NOT NULL, private TEXT,"
            " personal TEXT NOT NULL, standing TEXT NOT NULL"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {entries} (shop_id, position)",)

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        if isinstance(event, Seller.Registered):
            tx.execute(
                f"INSERT INTO {self.t['shops']} (seller_id, shop_id) VALUES (?, ?)",
                (str(event.originator_id), event.shop_id),
            )
            return
        told = DESCRIBE.get(type(event))
        if told is None:
            return
        name, describe = told
        known = self._known(tx, event)
        if known is None:
            return  # a shop the platform never registered (no such event is stored)
        described = describe(event, known)
        self._record(tx, event, known.shop_id, position)
        actor: Actor = event.actor
        tx.execute(
            f"INSERT INTO {self.t['entries']} ({', '.join(ENTRY_COLUMNS)})"
            f" VALUES ({', '.join('?' for _ in ENTRY_COLUMNS)})",
            (
                position,
                known.shop_id,
                name,
                moment(event.timestamp),
                actor.role.value,
                actor.id,
                dumps(described.summary.as_json()),
                dumps(described.details),
                None if described.private is None else dumps(described.private),
                dumps(list(described.personal)),
                dumps(self._standing(tx, known.shop_id)),
            ),
        )

    def _known(self, tx: Tx, event: Any) -> Known | None:
        if isinstance(event, Violation.Reported):
            return Known(event.shop_id)
        if isinstance(event, Violation.Responded | Violation.Confirmed | Violation.Dismissed):
            row = tx.one(
                f"SELECT shop_id, kind, complaint_id FROM {self.t['violations']}"
                " WHERE violation_id = ?",
                (str(event.originator_id),),
            )
            if row is None:
                return None
            return Known(str(row["shop_id"]), violation=dict(row))
        shop = tx.one(
            f"SELECT shop_id FROM {self.t['shops']} WHERE seller_id = ?",
            (str(event.originator_id),),
        )
        if shop is None:
            return None
        shop_id = str(shop["shop_id"])
        sanction_id = getattr(event, "sanction_id", None)
        if sanction_id is None or isinstance(event, Seller.SanctionImposed):
            return Known(shop_id)
        row = tx.one(
            f"SELECT kind, until FROM {self.t['sanctions']} WHERE shop_id = ? AND sanction_id = ?",
            (shop_id, sanction_id),
        )
        return Known(shop_id, sanction=None if row is None else dict(row))

    def _record(self, tx: Tx, event: Any, shop_id: str, position: int) -> None:
        """What the next descriptions and standings need: the sanctions, the violations."""
        if isinstance(event, Seller.SanctionImposed):
            tx.execute(
                f"INSERT INTO {self.t['sanctions']} (shop_id, sanction_id, kind, until, active,"
                " seq) VALUES (?, ?, ?, ?, 1, ?)",
                (
                    shop_id,
                    event.sanction_id,
                    event.kind.value,
                    moment(event.until) if event.until else None,
                    position,
                ),
            )
        elif isinstance(event, Seller.SanctionLifted | Seller.SanctionExpired):
            tx.execute(
                f"UPDATE {self.t['sanctions']} SET active = 0"
                " WHERE shop_id = ? AND sanction_id = ?",
                (shop_id, event.sanction_id),
            )
        elif isinstance(event, Violation.Reported):
            tx.execute(
                f"INSERT INTO {self.t['violations']} (violation_id, shop_id, kind, complaint_id)"
                " VALUES (?, ?, ?, ?)",
                (
                    str(event.originator_id),
                    shop_id,
                    event.kind.value,
                    str(event.complaint_id) if event.complaint_id else None,
                ),
            )

    def _standing(self, tx: Tx, shop_id: str) -> dict[str, Any]:
        """The shop's standing after the event (the rule is the domain's, standing.py)."""
        rows = tx.all(
            f"SELECT sanction_id, kind, until FROM {self.t['sanctions']}"
            " WHERE shop_id = ? AND active = 1 ORDER BY seq",
            (shop_id,),
        )
        active = [
            ActiveSanction(
                str(r["sanction_id"]),
                SanctionKind(r["kind"]),
                from_moment(r["until"]) if r["until"] else None,
            )
            for r in rows
        ]
        now = standing(active)
        return {
            "shop_id": shop_id,
            "status": now.status,
            "can_take_orders": now.can_take_orders,
            "can_list_products": now.can_list_products,
            "restricted_until": moment(now.restricted_until) if now.restricted_until else None,
            "active_sanctions": [
                {"id": s.id, "kind": s.kind.value, "until": moment(s.until) if s.until else None}
                for s in active
            ],
        }


@dataclass(frozen=True)
class ActiveSanction:
    id: str
    kind: SanctionKind
    until: datetime | None


@dataclass(frozen=True)
class ShopDecision:
    """One decision as a viewer may read it."""

    position: int
    shop_id: str
    type: str
    at: datetime
    actor_role: Role
    actor_id: str | None  # staff and auditors see who acted
    summary: Text
    details: dict[str, Any]
    personal: tuple[str, ...]
    standing: dict[str, Any]


@dataclass(frozen=True)
class DecisionRow:
    """An entry as stored (keyed by ENTRY_COLUMNS)."""

    row: Row

    @property
    def position(self) -> int:
        return int(self.row["position"])

    @property
    def shop_id(self) -> str:
        return str(self.row["shop_id"])

    @property
    def type(self) -> str:
        return str(self.row["type"])

    def entry_for(self, viewer: Actor) -> ShopDecision:
        """Redacted for `viewer`: the deposit's figures for the shop's staff and the platform's
        only, and staff identities for staff only."""
        row = self.row
        details = json.loads(row["details"])
        if row["private"] is not None and sees_deposit(viewer, self.shop_id):
            for key, more in json.loads(row["private"]).items():
                details[key] = {**details.get(key, {}), **more}
        actor_id = row["actor_id"]
        return ShopDecision(
            position=self.position,
            shop_id=self.shop_id,
            type=self.type,
            at=from_moment(row["at"]),
            actor_role=Role(row["actor_role"]),
            actor_id=actor_id if sees_staff_identities(viewer) else None,
            summary=Text.from_json(json.loads(row["summary"])),
            details=details,
            personal=tuple(json.loads(row["personal"])),
            standing=json.loads(row["standing"]),
        )


_COLUMNS = ", ".join(ENTRY_COLUMNS)


class ShopDecisionsView(View):
    projection = ShopDecisions

    def rows_after(self, position: int, limit: int = 1000) -> list[DecisionRow]:
        """Every decision after a log position, every shop's, in log order."""

        def query(tx: Tx, t: dict[str, str]) -> list[DecisionRow]:
            rows = tx.all(
                f"SELECT {_COLUMNS} FROM {t['entries']} WHERE position > ?"
                " ORDER BY position LIMIT ?",
                (position, limit),
            )
            return [DecisionRow(r) for r in rows]

        return self.read(query)

    def rows_at(self, positions: list[int]) -> dict[int, DecisionRow]:
        if not positions:
            return {}

        def query(tx: Tx, t: dict[str, str]) -> dict[int, DecisionRow]:
            marks = ",".join("?" for _ in positions)
            rows = tx.all(
                f"SELECT {_COLUMNS} FROM {t['entries']} WHERE position IN ({marks})", positions
            )
            return {int(r["position"]): DecisionRow(r) for r in rows}

        return self.read(query)

    def of_shop(self, shop_id: str, after: int = 0, limit: int = 100) -> list[DecisionRow]:
        """One shop's decisions after a log position, in log order."""

        def query(tx: Tx, t: dict[str, str]) -> list[DecisionRow]:
            rows = tx.all(
                f"SELECT {_COLUMNS} FROM {t['entries']} WHERE shop_id = ? AND position > ?"
                " ORDER BY position LIMIT ?",
                (shop_id, after, limit),
            )
            return [DecisionRow(r) for r in rows]

        return self.read(query)
