"""The schema, and the guards around it.

- Parser and validation caches, and depth, expanded-size, token and alias limits, against
  expensive or hostile documents (shape.py: depth and size with each fragment measured once).
- Unexpected errors are masked: the client sees "Unexpected error" and an error id; the log has
  the same id with the traceback. Client mistakes (syntax, validation, coded errors) pass through.
- Introspection can be switched off (INTROSPECTION=false, the production default).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from complaints.compat import ClosingExecutionContext
from complaints.domain.text import Text
from complaints.graphql.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from complaints.graphql.mutations import Mutation
from complaints.graphql.queries import Query
from complaints.graphql.shape import MAX_ALIASES, MAX_DEPTH, limited
from complaints.graphql.subscriptions import Subscription
from complaints.graphql.types.complaint import ComplaintNode
from complaints.graphql.types.seller import SellerNode
from complaints.graphql.types.violation import Violation
from complaints.projections.base import ReadModelNotReady

log = logging.getLogger("complaints.graphql")

MAX_TOKENS = 2000


def unexpected(error: GraphQLError) -> bool:
    """An error the client did not cause: an exception escaped a resolver. (A read model
    being rebuilt is expected: it says so, with the code NOT_READY.)"""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | ReadModelNotReady)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=unexpected, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex[:12]
        log.error("unexpected error %s at %s", error_id, error.path, exc_info=error.original_error)
        return GraphQLError(
            message=Text("Unexpected error (id {error_id}).", error_id=error_id),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_ERROR", "errorId": error_id},
        )


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Unexpected errors are logged once, with their id, by MaskUnexpectedErrors; client
        # errors are routine and need no traceback.
        for error in errors:
            if not unexpected(error):
                log.info("refused: %s", error.message)


#: One rule class for the life of the process: the validation cache is keyed by the rules, so
#: a class made per request would make every request miss it.
SHAPE_RULE = limited(max_depth=MAX_DEPTH, max_aliases=MAX_ALIASES)


def build_schema(*, introspection: bool = True) -> Schema:
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        ParserCache,
        ValidationCache,
        lambda: AddValidationRules([SHAPE_RULE]),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaskUnexpectedErrors,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    types: Sequence[Any] = (
        ComplaintNode,
        SellerNode,
        Violation,
        NotFound,
        NotAllowed,
        InvalidTransition,
        ValidationFailed,
        Conflict,
    )
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=types,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
        execution_context_class=ClosingExecutionContext,
    )


#: The schema with introspection on, as exported to schema.graphql.
schema = build_schema()
