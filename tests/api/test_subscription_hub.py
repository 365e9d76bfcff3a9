"""The subscription hub: one task per process fans timeline rows out to subscribers.

A subscriber that arrives just as the last one left (a client reconnecting after its socket
dropped) must be served like any other. The hub used to cancel its task when the last listener
left; on Python 3.11 that cancellation could be swallowed, and the next subscriber waited
forever for a start signal (tests/reliability/test_faults.py, one run in ten).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
from complaints.graphql.subscriptions import Listener, TimelineHub
from complaints.projections.read_models import ReadModels
from complaints.store.signal import AsyncPulse
from tests.scenario import Scenario

SELLER = Actor(Role.SELLER, "staff-1", "acme")
OTHER_SELLER = Actor(Role.SELLER, "staff-9", "globex")


async def next_entries(listener: Listener, timeout: float = 5.0) -> list[int]:
    async with asyncio.timeout(timeout):
        while not listener.entries:
            await listener.wait(timeout)
    return [entry.position for entry in listener.take()]


def seen_by(models: ReadModels, viewer: Actor, after: int) -> list[int]:
    return [entry.position for entry in models.timeline.since(viewer, after)]


def test_a_listener_arriving_as_the_last_one_leaves_is_served(
    models: ReadModels, world: Scenario
) -> None:
    async def run() -> None:
        hub = TimelineHub(models, AsyncPulse(asyncio.get_running_loop()))
        first = Listener(SELLER, None)
        start = await hub.register(first)
        assert start == 0
        task = hub._task
        hub.unregister(first)
        # At once, before the hub's task has run again: the reconnecting client.
        second = Listener(SELLER, None)
        assert await hub.register(second) == 0
        world.file()
        models.catch_up()
        hub.projected.pulse_threadsafe()
        assert await next_entries(second) == seen_by(models, SELLER, 0)
        assert not first.entries  # gone: offered nothing
        assert hub._task is task  # one task throughout, never cancelled
        await hub.aclose()

    asyncio.run(run())


def test_with_nobody_listening_the_hub_restarts_from_the_head(
    models: ReadModels, world: Scenario
) -> None:
    async def run() -> None:
        hub = TimelineHub(models, AsyncPulse(asyncio.get_running_loop()))
        first = Listener(SELLER, None)
        await hub.register(first)
        hub.unregister(first)
        hub.projected.pulse_threadsafe()
        await asyncio.sleep(0.05)  # the task sees nobody listens, and forgets its position
        assert hub.position is None
        world.file()
        models.catch_up()
        head = models.timeline.head()
        later = Listener(SELLER, None)
        # What happened while nobody listened is read from the model (with `after`), not
        # handed over by the hub: it starts from the head.
        assert await hub.register(later) == head
        world.file()
        models.catch_up()
        hub.projected.pulse_threadsafe()
        assert await next_entries(later) == seen_by(models, SELLER, head)
        await hub.aclose()

    asyncio.run(run())


def test_the_hub_hands_rows_only_to_those_who_may_see_them(
    models: ReadModels, world: Scenario
) -> None:
    async def run() -> None:
        hub = TimelineHub(models, AsyncPulse(asyncio.get_running_loop()))
        mine, theirs = Listener(SELLER, None), Listener(OTHER_SELLER, None)
        await hub.register(mine)
        await hub.register(theirs)
        world.file()  # against acme
        models.catch_up()
        hub.projected.pulse_threadsafe()
        assert len(await next_entries(mine)) == 1
        await asyncio.sleep(0.1)
        assert not theirs.entries
        await hub.aclose()

    asyncio.run(run())


def test_a_short_page_ends_the_hubs_read_without_asking_again(
    models: ReadModels, world: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    rows_after = models.timeline.rows_after

    def counted(position: int, limit: int = 1000) -> Any:
        asked.append(position)
        return rows_after(position, limit)

    monkeypatch.setattr(models.timeline, "rows_after", counted)

    async def run() -> None:
        hub = TimelineHub(models, AsyncPulse(asyncio.get_running_loop()))
        listener = Listener(SELLER, None)
        await hub.register(listener)
        await asyncio.sleep(0.05)  # the hub's first read, of nothing
        before = len(asked)
        world.file()
        models.catch_up()
        hub.projected.pulse_threadsafe()
        assert await next_entries(listener) == seen_by(models, SELLER, 0)
        await asyncio.sleep(0.05)
        assert len(asked) == before + 1, "one query for one short page"
        await hub.aclose()

    asyncio.run(run())
