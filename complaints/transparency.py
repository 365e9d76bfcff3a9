"""Checking the transparency log against a checkpoint someone kept: `complaints log verify`.

A checkpoint signed earlier, and kept by anyone (an auditor, a witness, a party), pins the first
N leaves of the log. This proves, from what the database holds today:

1. the checkpoint is signed by the log's key (or the key given), and names this log;
2. the first N leaves stored today still hash to its root (recomputed from the leaves
   themselves, trusting no stored node), so the log was only ever appended to, and the latest
   checkpoint the log signed since is proven to extend it (RFC 9162 consistency);
3. every event still stored is the leaf it was: each aggregate's chain is recomputed from the
   stored events' bytes (not from the recorded hashes, which an owner of the database could
   rewrite with them) and compared with its leaves. A case rewritten, deleted or with an event
   inserted is named, even when its own hash chain was made to verify again.

What it cannot do alone: if the log's own rows were rewritten too, (2) fails and says so, but
which case changed can then only be told from a copy of the log's entries (the tiles a mirror
keeps). docs/transparency.md says more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from complaints.application import ComplaintsApp
from complaints.domain.errors import DomainError
from complaints.projections.transparency import Leaf, LogStore
from complaints.store import merkle
from complaints.store.hash_chain import GENESIS, HashedRecorder, chain_hash
from complaints.store.notes import Checkpoint, NoteError, Verifier


@dataclass
class LogVerification:
    checkpoint: Checkpoint | None = None
    #: What is wrong with the log as a whole (signature, origin, root, consistency).
    problems: list[str] = field(default_factory=list)
    #: What is wrong with each aggregate's events, by aggregate id.
    cases: dict[UUID, list[str]] = field(default_factory=dict)
    #: How each aggregate is named in reports ("complaint R-..."; the id when unknown).
    names: dict[UUID, str] = field(default_factory=dict)
    leaves: int = 0
    events: int = 0
    #: The latest checkpoint the log signed, proven to extend the one checked (if later).
    extended_to: int | None = None

    @property
    def verified(self) -> bool:
        return not self.problems and not self.cases


def recomputed_hashes(app: ComplaintsApp, aggregate_id: UUID) -> dict[int, str]:
    """The chain hashes of an aggregate's stored events, from their bytes alone."""
    stored = sorted(app.recorder.select_events(aggregate_id), key=lambda s: s.originator_version)
    hashes: dict[int, str] = {}
    previous = GENESIS
    for event in stored:
        version = event.originator_version
        previous = hashes[version] = chain_hash(
            previous, aggregate_id, version, event.topic, event.state
        )
    return hashes


def compare(hashes: dict[int, str], leaves: dict[int, Leaf]) -> list[str]:
    """What differs between an aggregate's stored events (as recomputed) and its leaves."""
    problems = []
    for version in sorted(leaves):
        leaf = leaves[version]
        if version not in hashes:
            problems.append(f"version {version} deleted: it was leaf {leaf.index}")
        elif hashes[version] != leaf.event_hash:
            problems.append(
                f"version {version} rewritten: it is not the event logged as leaf {leaf.index}"
            )
    last_logged = max(leaves, default=0)
    for version in sorted(v for v in hashes if v not in leaves and v < last_logged):
        problems.append(f"version {version} inserted: it was never logged")
    return problems


def verify_log(
    app: ComplaintsApp,
    log: LogStore,
    note: str,
    verifier: Verifier,
    progress: Callable[[int], None] | None = None,
) -> LogVerification:
    """Prove that today's log extends the checkpoint in `note`, and that every event still
    stored is the leaf it was. `progress(n)`: n more aggregates checked."""
    result = LogVerification()
    try:
        checkpoint = Checkpoint.parse(verifier.open(note))
    except NoteError as error:
        result.problems.append(f"the checkpoint does not verify: {error}")
        return result
    result.checkpoint = checkpoint
    if checkpoint.origin != app.settings.log_origin:
        result.problems.append(
            f"the checkpoint is of the log {checkpoint.origin!r}, not {app.settings.log_origin!r}"
        )
        return result
    size = log.state().size
    if size < checkpoint.tree_size:
        result.problems.append(
            f"the log has {size} leaves, fewer than the checkpoint's {checkpoint.tree_size}:"
            " leaves were removed"
        )
    by_aggregate: dict[UUID, dict[int, Leaf]] = defaultdict(dict)
    hasher = merkle.TreeHasher()
    for leaf in log.each_leaf(size):
        if leaf.index != hasher.size:
            result.problems.append(f"leaf {hasher.size} is missing from the log")
            break
        hasher.push(leaf.hash)
        by_aggregate[leaf.aggregate_id][leaf.version] = leaf
        if hasher.size == checkpoint.tree_size and hasher.root() != checkpoint.root_hash:
            result.problems.append(
                f"the log's first {checkpoint.tree_size} leaves no longer hash to the"
                " checkpoint's root: the log itself was rewritten"
            )
    result.leaves = hasher.size
    if not result.problems:
        _check_extension(log, verifier, checkpoint, result)
    recorder = app.recorder
    assert isinstance(recorder, HashedRecorder)
    for aggregate_id in sorted(set(recorder.aggregate_ids()) | set(by_aggregate)):
        hashes = recomputed_hashes(app, aggregate_id)
        result.events += len(hashes)
        problems = compare(hashes, by_aggregate.get(aggregate_id, {}))
        if problems:
            result.cases[aggregate_id] = problems
            result.names[aggregate_id] = _name(app, aggregate_id)
        if progress is not None:
            progress(1)
    return result


def _check_extension(
    log: LogStore, verifier: Verifier, checkpoint: Checkpoint, result: LogVerification
) -> None:
    """The latest checkpoint the log signed is proven (RFC 9162 consistency) to extend the one
    checked, with the proof the API and the tiles give anyone."""
    latest = log.latest_checkpoint()
    if latest is None or latest.tree_size <= checkpoint.tree_size or checkpoint.tree_size == 0:
        return
    try:
        later = Checkpoint.parse(verifier.open(latest.note))
    except NoteError as error:
        result.problems.append(f"the log's latest checkpoint does not verify: {error}")
        return
    path = log.consistency(checkpoint.tree_size, later.tree_size)
    if merkle.verify_consistency(
        checkpoint.tree_size, later.tree_size, checkpoint.root_hash, later.root_hash, path
    ):
        result.extended_to = later.tree_size
    else:
        result.problems.append(
            f"the log's latest checkpoint ({later.tree_size} leaves) is not proven to extend"
            f" the one checked ({checkpoint.tree_size})"
        )


def _name(app: ComplaintsApp, aggregate_id: UUID) -> str:
    try:
        return f"complaint {app.get_complaint(aggregate_id).reference} ({aggregate_id})"
    except DomainError:  # not a complaint, or none is stored any more
        return f"aggregate {aggregate_id}"
