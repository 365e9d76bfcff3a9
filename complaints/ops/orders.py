"""`complaints orders import FILE`: a marketplace's order history, backfilled.

FILE is JSON Lines: one order per line, an object with the fields of `recordOrder`'s input, named
as there (camelCase):

    {"orderId": "o-1", "shopId": "acme", "consumerId": "u-alice",
     "amount": {"amount": "199.00", "currency": "CNY"}, "paidAt": "2026-03-01T10:00:00+08:00",
     "deliveredAt": "2026-03-03T16:20:00+08:00", "carrier": "SF", "trackingNumber": "SF1234"}

`deliveredAt`, `carrier` and `trackingNumber` are optional; blank lines are skipped. Each line is
recorded as `recordOrder` records it: a line whose order is recorded with the same facts records
nothing, so importing a file again records nothing new.

Nothing is half-imported. The whole file is checked first, every line against the store and the
lines before it (bad JSON, a missing or unknown field, a fact the order refuses, facts that
differ from those recorded); if any line is bad, each is reported with its number and nothing
is recorded. Then the lines are recorded in batches, each in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from complaints.application import ComplaintsApp
from complaints.domain.errors import DomainError, ValidationFailed
from complaints.domain.order import Delivery, OrderStatement
from complaints.domain.values import Actor, Money, Role
from complaints.graphql.errors import camel

#: Who the imported orders are recorded by, as their events say.
IMPORTER = Actor(Role.MARKETPLACE, "orders-import")
REQUIRED = ("orderId", "shopId", "consumerId", "amount", "paidAt")
OPTIONAL = ("deliveredAt", "carrier", "trackingNumber")
#: Orders recorded in one transaction.
BATCH = 500
#: Bad lines reported one by one; past these, only their count.
SHOWN = 50


class BadLine(ValueError):
    """A line that is not an order: the message says why."""


@dataclass(frozen=True)
class Line:
    number: int
    statement: OrderStatement


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise BadLine(f"{name} must be a string")
    return value


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    return None if data.get(name) is None else _text(data, name)


def _moment(data: dict[str, Any], name: str) -> datetime:
    text = _text(data, name)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadLine(
            f"{name} is not an ISO 8601 time, such as 2026-03-01T10:00:00+08:00"
        ) from None


def _amount(data: dict[str, Any]) -> Money:
    value = data["amount"]
    if not (
        isinstance(value, dict)
        and set(value) == {"amount", "currency"}
        and isinstance(value["amount"], str | int | Decimal)
        and not isinstance(value["amount"], bool)
        and isinstance(value["currency"], str)
    ):
        raise BadLine('amount must be {"amount": "199.00", "currency": "CNY"}')
    try:
        return Money(Decimal(value["amount"]), value["currency"])
    except ArithmeticError:
        raise BadLine("amount.amount is not a number") from None


def parse_line(text: str) -> OrderStatement:
    """One line of the file as the order it states; `BadLine` says what is wrong with it."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError as error:
        raise BadLine(f"bad JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadLine("must be a JSON object")
    if missing := [name for name in REQUIRED if data.get(name) is None]:
        raise BadLine(f"missing {', '.join(missing)}")
    if unknown := sorted(set(data) - {*REQUIRED, *OPTIONAL}):
        raise BadLine(f"unknown field {', '.join(unknown)}")
    delivery = None
    if data.get("deliveredAt") is not None:
        delivery = Delivery(
            _moment(data, "deliveredAt"),
            carrier=_optional_text(data, "carrier"),
            tracking_number=_optional_text(data, "trackingNumber"),
        )
    elif data.get("carrier") is not None or data.get("trackingNumber") is not None:
        raise BadLine("carrier and trackingNumber come with deliveredAt")
    return OrderStatement(
        shop_id=_text(data, "shopId"),
        order_id=_text(data, "orderId"),
        consumer_id=_text(data, "consumerId"),
        amount=_amount(data),
        paid_at=_moment(data, "paidAt"),
        delivery=delivery,
    )


def describe(error: DomainError) -> str:
    """A refusal as one line: its code, and the fields it names as the input names them."""
    if isinstance(error, ValidationFailed):
        fields = "; ".join(f"{camel(f.field)}: {f.message}" for f in error.fields)
        return f"{error.code}: {fields}"
    return f"{error.code}: {error.message}"


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Each line that is not blank, with its number (the first is 1)."""
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if text.strip():
                yield number, text


@dataclass
class ImportResult:
    lines: int
    bad: list[tuple[int, str]]
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.bad


def import_orders(
    app: ComplaintsApp, path: Path, progress: Callable[[str, int, int], None] | None = None
) -> ImportResult:
    """Check every line of `path`, then, if none is bad, record them all. `progress` is told
    (phase, lines done, lines in all) as it goes."""
    tell = progress or (lambda phase, done, total: None)
    parsed: list[Line] = []
    bad: list[tuple[int, str]] = []
    for number, text in read_lines(path):
        try:
            parsed.append(Line(number, parse_line(text)))
        except BadLine as error:
            bad.append((number, str(error)))
    total = len(parsed) + len(bad)
    refusals = app.refusals(IMPORTER, (line.statement for line in parsed))
    for done, (line, refusal) in enumerate(zip(parsed, refusals, strict=True), start=1):
        if refusal is not None:
            bad.append((line.number, describe(refusal.error)))
        tell("checking", done, len(parsed))
    result = ImportResult(total, sorted(bad))
    if bad:
        return result
    head = app.recorder.max_notification_id() or 0
    for start in range(0, len(parsed), BATCH):
        batch = parsed[start : start + BATCH]
        try:
            app.record_orders(IMPORTER, [line.statement for line in batch])
        except DomainError as error:  # changed by another writer since it was checked
            result.bad.append((batch[0].number, f"{describe(error)} (lines from here on)"))
            break
        tell("recording", start + len(batch), len(parsed))
    result.events = (app.recorder.max_notification_id() or 0) - head
    return result


def run(app: ComplaintsApp, path: Path, console: Console) -> int:
    """The command: check, record, report. 0 when every line is recorded (or was already)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("orders"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done)

        result = import_orders(app, path, progress)
    for number, problem in result.bad[:SHOWN]:
        console.print(
            f"{path}: line {number}: {problem}", markup=False, highlight=False, soft_wrap=True
        )
    if len(result.bad) > SHOWN:
        console.print(f"... and {len(result.bad) - SHOWN} more bad lines")
    if not result.ok:
        recorded = "some batches recorded" if result.events else "nothing recorded"
        console.print(f"{len(result.bad)} bad of {result.lines} lines: {recorded}")
        return 1
    console.print(
        f"{result.lines} orders checked; {result.events} events recorded"
        + ("" if result.events else " (every order was already recorded)")
    )
    return 0
