from __future__ import annotations

from collections.abc import Iterator

import pytest

from complaints.application import ComplaintsApp
from complaints.projections.read_models import ReadModels


@pytest.fixture
def read_models(app: ComplaintsApp) -> Iterator[ReadModels]:
    models = ReadModels(app)
    yield models
    models.close()


@pytest.fixture
def stored_read_models(stored_app: ComplaintsApp) -> Iterator[ReadModels]:
    models = ReadModels(stored_app)
    yield models
    models.close()
