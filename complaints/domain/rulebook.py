"""The platform rulebook (R7): the rules decisions cite, and guides for consumers by category.

It is data, shipped in the package (`rulebook.json`), so that it can be read, reviewed and
published as it is. Rulings and rejections must cite at least one of its rules; returns for more
information may.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from complaints.domain.values import Category


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    text: str
    law: str | None


@dataclass(frozen=True)
class Guide:
    category: Category
    title: str
    text: str


class Rulebook:
    def __init__(self, data: dict[str, Any]) -> None:
        self.rules = MappingProxyType({r["code"]: Rule(**r) for r in data["rules"]})
        self.guides = MappingProxyType(
            {
                Category(category): tuple(Guide(Category(category), **g) for g in guides)
                for category, guides in data["guides"].items()
            }
        )

    @classmethod
    def load(cls) -> Rulebook:
        text = resources.files("complaints.domain").joinpath("rulebook.json").read_text("utf-8")
        return cls(json.loads(text))

    def rule(self, code: str) -> Rule | None:
        return self.rules.get(code)

    def guides_for(self, category: Category) -> tuple[Guide, ...]:
        return self.guides.get(category, ())


RULEBOOK = Rulebook.load()
