"""A complaint's history: its events, its hash chain, and the case as it stood at a version or
a moment (the audit queries and `complaints audit` read these)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import AggregateEvent

from complaints.application.runner import CommandRunner, aggregate_of
from complaints.domain.complaint import Complaint
from complaints.domain.errors import ComplaintNotFound, FieldError, ValidationFailed
from complaints.domain.text import Text
from complaints.store.hash_chain import HashedRecorder, Verification, verify


class History(CommandRunner):
    def history(self, complaint_id_: UUID) -> list[AggregateEvent]:
        """Every event of a complaint, oldest first."""
        self.get_complaint(complaint_id_)
        return [cast(AggregateEvent, e) for e in self.events.get(complaint_id_)]

    def event(self, complaint_id_: UUID, version: int) -> AggregateEvent | None:
        """One stored event of a complaint, decoded now (so erasure applies)."""
        events = list(self.events.get(complaint_id_, gt=version - 1, lte=version))
        return cast(AggregateEvent, events[0]) if events else None

    def verify_history(self, aggregate_id: UUID) -> Verification:
        """Recompute the hash chain of one aggregate's stored events against the recorded one."""
        recorder = self.recorder
        assert isinstance(recorder, HashedRecorder)
        stored = recorder.select_events(aggregate_id)
        return verify(stored, recorder.select_hashes(aggregate_id))

    def complaint_as_of(
        self, complaint_id_: UUID, *, version: int | None = None, at: datetime | None = None
    ) -> Complaint:
        """The complaint exactly as it stood at a version, or at a moment."""
        if version is None and at is None:
            return self.get_complaint(complaint_id_)
        # Only the latest version is needed to check the request: one row, not the whole case.
        latest = self.recorder.select_events(complaint_id_, desc=True, limit=1)
        if not latest or aggregate_of(latest[0].topic) is not Complaint:
            raise ComplaintNotFound(Text("No such complaint."))
        if version is not None:
            if not 1 <= version <= latest[0].originator_version:
                raise ValidationFailed(
                    [
                        FieldError(
                            "version",
                            Text(
                                "must be from 1 to {originator_version}",
                                originator_version=latest[0].originator_version,
                            ),
                        )
                    ]
                )
            return self.whole(cast(Complaint, self.repository.get(complaint_id_, version=version)))
        assert at is not None
        if at.tzinfo is None:
            raise ValidationFailed([FieldError("at", Text("must include a time zone"))])
        # Start from the latest snapshot whose last event is not after the moment.
        start: Complaint | None = None
        for snapshot in self.snapshots.get(complaint_id_, desc=True) if self.snapshots else ():
            candidate = cast(Complaint, snapshot.mutate(None))  # type: ignore[attr-defined]
            if candidate.modified_on <= at:
                start = candidate
                break
        events: Iterator[Any] = itertools.takewhile(
            lambda e: e.timestamp <= at,
            self.events.get(complaint_id_, gt=start.version if start else None),
        )
        complaint = project_aggregate(start, events)
        if complaint is None:
            raise ComplaintNotFound(Text("The complaint had not been filed yet at that moment."))
        return self.whole(complaint)
