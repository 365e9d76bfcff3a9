"""Feedback (R5): each party rates the handling of a closed case, once, within the survey
window."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event

from complaints.domain.complaint.case import Case
from complaints.domain.complaint.checks import check_rating
from complaints.domain.complaint.permissions import Action
from complaints.domain.context import CommandContext
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.records import Rating
from complaints.domain.values import PARTIES, Actor, PersonalText, Role


class FeedbackPhase(Case):
    # ---------------------------------------------------------------- feedback (R5)
    def rate_handling(self, ctx: CommandContext, *, score: int, comment: str | None) -> None:
        """A party rates how the complaint was handled, once, within the survey window."""
        self._check(Action.RATE_HANDLING, ctx)
        check_rating(score, comment)
        self._rated(
            by=ctx.actor.role,
            score=score,
            comment=self._personal(ctx, comment),
            actor=ctx.actor,
            timestamp=ctx.now,
        )
        if set(self.ratings) >= PARTIES:
            self._clear(ctx, {DeadlineKind.SURVEY}, "met")

    class Rated(Aggregate.Event):
        by: Role
        score: int
        comment: PersonalText | None
        actor: Actor

    @event(Rated)
    def _rated(
        self, by: Role, score: int, comment: PersonalText | None, timestamp: datetime, actor: Actor
    ) -> None:
        self.ratings[by] = Rating(by, score, comment, timestamp)
