"""Investigation (R2): a supervisor assigns an arbiter, who asks the parties for evidence and
records a preliminary finding."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint.case import Case
from complaints.domain.complaint.checks import (
    check_assignment,
    check_evidence,
    check_evidence_request,
    check_finding,
)
from complaints.domain.complaint.permissions import Action
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.records import Evidence, EvidenceRequest, Finding
from complaints.domain.values import Actor, EvidenceFile, PersonalText, Role


class InvestigationPhase(Case):
    # ---------------------------------------------------------------- investigation (R2)
    def assign(self, ctx: CommandContext, *, arbiter_id: str) -> None:
        """A supervisor assigns (or reassigns) the arbiter who will investigate and rule."""
        self._check(Action.ASSIGN, ctx)
        check_assignment("arbiter_id", arbiter_id)
        self._assigned(arbiter_id=arbiter_id, actor=ctx.actor, timestamp=ctx.now)
        self._clear(ctx, {DeadlineKind.PICKUP}, "met")
        if self.deadline_of(DeadlineKind.RULING) is None:
            self._open_deadline(ctx, DeadlineKind.RULING)

    class Assigned(Aggregate.Event):
        arbiter_id: str
        actor: Actor

    @event(Assigned)
    def _assigned(self, arbiter_id: str, actor: Actor, timestamp: datetime) -> None:
        self.arbiter_id = arbiter_id

    def request_evidence(
        self,
        ctx: CommandContext,
        *,
        party: Role,
        kinds: list[str],
        note: str | None,
        due_at: datetime | None,
    ) -> None:
        """The arbiter asks one party for evidence of the named kinds, by a due time."""
        self._check(Action.REQUEST_EVIDENCE, ctx)
        due = due_at or ctx.deadlines.due(DeadlineKind.EVIDENCE, ctx.now)
        check_evidence_request(party, kinds, note, due, ctx.now)
        request_id = self._next_id("r", self.evidence_requests)
        self._evidence_requested(
            request_id=request_id,
            party=party,
            kinds=list(dict.fromkeys(kinds)),
            note=note.strip() if note else None,
            due_at=due,
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        self._open_deadline(ctx, DeadlineKind.EVIDENCE, party=party, ref=request_id, due_at=due_at)

    class EvidenceRequested(Aggregate.Event):
        request_id: str
        party: Role
        kinds: list[str]
        note: str | None
        due_at: datetime
        actor: Actor

    @event(EvidenceRequested)
    def _evidence_requested(
        self,
        request_id: str,
        party: Role,
        kinds: list[str],
        note: str | None,
        due_at: datetime,
        timestamp: datetime,
        actor: Actor,
    ) -> None:
        self.evidence_requests.append(
            EvidenceRequest(request_id, party, tuple(kinds), note, due_at, timestamp)
        )

    def submit_evidence(
        self,
        ctx: CommandContext,
        *,
        kind: str,
        description: str,
        sha256: str | None,
        request_id: str | None = None,
        files: Mapping[str, EvidenceFile] | None = None,
    ) -> None:
        """A party sends evidence (photos, video, chat logs): to answer the arbiter's request,
        or unasked.

        `files` holds what the store found of the upload `sha256` names, among the actor's own.
        `request_id` picks the open request it answers; without it, it answers the oldest open
        request of the party's that asks for `kind`, and with none such it is volunteered: it
        answers no request and completes none."""
        self._check(Action.SUBMIT_EVIDENCE, ctx)
        requests = self.open_requests_for(ctx.actor.role)
        if request_id is not None:
            requests = [r for r in requests if r.id == request_id]
        check_evidence(
            kind,
            {k for r in requests for k in r.kinds},
            description,
            sha256,
            files or {},
            request_id=request_id,
        )
        request = next((r for r in requests if kind in r.kinds), None)
        completes = request is not None and set(request.kinds) <= (
            {e.kind for e in self.evidence if e.request_id == request.id} | {kind}
        )
        file = None if sha256 is None else (files or {})[sha256]
        self._evidence_submitted(
            request_id=None if request is None else request.id,
            evidence_id=self._next_id("e", self.evidence),
            kind=kind,
            description=PersonalText(ctx.actor.id, description),
            sha256=sha256,
            completes_request=completes,
            actor=ctx.actor,
            timestamp=ctx.now,
            media_type=None if file is None else file.media_type,
            size=None if file is None else file.size,
        )
        if completes:
            assert request is not None
            self._clear(ctx, {DeadlineKind.EVIDENCE}, "met", ref=request.id)

    class EvidenceSubmitted(Aggregate.Event):
        request_id: str | None  # None: answers no request (attached, or volunteered)
        evidence_id: str
        kind: str
        description: PersonalText | None
        sha256: str | None
        completes_request: bool
        actor: Actor
        # Since evidence files are described (older events lack them):
        media_type: str | None = None
        size: int | None = None

    @event(EvidenceSubmitted)
    def _evidence_submitted(
        self,
        request_id: str | None,
        evidence_id: str,
        kind: str,
        description: PersonalText | None,
        sha256: str | None,
        completes_request: bool,
        actor: Actor,
        timestamp: datetime,
        media_type: str | None = None,
        size: int | None = None,
    ) -> None:
        self.evidence.append(
            Evidence(
                evidence_id,
                request_id,
                actor.role,
                kind,
                description,
                sha256,
                timestamp,
                media_type,
                size,
            )
        )
        if completes_request and request_id is not None:
            self._replace_request(request_id, fulfilled=True)

    class EvidenceMissed(Aggregate.Event):
        request_id: str
        enforced_deadline_id: int
        actor: Actor

    @event(EvidenceMissed)
    def _evidence_missed(
        self, request_id: str, enforced_deadline_id: int, actor: Actor, timestamp: datetime
    ) -> None:
        """The request stays unfulfilled; the arbiter rules on what there is."""

    def record_finding(self, ctx: CommandContext, *, finding: str) -> None:
        """The arbiter records a neutral, preliminary characterisation of the case."""
        self._check(Action.RECORD_FINDING, ctx)
        check_finding(finding)
        self._finding_recorded(finding=finding.strip(), actor=ctx.actor, timestamp=ctx.now)

    class FindingRecorded(Aggregate.Event):
        finding: str
        actor: Actor

    @event(FindingRecorded)
    def _finding_recorded(self, finding: str, actor: Actor, timestamp: datetime) -> None:
        self.findings.append(Finding(finding, actor.id, timestamp))
