"""What every command carries into an aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.domain.deadlines import DEFAULT_MAX_PAUSE, DeadlinePolicy
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
    #: The longest a clock stays paused before it resumes by itself (MAX_PAUSE).
    max_pause: timedelta = DEFAULT_MAX_PAUSE
