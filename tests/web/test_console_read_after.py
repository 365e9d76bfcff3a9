"""The console sends back the furthest `readAfter` the server gave it (complaints/web/console)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


def test_the_console_sends_back_the_furthest_token_it_was_given() -> None:
    if NODE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing")
        pytest.skip("needs node")
    api = (ROOT / "complaints/web/console/api.js").as_uri()
    script = Path(__file__).with_name("read_after_console.mjs")
    done = subprocess.run(
        [NODE, str(script), api], capture_output=True, text=True, timeout=60, check=True
    )
    *_, requests, inits = done.stdout.strip().splitlines()
    sent = json.loads(requests)
    # Nothing before any write; then the token; an older one and a malformed one never replace it.
    assert sent == [None, None, "1/2000", "1/2000", "1/2000"]
    # A subscription (re)opened now resumes from a replica only once it has replayed that token.
    assert [init.get("readAfter") for init in json.loads(inits)] == ["1/2000"]
