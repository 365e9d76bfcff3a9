"""The webhook deliverer killed with SIGKILL over and over while cases stream in: every entry
after the registration arrives, each case's in log order, and every repeat carries the webhook-id
of the first copy (at least once; receivers de-duplicate by that id)."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from complaints.application import ComplaintsApp
from complaints.domain.access import Audience
from complaints.projections.read_models import ReadModels
from tests.scenario import CONSUMER, PARTIAL, SELLER, Scenario
from tests.webhook_receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]


def deliverer_process(url: str) -> subprocess.Popen[bytes]:
    """A `complaints worker`: read models and webhooks (no deadlines: the scenario's clock is
    a manual one, months behind the real one)."""
    return subprocess.Popen(
        [sys.executable, "-m", "complaints", "worker", "--poll", "0.2", "--no-deadlines"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "WEBHOOK_ALLOW_PRIVATE": "true",
            "WEBHOOK_RETRY_BASE": "1s",
            "WEBHOOK_CONCURRENCY": "8",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.reliability
@pytest.mark.serial  # kills processes, and counts kills that land mid-stream by the clock
def test_a_deliverer_killed_over_and_over_loses_nothing_and_keeps_each_case_in_order(
    stored_app: ComplaintsApp,
    stored_world: Scenario,
    store_url: str,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    rng = random.Random(20261202)
    stored_app.settings = dataclasses.replace(stored_app.settings, webhook_allow_private=True)
    receiver = Receiver()
    models = ReadModels(stored_app)
    try:
        stored_world.seller("acme")
        stored_world.negotiating()  # before the registration: never sent
        endpoint = stored_app.register_webhook(SELLER, "acme", receiver.url)
        receiver.secret = endpoint.secret.reveal()
        registered_at = stored_app.recorder.max_notification_id() or 0

        def slow_answer(_: object) -> int:
            time.sleep(0.004)  # a receiver that does some work: kills land mid-request
            return 204

        receiver.answer = slow_answer
        writing = threading.Event()
        writing.set()
        failures: list[BaseException] = []

        def write() -> None:
            try:
                # A stream over many kill cycles (a worker takes ~1 s to start on PostgreSQL).
                for _ in range(60):
                    complaint = stored_world.negotiating()
                    stored_app.make_offer(SELLER, complaint.id, PARTIAL)
                    stored_app.post_message(CONSUMER, complaint.id, "Still waiting on this.")
                    time.sleep(0.25)
            except BaseException as error:
                failures.append(error)
            finally:
                writing.clear()

        writer = threading.Thread(target=write)
        writer.start()
        kills = kills_mid_stream = 0
        while writing.is_set() or kills < 8:
            before = len(receiver.received)
            process = deliverer_process(store_url)
            processes.append(process)
            # Kill it once it delivers (a worker takes 1-4 s to start, by the machine's load),
            # a random moment later: mid-batch, mid-request, or between rounds.
            started = time.monotonic()
            while len(receiver.received) == before and time.monotonic() - started < 15:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            kills_mid_stream += len(receiver.received) > before and writing.is_set()
        writer.join()
        assert failures == []
        assert kills_mid_stream >= 3, (kills, kills_mid_stream)

        processes.append(deliverer_process(store_url))
        assert models.wait_for(models.head(), timeout=120)
        owed = [
            row.position
            for row in models.timeline.rows_after(registered_at, 100_000)
            if row.shop_id == "acme" and row.audience is Audience.PARTIES
        ]
        receiver.wait_for(lambda got: {r.position for r in got} >= set(owed), timeout=120)
        processes[-1].terminate()
        processes[-1].wait(timeout=30)

        received = list(receiver.received)
        assert sorted({r.position for r in received}) == owed  # nothing lost, nothing else
        ids: dict[int, set[str]] = {}
        for r in received:
            ids.setdefault(r.position, set()).add(r.webhook_id)
        assert all(len(i) == 1 for i in ids.values())  # a repeat has the first copy's id
        assert len({next(iter(i)) for i in ids.values()}) == len(ids)
        by_case: dict[str, list[int]] = {}
        for r in received:
            by_case.setdefault(r.reference, []).append(r.position)
        for positions in by_case.values():
            assert positions == sorted(positions)  # log order within a case, repeats included
        assert receiver.refused == []
        print(
            f"webhook kills: {len(owed)} entries owed, {len(received)} received"
            f" ({len(received) - len(owed)} repeats), {kills} SIGKILLs,"
            f" {kills_mid_stream} mid-stream"
        )
    finally:
        models.close()
        receiver.close()
