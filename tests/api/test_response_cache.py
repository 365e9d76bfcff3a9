"""The response cache's own rules: an entry is served only for the mark it was made at, and the
least recently used entries go first."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import cast

from complaints.graphql.persisted import (
    CHANGES_PAGE,
    PERSISTED,
    QUERIES,
    ChangeFeed,
    ResponseCache,
)
from complaints.projections.timeline import TimelineView
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


class FlakyTimeline:
    """A timeline whose store is away for the first `failures` reads."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def _maybe_fail(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("the store is away")

    def head(self) -> int:
        self._maybe_fail()
        return 7

    def changes_after(self, position: int, limit: int = 5000) -> list[tuple[int, str]]:
        self._maybe_fail()
        return [(8, "case-1")] if position < 8 else []


def test_the_change_feed_survives_a_store_away_at_start_up() -> None:
    async def run() -> ChangeFeed:
        projected = AsyncPulse(asyncio.get_running_loop())
        feed = ChangeFeed(cast(TimelineView, FlakyTimeline(failures=2)))
        following = asyncio.create_task(feed.follow(projected, poll_seconds=0.01))
        async with asyncio.timeout(5):
            while not feed.current(projected):
                await asyncio.sleep(0.01)
        following.cancel()
        return feed

    feed = asyncio.run(run())
    # It started from the head once the store answered, then saw the case change after it.
    assert feed.mark("case-1") == 8
    assert feed.position == 8


class ScriptedTimeline:
    """A timeline that reports the given changes, once each."""

    def __init__(self) -> None:
        self.changes: list[tuple[int, str]] = []

    def head(self) -> int:
        return 0

    def changes_after(self, position: int, limit: int = 5000) -> list[tuple[int, str]]:
        return [c for c in self.changes if c[0] > position]


def test_the_change_feed_forgets_old_cases_without_serving_a_stale_answer() -> None:
    timeline = ScriptedTimeline()
    feed = ChangeFeed(cast(TimelineView, timeline), limit=2)
    cache = ResponseCache(10)
    # A case unchanged since the feed started is cached at mark 0.
    cache.put(("q", "a"), b"a as first read", feed.mark("a"))
    timeline.changes = [(5, "a"), (6, "b"), (7, "c")]
    feed.catch_up()
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
    timeline.changes.append((8, "b"))
    feed.catch_up()
    assert list(feed.changed) == ["c", "b"]  # the least recently changed goes first


def test_the_change_feed_reads_once_per_batch_when_the_page_is_short() -> None:
    """A short page is all there was when it was read; the next batch pulses again. (The feed
    used to ask once more, for nothing, after every batch.)"""
    timeline = ScriptedTimeline()
    asked: list[int] = []
    scripted = timeline.changes_after

    def changes_after(position: int, limit: int = 5000) -> list[tuple[int, str]]:
        asked.append(position)
        return scripted(position, limit)[:limit]

    timeline.changes_after = changes_after  # type: ignore[method-assign]
    feed = ChangeFeed(cast(TimelineView, timeline))
    timeline.changes = [(5, "a"), (6, "b")]
    feed.catch_up()
    assert asked == [0]
    assert feed.mark("b") == 6
    # A full page is followed by another read.
    timeline.changes = [(7 + n, f"case-{n}") for n in range(CHANGES_PAGE + 1)]
    asked.clear()
    feed.catch_up()
    assert asked == [6, 6 + CHANGES_PAGE]
    assert feed.position == 7 + CHANGES_PAGE
