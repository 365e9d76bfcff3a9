"""Content negotiation: the quality a client gives each value of an Accept-style header."""

from __future__ import annotations


def qualities(header: str | None) -> dict[str, float]:
    """`"a, b;q=0.5, c;q=oops"` -> `{"a": 1.0, "b": 0.5, "c": 0.0}`, keys lower-cased; a value
    named twice keeps its higher quality."""
    ranks: dict[str, float] = {}
    for part in (header or "").split(","):
        value, *params = (piece.strip() for piece in part.split(";"))
        if not value:
            continue
        quality = 1.0
        for param in params:
            name, _, given = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(given)
                except ValueError:
                    quality = 0.0
        ranks[value.lower()] = max(ranks.get(value.lower(), 0.0), quality)
    return ranks


def header_values(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    """Every value of a header sent more than once, joined as one list (RFC 9110, 5.3)."""
    return ", ".join(v.decode("latin-1") for k, v in headers if k.lower() == name)
