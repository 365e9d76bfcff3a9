"""A limit on the shape of a document: how deep it nests, how many fields it asks for and how
many aliases it uses, once every fragment is expanded.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` walk into a fragment each time it is
spread, so a document of thirty fragments that each spread the next one twice (a few hundred
bytes) makes them walk 2^30 times and hangs the server (tests/reliability/test_security.py sends
one). This rule measures each fragment once and remembers it, so the check is linear in the size
of the document.

Introspection is measured apart. The standard introspection queries (graphql-js's
`getIntrospectionQuery()`, gql's, GraphiQL's) follow `ofType` nine levels down, deeper than any
query of our own types needs, so the depth limit for our types would refuse every tool that loads
the schema. Below `__schema` and `__type` the depth has its own, higher bound, and a good-faith rule
(as graphql-java's `GoodFaithIntrospection`) keeps an introspection query from being a bomb: no
list of the introspection types (`types`, `fields`, `args`, ...) may appear twice on one path. With
that, what an introspection query returns grows with the schema, not with the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

from complaints.domain.text import Text

MAX_DEPTH = 10
MAX_FIELDS = 1000
MAX_ALIASES = 15
#: graphql-js 16 with every option reaches 15 levels, `__schema` and the last `ofType` counted.
MAX_INTROSPECTION_DEPTH = 16
#: Where introspection starts, and its list fields: each may appear once on any path below it.
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
INTROSPECTION_LISTS = (
    "types",
    "directives",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
)
NO_LISTS = (0,) * len(INTROSPECTION_LISTS)


@dataclass(frozen=True)
class Shape:
    depth: int = 0  # levels of fields below a selection set, introspection left out
    fields: int = 0  # fields in it, fragments expanded
    aliases: int = 0
    introspection_depth: int = 0  # levels below `__schema` or `__type`
    #: For each of INTROSPECTION_LISTS, the most times it appears on one path below here.
    lists: tuple[int, ...] = NO_LISTS

    def beside(self, other: Shape, *, below: bool = False) -> Shape:
        """This shape with `other` added alongside (or, for a field's own selections, below)."""
        step = 1 if below else 0
        return Shape(
            max(self.depth, other.depth + step),
            min(self.fields + other.fields, CAP),
            min(self.aliases + other.aliases, CAP),
            max(self.introspection_depth, other.introspection_depth),
            tuple(map(max, self.lists, other.lists)),
        )

    def introspected(self, name: str) -> Shape:
        """This shape (a field's own selections) as seen from the introspection field `name`:
        one level deeper, with `name` counted on every path through it."""
        lists = self.lists
        if name in INTROSPECTION_LISTS:
            index = INTROSPECTION_LISTS.index(name)
            lists = (*lists[:index], lists[index] + 1, *lists[index + 1 :])
        return Shape(0, self.fields, self.aliases, self.introspection_depth + 1, lists)


CAP = 1_000_000  # enough to refuse; keeps the numbers small


def limited(
    max_depth: int = MAX_DEPTH,
    max_fields: int = MAX_FIELDS,
    max_aliases: int = MAX_ALIASES,
    max_introspection_depth: int = MAX_INTROSPECTION_DEPTH,
) -> type[ValidationRule]:
    class QueryShapeLimit(ValidationRule):
        def enter_document(self, node: Any, *_: Any) -> None:
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            # A fragment is measured once inside introspection and once outside, at most.
            measured: dict[tuple[str, bool], Shape] = {}
            open_: set[tuple[str, bool]] = set()

            def measure(selection_set: SelectionSetNode, meta: bool) -> Shape:
                shape = Shape()
                for selection in selection_set.selections:
                    if isinstance(selection, FieldNode):
                        name = selection.name.value
                        below = meta or name in INTROSPECTION_ROOTS
                        inner = (
                            measure(selection.selection_set, below)
                            if selection.selection_set
                            else Shape()
                        )
                        own = Shape(0, 1, 1 if selection.alias else 0)
                        if below:
                            shape = shape.beside(own).beside(inner.introspected(name))
                        else:
                            shape = shape.beside(own).beside(inner, below=True)
                    elif isinstance(selection, InlineFragmentNode):
                        shape = shape.beside(measure(selection.selection_set, meta))
                    elif isinstance(selection, FragmentSpreadNode):
                        key = (selection.name.value, meta)
                        if key in open_ or key[0] not in fragments:
                            continue  # cycles and unknown fragments are other rules' refusals
                        if key not in measured:
                            open_.add(key)
                            measured[key] = measure(fragments[key[0]].selection_set, meta)
                            open_.discard(key)
                        shape = shape.beside(measured[key])
                return shape

            for definition in node.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                shape = measure(definition.selection_set, meta=False)
                name = definition.name.value if definition.name else "anonymous"
                refusals: list[Text] = []
                if shape.depth - 1 > max_depth:
                    refusals.append(
                        Text(
                            "'{name}' exceeds the maximum operation depth of {max_depth}",
                            name=name,
                            max_depth=max_depth,
                        )
                    )
                if shape.fields > max_fields:
                    refusals.append(
                        Text(
                            "'{name}' asks for more than {max_fields} fields once its fragments"
                            " are expanded",
                            name=name,
                            max_fields=max_fields,
                        )
                    )
                if shape.aliases > max_aliases:
                    refusals.append(
                        Text(
                            "{aliases} aliases found. Allowed: {max_aliases}",
                            aliases=shape.aliases,
                            max_aliases=max_aliases,
                        )
                    )
                if shape.introspection_depth > max_introspection_depth:
                    refusals.append(
                        Text(
                            "'{name}' exceeds the maximum introspection depth of {depth}",
                            name=name,
                            depth=max_introspection_depth,
                        )
                    )
                refusals.extend(
                    Text(
                        "'{name}' asks for introspection's `{field}` inside itself",
                        name=name,
                        field=field,
                    )
                    for field, times in zip(INTROSPECTION_LISTS, shape.lists, strict=True)
                    if times > 1
                )
                for message in refusals:
                    self.report_error(GraphQLError(message, definition))

    return QueryShapeLimit
