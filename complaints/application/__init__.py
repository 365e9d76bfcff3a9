"""The one `eventsourcing` Application that holds every aggregate.

- `runner.py`: how a command runs (`Command`, `Changes`, `@command`; idempotency, one atomic
  save, bounded retries) and the application's construction (`CommandRunner`).
- `read_cache.py`: aggregates as last read, and the reads that go through them.
- `history.py`: a case's events, its hash chain, the case as of a version or a moment.
- The commands, a mixin per aggregate: `complaint/` (a module per phase of a case),
  `sellers.py`, `violations.py`, `webhooks.py`, `orders.py`, `personal_data.py`; `policies.py`
  holds the policies that span aggregates and more than one command.
"""

from __future__ import annotations

from complaints.application.complaint import ComplaintCommands
from complaints.application.history import History
from complaints.application.orders import OrderCommands
from complaints.application.personal_data import PersonalDataCommands
from complaints.application.read_cache import CachedReads, ReadCache, WriteMark
from complaints.application.runner import (
    AGGREGATES,
    BoundCommand,
    Changes,
    Command,
    CommandRunner,
    aggregate_of,
    command,
)
from complaints.application.sellers import SellerCommands
from complaints.application.violations import ViolationCommands
from complaints.application.webhooks import WebhookCommands

__all__ = [
    "AGGREGATES",
    "BoundCommand",
    "CachedReads",
    "Changes",
    "Command",
    "CommandRunner",
    "ComplaintsApp",
    "ReadCache",
    "WriteMark",
    "aggregate_of",
    "command",
]


class ComplaintsApp(
    ComplaintCommands,
    SellerCommands,
    ViolationCommands,
    WebhookCommands,
    OrderCommands,
    PersonalDataCommands,
    History,
):
    """Every aggregate in one event log: each command loads, calls one command, and saves."""

    name = "complaints"  # eventsourcing names each subclass after itself unless told
