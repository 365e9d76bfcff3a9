"""Who may do what to a complaint, in which states, under which further rule: the one table
every command consults.

Consumers and sellers must also be a party to the case; that check is made once, in
`Case._authorize` (case.py), for every action. The finer rules (whose turn it is, which arbiter is
assigned, whether a window is still open) are the guards in `guards.py`.
"""

from __future__ import annotations

from enum import Enum

from complaints.domain.complaint import guards
from complaints.domain.complaint.guards import next_step
from complaints.domain.complaint.state import ComplaintState
from complaints.domain.rights import Permission, allow
from complaints.domain.values import STAFF, FulfilmentStep, Role, Status


class Action(Enum):
    """Complaint commands, named as the mutations that call them."""

    ACCEPT = "acceptComplaint"
    RETURN_FOR_INFO = "returnComplaintForInfo"
    REJECT = "rejectComplaint"
    RESUBMIT = "resubmitComplaint"
    WITHDRAW = "withdrawComplaint"
    MAKE_OFFER = "makeOffer"
    ACCEPT_OFFER = "acceptOffer"
    DECLINE_OFFER = "declineOffer"
    PROPOSE_SETTLEMENT = "proposeSettlement"
    REQUEST_INTERVENTION = "requestIntervention"
    POST_MESSAGE = "postMessage"
    ASSIGN = "assignComplaint"
    ASSIGN_MEDIATOR = "assignMediator"
    REQUEST_EVIDENCE = "requestEvidence"
    SUBMIT_EVIDENCE = "submitEvidence"
    RECORD_FINDING = "recordFinding"
    ISSUE_RULING = "issueRuling"
    ACKNOWLEDGE_RULING = "acknowledgeRuling"
    FILE_APPEAL = "fileAppeal"
    DECIDE_APPEAL = "decideAppeal"
    CONFIRM_REFUND = "confirmRefund"
    SHIP_RETURN = "shipReturn"
    CONFIRM_RETURN_RECEIVED = "confirmReturnReceived"
    SHIP_REPLACEMENT = "shipReplacement"
    CONFIRM_REMEDY_RECEIVED = "confirmRemedyReceived"
    DISPUTE_REMEDY = "disputeRemedy"
    RAISE_EXECUTION_ISSUE = "raiseExecutionIssue"
    RESOLVE_EXECUTION_ISSUE = "resolveExecutionIssue"
    RATE_HANDLING = "rateHandling"
    PAUSE_CLOCK = "pauseClock"
    RESUME_CLOCK = "resumeClock"
    LAPSE_DEADLINE = "lapseDeadline"


C, S = Role.CONSUMER, Role.SELLER
_BEFORE_RULING = {Status.SUBMITTED, Status.AWAITING_INFO, Status.NEGOTIATING, Status.UNDER_REVIEW}
_BARGAINING = {Status.NEGOTIATING, Status.UNDER_REVIEW}
_RULED = {Status.RULED, Status.APPEAL_REVIEW, Status.FULFILLING, Status.CLOSED}
_OPEN = set(Status) - {Status.CLOSED, Status.REJECTED, Status.WITHDRAWN}

PERMISSIONS: dict[Action, Permission[ComplaintState, Status]] = {
    # intake (R1)
    Action.ACCEPT: allow({Role.AGENT}, {Status.SUBMITTED}),
    Action.RETURN_FOR_INFO: allow({Role.AGENT}, {Status.SUBMITTED}),
    Action.REJECT: allow({Role.AGENT}, {Status.SUBMITTED}),
    Action.RESUBMIT: allow({C}, {Status.AWAITING_INFO}, guards.resubmission_window_open),
    Action.WITHDRAW: allow({C}, _BEFORE_RULING),
    # negotiation and mediation (R6)
    Action.MAKE_OFFER: allow({C, S}, {Status.NEGOTIATING}, guards.on_turn),
    Action.ACCEPT_OFFER: allow({C, S}, _BARGAINING, guards.offer_to_answer),
    Action.DECLINE_OFFER: allow({C, S}, _BARGAINING, guards.offer_to_answer),
    Action.PROPOSE_SETTLEMENT: allow({Role.MEDIATOR}, _BARGAINING, guards.mediator_of_the_case),
    Action.REQUEST_INTERVENTION: allow({C, S}, {Status.NEGOTIATING}),
    Action.POST_MESSAGE: allow({C, S, *STAFF}, _OPEN),
    # investigation (R2)
    Action.ASSIGN: allow({Role.SUPERVISOR}, {Status.UNDER_REVIEW}),
    # a case under intervention gets a mediator of the team, who alone proposes settlements
    Action.ASSIGN_MEDIATOR: allow({Role.SUPERVISOR}, {Status.UNDER_REVIEW}),
    Action.REQUEST_EVIDENCE: allow({Role.ARBITER}, {Status.UNDER_REVIEW}, guards.assigned_arbiter),
    # a party answers the arbiter's requests, or volunteers evidence while the case is argued
    Action.SUBMIT_EVIDENCE: allow({C, S}, _BARGAINING),
    Action.RECORD_FINDING: allow({Role.ARBITER}, {Status.UNDER_REVIEW}, guards.assigned_arbiter),
    # ruling and appeal (R3)
    Action.ISSUE_RULING: allow({Role.ARBITER}, {Status.UNDER_REVIEW}, guards.ready_to_rule),
    Action.ACKNOWLEDGE_RULING: allow({C, S}, _RULED, guards.ruling_to_acknowledge),
    Action.FILE_APPEAL: allow(
        {C, S},
        {Status.RULED, Status.APPEAL_REVIEW, Status.FULFILLING},
        guards.first_appeal_in_window,
    ),
    Action.DECIDE_APPEAL: allow({Role.SUPERVISOR}, {Status.APPEAL_REVIEW}, guards.another_reviewer),
    # enforcement and supervision (R4)
    Action.CONFIRM_REFUND: allow({S}, {Status.FULFILLING}, next_step(FulfilmentStep.REFUND)),
    Action.SHIP_RETURN: allow({C}, {Status.FULFILLING}, next_step(FulfilmentStep.RETURN_SHIPMENT)),
    Action.CONFIRM_RETURN_RECEIVED: allow(
        {S}, {Status.FULFILLING}, next_step(FulfilmentStep.RETURN_RECEIPT)
    ),
    Action.SHIP_REPLACEMENT: allow({S}, {Status.FULFILLING}, next_step(FulfilmentStep.REPLACEMENT)),
    Action.CONFIRM_REMEDY_RECEIVED: allow({C}, {Status.FULFILLING}, guards.remedy_to_confirm),
    Action.DISPUTE_REMEDY: allow({C}, {Status.FULFILLING}, guards.remedy_to_confirm),
    Action.RAISE_EXECUTION_ISSUE: allow({C, S}, {Status.FULFILLING}),
    Action.RESOLVE_EXECUTION_ISSUE: allow(
        {Role.SUPERVISOR}, {Status.FULFILLING, Status.CLOSED}, guards.open_execution_issue
    ),
    # feedback (R5)
    Action.RATE_HANDLING: allow(
        {C, S}, {Status.CLOSED, Status.REJECTED}, guards.first_rating_in_window
    ),
    # time (DESIGN §9): staff pause the clock (waiting on a carrier, a lab, a court); only the
    # platform's own worker lets deadlines lapse
    Action.PAUSE_CLOCK: allow(STAFF, _OPEN, guards.clock_running),
    Action.RESUME_CLOCK: allow(STAFF, _OPEN, guards.clock_paused),
    Action.LAPSE_DEADLINE: allow({Role.SYSTEM}, set(Status)),
}
