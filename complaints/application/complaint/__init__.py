"""Commands on a complaint, one mixin per phase of a case (as `complaints.domain.complaint`)."""

from __future__ import annotations

from complaints.application.complaint.enforcement import EnforcementCommands
from complaints.application.complaint.feedback import FeedbackCommands
from complaints.application.complaint.intake import IntakeCommands
from complaints.application.complaint.investigation import InvestigationCommands
from complaints.application.complaint.negotiation import NegotiationCommands
from complaints.application.complaint.ruling import RulingCommands
from complaints.application.complaint.time import TimeCommands

__all__ = ["ComplaintCommands"]


class ComplaintCommands(
    IntakeCommands,
    NegotiationCommands,
    InvestigationCommands,
    RulingCommands,
    EnforcementCommands,
    FeedbackCommands,
    TimeCommands,
):
    """Every command on a complaint, from filing to the last deadline."""
