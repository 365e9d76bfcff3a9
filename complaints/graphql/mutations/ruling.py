"""Ruling (R3): the arbiter rules, the parties acknowledge it, and one may appeal."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import (
    ComplaintActionInput,
    DecideAppealInput,
    FileAppealInput,
    IssueRulingInput,
)
from complaints.graphql.mutations.payloads import complaint_mutation


@strawberry.type
class RulingMutations:
    issue_ruling = complaint_mutation(
        ComplaintsApp.issue_ruling,
        IssueRulingInput,
        description="Assigned arbiter: rule",
    )
    acknowledge_ruling = complaint_mutation(
        ComplaintsApp.acknowledge_ruling,
        ComplaintActionInput,
        description="Each party: confirm the written notice of the ruling",
    )
    file_appeal = complaint_mutation(
        ComplaintsApp.file_appeal,
        FileAppealInput,
        description="A party, within the window, once",
    )
    decide_appeal = complaint_mutation(
        ComplaintsApp.decide_appeal,
        DecideAppealInput,
        description="Supervisor other than the arbiter who ruled",
    )
