"""Where each projection stands: its active generation, and each generation's position.

`rm_projections` names the generation readers use. `rm_positions` holds, per generation, the
position of the last event applied. A batch of events is applied in the same transaction that
moves the position forward, and only if the position is still the one the batch started from
(compare-and-set). So an event is applied exactly once, whoever else is running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from complaints.projections.database import Row, Tx

DDL = (
    "CREATE TABLE IF NOT EXISTS rm_projections ( name TEXT PRIMARY KEY, active BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_positions ("
    " name TEXT NOT NULL, generation BIGINT NOT NULL, position BIGINT NOT NULL,"
    " version BIGINT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (name, generation))",
)


@dataclass(frozen=True)
class Generation:
    name: str
    generation: int
    position: int
    version: int
    active: bool


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def generations(tx: Tx, name: str) -> list[Generation]:
    active = tx.value("SELECT active FROM rm_projections WHERE name = ?", (name,))
    rows = tx.all(
        "SELECT generation, position, version FROM rm_positions WHERE name = ? ORDER BY generation",
        (name,),
    )
    return [
        Generation(
            name,
            int(r["generation"]),
            int(r["position"]),
            int(r["version"]),
            active is not None and int(active) == int(r["generation"]),
        )
        for r in rows
    ]


#: The generation readers use, with its position and version, in one statement.
ACTIVE = (
    "SELECT p.generation, p.position, p.version FROM rm_positions p"
    " JOIN rm_projections j ON j.name = p.name AND j.active = p.generation WHERE p.name = ?"
)


def active(tx: Tx, name: str) -> Generation | None:
    """The generation readers use (it is read before every query)."""
    return active_from(name, tx.one(ACTIVE, (name,)))


def active_from(name: str, row: Row | None) -> Generation | None:
    if row is None:
        return None
    return Generation(name, int(row["generation"]), int(row["position"]), int(row["version"]), True)


def add_generation(tx: Tx, name: str, generation: int, version: int) -> None:
    tx.execute(
        "INSERT INTO rm_positions (name, generation, position, version, updated_at)"
        " VALUES (?, ?, 0, ?, ?)",
        (name, generation, version, now()),
    )


def activate(tx: Tx, name: str, generation: int) -> None:
    if tx.execute("UPDATE rm_projections SET active = ? WHERE name = ?", (generation, name)) == 0:
        tx.execute("INSERT INTO rm_projections (name, active) VALUES (?, ?)", (name, generation))


def advance(tx: Tx, name: str, generation: int, expected: int, position: int) -> bool:
    """Move a generation's position forward, only if nobody else already did."""
    changed = tx.execute(
        "UPDATE rm_positions SET position = ?, updated_at = ?"
        " WHERE name = ? AND generation = ? AND position = ?",
        (position, now(), name, generation, expected),
    )
    return changed == 1


def forget(tx: Tx, name: str, generation: int) -> None:
    tx.execute("DELETE FROM rm_positions WHERE name = ? AND generation = ?", (name, generation))
