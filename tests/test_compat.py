"""complaints.compat: it refuses libraries at versions it was not written against, and each of
its seams into a library is still reached. (The executor patch is tested in
tests/api/test_execution.py, the uvicorn supervisor in tests/e2e/test_deployment.py.)"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from psycopg_pool import ConnectionPool

from complaints import compat
from complaints.application import ComplaintsApp
from complaints.settings import Settings
from complaints.store.hash_chain import HashedRecorder
from tests.scenario import SUPERVISOR, cny


class TestVersionGuard:
    def test_the_installed_libraries_are_those_it_was_written_against(self) -> None:
        compat.check_versions()

    @pytest.mark.parametrize("library", sorted(compat.WRITTEN_AGAINST))
    def test_a_library_at_another_version_is_refused_naming_both_versions(
        self, library: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        installed = metadata.version
        monkeypatch.setattr(
            metadata, "version", lambda name: "0.0.1" if name == library else installed(name)
        )
        with pytest.raises(compat.IncompatibleLibrary) as refused:
            compat.check_versions()
        expected = compat.WRITTEN_AGAINST[library]
        assert str(refused.value).startswith(
            f"complaints.compat was written against {library} {expected},"
            f" but {library} 0.0.1 is installed."
        )

    def test_a_missing_library_is_refused_by_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        installed = metadata.version

        def version(name: str) -> str:
            if name == "uvicorn":
                raise metadata.PackageNotFoundError(name)
            return installed(name)

        monkeypatch.setattr(metadata, "version", version)
        with pytest.raises(compat.IncompatibleLibrary, match="but uvicorn is not installed"):
            compat.check_versions()

    def test_importing_it_fails_before_it_reaches_into_a_library_at_another_version(
        self,
    ) -> None:
        probe = (
            "from importlib import metadata\n"
            "installed = metadata.version\n"
            "metadata.version = lambda n: '9.9.9' if n == 'graphql-core' else installed(n)\n"
            "import complaints.compat\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=False
        )
        assert run.returncode != 0
        last = run.stderr.strip().splitlines()[-1]
        assert last.startswith(
            "complaints.compat.IncompatibleLibrary: complaints.compat was written against"
            " graphql-core 3.3.2, but graphql-core 9.9.9 is installed."
        )


@pytest.mark.parametrize("database_url", ["memory://", "sqlite", "postgres"])
def test_every_store_records_each_events_hash_through_the_recorder_seams(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The hash chain is written only where compat's recorders route the library's private
    insert step (`insert_in_transaction`, `update_table`): a hash per event means it ran."""
    if database_url != "memory://":
        database_url = request.getfixturevalue(f"{database_url}_url")
    app = ComplaintsApp(Settings(database_url=database_url, upload_dir=tmp_path / "uploads"))
    try:
        seller = app.register_seller(SUPERVISOR, "acme", "Acme", cny("10000"))
        app.top_up_deposit(SUPERVISOR, "acme", cny("500"))
        recorder = app.recorder
        assert isinstance(recorder, HashedRecorder)
        assert sorted(recorder.select_hashes(seller.id)) == [1, 2]
        assert app.verify_history(seller.id).verified
    finally:
        app.close()


@pytest.mark.postgres
def test_a_pool_given_callbacks_once_open_checks_and_resets_through_them(
    postgres_server: str,
) -> None:
    checked: list[object] = []
    returned: list[object] = []
    with ConnectionPool(postgres_server, min_size=1, max_size=1, open=True) as pool:
        compat.set_pool_callbacks(pool, check=checked.append, reset=returned.append)
        with pool.connection() as first:
            first.execute("SELECT 1")
        # The one connection comes back once a worker of the pool has reset it.
        with pool.connection() as second:
            assert second is first
    assert checked == [first, first]
    assert returned[:1] == [first]
