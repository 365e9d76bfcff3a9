"""The exported schema is checked in, and serves the whole contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from complaints.graphql.schema import schema

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
VENDORED = ROOT / "contract"


#: Additions to the contract (../shared/contract/<name>) that the schema serves in full. Each is
#: checked together with the base contract and the additions it builds on, as the check command
#: at its top says.
ADDITIONS = {
    "case.graphql": ("case.graphql",),
    "recourse.graphql": ("case.graphql", "recourse.graphql"),
    "webhooks.graphql": ("webhooks.graphql",),
    "marketplace.graphql": ("case.graphql", "webhooks.graphql", "marketplace.graphql"),
    "transparency.graphql": ("transparency.graphql",),
    "language.graphql": ("webhooks.graphql", "language.graphql"),
    "whatif.graphql": ("whatif.graphql",),
    "dueprocess.graphql": ("case.graphql", "recourse.graphql", "dueprocess.graphql"),
}


def contract_files() -> tuple[Path, Path]:
    """The shared contract and checker when they are beside us; our copies otherwise."""
    if (SHARED / "contract.graphql").exists():
        return SHARED / "contract.graphql", SHARED / "tools" / "check_contract.py"
    return VENDORED / "contract.graphql", VENDORED / "check_contract.py"


def addition(name: str) -> Path:
    shared = SHARED / "contract" / name
    return shared if shared.exists() else VENDORED / name


def test_schema_graphql_is_the_schema_the_code_serves() -> None:
    checked_in = (ROOT / "schema.graphql").read_text()
    assert checked_in == schema.as_str() + "\n", (
        "schema.graphql is stale: run `complaints schema > schema.graphql`"
    )


def test_the_schema_serves_every_name_in_the_contract() -> None:
    contract, checker = contract_files()
    result = subprocess.run(
        [sys.executable, str(checker), str(ROOT / "schema.graphql"), str(contract)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "contract: 0 gaps" in result.stdout


@pytest.mark.parametrize("name", ADDITIONS)
def test_the_schema_serves_every_name_in_each_addition(name: str, tmp_path: Path) -> None:
    contract, checker = contract_files()
    combined = tmp_path / "contract.graphql"
    parts = [contract.read_text(), *(addition(part).read_text() for part in ADDITIONS[name])]
    combined.write_text("\n".join(parts))
    result = subprocess.run(
        [sys.executable, str(checker), str(ROOT / "schema.graphql"), str(combined)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "contract: 0 gaps" in result.stdout


def test_the_vendored_contract_matches_the_shared_one() -> None:
    if not (SHARED / "contract.graphql").exists():
        pytest.skip("no ../shared beside this checkout: the vendored copy is all there is")
    assert (VENDORED / "contract.graphql").read_text() == (SHARED / "contract.graphql").read_text()
    assert (VENDORED / "check_contract.py").read_text() == (
        SHARED / "tools" / "check_contract.py"
    ).read_text()
    for name in ADDITIONS:
        shared = SHARED / "contract" / name
        if not shared.exists():
            continue  # ours, not yet in the shared contract (whatif.graphql): ours is all there is
        assert (VENDORED / name).read_text() == shared.read_text(), name
