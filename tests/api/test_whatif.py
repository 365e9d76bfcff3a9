"""`policyWhatIf`: supervisors read the what-if report as JSON; everyone else, settings that
cannot be read and bad periods are refused with their codes; a period over the synchronous
limit becomes a job the worker replays; the same question reads its progress, then the report.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
from complaints.projections.coordination import LocalLeadership
from complaints.workers.whatif import WhatIfWorker
from tests.api.conftest import GraphQL
from tests.scenario import AGENT, AUDITOR, CONSUMER, SELLER, SUPERVISOR, Scenario
from tests.whatif_history import History

WHATIF = """query($input: PolicyWhatIfInput!) { policyWhatIf(input: $input) }"""


def ask(
    gql: GraphQL, world: Scenario, settings: list[str], actor: Actor = SUPERVISOR, **bounds: Any
) -> Any:
    now = world.clock.now()
    variables = {
        "input": {
            "settings": settings,
            "from": bounds.get("start", (now - timedelta(days=400)).isoformat()),
            "to": bounds.get("end", (now + timedelta(days=1)).isoformat()),
        }
    }
    return gql.run(WHATIF, variables, actor=actor)


def code(result: Any) -> str:
    assert result.data is None
    (error,) = result.errors
    return str(error.extensions["code"])


def test_a_supervisor_reads_the_report(gql: GraphQL, world: Scenario) -> None:
    History(world).run(9)
    head = world.app.recorder.max_notification_id()

    result = ask(gql, world, ["DEADLINES=seller_response=24h"])

    assert result.errors is None, result.errors
    report = result.data["policyWhatIf"]
    assert report["replayed"] == 10
    assert report["identity"] == {"ok": True, "divergences": []}
    assert report["changed"] + report["undetermined"] + report["unchanged"] == 10
    assert report["proposal"] == [{"setting": "DEADLINES", "value": "seller_response=24h"}]
    assert world.app.recorder.max_notification_id() == head


@pytest.mark.parametrize("actor", [AGENT, AUDITOR, CONSUMER, SELLER, Actor(Role.ARBITER, "a-1")])
def test_anyone_but_a_supervisor_is_refused(gql: GraphQL, world: Scenario, actor: Actor) -> None:
    assert code(ask(gql, world, [], actor)) in {"ROLE_NOT_ALLOWED"}


@pytest.mark.parametrize(
    "settings",
    [["DEADLINES=seller_response=soon"], ["REMINDERS=1h"], ["FILING_WINDOW"], ["SANCTION_FINE=0"]],
)
def test_a_setting_it_cannot_read_is_refused(
    gql: GraphQL, world: Scenario, settings: list[str]
) -> None:
    assert code(ask(gql, world, settings)) == "WHATIF_BAD_SETTING"


@pytest.mark.parametrize(
    "bounds",
    [
        {"start": "2026-02-01T00:00:00+00:00", "end": "2026-01-01T00:00:00+00:00"},
        {"start": "2026-01-01T00:00:00", "end": "2026-02-01T00:00:00"},
    ],
)
def test_a_bad_period_is_refused(gql: GraphQL, world: Scenario, bounds: dict[str, str]) -> None:
    assert code(ask(gql, world, [], SUPERVISOR, **bounds)) == "WHATIF_BAD_PERIOD"


def worker(world: Scenario, gql: GraphQL) -> WhatIfWorker:
    return WhatIfWorker(
        world.app, gql.read_models.whatif_jobs, leadership=LocalLeadership(world.app)
    )


def test_a_period_over_the_limit_runs_in_the_worker(
    gql: GraphQL, world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    History(world).run(3)
    head = world.app.recorder.max_notification_id()
    small = ask(gql, world, ["FILING_WINDOW=10d"]).data["policyWhatIf"]
    monkeypatch.setattr("complaints.graphql.whatif.MAX_CASES", 2)

    queued = ask(gql, world, ["FILING_WINDOW=10d"]).data["policyWhatIf"]
    assert queued["status"] == "queued"
    assert queued["progress"] == {"phase": "queued", "done": 0, "total": 0}
    # Another supervisor asking the same question sees the same job, not a second one.
    other = Actor(Role.SUPERVISOR, "s-2")
    assert ask(gql, world, ["FILING_WINDOW=10d"], other).data["policyWhatIf"] == queued

    seen: list[Any] = []
    jobs = gql.read_models.whatif_jobs
    record = jobs.progress

    def progress(id: str, phase: str, done: int, total: int) -> None:
        record(id, phase, done, total)
        if phase == "replaying" and not seen:
            seen.append(ask(gql, world, ["FILING_WINDOW=10d"]).data["policyWhatIf"])

    monkeypatch.setattr(jobs, "progress", progress)
    assert worker(world, gql).run_once() == 1

    (running,) = seen
    assert running["status"] == "running"
    assert running["job"] == queued["job"]
    assert running["progress"]["phase"] == "replaying"
    assert 0 < running["progress"]["done"] <= running["progress"]["total"] == 4
    done = ask(gql, world, ["FILING_WINDOW=10d"]).data["policyWhatIf"]
    assert done["status"] == "done"
    assert done["job"] == queued["job"]
    # The same report the request would have replayed itself, apart from when and how fast.
    for key in ("seconds", "eventsPerSecond", "asOf"):
        done["report"].pop(key, None)
        small.pop(key, None)
    assert done["report"] == small
    assert ask(gql, world, ["FILING_WINDOW=10d"], other).data["policyWhatIf"]["status"] == "done"
    assert world.app.recorder.max_notification_id() == head
    assert worker(world, gql).run_once() == 0  # nothing left to run


def test_a_job_that_fails_says_why(
    gql: GraphQL, world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    History(world).run(3)
    monkeypatch.setattr("complaints.graphql.whatif.MAX_CASES", 2)
    assert ask(gql, world, []).data["policyWhatIf"]["status"] == "queued"

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("complaints.workers.whatif.replay", broken)
    worker(world, gql).run_once()

    failed = ask(gql, world, []).data["policyWhatIf"]
    assert failed["status"] == "failed"
    assert failed["error"] == "RuntimeError: the disk is full"


def test_only_a_supervisor_reads_a_job(
    gql: GraphQL, world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    History(world).run(3)
    monkeypatch.setattr("complaints.graphql.whatif.MAX_CASES", 2)
    assert ask(gql, world, []).data["policyWhatIf"]["status"] == "queued"
    assert code(ask(gql, world, [], AGENT)) == "ROLE_NOT_ALLOWED"
