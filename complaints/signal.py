"""A pulse that wakes waiting threads: "something may have changed, go and look"."""

from __future__ import annotations

import threading


class Signal:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._pulses = 0

    @property
    def pulses(self) -> int:
        with self._condition:
            return self._pulses

    def pulse(self) -> None:
        with self._condition:
            self._pulses += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Sleep until a pulse after `seen`, or for `timeout` seconds; return the pulse count."""
        with self._condition:
            self._condition.wait_for(lambda: self._pulses != seen, timeout)
            return self._pulses
