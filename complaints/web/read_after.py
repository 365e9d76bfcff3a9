"""Read-your-writes across read replicas, at the HTTP edge: the token a client sends back
(`Read-After` header, or `extensions.readAfter`), and what the answer says about it.

A request gets a `ReadScope` only when the read models have replicas (DATABASE_REPLICA_URLS);
without them nothing here runs and answers are as before."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.types import Scope

from complaints.store.replicas import ReadScope

HEADER = b"read-after"


def scope_for(scope: Scope) -> ReadScope | None:
    """A new request's scope, with the token of its `Read-After` header; None without replicas.

    A token that is not an LSN is not trusted to mean anything: the request reads the primary
    (always fresh), rather than a replica that might not hold what the client wrote."""
    read_models = getattr(scope["app"].state, "read_models", None)
    if read_models is None or read_models.db.router is None:
        return None
    reads = ReadScope()
    raw = dict(scope.get("headers") or []).get(HEADER)
    if raw is not None:
        wanted(reads, raw.decode("latin-1"))
    scope.setdefault("state", {})["reads"] = reads
    return reads


def wanted(reads: ReadScope, token: object) -> None:
    """Add a token the client sent (header or `extensions.readAfter`)."""
    reads.sent(token)


def is_mutation(document: str | None, operation: str | None) -> bool:
    """Whether the request runs a mutation (its reads, before and after, use the primary)."""
    if not document:
        return False
    try:
        found = get_operation_ast(parse(document, no_location=True), operation)
    except GraphQLError:
        return False
    return found is not None and found.operation is OperationType.MUTATION


def answered(state: dict[str, Any], extensions: dict[str, Any]) -> None:
    """What the answer's `extensions` say: where the log stood after this request's writes
    (`readAfter`), and who answered its reads (`servedBy`: replica or primary)."""
    reads: ReadScope | None = state.get("reads")
    if reads is None:
        return
    if "read_after" in state:
        extensions["readAfter"] = state["read_after"]
    replica = bool(reads.served) and "primary" not in reads.served
    extensions["servedBy"] = "replica" if replica else "primary"


def served_by_replica(state: dict[str, Any]) -> bool:
    reads: ReadScope | None = state.get("reads")
    return reads is not None and any(name != "primary" for name in reads.served)
