"""The languages the server speaks: its catalogues are complete and faithful to the source, a
request's language is negotiated as the issue says, and a `Text` is said in each language."""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from graphql import located_error

from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.labels import label
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.text import LOCALES, Text
from complaints.domain.values import Category
from complaints.graphql.errors import CodedError
from complaints.language import LANGUAGES, catalogue, negotiate, say, supported, translated
from complaints.web.negotiation import qualities

ROOT = Path(__file__).resolve().parents[1]
CATALOGUED = [tag for tag, language in LANGUAGES.items() if language.catalogue]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Every message the code and the rulebook hold today, as `pybabel extract` finds them
    (README, "Adding a language"), with the fields each one's template names."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [
            *(str(pybabel), "extract", "-F", "babel.cfg", "--no-default-keywords", "-k", "Text"),
            *("--no-location", "-o", str(pot), "."),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {str(m.id): fields(str(m.id)) for m in read_po(f) if m.id}


def fields(template: str) -> set[str]:
    """`"{a!r} of {b:.1f}"` -> `{"a!r", "b:.1f"}`: a translation must keep each as it is."""
    return {
        f"{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}"
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    }


@pytest.mark.parametrize("tag", CATALOGUED)
class TestCatalogue:
    def read(self, tag: str) -> list[tuple[str, str, bool]]:
        directory = LANGUAGES[tag].catalogue
        path = ROOT / "complaints" / "locale" / str(directory) / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalog = read_po(f)
        return [(str(m.id), str(m.string), m.fuzzy) for m in catalog if m.id]

    def test_every_message_of_the_source_is_translated(
        self, tag: str, source: dict[str, set[str]]
    ) -> None:
        translated_ = {msgid for msgid, text, _ in self.read(tag) if text}
        missing = sorted(set(source) - translated_)
        assert not missing, f"{tag}: {len(missing)} messages untranslated, e.g. {missing[:5]}"

    def test_no_translation_is_fuzzy_or_left_over(
        self, tag: str, source: dict[str, set[str]]
    ) -> None:
        entries = self.read(tag)
        assert not [msgid for msgid, _, fuzzy in entries if fuzzy], f"{tag}: fuzzy entries"
        stale = sorted({msgid for msgid, _, _ in entries} - set(source))
        assert not stale, f"{tag}: messages no longer in the source: {stale[:5]}"

    def test_each_translation_keeps_the_placeholders_of_its_source(
        self, tag: str, source: dict[str, set[str]]
    ) -> None:
        differ = [
            (msgid, text)
            for msgid, text, _ in self.read(tag)
            if msgid in source and fields(text) != source[msgid]
        ]
        assert not differ, f"{tag}: placeholders differ: {differ[:3]}"

    def test_every_rule_and_guide_is_said_in_the_language(self, tag: str) -> None:
        said = catalogue(tag)
        texts = [t for r in RULEBOOK.rules.values() for t in (r.title, r.text)]
        texts += [t for gs in RULEBOOK.guides.values() for g in gs for t in (g.title, g.text)]
        assert all(said.get(t) for t in texts)


class TestNegotiation:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("zh-CN", "zh-Hans"),
            ("zh-SG", "zh-Hans"),
            ("zh", "zh-Hans"),
            ("zh-Hans", "zh-Hans"),
            ("zh-Hans-CN", "zh-Hans"),
            ("zh-TW", "zh-Hant"),
            ("zh-HK", "zh-Hant"),
            ("zh-MO", "zh-Hant"),
            ("zh-Hant", "zh-Hant"),
            ("en-GB", "en"),
            ("fr", "en"),
            ("", "en"),
            ("*", "en"),
            ("fr, zh-TW;q=0.5, en;q=0.4", "zh-Hant"),
            ("en;q=0.3, zh-CN;q=0.8", "zh-Hans"),
            ("zh-TW;q=0, zh-CN;q=0.1", "zh-Hans"),
            ("ja, de;q=0.9", "en"),
        ],
    )
    def test_the_best_language_the_header_accepts_answers(self, header: str, expected: str) -> None:
        assert negotiate(qualities(header)) == expected

    def test_the_domain_and_the_catalogues_name_the_same_languages(self) -> None:
        assert tuple(LANGUAGES) == LOCALES

    def test_a_tag_the_server_does_not_speak_is_not_supported(self) -> None:
        assert supported("fr-FR") is None
        assert supported("zh_TW") == "zh-Hant"


class TestSaying:
    def test_a_text_is_its_english_and_keeps_its_template(self) -> None:
        text = Text("Offer {offer_id} is {status}.", offer_id="o1", status="OPEN")
        assert text == "Offer o1 is OPEN."
        assert Text.from_json(text.as_json()) == text
        assert Text.from_json(text.as_json()).template == text.template

    def test_nested_texts_and_lists_are_said_in_the_language(self) -> None:
        text = Text(
            "Complaint {reference} filed about {category} goods on order {order_id};"
            " the consumer asks for {remedy}.",
            reference="C-1",
            category=label(Category.DAMAGED),
            order_id="o-9",
            remedy=Text("no remedy"),
        )
        assert say(text, "zh-Hans") == (
            "投诉 C-1 已提交：订单 o-9 的商品问题为“商品损坏”；消费者要求无补救措施。"
        )
        assert "商品損壞" in say(text, "zh-Hant")
        assert say(text, "en") == str(text)
        listed = Text(" Rules cited: {rules}.", rules=[Text("refund"), Text("repair")])
        assert listed == " Rules cited: refund, repair."
        assert say(listed, "zh-Hans") == "引用规则：退款、维修。"

    def test_an_error_raised_in_a_resolver_keeps_its_sentence_translatable(self) -> None:
        error = located_error(CodedError("NOT_ALLOWED", Text("No such complaint.")), None, ["x"])
        assert (error.message, say(error.message, "zh-Hans")) == (
            "No such complaint.",
            "没有这件投诉。",
        )

    def test_an_answer_is_said_in_the_language_and_its_other_strings_are_left(self) -> None:
        refusal = ValidationFailed([FieldError("amount", Text("must be greater than zero"))])
        answer = {"data": {"x": [refusal.message, "the party's own words"]}, "errors": None}
        assert translated(answer, "zh-Hant") == {
            "data": {"x": ["輸入無效：amount：必須大於零", "the party's own words"]},
            "errors": None,
        }
        assert translated(answer, "en") is answer
