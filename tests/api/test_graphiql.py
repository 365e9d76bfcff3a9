"""The pinned GraphiQL copies are the files their checksums name, and the page loads nothing
from anywhere else (complaints/web/graphiql/README.md)."""

from __future__ import annotations

import base64
import hashlib
import re

from complaints.web.graphiql_page import ASSETS, assets, page_html


def test_every_pinned_file_matches_its_sha256() -> None:
    listed = {}
    for line in (ASSETS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        listed[name] = digest
    assert set(listed) == set(assets()) - {"start.js", "page.css"}
    for name, digest in listed.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name


def test_the_page_pins_each_file_by_its_sha384() -> None:
    html = page_html()
    pinned = dict(re.findall(r'(?:src|href)="/graphiql/([^"]+)" integrity="([^"]+)"', html))
    assert set(pinned) == set(assets()) - {"start.js", "page.css"}
    for name, integrity in pinned.items():
        digest = base64.b64encode(hashlib.sha384((ASSETS / name).read_bytes()).digest())
        assert integrity == f"sha384-{digest.decode()}", name


def test_the_page_names_no_other_origin() -> None:
    html = page_html() + (ASSETS / "start.js").read_text()
    assert "http://" not in html
    assert "https://" not in html
    assert "unpkg" not in html


def test_each_pinned_package_has_its_licence() -> None:
    licences = {p.name for p in (ASSETS / "licenses").iterdir()}
    assert licences == {
        "graphiql.LICENSE",
        "graphiql-plugin-explorer.LICENSE",
        "react.LICENSE",
        "react-dom.LICENSE",
    }
    for name in licences:
        assert "MIT License" in (ASSETS / "licenses" / name).read_text()
