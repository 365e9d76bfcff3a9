"""Refusals the domain can make.

Every refusal is a `DomainError` with a stable, machine-readable `code`. The five families below
are the ones the API exposes as typed errors; each concrete refusal is a subclass with its own code,
so a client can tell "not your turn" from "not a party" without parsing the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from complaints.domain.text import Text

if TYPE_CHECKING:
    from complaints.domain.values import Status


class DomainError(Exception):
    """`message` is English; a `Text` (as every refusal's is) is said in the reader's language
    at the API's edge."""

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- not found ---------------------------------------------------------------------------------
class NotFound(DomainError):
    code = "NOT_FOUND"


class ComplaintNotFound(NotFound):
    code = "COMPLAINT_NOT_FOUND"


class SellerNotFound(NotFound):
    code = "SELLER_NOT_FOUND"


class ViolationNotFound(NotFound):
    code = "VIOLATION_NOT_FOUND"


class OfferNotFound(NotFound):
    code = "OFFER_NOT_FOUND"


class ExecutionIssueNotFound(NotFound):
    code = "EXECUTION_ISSUE_NOT_FOUND"


class SanctionNotFound(NotFound):
    code = "SANCTION_NOT_FOUND"


class SubjectNotFound(NotFound):
    code = "SUBJECT_NOT_FOUND"


class WebhookNotFound(NotFound):
    code = "WEBHOOK_NOT_FOUND"


class CheckpointNotFound(NotFound):
    """No checkpoint of the transparency log was signed at that tree size (or none yet)."""

    code = "CHECKPOINT_NOT_FOUND"


class OrderNotFound(NotFound):
    """No order of this consumer at this shop is recorded: the same answer whether the order
    does not exist or is someone else's, so that nothing about other people's orders leaks."""

    code = "ORDER_NOT_FOUND"


# --- not allowed (wrong role, wrong party) ----------------------------------------------------
class NotAllowed(DomainError):
    code = "NOT_ALLOWED"


class RoleNotAllowed(NotAllowed):
    code = "ROLE_NOT_ALLOWED"


class ReadOnlyRole(NotAllowed):
    code = "READ_ONLY_ROLE"


class NotAParty(NotAllowed):
    code = "NOT_A_PARTY"


class NotYourTurn(NotAllowed):
    code = "NOT_YOUR_TURN"


class OwnOffer(NotAllowed):
    code = "CANNOT_ANSWER_OWN_OFFER"


class NotAssignedArbiter(NotAllowed):
    code = "NOT_ASSIGNED_ARBITER"


class NotAssignedMediator(NotAllowed):
    code = "NOT_ASSIGNED_MEDIATOR"


class NotTheDefaultingParty(NotAllowed):
    code = "NOT_THE_DEFAULTING_PARTY"


class SameReviewer(NotAllowed):
    code = "SAME_REVIEWER"


class StaffOnlyVisibility(NotAllowed):
    code = "STAFF_VISIBILITY_RESERVED"


# --- invalid transition (the case is not in a state that allows this) -------------------------
class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"

    def __init__(self, message: str, status: Status) -> None:
        super().__init__(message)
        self.status = status


class OfferNotOpen(InvalidTransition):
    code = "OFFER_NOT_OPEN"


class AlreadyAnswered(InvalidTransition):
    code = "OFFER_ALREADY_ANSWERED"


class WindowClosed(InvalidTransition):
    code = "WINDOW_CLOSED"


class AppealWindowClosed(WindowClosed):
    code = "APPEAL_WINDOW_CLOSED"


class ResubmissionWindowClosed(WindowClosed):
    code = "RESUBMISSION_WINDOW_CLOSED"


class SurveyClosed(WindowClosed):
    code = "SURVEY_CLOSED"


class AlreadyAppealed(InvalidTransition):
    code = "ALREADY_APPEALED"


class AlreadyAcknowledged(InvalidTransition):
    code = "ALREADY_ACKNOWLEDGED"


class NothingToAcknowledge(InvalidTransition):
    code = "NOTHING_TO_ACKNOWLEDGE"


class AlreadyRated(InvalidTransition):
    code = "ALREADY_RATED"


class FindingRequired(InvalidTransition):
    code = "FINDING_REQUIRED"


class NoArbiterAssigned(InvalidTransition):
    code = "NO_ARBITER_ASSIGNED"


class NotCurrentStep(InvalidTransition):
    code = "NOT_THE_CURRENT_STEP"


class NoRemedyToConfirm(InvalidTransition):
    code = "NO_REMEDY_TO_CONFIRM"


class NoOpenExecutionIssue(InvalidTransition):
    code = "NO_OPEN_EXECUTION_ISSUE"


class ClockAlreadyPaused(InvalidTransition):
    code = "CLOCK_ALREADY_PAUSED"


class ClockRunning(InvalidTransition):
    code = "CLOCK_NOT_PAUSED"


class DeadlineNotDue(InvalidTransition):
    code = "DEADLINE_NOT_DUE"


# --- validation failed (the input itself is wrong) --------------------------------------------
@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(DomainError):
    code = "VALIDATION_FAILED"

    def __init__(self, fields: Iterable[FieldError], message: str | None = None) -> None:
        self.fields = tuple(fields)
        super().__init__(
            message or Text("Invalid input: {problems}", problems=summary(self.fields))
        )


def summary(fields: tuple[FieldError, ...]) -> str:
    """`field: message; field: message`, each message in the reader's language."""
    said: str = ""
    for f in reversed(fields):
        problem = Text("{field}: {message}", field=f.field, message=f.message)
        said = Text("{problem}; {more}", problem=problem, more=said) if said else problem
    return said


class CurrencyMismatch(ValidationFailed):
    code = "CURRENCY_MISMATCH"


# --- conflict (the stored state moved on, or the request clashes with an earlier one) ---------
class Conflict(DomainError):
    code = "CONFLICT"


class ConcurrentUpdate(Conflict):
    code = "CONCURRENT_UPDATE"


class SellerAlreadyRegistered(Conflict):
    code = "SELLER_ALREADY_REGISTERED"


class DuplicateComplaint(Conflict):
    """The consumer already has an open complaint about this order; `reference` names it."""

    code = "DUPLICATE_COMPLAINT"

    def __init__(self, reference: str) -> None:
        super().__init__(
            Text(
                "You already have an open complaint about this order: {reference}. Add to that"
                " case instead; a new one can be filed once it has ended (rule R-1.3).",
                reference=reference,
            )
        )
        self.reference = reference


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"


class SanctionAlreadyActive(Conflict):
    code = "SANCTION_ALREADY_ACTIVE"


class SanctionNotActive(Conflict):
    code = "SANCTION_NOT_ACTIVE"


class SanctionAlreadyAppealed(Conflict):
    code = "SANCTION_ALREADY_APPEALED"


class NoPendingAppeal(Conflict):
    code = "NO_PENDING_APPEAL"


class ViolationAlreadyDecided(Conflict):
    code = "VIOLATION_ALREADY_DECIDED"


class AlreadyResponded(Conflict):
    code = "ALREADY_RESPONDED"


class ResponseWindowOpen(Conflict):
    """The reported shop may still answer the report: no decision before its window ends,
    unless it has answered."""

    code = "RESPONSE_WINDOW_OPEN"


class OrderFactsDiffer(Conflict):
    """The order is recorded with other facts than those stated now: facts are added to an
    order, never changed."""

    code = "ORDER_FACTS_DIFFER"


class FilingWindowClosed(Conflict):
    """The time to complain about the order has passed (rule R-1.2)."""

    code = "FILING_WINDOW_CLOSED"
