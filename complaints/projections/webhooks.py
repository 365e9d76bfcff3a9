"""Webhook endpoints as the API lists them and the deliverer follows them: each shop's, and the
marketplace's (no shop).

Each endpoint keeps the log position of its registration: the deliverer sends every timeline
entry and shop decision after it. A redelivery request is kept as (after, its version), so that
the deliverer can tell a request it has not acted on yet from one it has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from complaints.domain.webhook import WebhookEndpoint as Endpoint
from complaints.domain.webhook import sends
from complaints.projections.base import Projection, View, dumps, from_moment, moment, on
from complaints.projections.database import Row, Tx

COLUMNS = (
    "endpoint_id, shop_id, url, events, status, created_at, position, disabled_reason,"
    " changed_at, redeliver_after, redeliver_version, locale"
)


class Webhooks(Projection):
    name = "webhooks"
    # v2: the marketplace's endpoints, with no shop (v1's tables read the same); v3: each
    # endpoint's language
    version = 3
    readable_from = 3
    tables = {  # noqa: RUF012 - read-only class data
        "endpoints": (
            "endpoint_id TEXT PRIMARY KEY, shop_id TEXT, url TEXT NOT NULL,"
            " events TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,"
            " position BIGINT NOT NULL, disabled_reason TEXT, changed_at TEXT NOT NULL,"
            " redeliver_after BIGINT, redeliver_version BIGINT, locale TEXT NOT NULL"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS {index} ON {endpoints} (shop_id, created_at)",)

    @on(Endpoint.Registered)
    def registered(self, tx: Tx, e: Endpoint.Registered, position: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t['endpoints']} ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                str(e.originator_id),
                e.shop_id,
                e.url,
                dumps(e.events),
                "ACTIVE",
                moment(e.timestamp),
                position,
                None,
                moment(e.timestamp),
                None,
                None,
                e.locale,
            ),
        )

    @on(Endpoint.Removed)
    def removed(self, tx: Tx, e: Endpoint.Removed, position: int) -> None:
        self._set(tx, e, status="REMOVED")

    @on(Endpoint.Disabled)
    def disabled(self, tx: Tx, e: Endpoint.Disabled, position: int) -> None:
        self._set(tx, e, status="DISABLED", disabled_reason=e.reason)

    @on(Endpoint.RedeliveryRequested)
    def redelivery(self, tx: Tx, e: Endpoint.RedeliveryRequested, position: int) -> None:
        self._set(
            tx,
            e,
            status="ACTIVE",
            disabled_reason=None,
            redeliver_after=e.after,
            redeliver_version=e.originator_version,
        )

    def _set(self, tx: Tx, e: Any, **values: object) -> None:
        values["changed_at"] = moment(e.timestamp)
        assignments = ", ".join(f"{name} = ?" for name in values)
        tx.execute(
            f"UPDATE {self.t['endpoints']} SET {assignments} WHERE endpoint_id = ?",
            (*values.values(), str(e.originator_id)),
        )


@dataclass(frozen=True)
class EndpointRow:
    endpoint_id: UUID
    shop_id: str | None  # None: the marketplace's
    url: str
    events: tuple[str, ...]
    status: str  # ACTIVE, DISABLED or REMOVED
    created_at: datetime
    position: int  # of its registration: entries after it are delivered
    disabled_reason: str | None
    changed_at: datetime
    redeliver_after: int | None
    redeliver_version: int | None
    locale: str  # the language of the texts it is sent

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    @property
    def marketplace(self) -> bool:
        return self.shop_id is None

    def wants(self, entry_type: str) -> bool:
        return sends(self.events, entry_type)


def _row(row: Row) -> EndpointRow:
    after, version = row["redeliver_after"], row["redeliver_version"]
    return EndpointRow(
        endpoint_id=UUID(row["endpoint_id"]),
        shop_id=row["shop_id"],
        url=row["url"],
        events=tuple(json.loads(row["events"])),
        status=row["status"],
        created_at=from_moment(row["created_at"]),
        position=int(row["position"]),
        disabled_reason=row["disabled_reason"],
        changed_at=from_moment(row["changed_at"]),
        redeliver_after=None if after is None else int(after),
        redeliver_version=None if version is None else int(version),
        locale=row["locale"],
    )


class WebhooksView(View):
    projection = Webhooks

    def of_shop(self, shop_id: str) -> list[EndpointRow]:
        """The shop's endpoints that were not removed, oldest first."""

        def query(tx: Tx, t: dict[str, str]) -> list[EndpointRow]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['endpoints']} WHERE shop_id = ? AND status <> ?"
                " ORDER BY created_at, endpoint_id",
                (shop_id, "REMOVED"),
            )
            return [_row(r) for r in rows]

        return self.read(query)

    def of_marketplace(self) -> list[EndpointRow]:
        """The marketplace's endpoints that were not removed, oldest first."""

        def query(tx: Tx, t: dict[str, str]) -> list[EndpointRow]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['endpoints']} WHERE shop_id IS NULL AND status <> ?"
                " ORDER BY created_at, endpoint_id",
                ("REMOVED",),
            )
            return [_row(r) for r in rows]

        return self.read(query)

    def get(self, endpoint_id: UUID) -> EndpointRow | None:
        def query(tx: Tx, t: dict[str, str]) -> EndpointRow | None:
            row = tx.one(
                f"SELECT {COLUMNS} FROM {t['endpoints']} WHERE endpoint_id = ?", (str(endpoint_id),)
            )
            return None if row is None else _row(row)

        return self.read(query)

    def followed(self) -> list[EndpointRow]:
        """Every endpoint the deliverer keeps state for: all but the removed ones."""

        def query(tx: Tx, t: dict[str, str]) -> list[EndpointRow]:
            rows = tx.all(
                f"SELECT {COLUMNS} FROM {t['endpoints']} WHERE status <> ?"
                " ORDER BY created_at, endpoint_id",
                ("REMOVED",),
            )
            return [_row(r) for r in rows]

        return self.read(query)
