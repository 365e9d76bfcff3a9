"""The replica router's decisions, with no database: (token, lag, health) -> which one answers."""

from __future__ import annotations

import pytest

from complaints.store.replicas import (
    ActorTokens,
    Probe,
    ReadScope,
    Replica,
    ReplicaRouter,
    format_lsn,
    parse_lsn,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Standbys:
    """What each fake standby answers when probed (a Probe, or an exception)."""

    def __init__(self, **answers: Probe | Exception) -> None:
        self.answers = answers
        self.probes: list[str] = []

    def __call__(self, replica: Replica) -> Probe:
        self.probes.append(replica.name)
        answer = self.answers[replica.name]
        if isinstance(answer, Exception):
            raise answer
        return answer


def router(*names: str, clock: FakeClock, wait: float = 0.3) -> ReplicaRouter:
    return ReplicaRouter(names, max_lag=10.0, wait=wait, clock=clock, sleep=clock.sleep)


def test_an_lsn_is_read_and_written_as_postgresql_shows_it() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert format_lsn(parse_lsn("16/B374D848")) == "16/B374D848"
    assert parse_lsn("0/0") == 0


@pytest.mark.parametrize("text", ["", "16", "/1", "1/", "x/1", "1/2/3", "100000000/0"])
def test_what_is_not_an_lsn_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an LSN"):
        parse_lsn(text)


def test_a_read_without_a_token_goes_to_a_healthy_replica_in_turn() -> None:
    clock = FakeClock()
    routes = router("a", "b", clock=clock)
    standbys = Standbys(a=Probe(5, 0.0), b=Probe(5, 0.0))
    chosen = [routes.choose(None, standbys) for _ in range(4)]
    assert [r.name if r else None for r in chosen] == ["a", "b", "a", "b"]
    assert routes.fallbacks == 0


def test_the_chosen_replica_itself_must_have_replayed_the_token() -> None:
    """GitLab's bug: another replica having caught up must not let a lagging one answer."""
    clock = FakeClock()
    routes = router("behind", "ahead", clock=clock)
    standbys = Standbys(behind=Probe(10, 0.5), ahead=Probe(50, 0.0))
    for _ in range(4):
        chosen = routes.choose(40, standbys)
        assert chosen is not None
        assert chosen.name == "ahead"


def test_a_read_waits_for_the_replica_then_falls_back_to_the_primary_counted() -> None:
    clock = FakeClock()
    routes = router("a", clock=clock, wait=0.3)
    standbys = Standbys(a=Probe(10, 0.2))
    start = clock.now
    assert routes.choose(40, standbys) is None
    assert routes.fallbacks == 1
    assert 0.3 <= clock.now - start <= 0.32


def test_a_replica_that_replays_the_token_while_waited_for_answers() -> None:
    clock = FakeClock()
    routes = router("a", clock=clock)
    answers = iter([Probe(10, 0.0), Probe(20, 0.0), Probe(40, 0.0)])
    chosen = routes.choose(40, lambda replica: next(answers))
    assert chosen is not None
    assert chosen.name == "a"
    assert routes.fallbacks == 0


def test_a_replica_lagging_past_the_limit_is_taken_out_and_put_back_when_it_catches_up() -> None:
    clock = FakeClock()
    routes = router("a", clock=clock)
    standbys = Standbys(a=Probe(10, 12.0))
    assert routes.choose(None, standbys) is None
    assert routes.fallbacks == 1
    standbys.answers["a"] = Probe(90, 0.0)
    clock.now += 0.5  # not probed again yet: still out
    assert routes.choose(None, standbys) is None
    clock.now += 1.0
    chosen = routes.choose(None, standbys)
    assert chosen is not None
    assert chosen.name == "a"


def test_a_failing_replica_is_taken_out_with_growing_pauses_and_comes_back() -> None:
    clock = FakeClock()
    routes = router("a", clock=clock)
    standbys = Standbys(a=ConnectionError("refused"))
    assert routes.choose(None, standbys) is None
    replica = routes.replicas[0]
    assert replica.down_until == clock.now + 1.0
    clock.now += 1.0
    assert routes.choose(None, standbys) is None
    assert replica.down_until == clock.now + 2.0
    probes = len(standbys.probes)
    assert routes.choose(None, standbys) is None  # backing off: not even probed
    assert len(standbys.probes) == probes
    standbys.answers["a"] = Probe(7, 0.0)
    clock.now += 2.0
    chosen = routes.choose(None, standbys)
    assert chosen is replica
    assert replica.failures == 0


def test_a_replica_failing_while_waited_for_sends_the_read_to_the_primary() -> None:
    clock = FakeClock()
    routes = router("a", clock=clock)
    answers: list[Probe | Exception] = [Probe(1, 0.0), OSError("gone")]

    def probe(replica: Replica) -> Probe:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert routes.choose(40, probe) is None
    assert routes.fallbacks == 1
    assert routes.replicas[0].failures == 1


def test_the_replay_position_known_only_grows() -> None:
    clock = FakeClock()
    routes = router("a", clock=clock)
    routes.choose(None, Standbys(a=Probe(50, 0.0)))
    clock.now += 2
    routes.choose(None, Standbys(a=Probe(30, 0.0)))
    assert routes.replicas[0].replayed == 50


def test_an_actor_keeps_its_latest_token_and_a_full_table_owes_its_highest_to_all() -> None:
    tokens = ActorTokens(entries=2)
    assert tokens.get("ann") is None
    tokens.wrote("ann", 30)
    tokens.wrote("ann", 20)
    tokens.wrote("bob", 10)
    assert (tokens.get("ann"), tokens.get("bob")) == (30, 10)
    tokens.wrote("cy", 5)  # the table is full: cleared, its highest owed to everyone
    assert (tokens.get("ann"), tokens.get("bob"), tokens.get("cy")) == (30, 30, 30)
    tokens.wrote("cy", 60)
    assert tokens.get("cy") == 60


# ---------------------------------------------------------------- a subscription's catch-up
def test_a_resumed_subscription_waits_for_the_token_its_client_sent() -> None:
    reads = ReadScope.resumed("0/28", None)
    assert (reads.token, reads.primary) == (40, False)
    clock = FakeClock()
    routes = router("a", clock=clock)
    assert routes.choose(reads.token, Standbys(a=Probe(10, 0.0))) is None
    assert routes.fallbacks == 1
    chosen = routes.choose(reads.token, Standbys(a=Probe(40, 0.0)))
    assert chosen is not None
    assert chosen.name == "a"


def test_a_resumed_subscription_also_waits_for_its_actors_own_latest_write() -> None:
    assert ReadScope.resumed("0/28", 90).token == 90
    assert ReadScope.resumed("0/5A", 40).token == 90
    assert ReadScope.resumed(None, 40).token == 40
    nothing = ReadScope.resumed(None, None)
    assert (nothing.token, nothing.primary) == (None, False)


@pytest.mark.parametrize("sent", ["not an lsn", 40, ["0/28"], ""])
def test_a_resumed_subscription_with_a_malformed_token_reads_the_primary(sent: object) -> None:
    assert ReadScope.resumed(sent, 10).primary


# ---------------------------------------------------------------- erasure
def test_after_an_erasure_no_read_goes_to_a_replica_that_has_not_replayed_it() -> None:
    """A replica behind the erasure may still hold the erased text: every read of this process,
    with a token or without, waits for the erasure's LSN, else the primary answers (counted)."""
    clock = FakeClock()
    routes = router("behind", "ahead", clock=clock)
    routes.erasure(70)
    standbys = Standbys(behind=Probe(60, 0.0), ahead=Probe(70, 0.0))
    for token in (None, 10, 65):
        chosen = routes.choose(token, standbys)
        assert chosen is not None
        assert chosen.name == "ahead"
    assert routes.fallbacks == 0
    both_behind = router("a", "b", clock=clock)
    both_behind.erasure(70)
    assert both_behind.choose(None, Standbys(a=Probe(60, 0.0), b=Probe(60, 0.0))) is None
    assert both_behind.fallbacks == 1
    # A token beyond the erasure still counts.
    assert routes.must_see(90) == 90
    assert routes.must_see(None) == 70


def test_the_erasure_floor_only_rises() -> None:
    routes = router("a", clock=FakeClock())
    assert routes.must_see(5) == 5
    routes.erasure(70)
    routes.erasure(30)
    assert routes.must_see(5) == 70
