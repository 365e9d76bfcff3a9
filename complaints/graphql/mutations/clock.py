"""The case's clock (DESIGN §9): staff pause it, and its deadlines wait, in any phase."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import ComplaintActionInput, PauseClockInput
from complaints.graphql.mutations.payloads import complaint_mutation


@strawberry.type
class ClockMutations:
    pause_clock = complaint_mutation(
        ComplaintsApp.pause_clock,
        PauseClockInput,
        description="Staff: stop the case's clock, saying why; deadlines wait",
    )
    resume_clock = complaint_mutation(
        ComplaintsApp.resume_clock,
        ComplaintActionInput,
        description="Staff: run the clock again; open deadlines move later",
    )
