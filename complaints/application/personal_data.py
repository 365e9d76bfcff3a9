"""Personal data (DESIGN §7): erasing a data subject, by destroying their keys."""

from __future__ import annotations

from typing import cast

from eventsourcing.application import AggregateNotFoundError

from complaints.application.read_cache import CachedReads
from complaints.application.runner import Changes, command
from complaints.domain.erasure import SubjectErasure, check_erasure, erasure_id
from complaints.domain.errors import SubjectNotFound
from complaints.domain.text import Text
from complaints.domain.values import Actor


class PersonalDataCommands(CachedReads):
    @command
    def erase_subject(self, actor: Actor, subject_id: str) -> Changes[SubjectErasure]:
        """Record the erasure, then destroy the subject's keys. Erasing twice changes nothing;
        if new data arrived since, its keys are destroyed too."""
        ctx = self.context(actor)
        check_erasure(ctx, subject_id)
        try:
            record: SubjectErasure | None = cast(
                SubjectErasure, self.repository.get(erasure_id(subject_id))
            )
        except AggregateNotFoundError:
            record = None
        has_keys = self.keys.has_keys(subject_id)
        if not has_keys:
            if record is None:
                raise SubjectNotFound(
                    Text("No personal data is held for {subject_id!r}.", subject_id=subject_id)
                )
            return Changes(record)
        record = record or SubjectErasure.start(ctx, subject_id)
        record.erase(ctx)

        # The record is saved before the keys go: an interrupted erasure is simply repeated.
        # Cases read before hold the subject's text decrypted: forget them all.
        def destroy() -> None:
            self.keys.destroy(subject_id)
            self.read_cache.clear()

        return Changes(record, after_save=destroy)
