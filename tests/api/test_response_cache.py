"""The response cache's own rules: an entry is served only for the mark it was made at, and the
least recently used entries go first."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import cast

import pytest

from complaints.graphql import subscriptions
from complaints.graphql.persisted import PERSISTED, QUERIES, ChangeFeed, ResponseCache
from complaints.graphql.subscriptions import TimelineHub
from complaints.projections.read_models import ReadModels
from complaints.projections.timeline import CaseRow
from complaints.store.signal import AsyncPulse


def test_an_entry_is_served_only_for_the_mark_it_was_made_at() -> None:
    cache = ResponseCache(10)
    cache.put(("q", "v", "viewer"), b"old", mark=5)
    assert cache.get(("q", "v", "viewer"), mark=5) == b"old"
    assert cache.get(("q", "v", "viewer"), mark=6) is None  # the case changed since
    assert cache.get(("q", "v", "other viewer"), mark=5) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_the_least_recently_used_entries_go_first() -> None:
    cache = ResponseCache(2)
    cache.put(("a",), b"a", 0)
    cache.put(("b",), b"b", 0)
    assert cache.get(("a",), 0) == b"a"
    cache.put(("c",), b"c", 0)
    assert cache.get(("b",), 0) is None
    assert cache.get(("a",), 0) == b"a"
    assert cache.get(("c",), 0) == b"c"


def test_a_cache_of_no_entries_keeps_nothing() -> None:
    cache = ResponseCache(0)
    cache.put(("a",), b"a", 0)
    assert cache.get(("a",), 0) is None


def test_cached_queries_read_one_case_and_nothing_personal_or_timed() -> None:
    for query in QUERIES:
        assert PERSISTED[query.sha256] is query
        if query.cache_by is not None:
            assert f"${query.cache_by}: ID!" in query.document
            for field in ("description", "text", "allowedActions", "deadlines", "overdue"):
                assert field not in query.document, (query.name, field)


def test_the_cli_lists_them_with_their_hashes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "complaints", "persisted"],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = json.loads(done.stdout)
    assert [q["sha256"] for q in listed] == [q.sha256 for q in QUERIES]


class FlakyTail:
    """The timeline's newest rows from a store that is away for the first `failures` reads;
    counts the reads of rows."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.rows: list[CaseRow] = []
        self.asked: list[int] = []

    def _maybe_fail(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("the store is away")

    async def head(self) -> int:
        self._maybe_fail()
        return 7

    async def rows_after(self, position: int, limit: int) -> list[CaseRow]:
        self._maybe_fail()
        self.asked.append(position)
        return [r for r in self.rows if r.position > position][:limit]

    async def aclose(self) -> None:
        return None


def row(position: int, case: str) -> CaseRow:
    return CaseRow(
        {"complaint_id": case, "version": 1, "position": position, "type": "MessagePosted"},
        "consumer-1",
        "acme",
    )


def hub_with(tail: FlakyTail) -> TimelineHub:
    views = SimpleNamespace(tail=lambda: tail)
    return TimelineHub(cast(ReadModels, views), AsyncPulse(asyncio.get_running_loop()))


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


async def fed_hub(tail: FlakyTail) -> tuple[TimelineHub, ChangeFeed]:
    """A hub over this tail with a change feed attached, once the feed is current."""
    hub = hub_with(tail)
    feed = ChangeFeed()
    hub.attach(feed)
    await until(lambda: feed.current(hub.projected))
    return hub, feed


def test_the_change_feed_survives_a_store_away_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(subscriptions, "POLL_SECONDS", 0.01)
    tail = FlakyTail(failures=2)
    tail.rows = [row(8, "case-1")]

    async def run() -> ChangeFeed:
        hub, feed = await fed_hub(tail)
        await hub.aclose()
        return feed

    feed = asyncio.run(run())
    # It started from the head once the store answered, then saw the case change after it.
    assert feed.mark("case-1") == 8
    assert feed.position == 8


def test_the_hub_feeds_the_change_feed_with_one_read_per_batch_and_nobody_listening() -> None:
    """A short page is all there was when it was read; the next batch pulses again. (The feed
    read the timeline on its own after every batch, and asked once more, for nothing.)"""
    tail = FlakyTail()

    async def run() -> None:
        hub, feed = await fed_hub(tail)
        assert tail.asked == [7]  # from the head, at start
        tail.rows = [row(8, "a"), row(9, "b")]
        hub.projected.pulse_threadsafe()
        await until(lambda: len(tail.asked) == 2 and feed.current(hub.projected))
        await asyncio.sleep(0.05)
        assert tail.asked == [7, 7]  # once, for both rows
        assert (feed.mark("a"), feed.mark("b"), feed.position) == (8, 9, 9)
        assert hub.position == 9  # kept, though nobody listens: the feed needs every batch
        await hub.aclose()

    asyncio.run(run())


def test_a_failed_read_takes_the_response_cache_out_of_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(subscriptions, "POLL_SECONDS", 0.05)
    tail = FlakyTail()

    async def run() -> None:
        hub, feed = await fed_hub(tail)
        tail.failures = 1
        hub.projected.pulse_threadsafe()
        await until(lambda: feed.synced == -1)
        assert not feed.current(hub.projected)
        await until(lambda: feed.current(hub.projected))  # read again a poll later
        await hub.aclose()

    asyncio.run(run())


def test_the_change_feed_forgets_old_cases_without_serving_a_stale_answer() -> None:
    feed = ChangeFeed(limit=2)
    cache = ResponseCache(10)
    # A case unchanged since the feed started is cached at mark 0.
    cache.put(("q", "a"), b"a as first read", feed.mark("a"))
    feed.saw([(5, "a"), (6, "b"), (7, "c")])
    # "a" changed at 5, and was then forgotten for "b" and "c": its mark is the floor, past 5.
    assert list(feed.changed) == ["b", "c"]
    assert feed.floor == 5
    assert feed.mark("a") == 5
    assert cache.get(("q", "a"), feed.mark("a")) is None  # the old answer is not served
    # What is cached from now on is served while nothing more changes.
    cache.put(("q", "a"), b"a as changed", feed.mark("a"))
    assert cache.get(("q", "a"), feed.mark("a")) == b"a as changed"
    # A case never seen is only as fresh as the floor says.
    assert feed.mark("never seen") == 5
