"""How each remedy is carried out: the steps, who takes each one, and the deadline that binds it."""

from __future__ import annotations

from dataclasses import dataclass

from complaints.domain.deadlines import DeadlineKind
from complaints.domain.values import FulfilmentStep, Remedy, RemedyType, Role

_SHIP_BACK = (FulfilmentStep.RETURN_SHIPMENT, FulfilmentStep.RETURN_RECEIPT)

PLANS: dict[RemedyType, tuple[FulfilmentStep, ...]] = {
    RemedyType.REFUND: (FulfilmentStep.REFUND,),
    RemedyType.PARTIAL_REFUND: (FulfilmentStep.REFUND,),
    RemedyType.COMPENSATION: (FulfilmentStep.REFUND,),
    RemedyType.RETURN_AND_REFUND: (*_SHIP_BACK, FulfilmentStep.REFUND),
    RemedyType.EXCHANGE: (*_SHIP_BACK, FulfilmentStep.REPLACEMENT),
    RemedyType.REPAIR: (*_SHIP_BACK, FulfilmentStep.REPLACEMENT),
    RemedyType.RESHIP: (FulfilmentStep.REPLACEMENT,),
    RemedyType.EXPLANATION_ONLY: (),
}


@dataclass(frozen=True)
class StepTerms:
    party: Role
    deadline: DeadlineKind


STEP_TERMS: dict[FulfilmentStep, StepTerms] = {
    FulfilmentStep.RETURN_SHIPMENT: StepTerms(Role.CONSUMER, DeadlineKind.RETURN_SHIPMENT),
    FulfilmentStep.RETURN_RECEIPT: StepTerms(Role.SELLER, DeadlineKind.RETURN_RECEIPT),
    FulfilmentStep.REFUND: StepTerms(Role.SELLER, DeadlineKind.REMEDY),
    FulfilmentStep.REPLACEMENT: StepTerms(Role.SELLER, DeadlineKind.REMEDY),
}


def plan(remedy: Remedy | None) -> tuple[FulfilmentStep, ...]:
    return () if remedy is None else PLANS[remedy.type]
