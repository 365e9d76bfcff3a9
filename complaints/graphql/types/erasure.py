"""The receipt for a data subject's erasure (DESIGN §7)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from complaints.domain.erasure import SubjectErasure


@strawberry.type
class ErasureReceipt:
    subject_id: str
    erased_at: datetime

    @classmethod
    def of(cls, erasure: SubjectErasure) -> ErasureReceipt:
        return cls(subject_id=erasure.subject_id, erased_at=erasure.erased_at)
