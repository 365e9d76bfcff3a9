"""The one place that reads the environment. Everything else receives a `Settings`."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TypedDict
from urllib.parse import parse_qs, unquote, urlsplit

from complaints.domain.deadlines import (
    DEFAULT_MAX_PAUSE,
    DeadlinePolicy,
    format_duration,
    parse_duration,
    parse_leads,
)
from complaints.domain.order import FilingWindow, OrderCheck
from complaints.domain.sanctions import SanctionLadder
from complaints.store.notes import NoteError, Signer

_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
DEFAULT_UPLOAD_TYPES = ("image/jpeg", "image/png", "image/webp", "video/mp4", "application/pdf")
DEFAULT_DATABASE_URL = "sqlite:///./var/complaints.db"
#: The transparency log's name when LOG_ORIGIN does not give one.
DEFAULT_LOG_ORIGIN = "complaints.localhost/log"
DEV_JWT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused in production
DEFAULT_REMINDERS: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))


#: Media types whose content `complaints.web.uploads` recognises by their first bytes.
SNIFFABLE_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "video/mp4",
    "application/pdf",
)


class SettingsError(ValueError):
    """The environment holds a setting we cannot use. The message names each one."""


@dataclass(frozen=True)
class Store:
    """Where events, keys and read models live, as selected by DATABASE_URL."""

    kind: str  # "memory", "sqlite" or "postgres"
    path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = field(default="", repr=False)
    dbname: str = ""
    schema: str = "public"

    @property
    def conninfo(self) -> str:
        """A libpq connection string for psycopg (PostgreSQL only)."""
        from psycopg.conninfo import make_conninfo  # noqa: PLC0415 - only PostgreSQL needs it

        return make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
        )

    def eventsourcing_env(self) -> dict[str, str]:
        """Translate into the `eventsourcing` library's own variables."""
        if self.kind == "memory":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.popo",
                "APPLICATION_RECORDER_TOPIC": "complaints.store.hash_chain:HashedPOPORecorder",
            }
        if self.kind == "sqlite":
            assert self.path is not None
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "APPLICATION_RECORDER_TOPIC": "complaints.store.hash_chain:HashedSQLiteRecorder",
                "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "complaints.store.hash_chain:HashedPostgresRecorder",
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_SCHEMA": self.schema,
            # Fail fast instead of queueing forever behind the insert lock.
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            # No POSTGRES_PRE_PING (a round trip on every checkout): the application checks a
            # pooled connection only after it was idle a while (store/postgres.py), which
            # still replaces one left dead by a database restart before a command gets it.
            # Never POSTGRES_ENABLE_DB_FUNCTIONS: it drops the table lock and loses events.
        }

    @classmethod
    def parse(cls, url: str) -> Store:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "memory":
            return cls("memory")
        if scheme == "sqlite":
            # sqlite:///relative/path.db  or  sqlite:////absolute/path.db
            raw = unquote(url[len("sqlite://") :])
            path = raw[1:] if raw.startswith("/") else raw
            if not path or path == ":memory:" or parts.netloc:
                msg = "DATABASE_URL must name a file, e.g. sqlite:///./var/complaints.db"
                raise SettingsError(msg)
            return cls("sqlite", path=Path(path))
        if scheme in {"postgresql", "postgres"}:
            query = parse_qs(parts.query)
            dbname = unquote(parts.path.lstrip("/"))
            if not dbname:
                msg = "DATABASE_URL must name a database, e.g. postgresql://127.0.0.1/complaints"
                raise SettingsError(msg)
            try:
                port = parts.port or 5432
            except ValueError as error:
                msg = f"DATABASE_URL has an invalid port: {error}"
                raise SettingsError(msg) from None
            schema = query.get("schema", ["public"])[0]
            if not _SCHEMA.match(schema):
                msg = "DATABASE_URL schema must be a plain identifier (letters, digits, _)"
                raise SettingsError(msg)
            return cls(
                "postgres",
                host=parts.hostname or "127.0.0.1",
                port=port,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                dbname=dbname,
                schema=schema,
            )
        msg = (
            f"DATABASE_URL scheme {scheme!r} is not supported; "
            "use sqlite:///PATH, postgresql://USER@HOST:PORT/DB or memory://"
        )
        raise SettingsError(msg)


def _masked(url: str) -> str:
    """A database URL for display: its password replaced."""
    password = Store.parse(url).password
    return url.replace(password, "***") if password else url


class _ReplicaSettings(TypedDict):
    database_replica_urls: tuple[str, ...]
    replica_wait_ms: int
    replica_max_lag_s: float


def _replica_urls(source: Mapping[str, str], errors: list[str], primary: str) -> tuple[str, ...]:
    """DATABASE_REPLICA_URLS: hot standbys of a PostgreSQL primary only."""
    urls = tuple(u.strip() for u in source.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip())
    for url in urls:
        try:
            kind = Store.parse(url).kind
        except SettingsError as error:
            errors.append(f"DATABASE_REPLICA_URLS: {str(error).replace('DATABASE_URL ', '')}")
            continue
        if kind != "postgres":
            errors.append("DATABASE_REPLICA_URLS must name PostgreSQL hot standbys")
    if urls:
        try:
            primary_kind = Store.parse(primary).kind
        except SettingsError:
            primary_kind = "postgres"  # reported for DATABASE_URL already
        if primary_kind != "postgres":
            errors.append("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
    return urls


def _metrics_addresses(source: Mapping[str, str], errors: list[str]) -> tuple[str, ...]:
    """METRICS_ADDRESSES: the addresses (or networks) that may read /metrics with no token."""
    raw = source.get("METRICS_ADDRESSES", "")
    networks = []
    for item in (i.strip() for i in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            errors.append(f"METRICS_ADDRESSES: {item!r} is not an address or a network")
    return tuple(networks)


def _replicas(source: Mapping[str, str], errors: list[str], primary: str) -> _ReplicaSettings:
    """DATABASE_REPLICA_URLS, REPLICA_WAIT_MS and REPLICA_MAX_LAG_S; what cannot be read is
    reported in `errors`."""
    urls = _replica_urls(source, errors, primary)
    wait_ms, max_lag = 300, 10.0
    raw = source.get("REPLICA_WAIT_MS")
    if raw:
        try:
            wait_ms = int(raw)
        except ValueError:
            errors.append(f"REPLICA_WAIT_MS must be a whole number of milliseconds, not {raw!r}")
        else:
            if wait_ms < 0:
                errors.append("REPLICA_WAIT_MS must not be negative")
    raw = source.get("REPLICA_MAX_LAG_S")
    if raw:
        try:
            max_lag = float(raw)
        except ValueError:
            errors.append(f"REPLICA_MAX_LAG_S must be a number of seconds, not {raw!r}")
        else:
            if max_lag <= 0:
                errors.append("REPLICA_MAX_LAG_S must be longer than zero")
    return _ReplicaSettings(
        database_replica_urls=urls, replica_wait_ms=wait_ms, replica_max_lag_s=max_lag
    )


def _policies(
    source: Mapping[str, str], errors: list[str]
) -> tuple[DeadlinePolicy, SanctionLadder]:
    """The deadline and sanction terms; what cannot be read is reported in `errors`."""
    try:
        deadlines = DeadlinePolicy.parse(source.get("DEADLINES", ""))
    except ValueError as error:
        errors.append(f"DEADLINES: {error}")
        deadlines = DeadlinePolicy()
    try:
        sanctions = SanctionLadder.parse(
            source.get("SANCTION_LADDER"),
            source.get("SANCTION_FINE"),
            source.get("SANCTION_WINDOW"),
            source.get("SANCTION_DURATIONS"),
        )
    except ValueError as error:
        errors.append(str(error))
        sanctions = SanctionLadder()
    return deadlines, sanctions


def _duration(
    source: Mapping[str, str], name: str, default: timedelta, errors: list[str]
) -> timedelta:
    """A duration setting (30s, 15m, 48h, 7d), longer than zero; what cannot be read is
    reported in `errors`."""
    raw = source.get(name)
    if not raw:
        return default
    try:
        value = parse_duration(raw)
    except ValueError as error:
        errors.append(f"{name}: {error}")
        return default
    if value <= timedelta(0):
        errors.append(f"{name} must be longer than zero")
    return value


def _notifications(
    source: Mapping[str, str], errors: list[str]
) -> tuple[tuple[timedelta, ...], timedelta, timedelta]:
    """REMINDERS, WEBHOOK_RETRY_FOR and WEBHOOK_RETRY_BASE; what cannot be read is reported."""

    def duration(name: str, default: timedelta) -> timedelta:
        return _duration(source, name, default, errors)

    reminders = DEFAULT_REMINDERS
    if source.get("REMINDERS") is not None:
        try:
            reminders = parse_leads(source["REMINDERS"])
        except ValueError as error:
            errors.append(f"REMINDERS: {error}")
    retry_for = duration("WEBHOOK_RETRY_FOR", timedelta(days=3))
    retry_base = duration("WEBHOOK_RETRY_BASE", timedelta(seconds=10))
    return reminders, retry_for, retry_base


def _orders(source: Mapping[str, str], errors: list[str]) -> tuple[OrderCheck, FilingWindow]:
    """ORDER_CHECK, FILING_WINDOW and FILING_WINDOW_UNDELIVERED; what cannot be read is
    reported in `errors`."""
    raw = (source.get("ORDER_CHECK") or OrderCheck.REQUIRED.value).strip().lower()
    try:
        check = OrderCheck(raw)
    except ValueError:
        errors.append("ORDER_CHECK must be required or off")
        check = OrderCheck.REQUIRED
    default = FilingWindow()

    def duration(name: str, fallback: timedelta) -> timedelta:
        value = source.get(name)
        if not value:
            return fallback
        try:
            parsed = parse_duration(value)
        except ValueError as error:
            errors.append(f"{name}: {error}")
            return fallback
        if parsed <= timedelta(0):
            errors.append(f"{name} must be longer than zero")
        return parsed

    window = FilingWindow(
        after_delivery=duration("FILING_WINDOW", default.after_delivery),
        undelivered=duration("FILING_WINDOW_UNDELIVERED", default.undelivered),
    )
    return check, window


class _LogSettings(TypedDict):
    log_signing_key: str
    log_origin: str
    log_checkpoint_every: float


def _log(source: Mapping[str, str], errors: list[str], *, production: bool) -> _LogSettings:
    """LOG_SIGNING_KEY, LOG_ORIGIN and LOG_CHECKPOINT_EVERY; what cannot be read is reported."""
    key = source.get("LOG_SIGNING_KEY", "").strip()
    if key:
        try:
            Signer.parse(key)
        except NoteError as error:
            errors.append(f"LOG_SIGNING_KEY: {error}")
    elif production:
        errors.append(
            "LOG_SIGNING_KEY must be set in production (a signed-note Ed25519 signer key:"
            " complaints log keygen <name>)"
        )
    origin = source.get("LOG_ORIGIN", "").strip() or DEFAULT_LOG_ORIGIN
    every = 10.0
    raw = source.get("LOG_CHECKPOINT_EVERY")
    if raw:
        try:
            every = float(raw)
        except ValueError:
            errors.append(f"LOG_CHECKPOINT_EVERY must be a number of seconds, not {raw!r}")
        else:
            if every <= 0:
                errors.append("LOG_CHECKPOINT_EVERY must be longer than zero")
                every = 10.0
    return _LogSettings(log_signing_key=key, log_origin=origin, log_checkpoint_every=every)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    environment: str = "development"
    jwt_secret: str = field(default=DEV_JWT_SECRET, repr=False)
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    #: Each offence takes a shop one rung up: warning, fine, trading restriction, closure.
    sanctions: SanctionLadder = field(default_factory=SanctionLadder)
    #: The longest the deadline worker sleeps between looks at what has fallen due.
    deadline_poll_seconds: float = 1.0
    host: str = "127.0.0.1"
    port: int = 8000
    command_retries: int = 5
    #: Missed replacement deadlines before a replacement turns into a refund the platform pays.
    replacement_attempts: int = 1
    #: The longest a case's clock stays paused: at the limit it resumes by itself.
    max_pause: timedelta = DEFAULT_MAX_PAUSE
    #: PostgreSQL: commands saved at the same moment share a transaction (group_commit.py).
    group_commit: bool = True
    key_cache_seconds: float = 5.0
    log_level: str = "info"
    #: Whether `complaints serve` also feeds the read models (each projection still has one
    #: leader). Switch off to run stateless API processes beside a `complaints worker`.
    in_process_projections: bool = True
    #: Apply the read models in each save's own transaction, where they share its database
    #: (PostgreSQL with group commit, SQLite); their runners then only back them up.
    inline_projections: bool = True
    #: How long a mutation waits for the read models to include its own events (0: never).
    read_your_writes_seconds: float = 2.0
    #: Responses kept for persisted queries that read one case (0: no response cache).
    response_cache_entries: int = 10_000
    #: Automatic persisted queries: whether clients may register new ones, and how many are kept.
    apq_registration: bool = True
    apq_max_queries: int = 1000
    #: Origins allowed to call the API from a browser (CORS) and to open WebSockets.
    allowed_origins: tuple[str, ...] = ()
    introspection: bool = True
    graphiql: bool = True
    request_max_bytes: int = 1_048_576
    upload_max_bytes: int = 20 * 1_048_576
    upload_media_types: tuple[str, ...] = DEFAULT_UPLOAD_TYPES
    upload_dir: Path = Path("./var/uploads")
    #: How long before a party's deadline lapses it is reminded (REMINDERS=24h,2h).
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    #: How long an endpoint may keep failing before it is disabled.
    webhook_retry_for: timedelta = timedelta(days=3)
    #: The first retry's delay; each later one doubles it (with jitter), up to an hour.
    webhook_retry_base: timedelta = timedelta(seconds=10)
    #: Development and tests only: endpoints on loopback and private addresses.
    webhook_allow_private: bool = False
    #: Connect and read timeouts of one delivery, in seconds.
    webhook_timeout_seconds: float = 10.0
    #: Deliveries in flight at once (to different cases or endpoints).
    webhook_concurrency: int = 16
    #: Whether a complaint must name an order the marketplace recorded (REQUIRED), or names a
    #: claimed one that nothing checks (OFF).
    order_check: OrderCheck = OrderCheck.REQUIRED
    #: How long after delivery, or after payment while undelivered, a complaint may be filed.
    filing_window: FilingWindow = field(default_factory=FilingWindow)
    #: The transparency log's signer key, as golang.org/x/mod/sumdb/note writes one
    #: (PRIVATE+KEY+<name>+<hash>+<key>); empty in development: one is made and kept in var/.
    log_signing_key: str = field(default="", repr=False)
    #: The log's name: the first line of every checkpoint.
    log_origin: str = DEFAULT_LOG_ORIGIN
    #: The shortest time between two checkpoints (one is signed only when the tree grew).
    log_checkpoint_every: float = 10.0
    #: PostgreSQL hot standbys of DATABASE_URL that serve queries (none: the primary serves all).
    database_replica_urls: tuple[str, ...] = field(default=(), repr=False)
    #: How long a query that must see a client's write waits for a replica to replay it
    #: before the primary answers it instead.
    replica_wait_ms: int = 300
    #: A replica further behind than this is taken out until it catches up.
    replica_max_lag_s: float = 10.0
    #: Networks whose clients may read /metrics with no token (otherwise supervisors and
    #: auditors only).
    metrics_addresses: tuple[str, ...] = ()

    @property
    def replica_stores(self) -> tuple[Store, ...]:
        """The replicas, when the primary is PostgreSQL (otherwise none: nothing changes)."""
        if self.store.kind != "postgres":
            return ()
        return tuple(Store.parse(url) for url in self.database_replica_urls)

    @property
    def store(self) -> Store:
        return Store.parse(self.database_url)

    @property
    def log_key_file(self) -> Path:
        """Where development keeps the log's generated key: beside the SQLite file, or in
        ./var/ for other stores."""
        store = self.store
        if store.kind == "sqlite" and store.path is not None:
            return store.path.parent / "log-signing.key"
        return Path("./var/log-signing.key")

    def eventsourcing_env(self) -> dict[str, str]:
        """The `eventsourcing` library's variables for this store and these settings."""
        store = self.store
        env = store.eventsourcing_env()
        if store.kind == "postgres" and self.group_commit:
            env["APPLICATION_RECORDER_TOPIC"] = (
                "complaints.store.group_commit:GroupCommitPostgresRecorder"
            )
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every setting, and report all that are wrong at once."""
        source = os.environ if env is None else env
        errors: list[str] = []

        def number(name: str, default: float, *, integer: bool = True) -> float:
            raw = source.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = int(raw) if integer else float(raw)
            except ValueError:
                errors.append(f"{name} must be a number, not {raw!r}")
                return default
            if value < 0:
                errors.append(f"{name} must not be negative")
            return value

        environment = source.get("ENVIRONMENT", "development")
        if environment not in {"development", "production"}:
            errors.append("ENVIRONMENT must be development or production")
        database_url = source.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        try:
            Store.parse(database_url)
        except SettingsError as error:
            errors.append(str(error))
        jwt_secret = source.get("JWT_SECRET") or DEV_JWT_SECRET
        if environment == "production" and jwt_secret == DEV_JWT_SECRET:
            errors.append("JWT_SECRET must be set in production")
        if len(jwt_secret) < 32:
            errors.append("JWT_SECRET must be at least 32 characters")
        deadlines, sanctions = _policies(source, errors)

        def flag(name: str, default: bool) -> bool:
            raw = source.get(name)
            if raw is None or raw == "":
                return default
            if raw.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                errors.append(f"{name} must be true or false")
                return default
            return raw.lower() in {"true", "1", "yes"}

        def listed(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
            raw = source.get(name)
            if raw is None:
                return default
            return tuple(item.strip() for item in raw.split(",") if item.strip())

        production = environment == "production"
        media_types = listed("UPLOAD_MEDIA_TYPES", DEFAULT_UPLOAD_TYPES)
        unknown = [t for t in media_types if t not in SNIFFABLE_TYPES]
        if unknown:
            errors.append(
                f"UPLOAD_MEDIA_TYPES: cannot check the content of {', '.join(unknown)};"
                f" known: {', '.join(SNIFFABLE_TYPES)}"
            )

        reminders, retry_for, retry_base = _notifications(source, errors)
        order_check, filing_window = _orders(source, errors)
        allow_private = flag("WEBHOOK_ALLOW_PRIVATE", False)
        if allow_private and production:
            errors.append("WEBHOOK_ALLOW_PRIVATE is for development and tests; not in production")
        port = int(number("PORT", 8000))
        if not 0 < port < 65536:
            errors.append("PORT must be between 1 and 65535")
        settings = cls(
            database_url=database_url,
            environment=environment,
            jwt_secret=jwt_secret,
            deadlines=deadlines,
            sanctions=sanctions,
            deadline_poll_seconds=number("DEADLINE_POLL_SECONDS", 1.0, integer=False),
            host=source.get("HOST", "127.0.0.1"),
            port=port,
            command_retries=int(number("COMMAND_RETRIES", 5)),
            replacement_attempts=max(1, int(number("REPLACEMENT_ATTEMPTS", 1))),
            max_pause=_duration(source, "MAX_PAUSE", DEFAULT_MAX_PAUSE, errors),
            group_commit=flag("GROUP_COMMIT", True),
            key_cache_seconds=number("KEY_CACHE_SECONDS", 5.0, integer=False),
            log_level=source.get("LOG_LEVEL", "info").lower(),
            in_process_projections=flag("IN_PROCESS_PROJECTIONS", True),
            inline_projections=flag("INLINE_PROJECTIONS", True),
            read_your_writes_seconds=number("READ_YOUR_WRITES_SECONDS", 2.0, integer=False),
            response_cache_entries=int(number("RESPONSE_CACHE_ENTRIES", 10_000)),
            apq_registration=flag("APQ_REGISTRATION", not production),
            apq_max_queries=max(1, int(number("APQ_MAX_QUERIES", 1000))),
            allowed_origins=listed("ALLOWED_ORIGINS", ()),
            introspection=flag("INTROSPECTION", not production),
            graphiql=flag("GRAPHIQL", not production),
            request_max_bytes=int(number("REQUEST_MAX_BYTES", 1_048_576)),
            upload_max_bytes=int(number("UPLOAD_MAX_BYTES", 20 * 1_048_576)),
            upload_media_types=media_types,
            upload_dir=Path(source.get("UPLOAD_DIR") or "./var/uploads"),
            reminders=reminders,
            webhook_retry_for=retry_for,
            webhook_retry_base=retry_base,
            webhook_allow_private=allow_private,
            webhook_timeout_seconds=number("WEBHOOK_TIMEOUT_SECONDS", 10.0, integer=False),
            webhook_concurrency=max(1, int(number("WEBHOOK_CONCURRENCY", 16))),
            order_check=order_check,
            filing_window=filing_window,
            **_log(source, errors, production=production),
            **_replicas(source, errors, database_url),
            metrics_addresses=_metrics_addresses(source, errors),
        )
        if errors:
            raise SettingsError("; ".join(errors))
        return settings

    def describe(self) -> dict[str, str]:
        """The effective settings for display, with secrets masked."""
        store = self.store
        shown_url = self.database_url
        if store.password:
            shown_url = shown_url.replace(store.password, "***")
        return {
            "DATABASE_URL": shown_url,
            "ENVIRONMENT": self.environment,
            "JWT_SECRET": "(development default)" if self.jwt_secret == DEV_JWT_SECRET else "***",
            "DEADLINES": self.deadlines.spec(),
            **self.sanctions.spec(),
            "DEADLINE_POLL_SECONDS": str(self.deadline_poll_seconds),
            "HOST": self.host,
            "PORT": str(self.port),
            "COMMAND_RETRIES": str(self.command_retries),
            "REPLACEMENT_ATTEMPTS": str(self.replacement_attempts),
            "MAX_PAUSE": format_duration(self.max_pause),
            "GROUP_COMMIT": str(self.group_commit).lower(),
            "KEY_CACHE_SECONDS": str(self.key_cache_seconds),
            "LOG_LEVEL": self.log_level,
            "IN_PROCESS_PROJECTIONS": str(self.in_process_projections).lower(),
            "INLINE_PROJECTIONS": str(self.inline_projections).lower(),
            "READ_YOUR_WRITES_SECONDS": str(self.read_your_writes_seconds),
            "RESPONSE_CACHE_ENTRIES": str(self.response_cache_entries),
            "APQ_REGISTRATION": str(self.apq_registration).lower(),
            "APQ_MAX_QUERIES": str(self.apq_max_queries),
            "ALLOWED_ORIGINS": ",".join(self.allowed_origins),
            "INTROSPECTION": str(self.introspection).lower(),
            "GRAPHIQL": str(self.graphiql).lower(),
            "REQUEST_MAX_BYTES": str(self.request_max_bytes),
            "UPLOAD_MAX_BYTES": str(self.upload_max_bytes),
            "UPLOAD_MEDIA_TYPES": ",".join(self.upload_media_types),
            "UPLOAD_DIR": str(self.upload_dir),
            "REMINDERS": ",".join(format_duration(lead) for lead in self.reminders),
            "WEBHOOK_RETRY_FOR": format_duration(self.webhook_retry_for),
            "WEBHOOK_RETRY_BASE": format_duration(self.webhook_retry_base),
            "WEBHOOK_ALLOW_PRIVATE": str(self.webhook_allow_private).lower(),
            "WEBHOOK_TIMEOUT_SECONDS": str(self.webhook_timeout_seconds),
            "WEBHOOK_CONCURRENCY": str(self.webhook_concurrency),
            "ORDER_CHECK": self.order_check.value,
            **self.filing_window.spec(),
            "LOG_SIGNING_KEY": "***"
            if self.log_signing_key
            else f"(development: {self.log_key_file})",
            "LOG_ORIGIN": self.log_origin,
            "LOG_CHECKPOINT_EVERY": str(self.log_checkpoint_every),
            "DATABASE_REPLICA_URLS": ",".join(_masked(url) for url in self.database_replica_urls),
            "REPLICA_WAIT_MS": str(self.replica_wait_ms),
            "REPLICA_MAX_LAG_S": str(self.replica_max_lag_s),
            "METRICS_ADDRESSES": ",".join(self.metrics_addresses),
        }
