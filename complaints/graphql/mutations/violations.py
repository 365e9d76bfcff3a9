"""Violations and sanctions (R8, R10): reports against a shop, spot checks, and the sanctions
a supervisor imposes and lifts."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.graphql.inputs import (
    AppealSanctionInput,
    DecideSanctionAppealInput,
    DismissViolationInput,
    LiftSanctionInput,
    RecordSpotCheckInput,
    ReportViolationInput,
    RespondToViolationInput,
    SanctionSellerInput,
    ViolationActionInput,
)
from complaints.graphql.mutations.payloads import seller_mutation, violation_mutation


@strawberry.type
class ViolationMutations:
    report_violation = violation_mutation(
        ComplaintsApp.report_violation,
        ReportViolationInput,
        description="Anyone signed in: report a violation by a shop",
    )
    respond_to_violation = violation_mutation(
        ComplaintsApp.respond_to_violation,
        RespondToViolationInput,
        description="The reported shop: answer a report, once, before a supervisor decides",
    )
    confirm_violation = violation_mutation(
        ComplaintsApp.confirm_violation,
        ViolationActionInput,
        description="Supervisor: confirm a reported violation",
    )
    dismiss_violation = violation_mutation(
        ComplaintsApp.dismiss_violation,
        DismissViolationInput,
        description="Supervisor: dismiss a reported violation, saying why",
    )
    record_spot_check = seller_mutation(
        ComplaintsApp.record_spot_check,
        RecordSpotCheckInput,
        description="Supervisor: record a spot check of a shop",
    )
    sanction_seller = seller_mutation(
        ComplaintsApp.sanction_seller,
        SanctionSellerInput,
        description="Supervisor: sanction a shop (a FINE takes an amount)",
    )
    appeal_sanction = seller_mutation(
        ComplaintsApp.appeal_sanction,
        AppealSanctionInput,
        description="The sanctioned shop: appeal a sanction, once",
    )
    decide_sanction_appeal = seller_mutation(
        ComplaintsApp.decide_sanction_appeal,
        DecideSanctionAppealInput,
        description="Supervisor other than the one who imposed it: decide a sanction's appeal",
    )
    lift_sanction = seller_mutation(
        ComplaintsApp.lift_sanction,
        LiftSanctionInput,
        description="Supervisor: lift a shop's active sanction of a kind",
    )
