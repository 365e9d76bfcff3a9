"""Where the transparency log is kept: its leaves, its tree's nodes, its signed checkpoints.

- `tlog_leaves`: one row per event, in the order of the event log (the notification id, kept as
  `position`): the event's aggregate, version and chain hash, from which its leaf text
  `<aggregate id>:<version>:<event hash>` follows.
- `tlog_nodes`: every complete subtree's hash, (level, index) -> hash (complaints.store.merkle),
  so that any proof for any size the log ever had is a handful of lookups, and the C2SP tiles
  are ranges of rows.
- `tlog_state`: how far the builder has come (the last notification appended, the tree size),
  moved by compare-and-set in the same transaction as the leaves and nodes, like a projection's
  position: an event is appended exactly once, whoever else runs.
- `tlog_checkpoints`: every signed checkpoint, as signed.

Hashes are kept as lowercase hex, the same on both stores. Only the builder
(complaints.workers.transparency) writes here, never a request that saves events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from complaints.projections.database import ReadStore, Tx
from complaints.settings import Settings
from complaints.store import merkle
from complaints.store.notes import Checkpoint, Signer, development_signer

DDL = (
    "CREATE TABLE IF NOT EXISTS tlog_leaves (leaf_index BIGINT PRIMARY KEY,"
    " position BIGINT NOT NULL UNIQUE, aggregate_id TEXT NOT NULL, version BIGINT NOT NULL,"
    " event_hash TEXT NOT NULL, UNIQUE (aggregate_id, version))",
    "CREATE TABLE IF NOT EXISTS tlog_nodes (level BIGINT NOT NULL, node_index BIGINT NOT NULL,"
    " hash TEXT NOT NULL, PRIMARY KEY (level, node_index))",
    "CREATE TABLE IF NOT EXISTS tlog_state (id BIGINT PRIMARY KEY, position BIGINT NOT NULL,"
    " size BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tlog_checkpoints (tree_size BIGINT PRIMARY KEY,"
    " root_hash TEXT NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL)",
)


def log_signer(settings: Settings) -> Signer:
    """The log's signer: LOG_SIGNING_KEY, or in development the key kept in var/ (made on
    first use, named after the origin's host)."""
    if settings.log_signing_key:
        return Signer.parse(settings.log_signing_key)
    name = settings.log_origin.split("/", 1)[0] or "complaints"
    return development_signer(settings.log_key_file, name)


def leaf_text(aggregate_id: UUID, version: int, event_hash: str) -> str:
    """The leaf of an event, as the contract defines it."""
    return f"{aggregate_id}:{version}:{event_hash}"


@dataclass(frozen=True)
class Leaf:
    index: int
    position: int
    aggregate_id: UUID
    version: int
    event_hash: str

    @property
    def text(self) -> str:
        return leaf_text(self.aggregate_id, self.version, self.event_hash)

    @property
    def hash(self) -> bytes:
        return merkle.leaf_hash(self.text.encode())


@dataclass(frozen=True)
class NewLeaf:
    """An event to append: its notification id, aggregate, version and chain hash."""

    position: int
    aggregate_id: UUID
    version: int
    event_hash: str


@dataclass(frozen=True)
class StoredCheckpoint:
    checkpoint: Checkpoint
    note: str
    signed_at: datetime

    @property
    def tree_size(self) -> int:
        return self.checkpoint.tree_size


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    audit_path: list[bytes]


@dataclass(frozen=True)
class LogState:
    position: int
    size: int


class LogStore:
    def __init__(self, db: ReadStore) -> None:
        self.db = db

    def create(self) -> None:
        with self.db.transaction() as tx:
            for statement in DDL:
                tx.execute(statement)
            if tx.value("SELECT COUNT(*) FROM tlog_state") == 0:
                tx.execute("INSERT INTO tlog_state (id, position, size) VALUES (1, 0, 0)")

    # ---------------------------------------------------------------- appending
    def state(self) -> LogState:
        with self.db.read() as tx:
            return _state(tx)

    def append(self, expected: LogState, leaves: Sequence[NewLeaf]) -> LogState | None:
        """Append the leaves after `expected`, in one transaction that first moves the state
        by compare-and-set; None (and nothing written) if someone else moved it first."""
        if not leaves:
            return expected
        position = leaves[-1].position
        size = expected.size + len(leaves)
        with self.db.transaction() as tx:
            moved = tx.execute(
                "UPDATE tlog_state SET position = ?, size = ?"
                " WHERE id = 1 AND position = ? AND size = ?",
                (position, size, expected.position, expected.size),
            )
            if moved != 1:
                return None
            leaf_rows = [
                (
                    expected.size + i,
                    leaf.position,
                    str(leaf.aggregate_id),
                    leaf.version,
                    leaf.event_hash,
                )
                for i, leaf in enumerate(leaves)
            ]
            self._insert(tx, "tlog_leaves", LEAF_COLUMNS, leaf_rows)
            hashes = [
                merkle.leaf_hash(
                    leaf_text(leaf.aggregate_id, leaf.version, leaf.event_hash).encode()
                )
                for leaf in leaves
            ]
            nodes = merkle.appended(expected.size, hashes, _fetcher(tx))
            node_rows = [(level, index, digest.hex()) for level, index, digest in nodes]
            self._insert(tx, "tlog_nodes", NODE_COLUMNS, node_rows)
        return LogState(position, size)

    def _insert(
        self, tx: Tx, table: str, columns: Sequence[tuple[str, str]], rows: list[tuple[Any, ...]]
    ) -> None:
        """Insert rows: on PostgreSQL as one statement over arrays (a row at a time cost the
        builder most of its CPU), elsewhere as executemany."""
        names = ", ".join(name for name, _ in columns)
        if self.db.dialect == "postgres":
            arrays = ", ".join(f"?::{kind}[]" for _, kind in columns)
            tx.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            marks = ", ".join("?" for _ in columns)
            tx.many(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    # ---------------------------------------------------------------- the tree
    def root(self, size: int) -> bytes:
        with self.db.read() as tx:
            return merkle.tree_hash(size, _fetcher(tx))

    def inclusion(self, index: int, size: int) -> list[bytes]:
        with self.db.read() as tx:
            return merkle.inclusion_proof(index, size, _fetcher(tx))

    def consistency(self, first: int, second: int) -> list[bytes]:
        with self.db.read() as tx:
            return merkle.consistency_proof(first, second, _fetcher(tx))

    def tile(self, level: int, index: int, width: int) -> bytes:
        """A C2SP hash tile: `width` hashes of tree level 8L, concatenated."""
        nodes = merkle.tile_nodes(level, index, width)
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT hash FROM tlog_nodes WHERE level = ? AND node_index >= ?"
                " AND node_index < ? ORDER BY node_index",
                (nodes[0][0], nodes[0][1], nodes[0][1] + width),
            )
        if len(rows) != width:
            raise LookupError(f"tile {level}/{index} has no {width} hashes yet")
        return b"".join(bytes.fromhex(r["hash"]) for r in rows)

    def entry_bundle(self, index: int, width: int) -> bytes:
        first = index * merkle.TILE_WIDTH
        leaves = self.leaves(first, first + width)
        if len(leaves) != width:
            raise LookupError(f"entry bundle {index} has no {width} entries yet")
        return merkle.entry_bundle(leaf.text.encode() for leaf in leaves)

    def inclusion_of(
        self, aggregate_id: UUID, version: int, tree_size: int
    ) -> InclusionProof | None:
        """The proof that this event is in the tree of `tree_size` leaves (None: it is not, or
        not yet)."""
        leaf = self.leaves_of(aggregate_id).get(version)
        if leaf is None or leaf.index >= tree_size:
            return None
        return InclusionProof(
            leaf.index, tree_size, leaf.hash, self.inclusion(leaf.index, tree_size)
        )

    # ---------------------------------------------------------------- leaves
    def leaves(self, start: int, stop: int) -> list[Leaf]:
        """The leaves with index in [start, stop)."""
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT {_LEAF} FROM tlog_leaves WHERE leaf_index >= ? AND leaf_index < ?"
                " ORDER BY leaf_index",
                (start, stop),
            )
        return [_leaf(r) for r in rows]

    def each_leaf(self, stop: int, batch: int = 5000) -> Iterator[Leaf]:
        """Every leaf with index below `stop`, in order, a batch at a time."""
        for start in range(0, stop, batch):
            yield from self.leaves(start, min(stop, start + batch))

    def leaves_of(self, aggregate_id: UUID) -> dict[int, Leaf]:
        """An aggregate's leaves by version."""
        with self.db.read() as tx:
            rows = tx.all(
                f"SELECT {_LEAF} FROM tlog_leaves WHERE aggregate_id = ?", (str(aggregate_id),)
            )
        return {int(r["version"]): _leaf(r) for r in rows}

    def lag(self, head: int) -> int:
        """How far the tree is behind the event log's head, in positions (as a projection's
        lag is measured)."""
        return max(0, head - self.state().position)

    # ---------------------------------------------------------------- checkpoints
    def add_checkpoint(self, checkpoint: Checkpoint, note: str, signed_at: datetime) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO tlog_checkpoints (tree_size, root_hash, note, signed_at)"
                " VALUES (?, ?, ?, ?)",
                (checkpoint.tree_size, checkpoint.root_hash.hex(), note, signed_at.isoformat()),
            )

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_CHECKPOINT} FROM tlog_checkpoints ORDER BY tree_size DESC LIMIT 1"
            )
        return None if row is None else _checkpoint(row)

    def checkpoint(self, tree_size: int) -> StoredCheckpoint | None:
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_CHECKPOINT} FROM tlog_checkpoints WHERE tree_size = ?", (tree_size,)
            )
        return None if row is None else _checkpoint(row)


_LEAF = "leaf_index, position, aggregate_id, version, event_hash"
#: Columns and their PostgreSQL types, for inserting many rows at once.
LEAF_COLUMNS = (
    ("leaf_index", "bigint"),
    ("position", "bigint"),
    ("aggregate_id", "text"),
    ("version", "bigint"),
    ("event_hash", "text"),
)
NODE_COLUMNS = (("level", "bigint"), ("node_index", "bigint"), ("hash", "text"))
_CHECKPOINT = "tree_size, root_hash, note, signed_at"


def _leaf(row: dict[str, object]) -> Leaf:
    return Leaf(
        index=int(str(row["leaf_index"])),
        position=int(str(row["position"])),
        aggregate_id=UUID(str(row["aggregate_id"])),
        version=int(str(row["version"])),
        event_hash=str(row["event_hash"]),
    )


def _checkpoint(row: dict[str, object]) -> StoredCheckpoint:
    note = str(row["note"])
    origin = note.split("\n", 1)[0]
    return StoredCheckpoint(
        Checkpoint(origin, int(str(row["tree_size"])), bytes.fromhex(str(row["root_hash"]))),
        note,
        datetime.fromisoformat(str(row["signed_at"])).astimezone(UTC),
    )


def _state(tx: Tx) -> LogState:
    row = tx.one("SELECT position, size FROM tlog_state WHERE id = 1")
    if row is None:
        return LogState(0, 0)
    return LogState(int(row["position"]), int(row["size"]))


def _fetcher(tx: Tx) -> merkle.Fetch:
    def fetch(nodes: Sequence[merkle.Node]) -> list[bytes]:
        if not nodes:
            return []
        found: dict[merkle.Node, bytes] = {}
        for start in range(0, len(nodes), 200):
            chunk = nodes[start : start + 200]
            pairs = ", ".join("(?, ?)" for _ in chunk)
            rows = tx.all(
                "SELECT level, node_index, hash FROM tlog_nodes"
                f" WHERE (level, node_index) IN (VALUES {pairs})",
                [value for node in chunk for value in node],
            )
            for r in rows:
                found[(int(r["level"]), int(r["node_index"]))] = bytes.fromhex(r["hash"])
        missing = [node for node in nodes if node not in found]
        if missing:
            raise LookupError(f"the log has no node {missing[0]} yet")
        return [found[node] for node in nodes]

    return fetch
