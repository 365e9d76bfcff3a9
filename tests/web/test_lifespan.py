"""The server's lifespan closes what it opened, even when start-up fails half way."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from complaints.application import ComplaintsApp
from complaints.settings import Settings
from complaints.web import server


def test_a_failure_after_the_app_opened_still_closes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[ComplaintsApp] = []
    closed: list[ComplaintsApp] = []

    class RecordingApp(ComplaintsApp):
        def __init__(self, settings: Settings) -> None:
            super().__init__(settings)
            opened.append(self)

        def close(self) -> None:
            closed.append(self)
            super().close()

    def broken_read_models(app: ComplaintsApp) -> None:
        raise RuntimeError("the read models' tables cannot be created")

    monkeypatch.setattr(server, "ComplaintsApp", RecordingApp)
    monkeypatch.setattr(server, "ReadModels", broken_read_models)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'complaints.db'}")
    starlette = server.create_app(settings)

    async def start() -> None:
        async with starlette.router.lifespan_context(starlette):
            pass

    with pytest.raises(RuntimeError, match="tables cannot be created"):
        asyncio.run(start())
    assert len(opened) == 1
    assert closed == opened
