"""Every root field of the GraphQL schema is something the console lets a person do or read, or
is on `FOR_MACHINES` with the reason no page needs it.

A query or subscription field counts when it is selected at the root of a GraphQL document in a
console module (a string starting `query`, `mutation`, `subscription` or `{`); a mutation counts
when it is a key of an action table (the `*ACTIONS` objects whose forms `mutate(name, ...)`
sends) or the literal name given to `mutate`. Comments are stripped first, so that a field named
only in a comment counts for nothing."""

from __future__ import annotations

import re

from complaints.graphql.schema import schema
from complaints.web.console import CONSOLE

#: Root fields no console page uses, each for a reason: the list is checked both ways (each name
#: must exist and must be unused), so it stays true.
#:
#: Not listed, because a page does use them: `recordOrder` and `recordDelivery`, which in
#: production only the marketplace's own systems call, are offered by the Marketplace page, which
#: exists in development only (to record demo orders); `registerMarketplaceWebhook`,
#: `marketplaceWebhookEndpoints` and `order` likewise. `node` reads one violation report on its
#: page (#/violation/<id>): a report has no field of its own.
FOR_MACHINES = {
    # The language the server negotiated for a request. The console chooses its language itself
    # (its own catalogues) and tells the server with Accept-Language; echoing it back adds
    # nothing a person reads. Content-Language carries the same for HTTP clients.
    "locale": "echo of the negotiated language for API clients; the console picks its own",
    # The platform's languages, for clients that build their own chooser. The console's chooser
    # lists the languages it has catalogues for (en, zh-CN, zh-TW): a language the server spoke
    # but the console had no catalogue for would leave every label of the page in English, and
    # the tags differ (zh-Hans, zh-Hant), so the console's own list is the right menu.
    "locales": "the console's chooser lists the languages it has catalogues for",
    # One rule by its code, for clients that cite rules. Where a person picks rules (a
    # confirmation's form) the console reads the whole rulebook at once (`rules`), and a decision
    # comes with the rules it cites (code and title), so no page looks one rule up.
    "rule": "lookup by code for clients; the console reads `rules` and each decision's rules",
}


def string_end(source: str, i: int) -> int:
    """The index of the quote that closes the string opened at i."""
    j = i + 1
    while source[j] != source[i]:
        j += 2 if source[j] == "\\" else 1
    return j


def regex_end(source: str, i: int) -> int:
    """The index after the regular-expression literal opened at i (its flags included)."""
    j, klass = i + 1, False
    while klass or source[j] != "/":
        if source[j] == "\\":
            j += 1
        elif source[j] in "[]":
            klass = source[j] == "["
        j += 1
    j += 1
    while j < len(source) and source[j].isalpha():
        j += 1
    return j


def comment_end(source: str, i: int) -> int | None:
    """The index after the comment that starts at i, or None if none does."""
    if source.startswith("//", i):
        end = source.find("\n", i)
        return len(source) if end < 0 else end
    if source.startswith("/*", i):
        end = source.find("*/", i + 2)
        assert end >= 0, "unterminated comment"
        return end + 2
    return None


def strip_comments(source: str) -> tuple[str, list[str]]:
    """The code without its comments, and the text of its string literals (a template literal's
    `${...}` stands as a placeholder in its text; its code is lexed as code). In the code a string
    keeps its text only when that is one word (`mutate("name", ...)`), so that no brace inside a
    string counts as code. A small lexer: it knows strings, template literals with nested
    expressions, comments and regular-expression literals."""
    code: list[str] = []
    strings: list[str] = []
    # The template literals open around the current point: each its text so far, and the brace
    # depth at which its current `${` expression ends.
    templates: list[tuple[list[str], int]] = []
    depth = 0
    previous = ""  # the last significant token's kind, to tell a regex from a division
    i, n = 0, len(source)

    def template(i: int) -> int:
        """Read the innermost template's text from i up to its end or its next `${`."""
        text = templates[-1][0]
        while True:
            c = source[i]
            if c == "\\":
                text.append(source[i : i + 2])
                i += 2
            elif c == "`":
                strings.append("".join(templates.pop()[0]))
                code.append("``")
                return i + 1
            elif source.startswith("${", i):
                text.append("__interpolated__")
                templates[-1] = (text, depth)
                return i + 2
            else:
                text.append(c)
                i += 1

    while i < n:
        c = source[i]
        after_comment = comment_end(source, i)
        if after_comment is not None:
            i = after_comment
        elif c in "'\"":
            j = string_end(source, i)
            text = source[i + 1 : j]
            strings.append(text)
            code.append(f'"{text}"' if re.fullmatch(r"\w*", text) else '""')
            previous, i = "value", j + 1
        elif c == "`" or (c == "}" and templates and templates[-1][1] == depth):
            # A template literal opens, or the `${...}` of the innermost one ends.
            if c == "`":
                templates.append(([], -1))
            previous, i = "value", template(i + 1)
        elif c == "/" and previous != "value":
            # A regular-expression literal (a slash after a value is a division).
            code.append("/re/")
            previous, i = "value", regex_end(source, i)
        elif c.isalnum() or c in "_$":
            word = re.compile(r"[\w$]+").match(source, i)
            assert word is not None
            code.append(word.group())
            keyword = word.group() in {"return", "typeof", "case", "of", "in", "await", "yield"}
            previous = "" if keyword else "value"
            i = word.end()
        else:
            depth += {"{": 1, "}": -1}.get(c, 0)
            code.append(c)
            if not c.isspace():
                previous = "value" if c in ")]" else c
            i += 1
    return "".join(code), strings


OPERATION = re.compile(r"(?:^\s*|\b(?:query|mutation|subscription)\b[^{]*)\{")
SELECTION = re.compile(r"(\.\.\.\s*(?:on\s+)?)?([_A-Za-z]\w*)(?:\s*:\s*([_A-Za-z]\w*))?")


def root_fields(document: str) -> set[str]:
    """The fields selected at the root of each operation of a GraphQL document (an alias's
    field, not the alias; fragments spread or inlined at the root are not fields)."""
    text = re.sub(r'#[^\n]*|"""(?:.|\n)*?"""|"(?:\\.|[^"\\])*"', " ", document)
    fields: set[str] = set()
    for match in OPERATION.finditer(text):
        i, depth = match.end(), 1
        while i < len(text) and depth:
            c = text[i]
            if c == "(":
                i = text.index(")", i) + 1  # arguments (no parenthesis nests in them)
                continue
            if c in "{}":
                depth += 1 if c == "{" else -1
            elif depth == 1 and (c.isalpha() or c in "_."):
                word = SELECTION.match(text, i)
                if word is None:  # a lone dot
                    i += 1
                    continue
                spread, name, aliased = word.groups()
                if not spread:
                    fields.add(aliased or name)
                i = word.end()
                continue
            i += 1
    fields -= {"__typename", "__interpolated__"}
    return fields


def is_document(text: str) -> bool:
    return (
        re.match(r"\s*(?:(?:query|mutation|subscription)\b[^{]*)?\{\s*[_A-Za-z]", text) is not None
    )


def action_keys(code: str) -> set[str]:
    """The keys of the action tables: `const X_ACTIONS = { name: {...}, ... }` and the tables
    built from them (`const REGISTER = { registerWebhook: SHOP_ACTIONS.registerWebhook }`)."""
    keys: set[str] = set()
    for match in re.finditer(r"\bconst\s+(\w+)\s*=\s*\{", code):
        table, start = match.group(1), match.end()
        depth, i, body = 1, start, []
        while depth:
            c = code[i]
            depth += {"{": 1, "}": -1}.get(c, 0)
            # Only the table's own keys: text at depth 1.
            body.append(c if depth == 1 else " ")
            i += 1
        own = re.findall(r"(?:^|[,{\s])(\w+)\s*:", "".join(body))
        if table.endswith("ACTIONS") or any(f"_ACTIONS.{k}" in code[start:i] for k in own):
            keys.update(own)
    return keys


def console_use() -> tuple[set[str], set[str]]:
    """What the console's modules select at a document's root, and the mutations its action
    tables and `mutate` calls name."""
    selected: set[str] = set()
    mutated: set[str] = set()
    for path in sorted(CONSOLE.glob("*.js")):
        code, strings = strip_comments(path.read_text())
        for text in strings:
            if is_document(text):
                selected |= root_fields(text)
        mutated |= action_keys(code)
        mutated |= set(re.findall(r"\bmutate\(\s*\"(\w+)\"", code))
    return selected, mutated


def schema_fields() -> dict[str, set[str]]:
    graphql = schema._schema
    kinds = {
        "query": graphql.query_type,
        "mutation": graphql.mutation_type,
        "subscription": graphql.subscription_type,
    }
    return {kind: set(t.fields) if t else set() for kind, t in kinds.items()}


def test_the_lexer_is_not_fooled_by_comments_strings_or_regular_expressions() -> None:
    source = (
        "// query Console_X { shouldNot }\n"
        "/* const FAKE_ACTIONS = { hidden: {} } */\n"
        'const url = "http://example.org"; const re = /^#\\/?/;\n'
        "const Q = `query Console_Y($a: Int) { first(a: $a) { x ${MORE} } "
        "aliased: second ${`nested`} third }`;\n"
        "const SOME_ACTIONS = { fourth: { keys: [] }, fifth: { input: 'X' } };\n"
    )
    code, strings = strip_comments(source)
    assert "shouldNot" not in code
    assert "hidden" not in code
    documents = [s for s in strings if is_document(s)]
    assert [sorted(root_fields(d)) for d in documents] == [["first", "second", "third"]]
    assert action_keys(code) == {"fourth", "fifth"}


def test_every_root_field_is_used_by_a_page_or_said_to_be_for_machines() -> None:
    selected, mutated = console_use()
    fields = schema_fields()
    used = (fields["query"] | fields["subscription"]) & selected | fields["mutation"] & mutated
    every = fields["query"] | fields["mutation"] | fields["subscription"]
    unused = sorted(every - used - FOR_MACHINES.keys())
    assert unused == [], f"no console page uses {unused}: add a page, or say why on FOR_MACHINES"


def test_the_list_of_fields_for_machines_stays_true() -> None:
    selected, mutated = console_use()
    fields = schema_fields()
    every = fields["query"] | fields["mutation"] | fields["subscription"]
    assert sorted(FOR_MACHINES.keys() - every) == [], "no longer in the schema"
    assert sorted(FOR_MACHINES.keys() & (selected | mutated)) == [], "a page uses it now"
