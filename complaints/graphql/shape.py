"""A limit on the shape of a document: how deep it nests, how many fields it asks for and how
many aliases it uses, once every fragment is expanded.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` walk into a fragment each time it is
spread, so a document of thirty fragments that each spread the next one twice (a few hundred
bytes) makes them walk 2^30 times and hangs the server (found by tests/reliability/
test_security.py). This rule measures each fragment once and remembers it, so the check is linear
in the size of the document.
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

MAX_DEPTH = 10
MAX_FIELDS = 1000
MAX_ALIASES = 15


@dataclass(frozen=True)
class Shape:
    depth: int = 0  # levels of fields below a selection set
    fields: int = 0  # fields in it, fragments expanded
    aliases: int = 0

    def beside(self, other: Shape, *, below: bool = False) -> Shape:
        """This shape with `other` added alongside (or, for a field's own selections, below)."""
        return Shape(
            max(self.depth, other.depth + 1 if below else other.depth),
            min(self.fields + other.fields, CAP),
            min(self.aliases + other.aliases, CAP),
        )


CAP = 1_000_000  # enough to refuse; keeps the numbers small


def limited(
    max_depth: int = MAX_DEPTH, max_fields: int = MAX_FIELDS, max_aliases: int = MAX_ALIASES
) -> type[ValidationRule]:
    class QueryShapeLimit(ValidationRule):
        def enter_document(self, node: Any, *_: Any) -> None:
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            measured: dict[str, Shape] = {}
            open_: set[str] = set()

            def measure(selection_set: SelectionSetNode) -> Shape:
                shape = Shape()
                for selection in selection_set.selections:
                    if isinstance(selection, FieldNode):
                        inner = (
                            measure(selection.selection_set) if selection.selection_set else Shape()
                        )
                        own = Shape(0, 1, 1 if selection.alias else 0)
                        shape = shape.beside(own).beside(inner, below=True)
                    elif isinstance(selection, InlineFragmentNode):
                        shape = shape.beside(measure(selection.selection_set))
                    elif isinstance(selection, FragmentSpreadNode):
                        name = selection.name.value
                        if name in open_ or name not in fragments:
                            continue  # cycles and unknown fragments are other rules' refusals
                        if name not in measured:
                            open_.add(name)
                            measured[name] = measure(fragments[name].selection_set)
                            open_.discard(name)
                        shape = shape.beside(measured[name])
                return shape

            for definition in node.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                shape = measure(definition.selection_set)
                name = definition.name.value if definition.name else "anonymous"
                refusals = []
                if shape.depth - 1 > max_depth:
                    refusals.append(f"'{name}' exceeds the maximum operation depth of {max_depth}")
                if shape.fields > max_fields:
                    refusals.append(
                        f"'{name}' asks for more than {max_fields} fields once its fragments"
                        " are expanded"
                    )
                if shape.aliases > max_aliases:
                    refusals.append(f"{shape.aliases} aliases found. Allowed: {max_aliases}")
                for message in refusals:
                    self.report_error(GraphQLError(message, definition))

    return QueryShapeLimit
