"""The `complaints` command (also `python -m complaints`)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from complaints.application import ComplaintsApp, aggregate_of
from complaints.clock import SystemClock
from complaints.compat import spread_workers
from complaints.domain.values import Role
from complaints.language import LANGUAGES, supported
from complaints.ops import log, whatif
from complaints.ops.listen import listen
from complaints.projections.database import open_read_store
from complaints.projections.read_models import PROJECTIONS, ReadModels, projection_named
from complaints.projections.transparency import LogStore, log_signer
from complaints.settings import Settings, SettingsError
from complaints.store.postgres import creating_tables
from complaints.tokens import TOKEN_ROLES, mint_token
from complaints.workers.deadlines import DeadlineWorker
from complaints.workers.transparency import LogBuilder
from complaints.workers.webhooks import WebhookDeliverer
from complaints.workers.whatif import WhatIfWorker


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"complaints: bad setting: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def serve(args: argparse.Namespace) -> int:
    """Serve HTTP on the configured store (SQLite by default)."""
    import uvicorn  # noqa: PLC0415 - only `serve` needs the server

    settings = _settings()
    config = uvicorn.Config(
        "complaints.web.server:create_app_from_env",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        log_level=settings.log_level,
        access_log=False,  # ours is cheaper, and names the operation: complaints.web.access_log
    )
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return 0
    # uvicorn's own socket for its workers is made without naming TCP, so asyncio does not set
    # TCP_NODELAY on the connections it accepts, and each response waits for the client's
    # delayed ACK (tens of milliseconds). These name TCP, and there is one per worker (see
    # `complaints.compat.spread_workers`).
    try:
        sockets = tcp_sockets(config.host, config.port, config.workers)
    except OSError as error:
        print(
            f"complaints serve: cannot listen on {config.host}:{config.port}: {error}",
            file=sys.stderr,
        )
        return 1
    where = f"http://{config.host}:{sockets[0].getsockname()[1]}"
    print(f"complaints serving on {where} with {config.workers} workers", file=sys.stderr)
    spread_workers(config, sockets).run()
    return 0


def tcp_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening TCP socket the worker processes inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def tcp_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """One listening socket per worker, all on one address, where the system can share a port
    (SO_REUSEPORT: then the kernel spreads new connections across them); else one for all."""
    if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - Linux and the BSDs have it
        return [tcp_socket(host, port)]
    first = tcp_socket(host, port, reuse_port=True)
    port = first.getsockname()[1]  # the port the system chose, when asked for 0
    try:
        return [first, *(tcp_socket(host, port, reuse_port=True) for _ in range(count - 1))]
    except OSError:
        first.close()
        raise


def token(args: argparse.Namespace) -> int:
    """Print a signed development token."""
    settings = _settings()
    role = Role(args.role.upper())
    try:
        print(
            mint_token(
                settings.jwt_secret,
                role=role,
                sub=args.sub,
                shop_id=args.shop,
                now=SystemClock().now(),
                ttl=timedelta(seconds=args.ttl),
            )
        )
    except ValueError as error:
        print(f"complaints token: {error}", file=sys.stderr)
        return 2
    return 0


def worker(args: argparse.Namespace) -> int:
    """Feed the read models until stopped (SIGTERM or Ctrl-C)."""
    settings = _settings()
    app = ComplaintsApp(settings)
    read_models = ReadModels(app)
    running = read_models.worker(args.only or None, poll=args.poll)
    timekeeper = None if args.no_deadlines else DeadlineWorker(app, read_models)
    deliverer = None if args.no_webhooks else WebhookDeliverer(app, read_models)
    builder = None if args.no_log else LogBuilder(app, read_models.log, log_signer(settings))
    replayer = WhatIfWorker(app, read_models.whatif_jobs)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    running.start()
    if timekeeper is not None:
        timekeeper.start()
    if deliverer is not None:
        deliverer.start()
    if builder is not None:
        builder.start()
    replayer.start()
    logging.getLogger(__name__).info(
        "worker started on the %s store (deadlines: %s, webhooks: %s, transparency log: %s)",
        settings.store.kind,
        "off" if timekeeper is None else "on",
        "off" if deliverer is None else "on",
        "off" if builder is None else "on",
    )
    try:
        stop.wait()
    finally:
        replayer.stop()
        if builder is not None:
            builder.stop()
        if deliverer is not None:
            deliverer.stop()
        if timekeeper is not None:
            timekeeper.stop()
        running.stop()
        read_models.close()
        app.close()
    return 0


def rebuild(args: argparse.Namespace) -> int:
    """Rebuild read models from position 0 into fresh tables, then switch readers over."""
    settings = _settings()
    app = ComplaintsApp(settings)
    read_models = ReadModels(app)
    console = Console()
    try:
        names = [args.name] if args.name else [p.name for p in PROJECTIONS]
        for name in names:
            try:
                projection_named(name)
            except KeyError as error:
                console.print(f"[red]complaints rebuild: {error.args[0]}[/red]")
                return 2
        for name in names:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("events"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as progress:
                task = progress.add_task(name, total=read_models.head() or None)
                result = read_models.rebuild(
                    name,
                    lambda n, t=task: progress.advance(t, n),  # type: ignore[misc]
                )
            console.print(
                f"{name}: {result.events:,} events in {result.seconds:.2f} s,"
                f" {result.events_per_second:,.0f} events/s (generation {result.generation})"
            )
    finally:
        read_models.close()
        app.close()
    return 0


def status(args: argparse.Namespace) -> int:
    """Show each read model's position, the head of the log, and the lag (and the transparency
    log's)."""
    app = ComplaintsApp(_settings())
    read_models = ReadModels(app)
    try:
        table = Table(title="read models")
        for column in ("read model", "generation", "position", "head", "lag", "note"):
            table.add_column(
                column, justify="left" if column in {"read model", "note"} else "right"
            )
        for s in read_models.status():
            notes = []
            if s.version != s.code_version:
                notes.append(f"built by v{s.version}, code is v{s.code_version}: rebuild")
            if s.other_generations:
                notes.append(f"also generation {', '.join(map(str, s.other_generations))}")
            table.add_row(
                s.name,
                str(s.generation),
                str(s.position),
                str(s.head),
                str(s.lag),
                "; ".join(notes),
            )
        head = read_models.head()
        log_state = read_models.log.state()
        latest = read_models.log.latest_checkpoint()
        table.add_row(
            "transparency log",
            "",
            str(log_state.position),
            str(head),
            str(read_models.log.lag(head)),
            f"{log_state.size} leaves; last checkpoint "
            + ("none" if latest is None else f"{latest.tree_size} leaves, {latest.signed_at:%c}"),
        )
        Console().print(table)
    finally:
        read_models.close()
        app.close()
    return 0


def subscribe(args: argparse.Namespace) -> int:
    """Print updates on a case (or on all one's cases) as lines of JSON."""
    from complaints.ops.subscribe import run  # noqa: PLC0415

    return run(args.url, args.token, args.complaint, args.after, args.count)


def report(args: argparse.Namespace) -> int:
    """Write the public report of a period: Markdown, CSV and a PNG chart."""
    from complaints.domain.errors import ValidationFailed  # noqa: PLC0415
    from complaints.ops import report as reporting  # noqa: PLC0415 - only `report` draws charts

    try:
        start = reporting.parse_bound(args.from_, end=False)
        end = reporting.parse_bound(args.to, end=True)
    except ValueError as error:
        print(f"complaints report: {error}", file=sys.stderr)
        return 2
    if end <= start:
        print("complaints report: --to must not be before --from", file=sys.stderr)
        return 2
    locale = supported(args.locale)
    if locale is None:
        print(f"complaints report: --locale must be one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    app = ComplaintsApp(_settings())
    read_models = ReadModels(app)
    try:
        # Include everything recorded so far, whether or not a worker is running.
        read_models.catch_up()
        read_models.wait_for(read_models.head(), timeout=60)
        try:
            built = reporting.build(read_models, start, end)
        except ValidationFailed as error:
            print(f"complaints report: {error.message}", file=sys.stderr)
            return 2
        for path in reporting.write(built, Path(args.out), locale):
            print(path)
    finally:
        read_models.close()
        app.close()
    return 0


def open_log(settings: Settings) -> LogStore:
    """The transparency log's tables, for reading (created if this store has none yet)."""
    with creating_tables(settings.store):
        store = LogStore(open_read_store(settings.store))
        store.create()
    return store


def audited_subject(app: ComplaintsApp, args: argparse.Namespace) -> tuple[UUID, str] | None:
    """The one aggregate the command names (a complaint, a shop or a violation) and how it is
    called; None for the whole store."""
    from complaints.graphql.ids import parse_uuid  # noqa: PLC0415

    if args.audit == "export" or args.complaint:
        complaint_id = parse_uuid("Complaint", args.id or args.complaint, "complaint")
        return complaint_id, f"complaint {app.get_complaint(complaint_id).reference}"
    if args.shop:
        return app.get_seller(args.shop).id, f"shop {args.shop}"
    if args.violation:
        violation_id = parse_uuid("Violation", args.violation, "violation")
        return app.get_violation(violation_id).id, f"violation {violation_id}"
    return None


def audit(args: argparse.Namespace) -> int:
    """Verify hash chains (one complaint, shop or violation, or the whole store: every
    aggregate of every kind), or export a case's history."""
    from complaints.audit import export_lines, verify_store  # noqa: PLC0415
    from complaints.domain.errors import DomainError  # noqa: PLC0415

    app = ComplaintsApp(_settings())
    console = Console(stderr=True)
    try:
        try:
            subject = audited_subject(app, args)
        except DomainError as error:
            console.print(f"complaints audit: {error.message}")
            return 2
        if subject is not None:
            aggregate_id, called = subject
            if args.audit == "export":
                transparency_log = open_log(app.settings)
                try:
                    lines = export_lines(app, aggregate_id, transparency_log)
                finally:
                    transparency_log.db.close()
                out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
                try:
                    out.write("".join(line + "\n" for line in lines))
                finally:
                    if args.output:
                        out.close()
                return 0
            verification = app.verify_history(aggregate_id)
            for _, problem in verification.problems:
                print(f"{called} ({aggregate_id}): {problem}")
            if verification.verified:
                print(f"{called}: {len(verification.events)} events verified")
            return 0 if verification.verified else 1
        started = time.monotonic()
        with Progress(
            TextColumn("[bold]verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("aggregates"),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("verify", total=len(app.recorder.aggregate_ids()))  # type: ignore[attr-defined]
            report = verify_store(app, lambda done, _: bar.advance(task, done))
        seconds = time.monotonic() - started
        for aggregate_id, verification in report.broken.items():
            first, *rest = [problem for _, problem in verification.problems]
            more = f" (and {len(rest)} more)" if rest else ""
            print(f"{describe_aggregate(app, aggregate_id)}: {first}{more}")
        rate = report.events / seconds if seconds > 0 else float("inf")
        print(
            f"{report.aggregates:,} aggregates, {report.events:,} events in {seconds:.2f} s"
            f" ({rate:,.0f} events/s): "
            + ("all verified" if not report.broken else f"{len(report.broken)} broken")
        )
        return 0 if not report.broken else 1
    finally:
        app.close()


def describe_aggregate(app: ComplaintsApp, aggregate_id: UUID) -> str:
    """`complaint C-2026-… (uuid)` for complaints, `Seller (uuid)` and so on for the rest."""
    stored = app.recorder.select_events(aggregate_id, limit=1)
    if not stored:
        return f"aggregate {aggregate_id} (every event deleted)"
    aggregate = aggregate_of(stored[0].topic)
    kind = aggregate.__name__ if aggregate is not None else "aggregate"
    # What people call it: a complaint's reference, a shop's id.
    named_by = "shop_id" if kind == "Seller" else "reference"
    try:
        reference = getattr(app.mapper.to_domain_event(stored[0]), named_by, None)
    except Exception:  # a damaged first event may not even decode
        reference = None
    if reference:
        return f"{kind.lower()} {reference} ({aggregate_id})"
    return f"{kind.lower()} {aggregate_id}"


def import_orders(args: argparse.Namespace) -> int:
    """Record a marketplace's orders from a JSON Lines file: all of it, or none if a line is
    bad."""
    from complaints.ops import orders  # noqa: PLC0415

    path = Path(args.file)
    console = Console(stderr=True)
    if not path.is_file():
        console.print(f"complaints orders import: no file {path}", markup=False)
        return 2
    app = ComplaintsApp(_settings())
    read_models = ReadModels(app)  # applied with each batch where the store allows
    try:
        return orders.run(app, path, console)
    except (OSError, UnicodeDecodeError) as error:
        console.print(f"complaints orders import: cannot read {path}: {error}", markup=False)
        return 2
    finally:
        read_models.close()
        app.close()


def persisted(args: argparse.Namespace) -> int:
    """Print the persisted queries as JSON: name, sha256, whether cached, and the document."""
    from complaints.graphql.persisted import QUERIES  # noqa: PLC0415

    listed = [
        {"name": q.name, "sha256": q.sha256, "cached": q.cache_by is not None, "query": q.document}
        for q in QUERIES
    ]
    sys.stdout.write(json.dumps(listed, indent=2) + "\n")
    return 0


def schema(args: argparse.Namespace) -> int:
    """Print the GraphQL schema (SDL) the server serves; schema.graphql is this output."""
    from complaints.graphql.schema import schema as graphql_schema  # noqa: PLC0415

    sys.stdout.write(graphql_schema.as_str() + "\n")
    return 0


def listen_for_webhooks(args: argparse.Namespace) -> int:
    """Receive webhook deliveries, verify each, and print it (development)."""
    return listen(args.host, args.port, args.secret, args.count)


def show_settings(args: argparse.Namespace) -> int:
    """Print the effective settings, secrets masked."""
    for name, value in _settings().describe().items():
        print(f"{name}={value}")
    return 0


def parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - a statement per option
    root = argparse.ArgumentParser(
        prog="complaints",
        description="Event-sourced complaint and dispute resolution for online marketplaces.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("serve", help="serve the HTTP API (SQLite unless DATABASE_URL says)")
    p.add_argument("--host", help="interface to bind (default: HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to bind (default: PORT or 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(run=serve)

    p = commands.add_parser("token", help="print a signed bearer token for development and tests")
    p.add_argument(
        "--role",
        required=True,
        choices=sorted(r.value.lower() for r in TOKEN_ROLES),
        type=str.lower,
    )
    p.add_argument("--sub", required=True, help="the principal's id")
    p.add_argument("--shop", help="the shop a seller token acts for")
    p.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    p.set_defaults(run=token)

    p = commands.add_parser(
        "worker",
        help="feed the read models, enforce due deadlines and deliver webhooks until stopped",
    )
    p.add_argument(
        "--only", action="append", metavar="NAME", help="run only this read model (repeatable)"
    )
    p.add_argument(
        "--poll",
        type=float,
        default=1.0,
        help="seconds between checks when nothing wakes it (default 1)",
    )
    p.add_argument(
        "--no-deadlines",
        action="store_true",
        help="do not run the deadline worker here (another process keeps time)",
    )
    p.add_argument(
        "--no-webhooks",
        action="store_true",
        help="do not deliver webhooks here (another process delivers)",
    )
    p.add_argument(
        "--no-log",
        action="store_true",
        help="do not build the transparency log here (another process builds it)",
    )
    p.set_defaults(run=worker)

    p = commands.add_parser("rebuild", help="rebuild read models from the first event")
    p.add_argument("name", nargs="?", help="one read model (default: all)")
    p.set_defaults(run=rebuild)

    p = commands.add_parser("status", help="show each read model's position, head and lag")
    p.set_defaults(run=status)

    p = commands.add_parser("subscribe", help="follow updates on a case, as lines of JSON")
    p.add_argument("--url", default="ws://127.0.0.1:8000/graphql")
    p.add_argument("--token", help="a bearer token (from `complaints token`)")
    p.add_argument("--complaint", help="the case to follow (default: all of yours)")
    p.add_argument("--after", type=int, help="resume after this position")
    p.add_argument("--count", type=int, help="stop after this many updates")
    p.set_defaults(run=subscribe)

    p = commands.add_parser(
        "listen", help="receive webhooks on loopback, verify each, print it as a line of JSON"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--secret", required=True, help="the whsec_... secret shown at registration")
    p.add_argument("--count", type=int, help="stop after this many verified deliveries")
    p.set_defaults(run=listen_for_webhooks)

    p = commands.add_parser("audit", help="verify hash chains, or export a case's history")
    audits = p.add_subparsers(dest="audit", required=True, metavar="ACTION")
    v = audits.add_parser(
        "verify",
        help="verify one case (--complaint), shop (--shop) or violation (--violation), or the"
        " whole store (every aggregate of every kind)",
    )
    one = v.add_mutually_exclusive_group()
    one.add_argument("--complaint", help="a complaint id, global id or reference")
    one.add_argument("--shop", help="a shop's id")
    one.add_argument("--violation", help="a violation id or global id")
    v.set_defaults(run=audit, id=None)
    e = audits.add_parser("export", help="write a case's history as NDJSON")
    e.add_argument("id", help="a complaint id, global id or reference")
    e.add_argument("--output", "-o", help="file to write (default: standard output)")
    e.set_defaults(run=audit, complaint=None, shop=None, violation=None)

    p = commands.add_parser(
        "report", help="write the public report of a period (Markdown, CSV and a PNG chart)"
    )
    p.add_argument(
        "--from",
        dest="from_",
        required=True,
        metavar="DATE",
        help="first day (UTC), e.g. 2026-01-01",
    )
    p.add_argument(
        "--to", required=True, metavar="DATE", help="last day (UTC), included, e.g. 2026-03-31"
    )
    p.add_argument("--out", default="reports", help="directory to write into (default: reports)")
    p.add_argument(
        "--locale",
        default="en",
        metavar="TAG",
        help="the language of the Markdown and the chart: en, zh-Hans or zh-Hant (default: en)",
    )
    p.set_defaults(run=report)

    whatif.add_parser(commands)

    p = commands.add_parser("orders", help="the marketplace's orders: backfill them from a file")
    actions = p.add_subparsers(dest="orders", required=True, metavar="ACTION")
    i = actions.add_parser(
        "import",
        help="record the orders of a JSON Lines file (recordOrder's fields, one order a line);"
        " nothing if a line is bad",
    )
    i.add_argument("file", metavar="FILE", help="JSON Lines, one order per line")
    i.set_defaults(run=import_orders)

    log.add_parser(commands, _settings)

    p = commands.add_parser("persisted", help="list the persisted queries and their hashes")
    p.set_defaults(run=persisted)

    p = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    p.set_defaults(run=schema)

    p = commands.add_parser("settings", help="print the effective settings, secrets masked")
    p.set_defaults(run=show_settings)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parser().parse_args(argv)
    result: int = args.run(args)
    return result
