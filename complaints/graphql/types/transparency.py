"""The transparency log as the API shows it: checkpoints, proofs, the verifier key. Hashes are
lowercase hex; the checkpoint's note carries its root in base64, as C2SP says."""

from __future__ import annotations

import base64

import strawberry

from complaints.projections.transparency import InclusionProof as StoredInclusionProof
from complaints.projections.transparency import StoredCheckpoint
from complaints.store.notes import Signer


@strawberry.type(description="A signed checkpoint of the transparency log (C2SP tlog-checkpoint)")
class Checkpoint:
    origin: str = strawberry.field(description="The log's name, the checkpoint's first line")
    tree_size: int
    root_hash: str = strawberry.field(description="The tree's root hash, lowercase hex")
    note: str = strawberry.field(
        description="The whole signed note, exactly as signed: body, blank line, signature lines"
    )

    @classmethod
    def of(cls, stored: StoredCheckpoint) -> Checkpoint:
        return cls(
            origin=stored.checkpoint.origin,
            tree_size=stored.tree_size,
            root_hash=stored.checkpoint.root_hash.hex(),
            note=stored.note,
        )


@strawberry.type(description="RFC 9162 section 2.1.3: an event's leaf is in a tree of this size")
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]

    @classmethod
    def of(cls, proof: StoredInclusionProof) -> InclusionProof:
        return cls(
            leaf_index=proof.leaf_index,
            tree_size=proof.tree_size,
            leaf_hash=proof.leaf_hash.hex(),
            audit_path=[h.hex() for h in proof.audit_path],
        )


@strawberry.type(description="RFC 9162 section 2.1.4: the second tree extends the first")
class ConsistencyProof:
    first_size: int
    second_size: int
    path: list[str]


@strawberry.type(description="The key that signs the log's checkpoints")
class LogKey:
    origin: str
    key_name: str
    public_key: str = strawberry.field(description="The raw Ed25519 public key, base64")
    verifier_key: str = strawberry.field(
        description="The signed-note verifier key: <name>+<key hash>+<base64(0x01 || key)>"
    )

    @classmethod
    def of(cls, origin: str, signer: Signer) -> LogKey:
        return cls(
            origin=origin,
            key_name=signer.name,
            public_key=base64.b64encode(signer.public_key).decode(),
            verifier_key=signer.verifier_key,
        )
