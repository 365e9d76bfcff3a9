"""The attack the transparency log stops, on both stores: someone who owns the database rewrites
a case consistently (new bytes, every hash recomputed) after a checkpoint was saved. The hash
chain still verifies, as it always would; `complaints log verify --checkpoint` fails and names
the case. The same for a deleted case and for an event inserted in the middle of one."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from complaints.audit import verify_store
from complaints.domain.complaint import Complaint
from complaints.settings import Store
from complaints.store.hash_chain import GENESIS, chain_hash
from complaints.store.notes import Signer
from tests.keys import LOG_SIGNING_KEY
from tests.scenario import Scenario


class Owner:
    """Whoever owns the database: writes the events and their recorded hashes directly."""

    def __init__(self, url: str) -> None:
        self.store = Store.parse(url)
        sqlite = self.store.kind == "sqlite"
        self.events = "stored_events" if sqlite else "complaints_events"
        self.hashes = "event_hashes" if sqlite else "complaints_events_hashes"
        self.mark = "?" if sqlite else "%s"

    def _run(self, statements: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        """Run the statements in one transaction; the rows of the last one."""
        if self.store.kind == "sqlite":
            assert self.store.path is not None
            with sqlite3.connect(self.store.path) as conn:
                rows: list[Any] = []
                for sql, params in statements:
                    rows = conn.execute(sql, params).fetchall()
                return rows
        with psycopg.connect(self.store.conninfo) as conn:
            conn.execute(f'SET search_path TO "{self.store.schema}"')
            rows = []
            for sql, params in statements:
                cursor = conn.execute(sql.replace("?", "%s"), params)
                rows = cursor.fetchall() if cursor.description else []
            return rows

    def _id(self, aggregate: UUID) -> Any:
        return aggregate.hex if self.store.kind == "sqlite" else aggregate

    def events_of(self, aggregate: UUID) -> list[tuple[int, str, bytes]]:
        rows = self._run(
            [
                (
                    f"SELECT originator_version, topic, state FROM {self.events}"
                    " WHERE originator_id = ? ORDER BY originator_version",
                    (self._id(aggregate),),
                )
            ]
        )
        return [(int(v), str(t), bytes(s)) for v, t, s in rows]

    def replace_case(self, aggregate: UUID, events: list[tuple[int, str, bytes]]) -> None:
        """Write the case anew, consistently: its events, and a hash chain that verifies."""
        statements: list[tuple[str, tuple[Any, ...]]] = [
            (f"DELETE FROM {self.events} WHERE originator_id = ?", (self._id(aggregate),)),
            (f"DELETE FROM {self.hashes} WHERE originator_id = ?", (self._id(aggregate),)),
        ]
        previous = GENESIS
        for version, topic, state in events:
            previous = chain_hash(previous, aggregate, version, topic, state)
            statements.append(
                (
                    f"INSERT INTO {self.events} (originator_id, originator_version, topic, state)"
                    " VALUES (?, ?, ?, ?)",
                    (self._id(aggregate), version, topic, state),
                )
            )
            statements.append(
                (
                    f"INSERT INTO {self.hashes} (originator_id, originator_version, hash)"
                    " VALUES (?, ?, ?)",
                    (self._id(aggregate), version, previous),
                )
            )
        self._run(statements)


def log_verify(url: str, checkpoint: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complaints", "log", "verify", "--checkpoint", str(checkpoint)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "LOG_SIGNING_KEY": LOG_SIGNING_KEY},
        timeout=120,
        check=False,
    )


def test_an_untouched_store_extends_the_saved_checkpoint(
    store_url: str, logged: tuple[Complaint, Complaint, Path]
) -> None:
    result = log_verify(store_url, logged[2])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the latest checkpoint" in result.stdout
    assert "every stored event is the leaf it was" in result.stdout


def test_a_case_rewritten_consistently_passes_the_chain_but_not_the_log(
    stored_world: Scenario, store_url: str, logged: tuple[Complaint, Complaint, Path]
) -> None:
    case, other, checkpoint = logged
    owner = Owner(store_url)
    rewritten = [(v, topic, state + b" ") for v, topic, state in owner.events_of(case.id)]
    owner.replace_case(case.id, rewritten)
    assert stored_world.app.verify_history(case.id).verified, "the chain was made to verify"
    assert not verify_store(stored_world.app).broken
    result = log_verify(store_url, checkpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"complaint {case.reference} ({case.id}): version 1 rewritten" in result.stdout
    assert f"version {case.version} rewritten" in result.stdout
    assert other.reference not in result.stdout


def test_a_deleted_case_is_named(
    stored_world: Scenario, store_url: str, logged: tuple[Complaint, Complaint, Path]
) -> None:
    case, other, checkpoint = logged
    Owner(store_url).replace_case(other.id, [])
    assert not verify_store(stored_world.app).broken, "no chain is left to break"
    result = log_verify(store_url, checkpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"aggregate {other.id}: version 1 deleted: it was leaf" in result.stdout
    assert case.reference not in result.stdout


def test_an_event_inserted_in_the_middle_is_named(
    stored_world: Scenario, store_url: str, logged: tuple[Complaint, Complaint, Path]
) -> None:
    case, _, checkpoint = logged
    owner = Owner(store_url)
    events = owner.events_of(case.id)
    _, topic, state = events[2]
    inserted = [
        *events[:3],
        (4, topic, state),
        *((v + 1, t, s) for v, t, s in events[3:]),
    ]
    owner.replace_case(case.id, inserted)
    assert stored_world.app.verify_history(case.id).verified, "the chain was made to verify"
    result = log_verify(store_url, checkpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"({case.id}): version 4 rewritten" in result.stdout


def test_a_checkpoint_signed_by_another_key_is_refused(
    store_url: str, logged: tuple[Complaint, Complaint, Path], tmp_path: Path
) -> None:
    forged = tmp_path / "forged.txt"
    text = logged[2].read_text().split("\n\n")[0] + "\n"
    forged.write_text(Signer.generate("complaints.test").sign(text))
    result = log_verify(store_url, forged)
    assert result.returncode == 1
    assert "the checkpoint does not verify" in result.stdout


def test_a_rewritten_log_is_caught_by_its_root(
    store_url: str, logged: tuple[Complaint, Complaint, Path]
) -> None:
    """The owner rewrites the log's own rows too (a leaf of the case to match its rewrite):
    the saved checkpoint's root no longer matches."""
    case, _, checkpoint = logged
    owner = Owner(store_url)
    owner._run(
        [
            (
                "UPDATE tlog_leaves SET event_hash = ? WHERE aggregate_id = ? AND version = 1",
                ("0" * 64, str(case.id)),
            )
        ]
    )
    result = log_verify(store_url, checkpoint)
    assert result.returncode == 1
    assert "no longer hash to the checkpoint's root" in result.stdout
