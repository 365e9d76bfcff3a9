"""The `complaints` command (also `python -m complaints`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta

from complaints.clock import SystemClock
from complaints.domain.values import Role
from complaints.identity import TOKEN_ROLES, mint_token
from complaints.settings import Settings, SettingsError


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
    uvicorn.run(
        "complaints.server:create_app_from_env",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        log_level=settings.log_level,
    )
    return 0


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


def show_settings(args: argparse.Namespace) -> int:
    """Print the effective settings, secrets masked."""
    for name, value in _settings().describe().items():
        print(f"{name}={value}")
    return 0


def parser() -> argparse.ArgumentParser:
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

    p = commands.add_parser("settings", help="print the effective settings, secrets masked")
    p.set_defaults(run=show_settings)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.run(args)
    return result
