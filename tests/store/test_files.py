"""Evidence files sealed under their uploader's key: what an insider with the disk can and
cannot learn, and that any byte range reads back exactly."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from complaints.store.files import CHUNK, FileStore, TamperedFile, TooLarge, owner_directory
from complaints.store.personal_data import MemoryKeyStore

MARKER = b"ZQX-file-marker"


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "uploads", MemoryKeyStore())


def save(files: FileStore, owner: str, content: bytes) -> str:
    return files.save(owner, io.BytesIO(content), "video/mp4", 10 * CHUNK).sha256


def on_disk(files: FileStore) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(files.directory.rglob("*")) if p.is_file())


def test_a_file_reads_back_whole_and_in_any_range(files: FileStore) -> None:
    content = os.urandom(3 * CHUNK + 123)
    sha256 = save(files, "u-alice", content)
    assert sha256 == hashlib.sha256(content).hexdigest()
    sealed = files.open("u-alice", sha256)
    assert sealed is not None
    assert sealed.size == len(content)
    assert b"".join(sealed.read()) == content
    for start, end in [
        (0, 0),
        (5, CHUNK - 1),
        (CHUNK - 3, CHUNK + 3),
        (CHUNK, 3 * CHUNK + 122),
        (2 * CHUNK + 7, 2 * CHUNK + 7),
        (len(content) - 10, len(content) + 99),
    ]:
        assert b"".join(sealed.read(start, end)) == content[start : end + 1], (start, end)
    assert b"".join(sealed.read(len(content), len(content) + 5)) == b""


def test_an_empty_chunk_boundary_and_a_one_chunk_file(files: FileStore) -> None:
    for content in (b"x", os.urandom(CHUNK), os.urandom(2 * CHUNK)):
        sealed = files.open("u-alice", save(files, "u-alice", content))
        assert sealed is not None
        assert b"".join(sealed.read()) == content


def test_no_plaintext_and_no_subject_id_reach_the_disk(files: FileStore) -> None:
    content = b"\x89PNG\r\n\x1a\n" + MARKER * 5000
    save(files, "u-alice", content)
    raw = on_disk(files)
    assert MARKER not in raw
    paths = [str(p) for p in files.directory.rglob("*")]
    assert not any("u-alice" in p for p in paths)
    assert any(owner_directory("u-alice") in p for p in paths)


def test_one_file_from_two_people_is_two_copies_under_two_keys(files: FileStore) -> None:
    sha256 = save(files, "u-alice", b"same bytes")
    assert save(files, "u-bob", b"same bytes") == sha256
    assert files.path("u-alice", sha256) != files.path("u-bob", sha256)
    files.keys.destroy("u-alice")
    assert files.open("u-alice", sha256) is None
    bob = files.open("u-bob", sha256)
    assert bob is not None
    assert b"".join(bob.read()) == b"same bytes"


def test_after_the_key_is_destroyed_nothing_opens_and_a_new_upload_is_sealed_again(
    files: FileStore,
) -> None:
    sha256 = save(files, "u-alice", b"bytes")
    first = files.path("u-alice", sha256).read_bytes()
    assert save(files, "u-alice", b"bytes") == sha256
    assert files.path("u-alice", sha256).read_bytes() == first  # stored once
    files.keys.destroy("u-alice")
    assert files.describe("u-alice", sha256) is None
    save(files, "u-alice", b"bytes")  # the same person uploads it again, under a new key
    assert files.path("u-alice", sha256).read_bytes() != first
    assert files.describe("u-alice", sha256) is not None


def test_an_altered_chunk_or_header_fails_authentication(files: FileStore) -> None:
    content = os.urandom(2 * CHUNK + 5)
    sha256 = save(files, "u-alice", content)
    path = files.path("u-alice", sha256)
    original = path.read_bytes()
    header_end = original.index(b"\n") + 1
    # A flipped bit in the second chunk: the first still reads, the second does not.
    altered = bytearray(original)
    altered[header_end + CHUNK + 16 + 3] ^= 1
    path.write_bytes(altered)
    sealed = files.open("u-alice", sha256)
    assert sealed is not None
    assert b"".join(sealed.read(0, 10)) == content[:11]
    with pytest.raises(TamperedFile):
        b"".join(sealed.read(CHUNK, CHUNK + 1))
    # A header that claims another type or size.
    path.write_bytes(original.replace(b'"video/mp4"', b'"image/png"', 1))
    with pytest.raises(TamperedFile):
        files.open("u-alice", sha256)
    # The last chunk dropped.
    path.write_bytes(original[: header_end + 2 * (CHUNK + 16)])
    sealed = files.open("u-alice", sha256)
    assert sealed is not None
    with pytest.raises(TamperedFile):
        b"".join(sealed.read())


def test_a_file_moved_to_another_name_or_owner_opens_as_nothing(files: FileStore) -> None:
    one = save(files, "u-alice", b"one")
    two = save(files, "u-alice", b"two")
    files.path("u-alice", two).write_bytes(files.path("u-alice", one).read_bytes())
    assert files.open("u-alice", two) is None  # its header names another file
    save(files, "u-bob", b"bob's")
    target = files.path("u-bob", one)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(files.path("u-alice", one).read_bytes())
    with pytest.raises(TamperedFile):  # Alice's key would open it, but not as Bob's
        files.open("u-bob", one)


def test_the_limit_holds_and_leaves_nothing_behind(files: FileStore) -> None:
    with pytest.raises(TooLarge):
        files.save("u-alice", io.BytesIO(b"x" * 101), "image/png", 100)
    assert on_disk(files) == b""
