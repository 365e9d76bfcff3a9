"""The `complaints` command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from complaints.cli import main
from complaints.domain.values import Actor, Role
from complaints.identity import verify_token
from complaints.settings import DEV_JWT_SECRET


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complaints", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "token", "settings"):
        assert command in result.stdout


def test_token_prints_a_token_the_service_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--role", "seller", "--sub", "staff-1", "--shop", "acme"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify_token(DEV_JWT_SECRET, token) == Actor(Role.SELLER, "staff-1", "acme")


def test_token_refuses_a_seller_without_a_shop(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--role", "seller", "--sub", "staff-1"]) == 2
    assert "shop" in capsys.readouterr().err


def test_token_refuses_an_unknown_role() -> None:
    result = run("token", "--role", "overlord", "--sub", "x")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_bad_setting_stops_the_command_with_its_name() -> None:
    result = run("settings", env={"DEADLINES": "seller_response=later"})
    assert result.returncode == 2
    assert "DEADLINES" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_shown_with_secrets_masked() -> None:
    secret = "a-production-grade-signing-secret-0123456789"
    result = run("settings", env={"JWT_SECRET": secret})
    assert result.returncode == 0
    assert "DATABASE_URL=" in result.stdout
    assert secret not in result.stdout
