"""The what-if jobs (issue 33): a period too large to replay while a request waits is recorded
here by `policyWhatIf`, replayed by the what-if worker (complaints.workers.whatif), and read back
by the same query. One row per proposal and period (the id is a hash of both), so every
supervisor who asks the same question sees the same job; it holds the progress and, at the end,
the report's JSON or the error.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from complaints.projections.database import ReadStore, Row

#: The statuses a job goes through: queued, running, then done or failed.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def job_id(settings: Sequence[str], start: datetime, end: datetime) -> str:
    """The same for the same proposal (in any order) and the same period."""
    key = json.dumps(
        [sorted(settings), start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class WhatIfJob:
    id: str
    settings: list[str]
    start: datetime
    end: datetime
    status: str
    phase: str
    done: int
    total: int
    result: Any  # the report (done) or {"error": ...} (failed); None before

    def answer(self) -> dict[str, Any]:
        """What `policyWhatIf` returns for this job (docs/whatif.md, "Large periods")."""
        if self.status == DONE:
            return {"status": DONE, "job": self.id, "report": self.result}
        if self.status == FAILED:
            return {"status": FAILED, "job": self.id, "error": self.result["error"]}
        progress = {"phase": self.phase, "done": self.done, "total": self.total}
        return {"status": self.status, "job": self.id, "progress": progress}


class WhatIfJobs:
    def __init__(self, db: ReadStore) -> None:
        self.db = db

    def create(self) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS whatif_jobs (id TEXT PRIMARY KEY,"
                " settings TEXT NOT NULL, start_at TEXT NOT NULL, end_at TEXT NOT NULL,"
                " status TEXT NOT NULL, phase TEXT NOT NULL, done INTEGER NOT NULL,"
                " total INTEGER NOT NULL, result TEXT, queued_at DOUBLE PRECISION NOT NULL)"
            )

    def get(self, id: str) -> WhatIfJob | None:
        with self.db.read() as tx:
            row = tx.one("SELECT * FROM whatif_jobs WHERE id = ?", (id,))
        return None if row is None else _job(row)

    def enqueue(self, settings: Sequence[str], start: datetime, end: datetime) -> WhatIfJob:
        """The job for this proposal and period, recorded now unless it already was."""
        id = job_id(settings, start, end)
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO whatif_jobs (id, settings, start_at, end_at, status, phase, done,"
                " total, result, queued_at) VALUES (?, ?, ?, ?, ?, 'queued', 0, 0, NULL, ?)"
                " ON CONFLICT (id) DO NOTHING",
                (
                    id,
                    json.dumps(list(settings)),
                    start.isoformat(),
                    end.isoformat(),
                    QUEUED,
                    time.time(),
                ),
            )
        job = self.get(id)
        assert job is not None
        return job

    def next(self) -> WhatIfJob | None:
        """The oldest job not finished (one left running by a leader that stopped included)."""
        with self.db.read() as tx:
            row = tx.one(
                "SELECT * FROM whatif_jobs WHERE status IN (?, ?) ORDER BY queued_at, id LIMIT 1",
                (QUEUED, RUNNING),
            )
        return None if row is None else _job(row)

    def progress(self, id: str, phase: str, done: int, total: int) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE whatif_jobs SET status = ?, phase = ?, done = ?, total = ? WHERE id = ?",
                (RUNNING, phase, done, total, id),
            )

    def finish(self, id: str, status: str, result: Any) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE whatif_jobs SET status = ?, result = ? WHERE id = ?",
                (status, json.dumps(result), id),
            )


def _job(row: Row) -> WhatIfJob:
    result = row["result"]
    return WhatIfJob(
        id=str(row["id"]),
        settings=list(json.loads(str(row["settings"]))),
        start=datetime.fromisoformat(str(row["start_at"])),
        end=datetime.fromisoformat(str(row["end_at"])),
        status=str(row["status"]),
        phase=str(row["phase"]),
        done=int(row["done"]),
        total=int(row["total"]),
        result=None if result is None else json.loads(str(result)),
    )
