"""The languages the server speaks, and how it says a `Text` in each.

English is the source: every sentence is written in English where it is made (`Text`). The other
languages' catalogues are gettext `.po` files under `complaints/locale/<locale>/LC_MESSAGES/`,
read with Babel's `read_po` once, when the web process starts (or at first use elsewhere): no
compile step, so a fresh clone runs as it is. README's
"Adding a language" gives the `pybabel` commands that extract and update them.

The language of an answer is negotiated from the request (`negotiate`): `Accept-Language` with
its q-values, or a WebSocket's `locale`, or a webhook endpoint's `locale`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import IO, Any

from babel.messages.pofile import read_po

from complaints.domain.text import Text

DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47
    name: str  # in itself
    catalogue: str | None  # the directory under complaints/locale; None for the source
    list_separator: str


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", None, ", "),
    "zh-Hans": Language("zh-Hans", "简体中文", "zh_Hans", "、"),
    "zh-Hant": Language("zh-Hant", "繁體中文", "zh_Hant", "、"),
}

#: Tags a client may send, to the language that answers them (lower case).
ALIASES: dict[str, str] = {
    "en": "en",
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-hans-sg": "zh-Hans",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
    "zh-hant-mo": "zh-Hant",
}


def supported(tag: str) -> str | None:
    """The language that answers `tag` (`zh-TW` -> `zh-Hant`, `en-GB` -> `en`), or None."""
    lowered = tag.strip().lower().replace("_", "-")
    if lowered in ALIASES:
        return ALIASES[lowered]
    primary = lowered.split("-")[0]
    return "en" if primary == "en" else None


def negotiate(ranks: Mapping[str, float], default: str = DEFAULT) -> str:
    """The language to answer in, given each tag's quality (`web.negotiation.qualities` of an
    Accept-Language header): the best supported one; among equals, the one named first; a tag
    the server does not speak gives way to the next; `*` or nothing at all, the default."""
    best: tuple[float, str] | None = None
    for tag, quality in ranks.items():
        language = default if tag == "*" else supported(tag)
        if language is None or quality <= 0:
            continue
        if best is None or quality > best[0]:
            best = (quality, language)
    return default if best is None else best[1]


@cache
def catalogue(tag: str) -> dict[str, str]:
    """msgid -> translation, for a language with a catalogue (read once per process)."""
    directory = LANGUAGES[tag].catalogue
    if directory is None:
        return {}
    path = resources.files("complaints").joinpath(f"locale/{directory}/LC_MESSAGES/messages.po")
    with path.open("rb") as po:
        messages = read_po(po, locale=directory.replace("_", "-").split("-")[0])
    return {str(m.id): str(m.string) for m in messages if m.id and m.string and not m.fuzzy}


def load_catalogues() -> None:
    """Read every catalogue now (at start-up), not on the first request that needs one."""
    for tag in LANGUAGES:
        catalogue(tag)


def say(value: Any, tag: str) -> Any:
    """`value` in language `tag`: a `Text` translated (its parameters too, a list of them as a
    list in that language), anything else as it is."""
    if isinstance(value, Text):
        if tag == DEFAULT:
            return str.__str__(value)
        template = catalogue(tag).get(value.template, value.template)
        if not value.params:
            return template
        return template.format(**{k: _said(v, tag) for k, v in value.params.items()})
    return value


def _said(value: Any, tag: str) -> Any:
    """A parameter in language `tag`: a list of words joined as that language lists them."""
    if isinstance(value, list):
        return LANGUAGES[tag].list_separator.join(str(say(v, tag)) for v in value)
    return say(value, tag)


def translated(value: Any, tag: str) -> Any:
    """A GraphQL answer (data and errors, as JSON-ready values) with every `Text` in it said in
    `tag`. English answers are returned as they are: a `Text` is already its English."""
    if tag == DEFAULT:
        return value
    return _walk(value, tag)


def _walk(value: Any, tag: str) -> Any:
    if isinstance(value, Text):
        return say(value, tag)
    if isinstance(value, dict):
        return {k: _walk(v, tag) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, tag) for v in value]
    return value


def extract_rulebook(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extractor (babel.cfg) for the rulebook's titles and texts, and its guides'."""
    data = json.load(fileobj)
    for rule in data["rules"]:
        yield 0, "", rule["title"], [f"{rule['code']} v{rule['version']}: title"]
        yield 0, "", rule["text"], [f"{rule['code']} v{rule['version']}: text"]
    for category, guides in data["guides"].items():
        for guide in guides:
            yield 0, "", guide["title"], [f"guide for {category}: title"]
            yield 0, "", guide["text"], [f"guide for {category}: text"]
