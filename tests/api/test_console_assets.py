"""The console's own files, checked without a browser: its catalogues, its forms against the
schema, and the rules it keeps (no inline script, no HTML built from strings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLNonNull, Undefined, build_schema

from complaints.domain import order, seller, violation, webhook
from complaints.web.console import CONSOLE

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = build_schema((ROOT / "schema.graphql").read_text())
SCRIPTS = {path.name: path.read_text() for path in CONSOLE.glob("*.js")}
ENGLISH = json.loads((CONSOLE / "en.json").read_text())
CHINESE = json.loads((CONSOLE / "zh-CN.json").read_text())
TRADITIONAL = json.loads((CONSOLE / "zh-TW.json").read_text())


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("catalogue", [CHINESE, TRADITIONAL], ids=["zh-CN", "zh-TW"])
def test_every_language_has_every_message_with_the_same_placeholders(
    catalogue: dict[str, str],
) -> None:
    assert ENGLISH.keys() == catalogue.keys()
    for key, english in ENGLISH.items():
        assert english.strip(), key
        assert catalogue[key].strip(), key
        assert placeholders(english) == placeholders(catalogue[key]), key


def test_every_message_the_scripts_name_is_in_the_catalogue() -> None:
    named: set[str] = set()
    for source in SCRIPTS.values():
        named |= set(re.findall(r"\bt\(\"([a-zA-Z]+\.[a-zA-Z.]+)\"", source))
    assert named, "the scripts name their messages"
    assert sorted(named - ENGLISH.keys()) == []


@pytest.mark.parametrize(
    ("group", "enum"),
    [
        ("status", "ComplaintStatus"),
        ("category", "ComplaintCategory"),
        ("remedy", "RemedyType"),
        ("outcome", "Outcome"),
        ("role", "Role"),
        ("visibility", "MessageVisibility"),
        ("sanction", "SanctionKind"),
        ("violation", "ViolationKind"),
    ],
)
def test_every_value_of_an_enum_has_a_label(group: str, enum: str) -> None:
    values = SCHEMA.type_map[enum]
    assert isinstance(values, GraphQLEnumType)
    assert sorted(f"{group}.{v}" for v in values.values if f"{group}.{v}" not in ENGLISH) == []


def action_forms() -> dict[str, tuple[str, list[str]]]:
    """forms.js's ACTIONS: each mutation's input type and the names of its fields."""
    source = SCRIPTS["forms.js"]
    body = source[
        source.index("export const ACTIONS = {") : source.index(
            "\n};", source.index("export const ACTIONS")
        )
    ]
    forms = {}
    for match in re.finditer(
        r"\n  (\w+): \{\s*input: \"(\w+)\",\s*fields: \[(.*?)\],?\s*(?:confirm: true\s*)?\},",
        body,
        re.S,
    ):
        name, input_type, fields = match.groups()
        names = re.findall(r"(?:name: \"(\w+)\"|(?:remedy|text|area)\(\"(\w+)\")", fields)
        forms[name] = (input_type, [a or b for a, b in names])
    return forms


def test_each_action_form_matches_its_mutation_in_the_schema() -> None:
    forms = action_forms()
    mutations = SCHEMA.mutation_type
    assert mutations is not None
    complaint_mutations = {
        name
        for name, field in mutations.fields.items()
        if str(field.type) == "ComplaintResult!" and name != "fileComplaint"
    }
    assert sorted(complaint_mutations - forms.keys()) == [], "a form for every case action"
    for name, (input_type, fields) in forms.items():
        argument = mutations.fields[name].args["input"].type
        assert isinstance(argument, GraphQLNonNull)
        declared = argument.of_type
        assert isinstance(declared, GraphQLInputObjectType)
        assert declared.name == input_type, name
        assert set(fields) <= declared.fields.keys(), name
        required = {
            f
            for f, spec in declared.fields.items()
            if isinstance(spec.type, GraphQLNonNull) and f != "complaintId"
        }
        assert required <= set(fields), f"{name} leaves out a required field"
        assert f"action.{name}" in ENGLISH


def test_no_inline_script_and_no_html_from_strings() -> None:
    page = (CONSOLE / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert re.findall(r"\son\w+=", page) == [], "no inline event handlers"
    for name, source in SCRIPTS.items():
        assert re.findall(r"\.(?:inner|outer)HTML\b|insertAdjacentHTML|\beval\(", source) == [], (
            name
        )


def record_forms(module: str, table: str) -> dict[str, tuple[str, list[str], list[str]]]:
    """A table of record actions (SHOP_ACTIONS in shop.js, ...): each mutation's input type, the
    fields the viewer fills in, and the keys taken from the record."""
    source = SCRIPTS[module]
    start = source.index(f"export const {table} = {{")
    body = source[start : source.index("\n};", start)]
    forms = {}
    for match in re.finditer(
        r"\n  (\w+): \{\s*input: \"(\w+)\",\s*fields: \[(.*?)\],\s*keys: \[(.*?)\]", body, re.S
    ):
        name, input_type, fields, keys = match.groups()
        names = re.findall(r"(?:name: \"(\w+)\"|(?:text|area|number)\(\"(\w+)\")", fields)
        forms[name] = (input_type, [a or b for a, b in names], re.findall(r"\"(\w+)\"", keys))
    assert forms, table
    return forms


RECORD_FORMS = {
    "SHOP_ACTIONS": record_forms("shop.js", "SHOP_ACTIONS"),
    "SANCTION_ACTIONS": record_forms("shop.js", "SANCTION_ACTIONS"),
    "VIOLATION_ACTIONS": record_forms("violations.js", "VIOLATION_ACTIONS"),
    "ENDPOINT_ACTIONS": record_forms("seller.js", "ENDPOINT_ACTIONS"),
    "ORDER_ACTIONS": record_forms("marketplace.js", "ORDER_ACTIONS"),
    "MARKETPLACE_ACTIONS": record_forms("marketplace.js", "MARKETPLACE_ACTIONS"),
}


@pytest.mark.parametrize("table", list(RECORD_FORMS))
def test_each_record_action_form_matches_its_mutation_in_the_schema(table: str) -> None:
    mutations = SCHEMA.mutation_type
    assert mutations is not None
    for name, (input_type, fields, keys) in RECORD_FORMS[table].items():
        argument = mutations.fields[name].args["input"].type
        assert isinstance(argument, GraphQLNonNull)
        declared = argument.of_type
        assert isinstance(declared, GraphQLInputObjectType)
        assert declared.name == input_type, name
        assert set(fields) | set(keys) <= declared.fields.keys(), name
        required = {
            f
            for f, spec in declared.fields.items()
            if isinstance(spec.type, GraphQLNonNull) and spec.default_value is Undefined
        }
        assert required <= set(fields) | set(keys), f"{name} leaves out a required field"
        assert f"action.{name}" in ENGLISH


def test_every_action_the_api_may_offer_on_a_record_has_a_form() -> None:
    """What Seller, Sanction, Violation and WebhookEndpoint.allowedActions may list."""
    on_sanctions = {a.value for a in seller.OFFERED_ON_SANCTIONS}
    on_shop = {a.value for a in seller.OFFERED} - on_sanctions | {webhook.Action.REGISTER.value}
    assert on_shop == RECORD_FORMS["SHOP_ACTIONS"].keys()
    assert on_sanctions == RECORD_FORMS["SANCTION_ACTIONS"].keys()
    assert {a.value for a in violation.OFFERED} == RECORD_FORMS["VIOLATION_ACTIONS"].keys()
    assert {a.value for a in webhook.OFFERED} == RECORD_FORMS["ENDPOINT_ACTIONS"].keys()
    assert {a.value for a in order.OFFERED} == RECORD_FORMS["ORDER_ACTIONS"].keys()


def test_the_marketplace_page_has_a_form_for_each_of_the_marketplace_s_own_mutations() -> None:
    """What the marketplace starts: an order (no record lists it), and its webhook endpoint
    (which viewerAllowedActions offers it)."""
    assert {order.Action.RECORD.value, webhook.Action.REGISTER_MARKETPLACE.value} == (
        RECORD_FORMS["MARKETPLACE_ACTIONS"].keys()
    )


def test_the_page_loads_the_shell_and_preloads_every_module_it_imports() -> None:
    page = (CONSOLE / "index.html").read_text()
    assert '<script type="module" src="/console/app.js"></script>' in page
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/console/([\w.-]+)"', page))
    assert preloaded == SCRIPTS.keys() - {"app.js"}


def test_each_module_stays_readable_in_one_sitting() -> None:
    for name, source in SCRIPTS.items():
        assert source.count("\n") <= 420, name
