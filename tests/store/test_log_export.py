"""An exported case carries each event's inclusion proof and the checkpoint they are proven
against; tools/verify_export.py checks the chain, the proofs and (with the log's verifier key)
the signature, on its own, on both stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from complaints.domain.complaint import Complaint
from complaints.store.notes import Signer
from tests.keys import LOG_SIGNING_KEY

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "verify_export.py"
VKEY = Signer.parse(LOG_SIGNING_KEY).verifier_key


def export(url: str, case: Complaint, path: Path) -> list[dict[str, Any]]:
    exported = subprocess.run(
        [sys.executable, "-m", "complaints", "audit", "export", case.reference],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "LOG_SIGNING_KEY": LOG_SIGNING_KEY},
        timeout=120,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    path.write_text(exported.stdout)
    return [json.loads(line) for line in exported.stdout.splitlines()]


def verify(path: Path, *key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path), *key],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_export_proves_every_event_in_the_signed_checkpoint(
    store_url: str, logged: tuple[Complaint, Complaint, Path], tmp_path: Path
) -> None:
    case = logged[0]
    history = tmp_path / "case.ndjson"
    lines = export(store_url, case, history)
    assert len(lines) == case.version
    assert all(line["log"] is not None for line in lines)
    assert len({line["checkpoint"] for line in lines}) == 1
    verified = verify(history, "--key", VKEY)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{case.version} events proven in the checkpoint's tree" in verified.stdout
    assert "checkpoint signature verified" in verified.stdout
    unsigned = verify(history)
    assert unsigned.returncode == 0
    assert "not checked: pass --key" in unsigned.stdout


def test_a_forged_proof_or_checkpoint_is_caught_by_the_verifier_alone(
    store_url: str, logged: tuple[Complaint, Complaint, Path], tmp_path: Path
) -> None:
    case = logged[0]
    history = tmp_path / "case.ndjson"
    lines = export(store_url, case, history)
    forged_proof = [dict(line) for line in lines]
    proof = dict(forged_proof[1]["log"])
    proof["leaf_index"] = proof["leaf_index"] + 1
    forged_proof[1]["log"] = proof
    bad = tmp_path / "forged-proof.ndjson"
    bad.write_text("".join(json.dumps(line) + "\n" for line in forged_proof))
    result = verify(bad, "--key", VKEY)
    assert result.returncode == 1
    assert "version 2: not proven in the checkpoint's tree" in result.stdout
    other_key = Signer.generate("complaints.test").verifier_key
    result = verify(history, "--key", other_key)
    assert result.returncode == 1
    assert "the checkpoint is not signed by the key given" in result.stdout
