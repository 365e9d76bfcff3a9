"""The transparency log's tree: RFC 9162 section 2.1 (the tree of RFC 6962), over stored hashes.

    leaf hash  = SHA-256(0x00 || leaf)
    node hash  = SHA-256(0x01 || left || right)
    MTH(D[n])  = the hash of the tree of n leaves, split at the largest power of two below n

What is stored is every complete subtree: the node at (level, index) is the hash of the leaves
[index * 2**level, (index + 1) * 2**level). A tree of n leaves has about 2n of them, and they
never change once written. Any range that RFC 9162's proofs ask for, in a tree of any size up to
n, is a run of at most log2(n) of them, hashed together right to left (as Go's
golang.org/x/mod/sumdb/tlog does). So every inclusion and consistency proof, for every size the
log ever had, costs O(log^2 n) lookups, fetched in one round trip. The same nodes, 256 at a
time, are the C2SP tlog-tiles that mirrors copy.

Nothing here touches a database: readers pass a function that fetches nodes by (level, index).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

#: (level, index) of a complete subtree.
Node = tuple[int, int]
#: Fetches the hashes of the given nodes, in the order asked.
Fetch = Callable[[Sequence[Node]], Sequence[bytes]]

#: C2SP tlog-tiles: tiles are 2**8 = 256 hashes wide, and a tile at level L holds tree level 8L.
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_subtrees(lo: int, hi: int) -> list[Node]:
    """The leaves [lo, hi) as maximal complete subtrees, left to right. `lo` must be a multiple
    of the largest power of two not above hi - lo, as every range RFC 9162 splits off is."""
    nodes: list[Node] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo % (1 << level):
            level -= 1
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes


def combine(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its complete subtrees (left to right): right to left, as the
    RFC's split puts the larger, complete part on the left at every step."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


class Ranges:
    """Ranges of leaves whose hashes a proof needs, fetched together once all are known."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []

    def add(self, lo: int, hi: int) -> None:
        self.ranges.append((lo, hi))

    def hashes(self, fetch: Fetch) -> list[bytes]:
        pieces = [complete_subtrees(lo, hi) for lo, hi in self.ranges]
        wanted = sorted({node for nodes in pieces for node in nodes})
        found = dict(zip(wanted, fetch(wanted), strict=True))
        return [combine([found[node] for node in nodes]) for nodes in pieces]


def tree_hash(size: int, fetch: Fetch) -> bytes:
    """MTH of the first `size` leaves (the hash of the empty string for none)."""
    if size == 0:
        return hashlib.sha256(b"").digest()
    ranges = Ranges()
    ranges.add(0, size)
    return ranges.hashes(fetch)[0]


def _inclusion(m: int, lo: int, hi: int, ranges: Ranges) -> None:
    """RFC 9162 2.1.3.1 PATH(m, D[lo:hi]), as the ranges whose hashes make it."""
    if hi - lo <= 1:
        return
    k = largest_power_of_two_below(hi - lo)
    if m < k:
        _inclusion(m, lo, lo + k, ranges)
        ranges.add(lo + k, hi)
    else:
        _inclusion(m - k, lo + k, hi, ranges)
        ranges.add(lo, lo + k)


def inclusion_proof(index: int, size: int, fetch: Fetch) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    ranges = Ranges()
    _inclusion(index, 0, size, ranges)
    return ranges.hashes(fetch)


def _consistency(m: int, lo: int, hi: int, complete: bool, ranges: Ranges) -> None:
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[lo:hi], b)."""
    n = hi - lo
    if m == n:
        if not complete:
            ranges.add(lo, hi)
        return
    k = largest_power_of_two_below(n)
    if m <= k:
        _consistency(m, lo, lo + k, complete, ranges)
        ranges.add(lo + k, hi)
    else:
        _consistency(m - k, lo + k, hi, False, ranges)
        ranges.add(lo, lo + k)


def consistency_proof(first: int, second: int, fetch: Fetch) -> list[bytes]:
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    if first in (0, second):
        return []
    ranges = Ranges()
    _consistency(first, 0, second, True, ranges)
    return ranges.hashes(fetch)


def right_edge(size: int) -> list[Node]:
    """The complete subtrees of a tree of `size` leaves that a new leaf may be hashed with."""
    return complete_subtrees(0, size)


def appended(size: int, leaf_hashes: Iterable[bytes], fetch: Fetch) -> list[tuple[int, int, bytes]]:
    """The nodes that appending these leaves to a tree of `size` leaves completes, as
    (level, index, hash): each leaf, then every subtree it closes."""
    edge = dict(zip(right_edge(size), fetch(right_edge(size)), strict=True))
    new: list[tuple[int, int, bytes]] = []
    for offset, digest in enumerate(leaf_hashes):
        index = size + offset
        edge[(0, index)] = digest
        new.append((0, index, digest))
        level, current = 0, digest
        while index & 1:
            current = node_hash(edge[(level, index - 1)], current)
            level, index = level + 1, index >> 1
            edge[(level, index)] = current
            new.append((level, index, current))
    return new


# ---------------------------------------------------------------- C2SP tlog-tiles
def tile_index_path(n: int) -> str:
    """A tile index as tlog-tiles writes it: groups of three digits, all but the last with an
    `x` prefix (1234067 -> x001/x234/067)."""
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def parse_tile_index(path: str) -> int:
    """The inverse of `tile_index_path`; ValueError for anything it would not write."""
    parts = path.split("/")
    if not parts or any(not p for p in parts):
        raise ValueError(path)
    value = 0
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        digits = part if last else part.removeprefix("x")
        if (not last and not part.startswith("x")) or len(digits) != 3 or not digits.isdigit():
            raise ValueError(path)
        value = value * 1000 + int(digits)
    if tile_index_path(value) != path:
        raise ValueError(path)
    return value


def tile_nodes(level: int, index: int, width: int) -> list[Node]:
    """The nodes a hash tile holds: tree level 8L, `width` of them from 256 * index."""
    first = index * TILE_WIDTH
    return [(level * TILE_HEIGHT, first + i) for i in range(width)]


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes the tile has in a tree of `size` leaves (256: full; 0: none yet)."""
    available = size >> (level * TILE_HEIGHT)
    return max(0, min(TILE_WIDTH, available - index * TILE_WIDTH))


def entry_bundle(entries: Iterable[bytes]) -> bytes:
    """tlog-tiles entry bundle: each entry as a big-endian uint16 length, then its bytes."""
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


class TreeHasher:
    """The root of a tree fed one leaf hash at a time, in O(log n) memory: the stack holds the
    complete subtrees of the leaves so far (sizes strictly decreasing powers of two)."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def push(self, digest: bytes) -> None:
        width, current = 1, digest
        while self._stack and self._stack[-1][0] == width:
            _, left = self._stack.pop()
            width, current = width * 2, node_hash(left, current)
        self._stack.append((width, current))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return hashlib.sha256(b"").digest()
        return combine([h for _, h in self._stack])


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: whether `path` proves the leaf hash at `index` in the tree `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: whether `path` proves the tree of `second` leaves extends that of
    `first` (0 < first <= second)."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    proof = list(path)
    if first & (first - 1) == 0:
        proof.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root
