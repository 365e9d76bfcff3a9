"""The transparency log as C2SP tlog-tiles files over HTTP, from a real server: a mirror copies
the checkpoint, the hash tiles and the entry bundles with no GraphQL at all, recomputes the root
with RFC 9162's tree hash written out independently, and finds the signed root."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.settings import Settings
from tests.e2e.conftest import Server, until
from tests.keys import LOG_SIGNING_KEY
from tests.scenario import Scenario
from tests.store import rfc9162


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    """A server on a SQLite file that already holds a few hundred events (more than a tile)."""
    workdir = tmp_path_factory.mktemp("log-files")
    url = f"sqlite:///{workdir / 'complaints.db'}"
    app = ComplaintsApp(
        Settings(database_url=url, upload_dir=workdir / "uploads"), clock=ManualClock()
    )
    world = Scenario(app, app.clock)  # type: ignore[arg-type]
    while (app.recorder.max_notification_id() or 0) < 300:
        world.closed()
    events = app.recorder.max_notification_id() or 0
    app.close()
    running = Server(url, workdir, LOG_CHECKPOINT_EVERY="0.1", LOG_SIGNING_KEY=LOG_SIGNING_KEY)
    yield running, events
    running.stop()


def get(server: Server, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", timeout=30)


def entries(bundle: bytes) -> list[bytes]:
    found, at = [], 0
    while at < len(bundle):
        size = int.from_bytes(bundle[at : at + 2], "big")
        found.append(bundle[at + 2 : at + 2 + size])
        at += 2 + size
    return found


def test_a_mirror_copies_the_whole_log_from_the_files(server: tuple[Server, int]) -> None:
    running, events = server

    def signed_all() -> httpx.Response | None:
        answer = get(running, "/log/checkpoint")
        if answer.status_code != 200 or int(answer.text.split("\n")[1]) < events:
            return None
        return answer

    answer = until(signed_all, "a checkpoint of every event")
    assert answer.headers["content-type"].startswith("text/plain")
    origin, size_line, root_line = answer.text.split("\n")[:3]
    assert origin == "complaints.localhost/log"
    assert "\n\n\u2014 complaints.test " in answer.text
    size, root = int(size_line), base64.b64decode(root_line)
    assert size == events
    full = get(running, "/log/tile/entries/000")
    assert full.status_code == 200
    assert "immutable" in full.headers["cache-control"]
    rest = size - 256
    partial = get(running, f"/log/tile/entries/001.p/{rest}")
    assert partial.status_code == 200
    assert "immutable" not in partial.headers["cache-control"]
    leaves = entries(full.content) + entries(partial.content)
    assert len(leaves) == size
    assert rfc9162.mth(leaves) == root
    first_id, version, event_hash = leaves[0].decode().split(":")
    assert version == "1"
    assert len(event_hash) == 64
    assert len(first_id) == 36
    tile = get(running, "/log/tile/0/000")
    assert tile.status_code == 200
    assert tile.content == b"".join(rfc9162.sha256(b"\x00" + leaf) for leaf in leaves[:256])
    upper = get(running, "/log/tile/1/000.p/1")
    assert upper.content == rfc9162.mth(leaves[:256])


@pytest.mark.parametrize(
    "path",
    [
        "/log/tile/0/002",  # beyond the tree
        "/log/tile/entries/001",  # not full yet
        "/log/tile/0/001.p/255",  # wider than the tree has
        "/log/tile/0/1",  # not three digits
        "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256",
        "/log/tile/64/000",
    ],
)
def test_tiles_the_tree_does_not_have_are_not_found(server: tuple[Server, int], path: str) -> None:
    running, _ = server
    until(lambda: get(running, "/log/checkpoint").status_code == 200, "a checkpoint")
    assert get(running, path).status_code == 404
