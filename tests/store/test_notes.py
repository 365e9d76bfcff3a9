"""Signed notes and checkpoints, byte for byte as golang.org/x/mod/sumdb/note writes them (its
test vector: the PeterNeumann key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaints.store.notes import Checkpoint, NoteError, Signer, Verifier, development_signer

SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
SIGNED = (
    TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2"
    "pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_gives_the_go_reference_note() -> None:
    signer = Signer.parse(SKEY)
    assert signer.verifier_key == VKEY
    assert signer.encoded() == SKEY
    assert signer.sign(TEXT) == SIGNED


def test_the_go_reference_note_opens_with_its_verifier_key() -> None:
    assert Verifier.parse(VKEY).open(SIGNED) == TEXT


def test_a_changed_text_or_another_key_does_not_open() -> None:
    with pytest.raises(NoteError, match="does not verify"):
        Verifier.parse(VKEY).open(SIGNED.replace("answer", "question"))
    other = Signer.generate("PeterNeumann")
    with pytest.raises(NoteError, match="no signature"):
        Verifier.parse(other.verifier_key).open(SIGNED)


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq",
        "PeterNeumann+c74f20a3+!!!",
    ],
)
def test_mangled_verifier_keys_are_refused(key: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(key)


def test_a_checkpoint_reads_back_from_its_text() -> None:
    checkpoint = Checkpoint("example.com/log", 12, bytes(range(32)))
    assert checkpoint.text() == (
        "example.com/log\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    )
    assert Checkpoint.parse(checkpoint.text()) == checkpoint


@pytest.mark.parametrize(
    "text", ["o\n012\nAAAA\n", "o\nten\n" + "A" * 44 + "\n", "o\n1\nAAAA\n", "o\n1\n"]
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


def test_development_keeps_one_key_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "log-signing.key"
    first = development_signer(path, "example.com")
    assert development_signer(path, "example.com").encoded() == first.encoded()
    assert path.read_text().startswith("PRIVATE+KEY+example.com+")
    assert path.stat().st_mode & 0o777 == 0o600
