"""The Complaint aggregate: one consumer's complaint against one shop, from intake to feedback.

Each public verb checks who acts, the state and the input, then calls private `@event` methods.
Those only assign state, because their bodies run again on every replay: a rule tightened later
must never break an old case. Every decision the checks make (the new status, which offer a
counter-offer supersedes, whether a submission completes a request) is written into the event.

The aggregate is assembled from one module per phase of a case, each a plain class whose event
classes sit directly above the methods that apply them:

- state.py: what a complaint holds and the questions asked of it; guards.py and permissions.py
  (who may do what, when) are written against it;
- case.py: the checks every command makes first, and opening and clearing deadlines;
- intake.py (filing, R1), negotiation.py (R6, and messages), investigation.py (R2),
  ruling.py (R3, and appeal), fulfilment.py (R4, execution issues, closing), feedback.py (R5);
- clock.py: pausing the clock, reminders, and the default outcome of each lapsed deadline;
- checks.py: the input checks; snapshot.py: the snapshot's JSON and its upcasting.

A phase extends the phases it calls into (a settlement starts fulfilment, so negotiation extends
fulfilment), so each type-checks on its own. Only `Complaint` is an aggregate: its events are
gathered onto it when it is defined (see `ComplaintState.__init_subclass__`), so every event is
`Complaint.<Event>` of this module, as stored.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as StateSnapshot

from complaints.domain.complaint import snapshot
from complaints.domain.complaint.clock import Timekeeping
from complaints.domain.complaint.feedback import FeedbackPhase
from complaints.domain.complaint.intake import IntakePhase
from complaints.domain.complaint.state import NAMESPACE, complaint_id, other_party

__all__ = ["NAMESPACE", "Complaint", "complaint_id", "other_party"]


class Complaint(IntakePhase, Timekeeping, FeedbackPhase, Aggregate):
    #: Of the state a snapshot holds: 2 since it keeps the ruling by default, 3 since it
    #: counts resubmissions, 4 since it keeps the order's facts a filing was checked against
    #: (snapshot.py), 5 since a paused clock keeps when it resumes by itself, 6 since a case
    #: keeps its assigned mediator.
    class_version = 6
    upcast_v1_v2 = staticmethod(snapshot.upcast_v1_v2)
    upcast_v2_v3 = staticmethod(snapshot.upcast_v2_v3)
    upcast_v3_v4 = staticmethod(snapshot.upcast_v3_v4)
    upcast_v4_v5 = staticmethod(snapshot.upcast_v4_v5)
    upcast_v5_v6 = staticmethod(snapshot.upcast_v5_v6)

    class Snapshot(StateSnapshot):
        """A complaint's state at a version, so that a long case loads without replaying it
        all. snapshot.py says how the state is kept as JSON."""

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            taken = super().take(aggregate)
            snapshot.encode_state(taken.state)
            return taken

        def mutate(self, _: None) -> Any:
            complaint = super().mutate(_)
            snapshot.decode_state(vars(complaint))
            return complaint
