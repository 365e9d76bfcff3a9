"""Mutations: each parses its input, calls one application command, and maps the result.

A refusal comes back as a member of the payload union (NotFound, NotAllowed, InvalidTransition,
ValidationFailed, Conflict), with its own code.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from complaints.domain.complaint import Complaint as ComplaintAggregate
from complaints.domain.seller import AfterSalesPolicy
from complaints.domain.seller import Seller as SellerAggregate
from complaints.domain.values import Visibility
from complaints.graphql import ids
from complaints.graphql.context import Info
from complaints.graphql.errors import (
    AnyError,
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from complaints.graphql.inputs import (
    AssignComplaintInput,
    ComplaintActionInput,
    DecideAppealInput,
    DismissViolationInput,
    EraseSubjectInput,
    FileAppealInput,
    FileComplaintInput,
    IssueRulingInput,
    LiftSanctionInput,
    MakeOfferInput,
    OfferActionInput,
    PauseClockInput,
    PostMessageInput,
    RateHandlingInput,
    RecordFindingInput,
    RecordSpotCheckInput,
    RegisterSellerInput,
    RejectComplaintInput,
    ReportViolationInput,
    RequestEvidenceInput,
    ResolveIssueInput,
    ResubmitComplaintInput,
    ReturnForInfoInput,
    SanctionSellerInput,
    SetAfterSalesPolicyInput,
    ShipReturnInput,
    SubmitEvidenceInput,
    TopUpDepositInput,
    ViolationActionInput,
    remedy_or_none,
)
from complaints.graphql.resolvers import complaint_uuid, run_command
from complaints.graphql.types.complaint import ComplaintNode
from complaints.graphql.types.erasure import ErasureReceipt
from complaints.graphql.types.seller import SellerNode, load_seller
from complaints.graphql.types.violation import Violation

ComplaintResult = Annotated[
    ComplaintNode | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("ComplaintResult"),
]
SellerResult = Annotated[
    SellerNode | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("SellerResult"),
]
ViolationResult = Annotated[
    Violation | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("ViolationResult"),
]
EraseSubjectResult = Annotated[
    ErasureReceipt | NotFound | NotAllowed | InvalidTransition | ValidationFailed | Conflict,
    strawberry.union("EraseSubjectResult"),
]


def complaint(result: ComplaintAggregate) -> ComplaintNode:
    return ComplaintNode.of(result)


def seller(result: SellerAggregate) -> str:
    return result.shop_id


async def seller_result(info: Info, outcome: str | AnyError) -> SellerResult:
    """Seller commands answer with the shop as the read models show it (scorecard included)."""
    if not isinstance(outcome, str):
        return outcome
    node = await load_seller(info, outcome)
    assert node is not None
    return node


@strawberry.type
class Mutation:
    # ------------------------------------------------------------ sellers and policy (R9)
    @strawberry.mutation(description="Supervisor: register a shop with its security deposit")
    async def register_seller(self, info: Info, input: RegisterSellerInput) -> SellerResult:
        app, actor = info.context.app, info.context.actor
        return await seller_result(
            info,
            await run_command(
                info,
                lambda: app.register_seller(
                    actor,
                    input.shop_id,
                    input.name,
                    input.deposit.value(),
                    idempotency_key=input.idempotency_key,
                ),
                seller,
            ),
        )

    @strawberry.mutation(description="The shop's own staff: state the after-sales policy")
    async def set_after_sales_policy(
        self, info: Info, input: SetAfterSalesPolicyInput
    ) -> SellerResult:
        app, actor = info.context.app, info.context.actor
        policy = AfterSalesPolicy(
            input.return_window_days, input.exchange_allowed, input.warranty_months, input.terms
        )
        return await seller_result(
            info,
            await run_command(
                info,
                lambda: app.set_after_sales_policy(
                    actor, input.shop_id, policy, idempotency_key=input.idempotency_key
                ),
                seller,
            ),
        )

    @strawberry.mutation(description="The shop's staff or a supervisor: pay into the deposit")
    async def top_up_deposit(self, info: Info, input: TopUpDepositInput) -> SellerResult:
        app, actor = info.context.app, info.context.actor
        return await seller_result(
            info,
            await run_command(
                info,
                lambda: app.top_up_deposit(
                    actor,
                    input.shop_id,
                    input.amount.value(),
                    idempotency_key=input.idempotency_key,
                ),
                seller,
            ),
        )

    # ------------------------------------------------------------ intake (R1)
    @strawberry.mutation(description="Consumer: file a complaint about an order")
    async def file_complaint(self, info: Info, input: FileComplaintInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.file_complaint(
                actor,
                input.shop_id,
                input.order_id,
                input.category,
                input.description,
                input.requested_remedy.value(),
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Agent: accept the complaint for handling")
    async def accept_complaint(self, info: Info, input: ComplaintActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.accept_complaint(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    @strawberry.mutation(description="Agent: return it to the consumer for what is missing")
    async def return_complaint_for_info(
        self, info: Info, input: ReturnForInfoInput
    ) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.return_complaint_for_info(
                actor,
                complaint_uuid(input.complaint_id),
                input.reason,
                input.missing,
                input.rule_codes,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Agent: reject, with the reason and the rule")
    async def reject_complaint(self, info: Info, input: RejectComplaintInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.reject_complaint(
                actor,
                complaint_uuid(input.complaint_id),
                input.reason,
                input.rule_code,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Consumer: resubmit with more detail")
    async def resubmit_complaint(
        self, info: Info, input: ResubmitComplaintInput
    ) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.resubmit_complaint(
                actor,
                complaint_uuid(input.complaint_id),
                input.description,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Consumer: withdraw before a ruling")
    async def withdraw_complaint(self, info: Info, input: ComplaintActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.withdraw_complaint(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    # ------------------------------------------------------------ negotiation (R6)
    @strawberry.mutation(description="Either party, on its turn: offer a remedy")
    async def make_offer(self, info: Info, input: MakeOfferInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.make_offer(
                actor,
                complaint_uuid(input.complaint_id),
                input.remedy.value(),
                input.message,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Accept the other party's offer or a mediator's proposal")
    async def accept_offer(self, info: Info, input: OfferActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.accept_offer(
                actor,
                complaint_uuid(input.complaint_id),
                str(input.offer_id),
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Decline the other party's offer or a mediator's proposal")
    async def decline_offer(self, info: Info, input: OfferActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.decline_offer(
                actor,
                complaint_uuid(input.complaint_id),
                str(input.offer_id),
                input.reason,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Mediator: propose a settlement both parties must accept")
    async def propose_settlement(self, info: Info, input: MakeOfferInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.propose_settlement(
                actor,
                complaint_uuid(input.complaint_id),
                input.remedy.value(),
                input.message,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Either party: ask the platform to step in")
    async def request_intervention(
        self, info: Info, input: ComplaintActionInput
    ) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.request_intervention(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    @strawberry.mutation(description="A message to both parties, or (staff) an internal note")
    async def post_message(self, info: Info, input: PostMessageInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.post_message(
                actor,
                complaint_uuid(input.complaint_id),
                input.text,
                input.visibility or Visibility.PARTIES,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    # ------------------------------------------------------------ investigation (R2)
    @strawberry.mutation(description="Supervisor: assign the arbiter")
    async def assign_complaint(self, info: Info, input: AssignComplaintInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.assign_complaint(
                actor,
                complaint_uuid(input.complaint_id),
                input.arbiter_id,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Assigned arbiter: ask one party for evidence")
    async def request_evidence(self, info: Info, input: RequestEvidenceInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.request_evidence(
                actor,
                complaint_uuid(input.complaint_id),
                input.party,
                input.kinds,
                input.note,
                input.due_at,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="The requested party: submit evidence (sha256 of an upload)")
    async def submit_evidence(self, info: Info, input: SubmitEvidenceInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.submit_evidence(
                actor,
                complaint_uuid(input.complaint_id),
                input.kind,
                input.description,
                input.sha256,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Assigned arbiter: record a preliminary finding")
    async def record_finding(self, info: Info, input: RecordFindingInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.record_finding(
                actor,
                complaint_uuid(input.complaint_id),
                input.finding,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    # ------------------------------------------------------------ ruling (R3)
    @strawberry.mutation(description="Assigned arbiter: rule")
    async def issue_ruling(self, info: Info, input: IssueRulingInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.issue_ruling(
                actor,
                complaint_uuid(input.complaint_id),
                input.outcome,
                input.rationale,
                remedy_or_none(input.remedy),
                input.rule_codes,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Each party: confirm the written notice of the ruling")
    async def acknowledge_ruling(self, info: Info, input: ComplaintActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.acknowledge_ruling(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    @strawberry.mutation(description="A party, within the window, once")
    async def file_appeal(self, info: Info, input: FileAppealInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.file_appeal(
                actor,
                complaint_uuid(input.complaint_id),
                input.grounds,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Supervisor other than the arbiter who ruled")
    async def decide_appeal(self, info: Info, input: DecideAppealInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.decide_appeal(
                actor,
                complaint_uuid(input.complaint_id),
                input.grant,
                input.rationale,
                input.outcome,
                remedy_or_none(input.remedy),
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    # ------------------------------------------------------------ enforcement (R4)
    @strawberry.mutation(description="Seller: the refund or compensation is paid")
    async def confirm_refund(self, info: Info, input: ComplaintActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.confirm_refund(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    @strawberry.mutation(description="Consumer: the goods are shipped back")
    async def ship_return(self, info: Info, input: ShipReturnInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.ship_return(
                actor,
                complaint_uuid(input.complaint_id),
                input.carrier,
                input.tracking_number,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Seller: the returned goods arrived")
    async def confirm_return_received(
        self, info: Info, input: ComplaintActionInput
    ) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.confirm_return_received(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    @strawberry.mutation(description="Seller: the replacement (or repaired goods) is shipped")
    async def ship_replacement(self, info: Info, input: ShipReturnInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.ship_replacement(
                actor,
                complaint_uuid(input.complaint_id),
                input.carrier,
                input.tracking_number,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Either party: a problem carrying out the remedy")
    async def raise_execution_issue(self, info: Info, input: PostMessageInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.raise_execution_issue(
                actor,
                complaint_uuid(input.complaint_id),
                input.text,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Supervisor: resolve an execution issue")
    async def resolve_execution_issue(
        self, info: Info, input: ResolveIssueInput
    ) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.resolve_execution_issue(
                actor,
                complaint_uuid(input.complaint_id),
                input.resolution,
                str(input.issue_id) if input.issue_id else None,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    # ------------------------------------------------------------ feedback (R5)
    @strawberry.mutation(description="A party: rate the handling from 1 to 5, once")
    async def rate_handling(self, info: Info, input: RateHandlingInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.rate_handling(
                actor,
                complaint_uuid(input.complaint_id),
                input.score,
                input.comment,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    # ------------------------------------------------------------ time (DESIGN §9)
    @strawberry.mutation(description="Staff: stop the case's clock, saying why; deadlines wait")
    async def pause_clock(self, info: Info, input: PauseClockInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.pause_clock(
                actor,
                complaint_uuid(input.complaint_id),
                input.reason,
                idempotency_key=input.idempotency_key,
            ),
            complaint,
        )

    @strawberry.mutation(description="Staff: run the clock again; open deadlines move later")
    async def resume_clock(self, info: Info, input: ComplaintActionInput) -> ComplaintResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.resume_clock(
                actor, complaint_uuid(input.complaint_id), idempotency_key=input.idempotency_key
            ),
            complaint,
        )

    # ------------------------------------------------------------ violations (R8, R10)
    @strawberry.mutation(description="Anyone signed in: report a violation by a shop")
    async def report_violation(self, info: Info, input: ReportViolationInput) -> ViolationResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.report_violation(
                actor,
                input.shop_id,
                input.kind,
                input.description,
                complaint_uuid(input.complaint_id) if input.complaint_id else None,
                idempotency_key=input.idempotency_key,
            ),
            Violation.of,
        )

    @strawberry.mutation(description="Supervisor: confirm a reported violation")
    async def confirm_violation(self, info: Info, input: ViolationActionInput) -> ViolationResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.confirm_violation(
                actor,
                ids.parse_uuid("Violation", input.violation_id, "violationId"),
                idempotency_key=input.idempotency_key,
            ),
            Violation.of,
        )

    @strawberry.mutation(description="Supervisor: dismiss a reported violation, saying why")
    async def dismiss_violation(self, info: Info, input: DismissViolationInput) -> ViolationResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.dismiss_violation(
                actor,
                ids.parse_uuid("Violation", input.violation_id, "violationId"),
                input.reason,
                idempotency_key=input.idempotency_key,
            ),
            Violation.of,
        )

    @strawberry.mutation(description="Supervisor: record a spot check of a shop")
    async def record_spot_check(self, info: Info, input: RecordSpotCheckInput) -> SellerResult:
        app, actor = info.context.app, info.context.actor
        return await seller_result(
            info,
            await run_command(
                info,
                lambda: app.record_spot_check(
                    actor,
                    input.shop_id,
                    input.passed,
                    input.findings,
                    idempotency_key=input.idempotency_key,
                ),
                seller,
            ),
        )

    @strawberry.mutation(description="Supervisor: sanction a shop (a FINE takes an amount)")
    async def sanction_seller(self, info: Info, input: SanctionSellerInput) -> SellerResult:
        app, actor = info.context.app, info.context.actor
        return await seller_result(
            info,
            await run_command(
                info,
                lambda: app.sanction_seller(
                    actor,
                    input.shop_id,
                    input.kind,
                    input.reason,
                    complaint_uuid(input.complaint_id) if input.complaint_id else None,
                    input.amount.value() if input.amount else None,
                    idempotency_key=input.idempotency_key,
                ),
                seller,
            ),
        )

    @strawberry.mutation(description="Supervisor: lift a shop's active sanction of a kind")
    async def lift_sanction(self, info: Info, input: LiftSanctionInput) -> SellerResult:
        app, actor = info.context.app, info.context.actor
        return await seller_result(
            info,
            await run_command(
                info,
                lambda: app.lift_sanction(
                    actor,
                    input.shop_id,
                    input.kind,
                    input.reason,
                    idempotency_key=input.idempotency_key,
                ),
                seller,
            ),
        )

    # ------------------------------------------------------------ personal data (§7)
    @strawberry.mutation(description="Supervisor, on a verified request: erase a data subject")
    async def erase_subject(self, info: Info, input: EraseSubjectInput) -> EraseSubjectResult:
        app, actor = info.context.app, info.context.actor
        return await run_command(
            info,
            lambda: app.erase_subject(
                actor, input.subject_id, idempotency_key=input.idempotency_key
            ),
            lambda record: ErasureReceipt(subject_id=record.subject_id, erased_at=record.erased_at),
        )
