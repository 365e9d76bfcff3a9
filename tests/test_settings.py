"""Settings: the one place that reads the environment, and its refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.order import FilingWindow, OrderCheck
from complaints.domain.values import SanctionKind
from complaints.settings import DEFAULT_DATABASE_URL, Settings, SettingsError, Store
from tests.keys import LOG_SIGNING_KEY as LOG_KEY


def test_with_nothing_set_the_service_runs_on_a_local_sqlite_file() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.store == Store("sqlite", path=Path("./var/complaints.db"))
    assert settings.store.eventsourcing_env()["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"


def test_a_postgresql_url_becomes_the_librarys_variables() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://app:s%40cret@db.internal:6543/complaints?schema=cases"}
    )
    env = settings.store.eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.internal", "6543")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("app", "s@cret")
    assert (env["POSTGRES_DBNAME"], env["POSTGRES_SCHEMA"]) == ("complaints", "cases")
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env


def test_an_absolute_sqlite_path_is_kept() -> None:
    assert Store.parse("sqlite:////srv/data/c.db").path == Path("/srv/data/c.db")


def test_deadline_overrides_are_read() -> None:
    settings = Settings.from_env({"DEADLINES": "seller_response=3s,appeal_window=2m"})
    assert settings.deadlines.durations[DeadlineKind.SELLER_RESPONSE] == timedelta(seconds=3)


def test_the_shops_deadlines_are_deadlines_too() -> None:
    default = Settings.from_env({})
    assert default.deadlines.durations[DeadlineKind.VIOLATION_RESPONSE] == timedelta(days=3)
    assert default.deadlines.durations[DeadlineKind.VIOLATION_DECISION] == timedelta(days=5)
    assert default.deadlines.durations[DeadlineKind.SANCTION_APPEAL_REVIEW] == timedelta(days=5)
    settings = Settings.from_env({"DEADLINES": "violation_response=1d,sanction_appeal_review=2h"})
    assert settings.deadlines.durations[DeadlineKind.VIOLATION_RESPONSE] == timedelta(days=1)
    assert "sanction_appeal_review=2h" in settings.describe()["DEADLINES"]


def test_a_paused_clock_resumes_after_fourteen_days_unless_told() -> None:
    assert Settings.from_env({}).max_pause == timedelta(days=14)
    settings = Settings.from_env({"MAX_PAUSE": "30d"})
    assert settings.max_pause == timedelta(days=30)
    assert settings.describe()["MAX_PAUSE"] == "30d"
    assert Settings.from_env({"MAX_PAUSE": settings.describe()["MAX_PAUSE"]}) == settings


def test_the_sanction_ladder_is_read_and_written_back() -> None:
    env = {
        "SANCTION_LADDER": "warning, trading_restricted, shop_closed",
        "SANCTION_FINE": "250",
        "SANCTION_WINDOW": "90d",
    }
    settings = Settings.from_env(env)
    ladder = settings.sanctions
    assert ladder.rungs == (
        SanctionKind.WARNING,
        SanctionKind.TRADING_RESTRICTED,
        SanctionKind.SHOP_CLOSED,
    )
    assert (ladder.fine, ladder.window) == (Decimal("250.00"), timedelta(days=90))
    assert [ladder.rung(n) for n in (1, 2, 3, 4, 9)] == [
        SanctionKind.WARNING,
        SanctionKind.TRADING_RESTRICTED,
        SanctionKind.SHOP_CLOSED,
        SanctionKind.SHOP_CLOSED,
        SanctionKind.SHOP_CLOSED,
    ]
    assert settings.describe()["SANCTION_WINDOW"] == "90d"
    assert Settings.from_env(ladder.spec()).sanctions == ladder
    assert Settings.from_env({}).sanctions.spec() == {
        "SANCTION_LADDER": "WARNING,FINE,TRADING_RESTRICTED,SHOP_CLOSED",
        "SANCTION_FINE": "500.00",
        "SANCTION_WINDOW": "365d",
        "SANCTION_DURATIONS": "WARNING=90d,FINE=0d,TRADING_RESTRICTED=30d",
    }


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///:memory:"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://host/"}, "DATABASE_URL"),
        ({"DEADLINES": "seller_response=soon"}, "DEADLINES"),
        ({"SANCTION_LADDER": "WARNING,BANISHMENT"}, "SANCTION_LADDER"),
        ({"SANCTION_LADDER": " , "}, "SANCTION_LADDER"),
        ({"SANCTION_FINE": "-5"}, "SANCTION_FINE"),
        ({"SANCTION_FINE": "1.005"}, "SANCTION_FINE"),
        ({"SANCTION_FINE": "lots"}, "SANCTION_FINE"),
        ({"SANCTION_WINDOW": "a year"}, "SANCTION_WINDOW"),
        ({"SANCTION_WINDOW": "0d"}, "SANCTION_WINDOW"),
        ({"SANCTION_DURATIONS": "WARNING=forever"}, "SANCTION_DURATIONS"),
        ({"DEADLINE_POLL_SECONDS": "-1"}, "DEADLINE_POLL_SECONDS"),
        ({"MAX_PAUSE": "two weeks"}, "MAX_PAUSE"),
        ({"MAX_PAUSE": "0d"}, "MAX_PAUSE"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"COMMAND_RETRIES": "-1"}, "COMMAND_RETRIES"),
        ({"JWT_SECRET": "short"}, "JWT_SECRET"),
        ({"ENVIRONMENT": "production"}, "JWT_SECRET"),
        ({"ENVIRONMENT": "staging"}, "ENVIRONMENT"),
        (
            {"ENVIRONMENT": "production", "JWT_SECRET": "a-production-grade-secret-0123456789"},
            "LOG_SIGNING_KEY must be set in production",
        ),
        ({"LOG_SIGNING_KEY": "PRIVATE+KEY+name+00000000+AAAA"}, "LOG_SIGNING_KEY"),
        ({"LOG_SIGNING_KEY": LOG_KEY.replace("+eac07853+", "+eac07854+")}, "LOG_SIGNING_KEY"),
        ({"LOG_CHECKPOINT_EVERY": "often"}, "LOG_CHECKPOINT_EVERY"),
        ({"LOG_CHECKPOINT_EVERY": "0"}, "LOG_CHECKPOINT_EVERY"),
        ({"DATABASE_REPLICA_URLS": "sqlite:///r.db"}, "DATABASE_REPLICA_URLS"),
        ({"DATABASE_REPLICA_URLS": "mysql://h/db"}, "DATABASE_REPLICA_URLS"),
        ({"DATABASE_REPLICA_URLS": "postgresql://h:5433/db"}, "PostgreSQL DATABASE_URL"),
        ({"REPLICA_WAIT_MS": "soon"}, "REPLICA_WAIT_MS"),
        ({"REPLICA_WAIT_MS": "-1"}, "REPLICA_WAIT_MS"),
        ({"REPLICA_MAX_LAG_S": "0"}, "REPLICA_MAX_LAG_S"),
        ({"REPLICA_MAX_LAG_S": "far"}, "REPLICA_MAX_LAG_S"),
        ({"METRICS_ADDRESSES": "10.0.0.0/8, prometheus"}, "METRICS_ADDRESSES"),
    ],
)
def test_a_bad_setting_is_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_every_bad_setting_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"PORT": "x", "DEADLINES": "nope"})
    assert "PORT" in str(refused.value)
    assert "DEADLINES" in str(refused.value)


def test_the_transparency_log_signs_every_ten_seconds_with_a_development_key() -> None:
    settings = Settings.from_env({})
    assert settings.log_signing_key == ""
    assert settings.log_checkpoint_every == 10.0
    assert settings.log_origin == "complaints.localhost/log"
    assert settings.log_key_file == Path("var/log-signing.key")
    assert Settings.from_env({"DATABASE_URL": "postgresql://db/x"}).log_key_file == Path(
        "var/log-signing.key"
    )
    beside = Settings.from_env({"DATABASE_URL": "sqlite:////srv/complaints/c.db"})
    assert beside.log_key_file == Path("/srv/complaints/log-signing.key")


def test_the_transparency_log_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "ENVIRONMENT": "production",
            "JWT_SECRET": "a-production-grade-secret-0123456789",
            "LOG_SIGNING_KEY": LOG_KEY,
            "LOG_ORIGIN": "complaints.example.org/log",
            "LOG_CHECKPOINT_EVERY": "2.5",
        }
    )
    assert settings.log_signing_key == LOG_KEY
    assert settings.log_origin == "complaints.example.org/log"
    assert settings.log_checkpoint_every == 2.5
    assert LOG_KEY not in " ".join(settings.describe().values())
    assert LOG_KEY not in repr(settings)


def test_secrets_are_masked_when_shown() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app:hunter2hunter2@db/complaints",
            "JWT_SECRET": "a-long-enough-signing-secret-for-tests-0123",
        }
    )
    shown = " ".join(settings.describe().values())
    assert "hunter2hunter2" not in shown
    assert "a-long-enough-signing-secret" not in shown
    assert "hunter2" not in repr(settings.store)


def test_orders_are_checked_with_a_fifteen_and_thirty_day_window_by_default() -> None:
    settings = Settings.from_env({})
    assert settings.order_check is OrderCheck.REQUIRED
    assert settings.filing_window == FilingWindow(timedelta(days=15), timedelta(days=30))
    described = settings.describe()
    assert (described["ORDER_CHECK"], described["FILING_WINDOW"]) == ("required", "15d")
    assert described["FILING_WINDOW_UNDELIVERED"] == "30d"


def test_the_order_check_and_its_windows_are_read() -> None:
    settings = Settings.from_env(
        {"ORDER_CHECK": "off", "FILING_WINDOW": "7d", "FILING_WINDOW_UNDELIVERED": "45d"}
    )
    assert settings.order_check is OrderCheck.OFF
    assert settings.filing_window == FilingWindow(timedelta(days=7), timedelta(days=45))
    assert Settings.from_env(settings.filing_window.spec()).filing_window == settings.filing_window


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ORDER_CHECK": "sometimes"}, "ORDER_CHECK"),
        ({"FILING_WINDOW": "two weeks"}, "FILING_WINDOW"),
        ({"FILING_WINDOW_UNDELIVERED": "0d"}, "FILING_WINDOW_UNDELIVERED"),
    ],
)
def test_a_bad_order_setting_is_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_there_are_no_replicas_unless_named() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://db/complaints"})
    assert settings.replica_stores == ()
    assert (settings.replica_wait_ms, settings.replica_max_lag_s) == (300, 10.0)


def test_replicas_are_read_and_their_passwords_masked() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://db/complaints",
            "DATABASE_REPLICA_URLS": "postgresql://r1:5433/complaints, postgresql://u:sekrit@r2/complaints",
            "REPLICA_WAIT_MS": "150",
            "REPLICA_MAX_LAG_S": "2.5",
        }
    )
    assert [(s.host, s.port) for s in settings.replica_stores] == [("r1", 5433), ("r2", 5432)]
    assert (settings.replica_wait_ms, settings.replica_max_lag_s) == (150, 2.5)
    shown = settings.describe()
    assert "sekrit" not in shown["DATABASE_REPLICA_URLS"]
    assert "postgresql://r1:5433/complaints" in shown["DATABASE_REPLICA_URLS"]
    assert (shown["REPLICA_WAIT_MS"], shown["REPLICA_MAX_LAG_S"]) == ("150", "2.5")


def test_metrics_are_for_staff_tokens_only_unless_addresses_are_named() -> None:
    assert Settings.from_env({}).metrics_addresses == ()
    settings = Settings.from_env({"METRICS_ADDRESSES": "10.1.2.3, 192.168.0.0/16,::1"})
    assert settings.metrics_addresses == ("10.1.2.3/32", "192.168.0.0/16", "::1/128")
    assert settings.describe()["METRICS_ADDRESSES"] == "10.1.2.3/32,192.168.0.0/16,::1/128"
