"""Fuzzing a live server with requests generated from its own schema (hypothesis-graphql).

Valid documents (every query and mutation, with arguments drawn from the schema's types and ids of
real cases) and invalid ones (the library's negative mode) go to a real `complaints serve`, signed
in as every role in turn. None may get a 5xx, a masked internal error or a stack trace, and a
mutation that was refused may not change the event log.

Generation is a pure function of hypothesis's choices: the cases are seeded and their ids frozen
before any example is drawn, and time zones are fixed offsets rather than the machine's tz
database. The 5,000 examples (1,000 under the "ci" hypothesis profile, tests/profiles.py) run in
ten shards, each with its own seed, so that no shard comes near pytest-timeout's limit on a busy
machine and the shards spread over the test workers. (A timeout that fires while hypothesis is
drawing is reported by hypothesis as `FlakyStrategyDefinition`, not as a timeout.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import uuid4

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes
from hypothesis_graphql._strategies.mode import Mode

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.values import Actor, Role
from complaints.graphql.ids import global_id
from complaints.settings import Settings
from tests.e2e.conftest import Server, token
from tests.profiles import examples
from tests.scenario import Scenario

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = graphql.build_schema((ROOT / "schema.graphql").read_text())
ACTORS: list[Actor | None] = [
    None,
    Actor(Role.CONSUMER, "u-alice"),
    Actor(Role.CONSUMER, "u-bob"),
    Actor(Role.SELLER, "staff-1", "acme"),
    Actor(Role.SELLER, "staff-9", "globex"),
    Actor(Role.AGENT, "agent-1"),
    Actor(Role.MEDIATOR, "mediator-1"),
    Actor(Role.ARBITER, "arbiter-1"),
    Actor(Role.SUPERVISOR, "supervisor-1"),
    Actor(Role.AUDITOR, "auditor-1"),
]
#: Counted across every example of the session, for the report in docs/reliability.md.
TALLY: dict[str, int] = {"requests": 0, "mutations": 0, "refused": 0, "changed": 0}


class Fuzzed:
    def __init__(self, server: Server, store_url: str, ids: tuple[str, ...]) -> None:
        self.server = server
        self.app = ComplaintsApp(Settings(database_url=store_url))
        self.ids = ids
        self.headers = {
            actor: {"Authorization": f"Bearer {token(actor)}"} if actor else {} for actor in ACTORS
        }
        self.client = httpx.Client(timeout=30)

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def close(self) -> None:
        self.client.close()
        self.app.close()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """A SQLite server with cases at several stages, their ids offered to the generator."""
    workdir = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{workdir / 'complaints.db'}"
    # On the real clock: the server's deadline worker must find nothing due while we fuzz, or
    # the log would move under requests that were refused.
    app = ComplaintsApp(Settings(database_url=url))
    world = Scenario(app, ManualClock())
    cases = [world.file(), world.negotiating(), world.under_review(), world.ruled(), world.closed()]
    ids = (
        *(global_id("Complaint", c.id) for c in cases),
        *(global_id("Seller", s.id) for s in world.sellers.values()),
    )
    app.close()
    server = Server(url, workdir)
    fuzzing = Fuzzed(server, url, ids)
    yield fuzzing
    fuzzing.close()
    server.stop()
    output = server.output()
    assert "Traceback" not in output
    # A resolver called and then never run (complaints/compat.py closes them).
    assert "was never awaited" not in output


TYPENAME = graphql.FieldNode(name=graphql.NameNode(value="__typename"))


def with_typenames(document: graphql.DocumentNode) -> str:
    """Print the document with `__typename` asked of every root field that returns an object,
    so that a refused mutation can be told from an accepted one."""

    def typed(selection: graphql.SelectionNode) -> graphql.SelectionNode:
        if not isinstance(selection, graphql.FieldNode) or selection.selection_set is None:
            return selection
        inner = selection.selection_set
        return replace(
            selection, selection_set=replace(inner, selections=(TYPENAME, *inner.selections))
        )

    definitions = [
        replace(
            d,
            selection_set=replace(
                d.selection_set, selections=tuple(map(typed, d.selection_set.selections))
            ),
        )
        if isinstance(d, graphql.OperationDefinitionNode)
        else d
        for d in document.definitions
    ]
    return graphql.print_ast(replace(document, definitions=tuple(definitions)))


#: Offsets a client may send, the odd ones included. Fixed here, not read from the machine's tz
#: database (an ISO string carries only the offset anyway).
OFFSETS = tuple(
    timezone(timedelta(minutes=m)) for m in (0, 480, 345, -570, 840, -720, 330, -210, 60, -300)
)


def scalars(ids: tuple[str, ...]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    return {
        "ID": (st.sampled_from(ids) | st.text(max_size=40)).map(nodes.String),
        "DateTime": st.datetimes(timezones=st.sampled_from(OFFSETS)).map(
            lambda d: nodes.String(d.isoformat())
        )
        | st.text(max_size=30).map(nodes.String),
        "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
            lambda d: nodes.String(str(d))
        )
        | st.sampled_from(["1e999999", "-0", "NaN", "abc", ""]).map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
    }


def refused(result: Any) -> bool:
    """A mutation field's result that changes nothing: a typed error, or null."""
    return (
        result is None
        or (isinstance(result, dict) and "code" in result)
        or (
            isinstance(result, dict)
            and result.get("__typename")
            in {"NotFound", "NotAllowed", "InvalidTransition", "ValidationFailed", "Conflict"}
        )
    )


def check(fuzzed: Fuzzed, document: str, actor: Actor | None) -> None:
    is_mutation = document.lstrip().startswith("mutation")
    before = fuzzed.head() if is_mutation else 0
    response = fuzzed.client.post(
        f"{fuzzed.server.url}/graphql",
        json={"query": document},
        headers=fuzzed.headers[actor],
    )
    TALLY["requests"] += 1
    assert response.status_code < 500, (response.status_code, document, response.text[:500])
    assert "Traceback" not in response.text
    body = (
        response.json()
        if response.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    for error in body.get("errors") or []:
        assert error.get("extensions", {}).get("code") != "INTERNAL_ERROR", (document, error)
    if not is_mutation:
        return
    TALLY["mutations"] += 1
    data = body.get("data") or {}
    results = list(data.values()) if isinstance(data, dict) else []
    changed = fuzzed.head() != before
    # A mutation that ran, then failed in its result's own selection (a bad argument of a
    # nested field, with a non-null field above it): the error's path goes below the mutation,
    # and GraphQL loses its result. That is not a refusal of the mutation.
    ran = not results and any(len(e.get("path") or []) > 1 for e in body.get("errors") or [])
    if changed:
        TALLY["changed"] += 1
        assert results or ran, (document, body)
        assert ran or not all(refused(r) for r in results), (document, body)
    elif not results or all(refused(r) for r in results):
        TALLY["refused"] += 1


SHARD = examples(thorough=500, ci=100)
#: 3,500 valid documents and 1,500 invalid ones (700 and 300 in CI), in shards of SHARD examples,
#: each its own seed.
SHARDS = [(Mode.POSITIVE, n) for n in range(7)] + [(Mode.NEGATIVE, n) for n in range(3)]


@pytest.mark.parametrize(
    ("mode", "shard"),
    SHARDS,
    ids=[f"{'valid' if m is Mode.POSITIVE else 'invalid'}-{n}" for m, n in SHARDS],
)
def test_generated_requests_get_no_server_error_and_refusals_change_nothing(
    fuzzed: Fuzzed, mode: Mode, shard: int
) -> None:
    strategy = from_schema(
        SCHEMA,
        custom_scalars=scalars(fuzzed.ids),
        print_ast=with_typenames,
        mode=mode,
    )
    before = TALLY["requests"]

    @seed(int(mode.value) * 1000 + shard)
    @settings(
        max_examples=SHARD,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=strategy, actor=st.sampled_from(ACTORS))
    def fuzz(document: str, actor: Actor | None) -> None:
        check(fuzzed, document, actor)

    fuzz()
    print(f"fuzz {mode.name.lower()} {shard}: {TALLY}")
    assert TALLY["requests"] - before >= SHARD


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_generation_depends_on_nothing_but_the_seed(mode: Mode) -> None:
    """The same seed draws the same documents, whatever ran before: no strategy reads live state."""
    ids = (global_id("Complaint", uuid4()), global_id("Seller", uuid4()))

    def draw() -> list[tuple[str, Actor | None]]:
        drawn: list[tuple[str, Actor | None]] = []
        strategy = from_schema(
            SCHEMA, custom_scalars=scalars(ids), print_ast=with_typenames, mode=mode
        )

        @seed(7)
        @settings(
            max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(document=strategy, actor=st.sampled_from(ACTORS))
        def collect(document: str, actor: Actor | None) -> None:
            drawn.append((document, actor))

        collect()
        return drawn

    first = draw()
    assert len(first) == 60
    assert draw() == first
