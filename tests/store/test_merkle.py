"""The tree over stored complete subtrees gives RFC 9162's roots and proofs, for every size,
checked by the RFC's own algorithms written out independently (tests/store/rfc9162.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from complaints.store import merkle
from tests.store import rfc9162

LEAVES = [f"leaf {i}".encode() for i in range(70)]


def grown(count: int, step: int) -> dict[merkle.Node, bytes]:
    """The stored nodes of a tree of `count` leaves, appended `step` at a time."""
    nodes: dict[merkle.Node, bytes] = {}

    def fetch(wanted: Sequence[merkle.Node]) -> list[bytes]:
        return [nodes[node] for node in wanted]

    for start in range(0, count, step):
        batch = [merkle.leaf_hash(leaf) for leaf in LEAVES[start : min(count, start + step)]]
        for level, index, digest in merkle.appended(start, batch, fetch):
            assert (level, index) not in nodes, "a node is written once"
            nodes[(level, index)] = digest
    return nodes


@pytest.fixture(scope="module", params=[1, 3, 256])
def fetch(request: pytest.FixtureRequest) -> merkle.Fetch:
    nodes = grown(len(LEAVES), request.param)
    return lambda wanted: [nodes[node] for node in wanted]


def test_roots_of_every_size_are_the_rfc_tree_hash(fetch: merkle.Fetch) -> None:
    for size in range(len(LEAVES) + 1):
        assert merkle.tree_hash(size, fetch) == rfc9162.mth(LEAVES[:size])


def test_only_complete_subtrees_are_stored() -> None:
    nodes = grown(7, 2)
    assert sorted(nodes) == [(0, i) for i in range(7)] + [(1, 0), (1, 1), (1, 2), (2, 0)]


def test_every_inclusion_proof_verifies_with_the_rfc_algorithm(fetch: merkle.Fetch) -> None:
    for size in range(1, len(LEAVES) + 1):
        root = rfc9162.mth(LEAVES[:size])
        for index in range(size):
            path = merkle.inclusion_proof(index, size, fetch)
            leaf = rfc9162.sha256(b"\x00" + LEAVES[index])
            assert rfc9162.verify_inclusion(index, size, leaf, path, root), (index, size)
            wrong = rfc9162.sha256(b"\x00" + b"rewritten")
            assert not rfc9162.verify_inclusion(index, size, wrong, path, root)


def test_every_consistency_proof_verifies_with_the_rfc_algorithm(fetch: merkle.Fetch) -> None:
    for second in range(1, 45):
        second_root = rfc9162.mth(LEAVES[:second])
        for first in range(1, second + 1):
            path = merkle.consistency_proof(first, second, fetch)
            first_root = rfc9162.mth(LEAVES[:first])
            assert rfc9162.verify_consistency(first, second, first_root, second_root, path)
            if first < second:
                forked = rfc9162.mth([b"forked", *LEAVES[1:first]])
                assert not rfc9162.verify_consistency(first, second, forked, second_root, path)


def test_a_leaf_outside_the_tree_has_no_proof(fetch: merkle.Fetch) -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_proof(5, 5, fetch)
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_proof(6, 5, fetch)


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_tile_indexes_are_written_as_tlog_tiles_says(index: int, path: str) -> None:
    assert merkle.tile_index_path(index) == path
    assert merkle.parse_tile_index(path) == index


@pytest.mark.parametrize("path", ["1", "0007", "x000/007", "001/002", "x1/002", "", "x001/", "abc"])
def test_tile_indexes_written_otherwise_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(path)}$"):
        merkle.parse_tile_index(path)


def test_tile_widths_follow_the_tree_size() -> None:
    assert merkle.tile_width(0, 0, 300) == 256
    assert merkle.tile_width(0, 1, 300) == 44
    assert merkle.tile_width(0, 2, 300) == 0
    assert merkle.tile_width(1, 0, 300) == 1
    assert merkle.tile_width(1, 0, 255) == 0


def test_an_entry_bundle_is_length_prefixed_entries() -> None:
    assert merkle.entry_bundle([b"ab", b"c"]) == b"\x00\x02ab\x00\x01c"


def test_a_streamed_root_is_the_rfc_tree_hash() -> None:
    hasher = merkle.TreeHasher()
    assert hasher.root() == rfc9162.mth([])
    for count, leaf in enumerate(LEAVES, start=1):
        hasher.push(merkle.leaf_hash(leaf))
        assert hasher.root() == rfc9162.mth(LEAVES[:count])


def test_the_projects_verifiers_agree_with_the_rfcs(fetch: merkle.Fetch) -> None:
    """The project's own verifiers (used by `complaints log verify`) accept what the RFC's
    accept and refuse a wrong root."""
    for size in range(1, 40):
        root = rfc9162.mth(LEAVES[:size])
        for index in range(size):
            path = merkle.inclusion_proof(index, size, fetch)
            leaf = merkle.leaf_hash(LEAVES[index])
            assert merkle.verify_inclusion(index, size, leaf, path, root)
            assert not merkle.verify_inclusion(index, size, leaf, path, rfc9162.sha256(root))
        for first in range(1, size + 1):
            path = merkle.consistency_proof(first, size, fetch)
            first_root = rfc9162.mth(LEAVES[:first])
            assert merkle.verify_consistency(first, size, first_root, root, path)
            assert (
                not merkle.verify_consistency(first, size, root, first_root, path) or first == size
            )
