"""Public statistics for a period: counts, resolution times, outcomes, satisfaction."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from complaints.graphql.types.values import Money
from complaints.projections.statistics import PeriodStatistics


@strawberry.type
class Statistics:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    filed: int
    closed: int
    by_outcome: JSON
    by_category: JSON
    median_resolution_hours: float | None
    satisfaction_average: float | None
    satisfaction_responses: int
    default_ruling_rate: float | None
    paused_hours: float = strawberry.field(
        description="Hours that cases closed in the period spent with their clock paused"
    )
    median_active_resolution_hours: float | None = strawberry.field(
        description="Median resolution time leaving paused time out"
    )
    escalations: int = strawberry.field(
        description="Cases the platform took over because the parties did not agree in time"
    )
    advance_refunds: int = strawberry.field(
        description="Refunds the platform paid first and recovered from a seller's deposit"
    )
    advanced: list[Money] = strawberry.field(description="Their sum, one entry per currency")
    overdue_staff_deadlines: JSON = strawberry.field(
        description="Intake, pickup and ruling deadlines that ran overdue, by kind"
    )
    sanctions_imposed: JSON = strawberry.field(description="Sanctions imposed, by kind")

    @classmethod
    def of(cls, figures: PeriodStatistics) -> Statistics:
        return cls(
            from_=figures.start,
            to=figures.end,
            filed=figures.filed,
            closed=figures.closed,
            by_outcome=JSON(figures.by_outcome),
            by_category=JSON(figures.by_category),
            median_resolution_hours=figures.median_resolution_hours,
            satisfaction_average=figures.satisfaction_average,
            satisfaction_responses=figures.satisfaction_responses,
            default_ruling_rate=figures.default_ruling_rate,
            paused_hours=figures.paused_hours,
            median_active_resolution_hours=figures.median_active_resolution_hours,
            escalations=figures.escalations,
            advance_refunds=figures.advance_refunds,
            advanced=[Money(amount=a, currency=c) for c, a in figures.advanced.items()],
            overdue_staff_deadlines=JSON(figures.overdue_staff_deadlines),
            sanctions_imposed=JSON(figures.sanctions_imposed),
        )
