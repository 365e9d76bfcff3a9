"""`policyWhatIf`: a supervisor replays a period's cases under a proposed policy and reads the
report as JSON (the same report `complaints whatif` writes).

A period of at most `MAX_CASES` cases is replayed while the request waits, off the event loop,
and the answer is the report itself (it has no `status` key). A larger one is recorded
as a job (complaints.projections.whatif_jobs) that the what-if worker replays; the answer is then
`{"status": "queued"|"running", "job": id, "progress": {"phase", "done", "total"}}`, and asking
the same question again (any supervisor) reads that job's progress, then its
`{"status": "done", "job": id, "report": {...}}` or `{"status": "failed", "job": id, "error"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from complaints.application.whatif import replay, to_json
from complaints.domain.errors import DomainError
from complaints.domain.whatif import MAX_CASES, PolicyProposal, TooManyCases, authorize_whatif
from complaints.graphql.context import Info
from complaints.graphql.errors import coded
from complaints.projections.whatif_jobs import WhatIfJobs, job_id


@strawberry.input(description="A proposed policy and the period whose cases it replays")
class PolicyWhatIfInput:
    settings: list[str] = strawberry.field(
        description="Settings in their own syntax, e.g. DEADLINES=seller_response=24h,"
        " SANCTION_WINDOW=180d, FILING_WINDOW=10d; none: the identity check"
    )
    from_: datetime = strawberry.field(name="from", description="Cases filed from (included)")
    to: datetime = strawberry.field(description="Cases filed before (excluded)")


@strawberry.type
class WhatIfQuery:
    @strawberry.field(
        description="Supervisors: replay the cases filed in [from, to) under a proposed policy."
        " The report itself at once for a small period; above the synchronous limit a worker"
        ' job: {"status": "queued"|"running", "job",'
        ' "progress": {"phase", "done", "total"}} until the same question answers'
        ' {"status": "done", "job", "report"} (or {"status": "failed", "error"})'
    )
    async def policy_what_if(self, info: Info, input: PolicyWhatIfInput) -> JSON:
        context = info.context
        jobs = context.read_models.whatif_jobs
        try:
            authorize_whatif(context.actor)
            proposal = PolicyProposal.parse(input.settings)
            answer = await anyio.to_thread.run_sync(
                lambda: _answer(context.app, jobs, proposal, input)
            )
        except DomainError as error:
            raise coded(error) from None
        return JSON(answer)


def _answer(
    app: Any, jobs: WhatIfJobs, proposal: PolicyProposal, input: PolicyWhatIfInput
) -> dict[str, Any]:
    """The job's answer if this question was asked before; else the report if the period is
    small enough to replay now; else a new job's."""
    job = jobs.get(job_id(input.settings, input.from_, input.to))
    if job is not None:
        return job.answer()
    try:
        result = replay(app, proposal, input.from_, input.to, limit=MAX_CASES)
    except TooManyCases:
        return jobs.enqueue(input.settings, input.from_, input.to).answer()
    return to_json(result)
