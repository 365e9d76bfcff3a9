"""The transparency log's queries: resolvers that translate (the rules on sizes are in
complaints.domain.transparency; who sees a case's proof is who sees the case)."""

from __future__ import annotations

import anyio.to_thread

from complaints.domain.errors import DomainError
from complaints.domain.transparency import consistency_sizes, inclusion_tree_size
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import coded
from complaints.graphql.types.transparency import (
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    LogKey,
)
from complaints.projections.transparency import log_signer


async def latest_checkpoint(info: Info) -> Checkpoint:
    log = info.context.read_models.log
    latest = await anyio.to_thread.run_sync(log.latest_checkpoint)
    try:
        inclusion_tree_size(None, None if latest is None else latest.tree_size, lambda _: False)
    except DomainError as error:
        raise coded(error) from None
    assert latest is not None
    return Checkpoint.of(latest)


async def log_key(info: Info) -> LogKey:
    settings = info.context.settings
    signer = await anyio.to_thread.run_sync(log_signer, settings)
    return LogKey.of(settings.log_origin, signer)


async def inclusion_proof(
    info: Info, complaint_id: str, version: int, tree_size: int | None
) -> InclusionProof | None:
    log = info.context.read_models.log
    try:
        uuid = ids.parse_uuid("Complaint", complaint_id, "complaintId")
    except DomainError as error:
        raise coded(error) from None
    if await info.context.complaint(uuid) is None:
        return None

    def prove() -> InclusionProof | None:
        latest = log.latest_checkpoint()
        size = inclusion_tree_size(
            tree_size,
            None if latest is None else latest.tree_size,
            lambda n: log.checkpoint(n) is not None,
        )
        proof = log.inclusion_of(uuid, version, size)
        return None if proof is None else InclusionProof.of(proof)

    try:
        return await anyio.to_thread.run_sync(prove)
    except DomainError as error:
        raise coded(error) from None


async def consistency_proof(
    info: Info, first_size: int, second_size: int | None
) -> ConsistencyProof:
    log = info.context.read_models.log

    def prove() -> ConsistencyProof:
        latest = log.latest_checkpoint()
        first, second = consistency_sizes(
            first_size, second_size, None if latest is None else latest.tree_size
        )
        path = log.consistency(first, second)
        return ConsistencyProof(first_size=first, second_size=second, path=[h.hex() for h in path])

    try:
        return await anyio.to_thread.run_sync(prove)
    except DomainError as error:
        raise coded(error) from None
