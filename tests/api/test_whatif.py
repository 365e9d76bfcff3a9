"""`policyWhatIf`: supervisors read the what-if report as JSON; everyone else, settings that
cannot be read, bad periods and periods over the case limit are refused with their codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
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


def test_a_period_over_the_limit_is_refused(
    gql: GraphQL, world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    History(world).run(3)
    monkeypatch.setattr("complaints.graphql.whatif.MAX_CASES", 2)
    result = ask(gql, world, [])
    assert code(result) == "WHATIF_TOO_MANY_CASES"
    assert "4 cases" in result.errors[0].message
