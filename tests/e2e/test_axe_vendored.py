"""The accessibility checker the browser tests run (`Person.shoot`): axe-core as vendored, byte for
byte what its SHA256SUMS records, with its licence beside it; and a check that bites: a page
with an unlabelled field, and one that scrolls sideways on a phone, are found out."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.e2e.browser import (
    AXE,
    PHONE,
    accessibility_violations,
    run_axe,
    sideways_overflow,
)

VENDOR = AXE.parent


def test_the_vendored_axe_is_the_one_recorded() -> None:
    recorded: dict[str, str] = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        recorded[name] = digest
    assert set(recorded) == {"axe.min.js", "LICENSE"}
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    version = (VENDOR / "VERSION").read_text().strip()
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{version}\n")


def test_its_licence_is_beside_it() -> None:
    licence = (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("Mozilla Public License, version 2.0")
    notice = " ".join(AXE.read_text(encoding="utf-8")[:600].replace("*", " ").split())
    assert "terms of the Mozilla Public License, v. 2.0" in notice, "the file's notice is intact"


def test_the_check_bites(browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(
        "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
        "<h1>Form</h1><input type='text'><div style='width: 900px'>wide</div></main></body></html>"
    )
    violations = run_axe(page)
    assert any(v["id"] == "label" and v["impact"] == "critical" for v in violations), violations
    blocking = accessibility_violations(page)
    assert any(line.startswith("label (critical)") and "input" in line for line in blocking)
    overflow = sideways_overflow(page)
    assert overflow is not None
    assert "div" in overflow
    assert "wide" in overflow
    # Labelled and narrow, the same page passes.
    page.set_content(
        "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
        "<h1>Form</h1><label>Name <input type='text'></label><div>narrow</div></main></body></html>"
    )
    assert accessibility_violations(page) == []
    assert sideways_overflow(page) is None
    context.close()
