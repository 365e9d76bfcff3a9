"""Fixtures of the store tests: a transparency log with a checkpoint someone kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from complaints.domain.complaint import Complaint
from complaints.projections.read_models import ReadModels
from complaints.store.notes import Signer
from complaints.workers.transparency import LogBuilder
from tests.keys import LOG_SIGNING_KEY
from tests.scenario import Scenario


@pytest.fixture
def logged(stored_world: Scenario, tmp_path: Path) -> Iterator[tuple[Complaint, Complaint, Path]]:
    """Two closed cases in the log, a checkpoint of it saved to a file, and more after it."""
    models = ReadModels(stored_world.app)
    builder = LogBuilder(stored_world.app, models.log, Signer.parse(LOG_SIGNING_KEY))
    try:
        first, second = stored_world.closed(), stored_world.closed()
        builder.catch_up()
        saved = builder.checkpoint(force=True)
        assert saved is not None
        path = tmp_path / "checkpoint.txt"
        path.write_text(saved.note)
        stored_world.closed()
        builder.catch_up()
        assert builder.checkpoint(force=True) is not None
        yield first, second, path
    finally:
        builder.leadership.close()
        models.close()
