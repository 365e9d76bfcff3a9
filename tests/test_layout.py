"""The house's rooms stay small enough to read: no module of ours over 800 lines.

Vendored files (GraphiQL's bundle) are not ours to split and are left out by name.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 800
OURS = (
    "complaints/**/*.py",
    "complaints/web/console/*.js",
    "complaints/web/console/*.css",
    "bench/*.py",
    "tools/*.py",
)
VENDORED = {"complaints/web/graphiql"}


def lines(path: Path) -> int:
    with path.open(encoding="utf-8") as text:
        return sum(1 for _ in text)


def test_no_module_of_ours_is_over_800_lines() -> None:
    found = [
        path
        for pattern in OURS
        for path in ROOT.glob(pattern)
        if not any(str(path.relative_to(ROOT)).startswith(v) for v in VENDORED)
    ]
    assert len(found) > 50, "the patterns should find the project's modules"
    over = {str(p.relative_to(ROOT)): n for p in found if (n := lines(p)) > LIMIT}
    assert over == {}, f"split these by what they are about: {over}"
