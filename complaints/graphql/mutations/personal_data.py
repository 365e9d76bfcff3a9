"""Personal data (DESIGN §7): erasure on a verified request."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import EraseSubjectInput
from complaints.graphql.mutations.payloads import erasure_mutation


@strawberry.type
class PersonalDataMutations:
    erase_subject = erasure_mutation(
        ComplaintsApp.erase_subject,
        EraseSubjectInput,
        description="Supervisor, on a verified request: erase a data subject",
    )
