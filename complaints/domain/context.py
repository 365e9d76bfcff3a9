"""What every command carries into an aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaints.domain.deadlines import DeadlinePolicy
from complaints.domain.values import Actor


@dataclass(frozen=True)
class CommandContext:
    """Who acts, when, and the deadline terms in force. Aggregates never read the clock or
    the settings themselves; the application passes them in here."""

    actor: Actor
    now: datetime
    deadlines: DeadlinePolicy
    #: Missed replacement deadlines before a replacement turns into a refund (REPLACEMENT_ATTEMPTS).
    replacement_attempts: int = 1
