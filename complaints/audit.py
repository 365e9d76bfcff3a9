"""Auditors' tools: a history decoded with its hash links, its export, and verifying the store."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import TopicError, resolve_topic

from complaints.application import ComplaintsApp
from complaints.domain.values import Actor, PersonalText
from complaints.projections.transparency import LogStore
from complaints.store.hash_chain import HashedRecorder, Verification

#: Fields every event has, shown apart from its data.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def plain(value: Any) -> Any:
    """A JSON-ready copy: personal text as its plaintext, or `[erased]`."""
    if isinstance(value, PersonalText):
        return value.reveal()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def event_type(topic: str) -> str:
    """The name of the event class stored under `topic`, found by resolving it (so that an old
    topic of a class that moved still names it). A topic that names no class is shown whole."""
    try:
        event_class = resolve_topic(topic)
    except TopicError:
        return topic
    return event_class.__name__ if isinstance(event_class, type) else topic


@dataclass(frozen=True)
class AuditedEvent:
    version: int
    type: str
    recorded_at: datetime | None
    actor: Actor | None
    data: dict[str, Any]
    hash: str
    previous_hash: str
    stored: StoredEvent
    problem: str | None


def audited_history(
    app: ComplaintsApp, aggregate_id: UUID
) -> tuple[Verification, list[AuditedEvent]]:
    verification = app.verify_history(aggregate_id)
    events = []
    for checked in verification.events:
        stored = checked.stored
        try:
            event = app.mapper.to_domain_event(stored)
        except Exception as error:  # a tampered row may no longer decode
            data: dict[str, Any] = {"undecodable": type(error).__name__}
            recorded_at, actor = None, None
        else:
            fields = vars(event)
            data = {k: plain(v) for k, v in fields.items() if k not in _ENVELOPE}
            recorded_at = getattr(event, "timestamp", None)
            actor = fields.get("actor")
        events.append(
            AuditedEvent(
                version=stored.originator_version,
                type=event_type(stored.topic),
                recorded_at=recorded_at,
                actor=actor,
                data=json.loads(json.dumps(data)),
                hash=checked.hash,
                previous_hash=checked.previous_hash,
                stored=stored,
                problem=checked.problem,
            )
        )
    return verification, events


def log_proofs(
    log: LogStore | None, aggregate_id: UUID
) -> tuple[str | None, dict[int, dict[str, Any]]]:
    """The latest checkpoint's note, and each event's inclusion proof in its tree by version
    (events not in that tree yet have none)."""
    latest = None if log is None else log.latest_checkpoint()
    if log is None or latest is None:
        return None, {}
    proofs = {}
    for version, leaf in log.leaves_of(aggregate_id).items():
        if leaf.index < latest.tree_size:
            proofs[version] = {
                "leaf_index": leaf.index,
                "tree_size": latest.tree_size,
                "audit_path": [h.hex() for h in log.inclusion(leaf.index, latest.tree_size)],
            }
    return latest.note, proofs


def export_lines(app: ComplaintsApp, aggregate_id: UUID, log: LogStore | None = None) -> list[str]:
    """One aggregate's history as NDJSON lines, in version order.

    Each line has what the standalone verifier needs (`aggregate`, `version`, `topic`, `state`
    in base64, `hash`, `previous_hash`) and, for people, the decoded event: `type`,
    `recorded_at`, `actor` and `data`, where the personal fields of erased subjects read
    `[erased]`. With the transparency log: `checkpoint`, the latest signed checkpoint (the same
    on every line), and `log`, the event's inclusion proof in its tree (`leaf_index`,
    `tree_size`, `audit_path` in hex; null for an event not in that tree yet).
    """
    _, events = audited_history(app, aggregate_id)
    note, proofs = log_proofs(log, aggregate_id)
    return [
        json.dumps(
            {
                "aggregate": str(aggregate_id),
                "version": e.version,
                "topic": e.stored.topic,
                "state": base64.b64encode(e.stored.state).decode("ascii"),
                "previous_hash": e.previous_hash,
                "hash": e.hash,
                "type": e.type,
                "recorded_at": e.recorded_at.isoformat() if e.recorded_at else None,
                "actor": plain(e.actor),
                "data": e.data,
                "checkpoint": note,
                "log": proofs.get(e.version),
            },
            sort_keys=True,
        )
        for e in events
    ]


@dataclass(frozen=True)
class StoreReport:
    aggregates: int
    events: int
    broken: dict[UUID, Verification]


def verify_store(
    app: ComplaintsApp, progress: Callable[[int, int], None] | None = None
) -> StoreReport:
    """Verify every aggregate's chain; `progress(aggregates_done, events_in_this_one)`."""
    recorder = app.recorder
    assert isinstance(recorder, HashedRecorder)
    broken: dict[UUID, Verification] = {}
    ids = recorder.aggregate_ids()
    events = 0
    for aggregate_id in ids:
        verification = app.verify_history(aggregate_id)
        events += len(verification.events)
        if not verification.verified:
            broken[aggregate_id] = verification
        if progress is not None:
            progress(1, len(verification.events))
    return StoreReport(len(ids), events, broken)
