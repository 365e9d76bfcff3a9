"""The response cache's own rules: an entry is served only for the mark it was made at, and the
least recently used entries go first."""

from __future__ import annotations

import json
import subprocess
import sys

from complaints.graphql.persisted import PERSISTED, QUERIES, ResponseCache


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
