"""`policyWhatIf`: a supervisor replays a period's cases under a proposed policy and reads the
report as JSON (the same report `complaints whatif` writes).

It runs while the request waits, off the event loop, for at most `MAX_CASES` cases; a longer
period is refused (WHATIF_TOO_MANY_CASES) and is for the command line.
"""

from __future__ import annotations

from datetime import datetime

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from complaints.application.whatif import replay, to_json
from complaints.domain.errors import DomainError
from complaints.domain.whatif import MAX_CASES, PolicyProposal, authorize_whatif
from complaints.graphql.context import Info
from complaints.graphql.errors import coded


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
        description="Supervisors: replay the cases filed in [from, to) under a proposed policy;"
        f" the report as JSON. At most {MAX_CASES:,} cases (WHATIF_TOO_MANY_CASES above)"
    )
    async def policy_what_if(self, info: Info, input: PolicyWhatIfInput) -> JSON:
        context = info.context
        try:
            authorize_whatif(context.actor)
            proposal = PolicyProposal.parse(input.settings)
            result = await anyio.to_thread.run_sync(
                lambda: replay(context.app, proposal, input.from_, input.to, limit=MAX_CASES)
            )
        except DomainError as error:
            raise coded(error) from None
        return JSON(to_json(result))
