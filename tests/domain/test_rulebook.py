"""R7: the rulebook, and decisions that cite it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from complaints.domain.errors import ValidationFailed
from complaints.domain.rulebook import RULEBOOK, Rulebook
from complaints.domain.values import Category, Outcome
from tests.scenario import AGENT, ARBITER, REFUND, Scenario


def test_every_rule_has_a_code_a_title_and_a_text() -> None:
    assert len(RULEBOOK.rules) >= 15
    for code, rule in RULEBOOK.rules.items():
        assert re.fullmatch(r"R-\d+\.\d+", code)
        assert rule.code == code
        assert rule.title
        assert len(rule.text) > 40


def test_the_rulebook_covers_every_stage_of_the_seed() -> None:
    """Intake to enforcement: R1-R7, and violations and penalties (R8), after-sales policies
    (R9), spot checks and third-party reports (R10)."""
    chapters = {code.split(".")[0] for code in RULEBOOK.rules}
    assert chapters == {f"R-{n}" for n in range(1, 11)}


def test_every_rule_has_versions_in_order_of_their_effective_dates() -> None:
    for code, versions in RULEBOOK.versions.items():
        assert [v.version for v in versions] == list(range(1, len(versions) + 1)), code
        assert all(v.effective_from.tzinfo is not None for v in versions), code
        assert RULEBOOK.rules[code] is versions[-1]


EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATER = datetime(2026, 7, 1, tzinfo=UTC)


def two_versions() -> Rulebook:
    rule = {"code": "R-1.1", "title": "Orders", "law": None}
    return Rulebook(
        {
            "rules": [
                {**rule, "version": 2, "effective_from": LATER.isoformat(), "text": "Second."},
                {**rule, "version": 1, "effective_from": EARLY.isoformat(), "text": "First."},
            ],
            "guides": {},
        }
    )


def test_a_rule_is_read_as_it_stood_at_a_moment() -> None:
    book = two_versions()
    assert book.rule("R-1.1", EARLY).text == "First."  # type: ignore[union-attr]
    assert book.rule("R-1.1", LATER - timedelta(seconds=1)).text == "First."  # type: ignore[union-attr]
    assert book.rule("R-1.1", LATER).text == "Second."  # type: ignore[union-attr]
    assert book.rule("R-1.1").version == 2  # type: ignore[union-attr]
    # Before the rulebook's first version: the rulebook as first published.
    assert book.rule("R-1.1", EARLY - timedelta(days=1)).version == 1  # type: ignore[union-attr]
    assert [r.text for r in book.in_force(EARLY)] == ["First."]
    assert book.rule("R-9.9", LATER) is None


def test_versions_out_of_order_are_refused() -> None:
    rule = {"code": "R-1.1", "title": "T", "text": "x", "law": None}
    with pytest.raises(ValueError, match="versions"):
        Rulebook(
            {
                "rules": [
                    {**rule, "version": 2, "effective_from": EARLY.isoformat()},
                    {**rule, "version": 1, "effective_from": LATER.isoformat()},
                ],
                "guides": {},
            }
        )


def test_an_effective_date_without_its_offset_is_refused() -> None:
    rule = {"code": "R-1.1", "title": "T", "text": "x", "law": None, "version": 1}
    with pytest.raises(ValueError, match="offset"):
        Rulebook({"rules": [{**rule, "effective_from": "2026-01-01T00:00:00"}], "guides": {}})


def test_every_category_has_a_guide() -> None:
    for category in Category:
        guides = RULEBOOK.guides_for(category)
        assert guides, category
        assert all(g.category is category and g.title and g.text for g in guides)


def test_guides_cite_only_rules_that_exist() -> None:
    for guides in RULEBOOK.guides.values():
        for guide in guides:
            for code in re.findall(r"R-\d+\.\d+", guide.text):
                assert RULEBOOK.rule(code) is not None, code


class TestCitations:
    def test_a_ruling_must_cite_a_rule(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.record_finding(ARBITER, complaint.id, "Damaged.")
        with pytest.raises(ValidationFailed) as refused:
            world.app.issue_ruling(
                ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_FULL, "Damaged.", REFUND, []
            )
        assert refused.value.fields[0].field == "rule_codes"
        assert "rulebook" in refused.value.fields[0].message

    def test_a_ruling_cannot_cite_a_rule_that_does_not_exist(self, world: Scenario) -> None:
        complaint = world.under_review()
        world.app.record_finding(ARBITER, complaint.id, "Damaged.")
        with pytest.raises(ValidationFailed) as refused:
            world.app.issue_ruling(
                ARBITER, complaint.id, Outcome.CONSUMER_FAVOUR_FULL, "Damaged.", REFUND, ["R-9.9"]
            )
        assert "R-9.9" in refused.value.fields[0].message

    def test_a_rejection_must_cite_a_rule(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ValidationFailed):
            world.app.reject_complaint(AGENT, complaint.id, "Not ours.")
        rejected = world.app.reject_complaint(AGENT, complaint.id, "Not ours.", "R-1.1")
        assert rejected.rejection == ("Not ours.", "R-1.1")

    def test_a_return_may_cite_rules_that_exist(self, world: Scenario) -> None:
        complaint = world.file()
        with pytest.raises(ValidationFailed):
            world.app.return_complaint_for_info(
                AGENT, complaint.id, "Photos?", ["photo"], ["R-0.0"]
            )
        returned = world.app.return_complaint_for_info(
            AGENT, complaint.id, "Photos?", ["photo"], ["R-1.4"]
        )
        assert returned.info_requests[0].rule_codes == ("R-1.4",)
