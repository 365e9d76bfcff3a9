"""The platform rulebook (R7): the rules decisions cite, and guides for consumers by category.

It is data, shipped in the package (`rulebook.json`), so that it can be read, reviewed and
published as it is. Its titles and texts are English `Text`s: the catalogues translate them
(`pybabel extract` reads them through `complaints.language.extract_rulebook`). Rulings and
rejections must cite at least one of its rules; returns for more information may.

Rules change over time: each entry of the file is one version of a rule, in force from its
`effective_from`. A decision is explained by the version in force when it was made, so an old
ruling keeps showing the text it was decided under.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from types import MappingProxyType
from typing import Any

from complaints.domain.text import Text
from complaints.domain.values import Category


@dataclass(frozen=True)
class Rule:
    """One version of a rule."""

    code: str
    title: str
    text: str
    law: str | None
    version: int
    effective_from: datetime


@dataclass(frozen=True)
class Guide:
    category: Category
    title: str
    text: str


class Rulebook:
    def __init__(self, data: dict[str, Any]) -> None:
        versions: dict[str, list[Rule]] = {}
        for entry in data["rules"]:
            rule = Rule(
                **{
                    **entry,
                    "title": Text(entry["title"]),
                    "text": Text(entry["text"]),
                    "effective_from": datetime.fromisoformat(entry["effective_from"]),
                }
            )
            versions.setdefault(rule.code, []).append(rule)
        for code, found in versions.items():
            if any(r.effective_from.tzinfo is None for r in found):
                raise ValueError(f"{code}: effective_from needs its UTC offset")
            found.sort(key=lambda r: r.effective_from)
            numbers = [r.version for r in found]
            if numbers != list(range(1, len(found) + 1)):
                raise ValueError(f"{code}: versions must be 1, 2, ... by effective date")
        self.versions = MappingProxyType({c: tuple(v) for c, v in versions.items()})
        #: Every rule's newest version, by code, in the file's order.
        self.rules = MappingProxyType({c: v[-1] for c, v in self.versions.items()})
        self.guides = MappingProxyType(
            {
                Category(category): tuple(
                    Guide(Category(category), Text(g["title"]), Text(g["text"])) for g in guides
                )
                for category, guides in data["guides"].items()
            }
        )

    @classmethod
    def load(cls) -> Rulebook:
        text = resources.files("complaints.domain").joinpath("rulebook.json").read_text("utf-8")
        return cls(json.loads(text))

    def rule(self, code: str, at: datetime | None = None) -> Rule | None:
        """The rule's version in force at `at` (its newest when `at` is None). A moment before
        its first version reads that first version: the rulebook as first published."""
        versions = self.versions.get(code)
        if versions is None:
            return None
        if at is None:
            return versions[-1]
        index = bisect_right([v.effective_from for v in versions], at)
        return versions[max(index - 1, 0)]

    def in_force(self, at: datetime) -> list[Rule]:
        """Every rule as in force at `at`, in the rulebook's order."""
        return [rule for code in self.versions if (rule := self.rule(code, at)) is not None]

    def guides_for(self, category: Category) -> tuple[Guide, ...]:
        return self.guides.get(category, ())


RULEBOOK = Rulebook.load()
