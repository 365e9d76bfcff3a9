"""`complaints orders import FILE`: a marketplace's order history, backfilled from JSON Lines.
Each line is idempotent, and nothing is half-imported: a bad line is reported with its number,
and then nothing at all is recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from complaints.application import ComplaintsApp
from complaints.clock import ManualClock
from complaints.ops.cli import main
from complaints.settings import Settings
from tests.scenario import Scenario

PAID = "2025-03-01T10:00:00+08:00"


def order(n: int, **values: Any) -> dict[str, Any]:
    line = {
        "orderId": f"o-{n}",
        "shopId": "acme",
        "consumerId": "u-alice" if n % 2 else "u-bob",
        "amount": {"amount": f"{100 + n}.00", "currency": "CNY"},
        "paidAt": PAID,
    }
    if n % 3 == 0:
        line |= {
            "deliveredAt": "2025-03-03T16:20:00+08:00",
            "carrier": "SF",
            "trackingNumber": f"SF{n}",
        }
    return line | values


def write(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


@pytest.fixture
def store(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with the shop acme registered; the command reads it from DATABASE_URL."""
    app = ComplaintsApp(Settings(database_url=store_url, upload_dir=tmp_path / "uploads"))
    try:
        Scenario(app, ManualClock()).seller()
    finally:
        app.close()
    monkeypatch.setenv("DATABASE_URL", store_url)
    return store_url


def head(url: str) -> int:
    app = ComplaintsApp(Settings(database_url=url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def recorded(url: str, *order_ids: str) -> list[Any]:
    app = ComplaintsApp(Settings(database_url=url))
    try:
        return [app.find_order("acme", order_id) for order_id in order_ids]
    finally:
        app.close()


def test_a_good_file_records_every_order_and_its_delivery(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "orders.jsonl", [order(n) for n in range(1, 8)] + ["", "  "])
    assert main(["orders", "import", str(path)]) == 0
    assert "7 orders checked; 9 events recorded" in capsys.readouterr().err
    first, third = recorded(store, "o-1", "o-3")
    assert (first.consumer_id, str(first.amount), first.delivered_at) == (
        "u-alice",
        "101.00 CNY",
        None,
    )
    assert third.consumer_id == "u-alice"
    assert third.carrier == "SF"
    assert third.tracking_number.reveal() == "SF3"


def test_the_same_file_again_records_nothing(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "orders.jsonl", [order(n) for n in range(1, 8)])
    assert main(["orders", "import", str(path)]) == 0
    before = head(store)
    capsys.readouterr()
    assert main(["orders", "import", str(path)]) == 0
    assert "0 events recorded (every order was already recorded)" in capsys.readouterr().err
    assert head(store) == before


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ('{"orderId": "o-4", "shopId": ', "bad JSON"),
        (order(4, paidAt=None), "missing paidAt"),
        (order(4, consumerIdd="u-bob"), "unknown field consumerIdd"),
        (order(4, amount={"amount": "0", "currency": "CNY"}), "VALIDATION_FAILED: amount.amount"),
        (order(4, deliveredAt="2025-02-01T00:00:00+08:00"), "deliveredAt: must not be before"),
        (order(4, shopId="nowhere"), "SELLER_NOT_FOUND"),
        (order(2, consumerId="u-carol"), "ORDER_FACTS_DIFFER"),  # line 2 said u-bob
    ],
)
def test_a_bad_line_is_reported_by_its_number_and_nothing_is_recorded(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: Any, problem: str
) -> None:
    before = head(store)
    lines: list[dict[str, Any] | str] = [order(n) for n in range(1, 8)]
    lines.insert(4, bad)  # line 5
    path = write(tmp_path / "orders.jsonl", lines)
    assert main(["orders", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "orders.jsonl: line 5: " in err
    assert problem in err
    assert "1 bad of 8 lines: nothing recorded" in err
    assert head(store) == before
    assert recorded(store, "o-1", "o-2") == [None, None]


def test_facts_that_differ_from_those_recorded_are_a_bad_line(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "import", str(write(tmp_path / "a.jsonl", [order(1)]))]) == 0
    before = head(store)
    later = write(
        tmp_path / "b.jsonl", [order(2), order(1, amount={"amount": "99", "currency": "CNY"})]
    )
    assert main(["orders", "import", str(later)]) == 1
    assert "b.jsonl: line 2: ORDER_FACTS_DIFFER" in capsys.readouterr().err
    assert head(store) == before


def test_a_delivery_stated_later_is_added_to_the_order(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "import", str(write(tmp_path / "a.jsonl", [order(1)]))]) == 0
    delivered = order(1, deliveredAt="2025-03-02T09:00:00+08:00", carrier="EMS")
    assert main(["orders", "import", str(write(tmp_path / "b.jsonl", [delivered]))]) == 0
    (first,) = recorded(store, "o-1")
    assert (first.carrier, first.status) == ("EMS", "DELIVERED")


def test_the_command_shows_its_progress_and_a_missing_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = ComplaintsApp(Settings(database_url=url))
    Scenario(app, ManualClock()).seller()
    app.close()
    path = write(tmp_path / "orders.jsonl", [order(n) for n in range(1, 4)])
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "complaints", "orders", "import"]
    result = subprocess.run(
        [*command, str(path)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "checking" in result.stderr
    assert "recording" in result.stderr
    missing = subprocess.run(
        [*command, str(tmp_path / "none.jsonl")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    assert "no file" in missing.stderr
