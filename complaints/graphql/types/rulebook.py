"""The platform rulebook: rules that decisions cite, and guides for consumers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from complaints.domain.rulebook import Rule as RuleRecord
from complaints.graphql.enums import ComplaintCategory


@strawberry.type(
    description="A rule of the platform rulebook, cited by decisions: one version of it, in"
    " force from effectiveFrom"
)
class Rule:
    code: str
    title: str
    text: str
    law: str | None
    version: int
    effective_from: datetime

    @classmethod
    def of(cls, rule: RuleRecord) -> Rule:
        return cls(
            code=rule.code,
            title=rule.title,
            text=rule.text,
            law=rule.law,
            version=rule.version,
            effective_from=rule.effective_from,
        )


@strawberry.type(description="Advice for consumers with a problem of one category")
class Guide:
    category: ComplaintCategory
    title: str
    text: str


@strawberry.type(description="A language the platform speaks")
class Locale:
    tag: str = strawberry.field(description="Its BCP 47 tag: en, zh-Hans, zh-Hant")
    name: str = strawberry.field(description="Its name in itself: English, 简体中文, 繁體中文")
