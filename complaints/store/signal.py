"""A pulse that wakes waiting threads: "something may have changed, go and look"."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable


class Signal:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._pulses = 0
        self._listeners: list[Callable[[], None]] = []

    @property
    def pulses(self) -> int:
        with self._condition:
            return self._pulses

    def pulse(self) -> None:
        with self._condition:
            self._pulses += 1
            self._condition.notify_all()
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def wait(self, seen: int, timeout: float) -> int:
        """Sleep until a pulse after `seen`, or for `timeout` seconds; return the pulse count."""
        with self._condition:
            self._condition.wait_for(lambda: self._pulses != seen, timeout)
            return self._pulses

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from the pulsing thread) on every pulse."""
        with self._condition:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        with self._condition:
            if listener in self._listeners:
                self._listeners.remove(listener)


class AsyncPulse:
    """The asyncio side of a `Signal`: any number of coroutines can await the next pulse, with
    no thread parked per waiter. Pulses arrive from other threads via `pulse_threadsafe`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._pulses = 0
        self._event = asyncio.Event()

    @property
    def pulses(self) -> int:
        return self._pulses

    def pulse_threadsafe(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._pulse)

    def _pulse(self) -> None:
        self._pulses += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seen: int, timeout: float) -> None:
        """Return at the first pulse after `seen`, or after `timeout` seconds."""
        if self._pulses != seen:
            return
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        # that arrives as the event is set, and the cancelled task would carry on.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()
