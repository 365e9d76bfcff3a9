"""The input checks of the Complaint's commands, one function per command.

Each collects every problem with the input and refuses once, with `ValidationFailed`. Who may
act, and in which state, is not checked here but in the permissions table and its guards.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.records import Ruling
from complaints.domain.text import Text
from complaints.domain.validation import (
    LABEL_MAX,
    MAX_ATTACHMENTS,
    MESSAGE_MAX,
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    PRINCIPAL_ID_MAX,
    REASON_MAX,
    SHIPMENT_MAX,
    SHORT_REASON_MAX,
    Checks,
    normalise_remedy,
)
from complaints.domain.values import (
    PARTIES,
    RULING_OUTCOMES,
    Attachment,
    EvidenceFile,
    Outcome,
    Remedy,
    RemedyType,
    Role,
)

MAX_EVIDENCE_WINDOW = timedelta(days=30)


# ---------------------------------------------------------------- intake (R1)
def check_filing(order_id: str, description: str, requested_remedy: Remedy) -> None:
    checks = Checks()
    checks.identifier("order_id", order_id)
    checks.text("description", description, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
    checks.remedy("requested_remedy", requested_remedy)
    checks.done()


def check_return_for_info(reason: str, missing: list[str], rule_codes: list[str]) -> None:
    checks = Checks()
    checks.text("reason", reason, max_len=REASON_MAX)
    checks.require(1 <= len(missing) <= 10, "missing", Text("must name between 1 and 10 items"))
    for i, item in enumerate(missing):
        checks.text(f"missing.{i}", item, max_len=LABEL_MAX)
    checks.rule_codes("rule_codes", rule_codes, required=False)
    checks.done()


def check_rejection(reason: str, rule_code: str | None) -> None:
    checks = Checks()
    checks.text("reason", reason, max_len=REASON_MAX)
    checks.rule_codes("rule_code", [rule_code] if rule_code else [], required=True)
    checks.done()


def check_resubmission(
    description: str, evidence: Sequence[Attachment], files: Mapping[str, EvidenceFile]
) -> None:
    """What was missing: more detail, and any files attached (as `check_attachments`)."""
    checks = Checks()
    checks.text("description", description, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
    _attachments(checks, evidence, files)
    checks.done()


# ---------------------------------------------------------------- negotiation (R6)
def check_offer(remedy: Remedy, message: str | None) -> None:
    """An offer of a party, or a mediator's proposal."""
    checks = Checks()
    checks.remedy("remedy", remedy)
    checks.text("message", message, max_len=MESSAGE_MAX)
    checks.done()


def check_decline(reason: str | None) -> None:
    checks = Checks()
    checks.text("reason", reason, max_len=MESSAGE_MAX)
    checks.done()


def check_message(text: str) -> None:
    checks = Checks()
    checks.text("text", text, max_len=MESSAGE_MAX)
    checks.done()


# ---------------------------------------------------------------- investigation (R2)
def check_assignment(field: str, staff_id: str) -> None:
    """The id of the arbiter or mediator assigned."""
    checks = Checks()
    checks.identifier(field, staff_id, max_len=PRINCIPAL_ID_MAX)
    checks.done()


def check_evidence_request(
    party: Role, kinds: list[str], note: str | None, due: datetime, now: datetime
) -> None:
    checks = Checks()
    checks.require(party in PARTIES, "party", Text("must be CONSUMER or SELLER"))
    checks.require(1 <= len(kinds) <= 10, "kinds", Text("must name between 1 and 10 kinds"))
    checks.codes("kinds", kinds)
    checks.text("note", note, max_len=REASON_MAX)
    checks.require(due.tzinfo is not None, "due_at", Text("must include a time zone"))
    if due.tzinfo is not None:
        checks.require(due > now, "due_at", Text("must be in the future"))
        checks.require(due <= now + MAX_EVIDENCE_WINDOW, "due_at", Text("must be within 30 days"))
    checks.done()


def check_evidence(
    kind: str,
    requested: Collection[str],
    description: str,
    sha256: str | None,
    files: Mapping[str, EvidenceFile],
    *,
    request_id: str | None = None,
) -> None:
    """`requested` holds the kinds still asked of this party (by `request_id`, if it names one:
    then `kind` must be one of them; else any kind is welcome, volunteered if not asked for);
    `files` what the store holds of the party's own uploads."""
    checks = Checks()
    if request_id is not None and not requested:
        checks.fail("request_id", Text("names no open evidence request of yours"))
    elif request_id is not None and kind not in requested:
        wanted = ", ".join(sorted(requested))
        checks.fail("kind", Text("was not requested; requested kinds: {wanted}", wanted=wanted))
    elif request_id is None:
        checks.identifier("kind", kind)
    checks.text("description", description, max_len=MESSAGE_MAX)
    checks.upload("sha256", sha256, files)
    checks.done()


def check_attachments(evidence: Sequence[Attachment], files: Mapping[str, EvidenceFile]) -> None:
    """Files attached when filing: each an upload of the consumer's own, of a named kind."""
    checks = Checks()
    _attachments(checks, evidence, files)
    checks.done()


def _attachments(
    checks: Checks, evidence: Sequence[Attachment], files: Mapping[str, EvidenceFile]
) -> None:
    checks.require(
        len(evidence) <= MAX_ATTACHMENTS,
        "evidence",
        Text("must list at most {MAX_ATTACHMENTS} files", MAX_ATTACHMENTS=MAX_ATTACHMENTS),
    )
    for i, attachment in enumerate(evidence[:MAX_ATTACHMENTS]):
        checks.identifier(f"evidence.{i}.kind", attachment.kind)
        checks.text(f"evidence.{i}.description", attachment.description, max_len=MESSAGE_MAX)
        checks.upload(f"evidence.{i}.sha256", attachment.sha256, files)


def check_finding(finding: str) -> None:
    checks = Checks()
    checks.text("finding", finding, max_len=NARRATIVE_MAX)
    checks.done()


# ---------------------------------------------------------------- ruling and appeal (R3)
def check_decision(
    outcome: Outcome | None,
    remedy: Remedy | None,
    rationale: str,
    rule_codes: list[str],
    *,
    cite_rules: bool = True,
) -> Remedy | None:
    """A ruling, or a granted appeal. Returns the remedy it grants, in canonical form."""
    checks = Checks()
    if outcome not in RULING_OUTCOMES:
        allowed = ", ".join(sorted(o.value for o in RULING_OUTCOMES))
        checks.fail("outcome", Text("must be one of {allowed}", allowed=allowed))
    elif outcome is Outcome.SELLER_FAVOUR_EXPLAINED:
        if remedy is not None and remedy.type is not RemedyType.EXPLANATION_ONLY:
            checks.fail(
                "remedy", Text("a ruling for the seller grants no remedy but an explanation")
            )
        remedy = Remedy(RemedyType.EXPLANATION_ONLY)
    elif remedy is None or remedy.type is RemedyType.EXPLANATION_ONLY:
        checks.fail("remedy", Text("a ruling for the consumer must grant a remedy"))
    else:
        checks.remedy("remedy", remedy)
    checks.text("rationale", rationale, max_len=NARRATIVE_MAX)
    checks.rule_codes("rule_codes", rule_codes, required=cite_rules)
    checks.done()
    return None if remedy is None else normalise_remedy(remedy)


def check_appeal(grounds: str) -> None:
    checks = Checks()
    checks.text("grounds", grounds, min_len=NARRATIVE_MIN, max_len=NARRATIVE_MAX)
    checks.done()


def check_appeal_decision(
    grant: bool,
    outcome: Outcome | None,
    remedy: Remedy | None,
    rationale: str,
    rule_codes: list[str],
    ruled: Ruling,
) -> tuple[Outcome, Remedy | None]:
    """Returns the outcome and remedy in force after the decision on an appeal of `ruled`. A
    granted appeal changes the ruling, so it cites the rules it rests on; a dismissal may."""
    if grant:
        decided = check_decision(outcome, remedy, rationale, rule_codes)
        assert outcome is not None
        if (outcome, decided) == (ruled.outcome, ruled.remedy):
            raise ValidationFailed(
                [FieldError("outcome", Text("a granted appeal must change the outcome or remedy"))]
            )
        return outcome, decided
    checks = Checks()
    checks.require(outcome is None, "outcome", Text("only a granted appeal changes it"))
    checks.require(remedy is None, "remedy", Text("only a granted appeal changes it"))
    checks.text("rationale", rationale, max_len=NARRATIVE_MAX)
    checks.rule_codes("rule_codes", rule_codes, required=False)
    checks.done()
    return ruled.outcome, ruled.remedy


# ---------------------------------------------------------------- fulfilment and after (R4, R5)
def check_shipment(carrier: str, tracking_number: str) -> None:
    checks = Checks()
    checks.text("carrier", carrier, max_len=SHIPMENT_MAX)
    checks.text("tracking_number", tracking_number, max_len=SHIPMENT_MAX)
    checks.done()


def check_execution_issue(text: str, field: str = "text") -> None:
    checks = Checks()
    checks.text(field, text, max_len=MESSAGE_MAX)
    checks.done()


def check_resolution(
    resolution: str,
    *,
    issue_known: bool,
    advance_refund: bool = False,
    dispute: bool = False,
    remedy: Remedy | None = None,
) -> None:
    """`issue_known` is false when several issues are open and the input names none. Only a
    disputed remedy that moves money can be advanced by the platform."""
    checks = Checks()
    checks.require(issue_known, "issue_id", Text("several issues are open; name the one resolved"))
    checks.text("resolution", resolution, max_len=MESSAGE_MAX)
    if advance_refund and issue_known:
        if not dispute:
            checks.fail("advance_refund", Text("only a disputed remedy can be advanced"))
        elif remedy is None or remedy.amount is None:
            checks.fail("advance_refund", Text("the remedy moves no money to advance"))
    checks.done()


def check_rating(score: int, comment: str | None) -> None:
    checks = Checks()
    checks.require(isinstance(score, int) and 1 <= score <= 5, "score", Text("must be from 1 to 5"))
    checks.text("comment", comment, max_len=MESSAGE_MAX)
    checks.done()


# ---------------------------------------------------------------- the clock
def check_pause(reason: str) -> None:
    checks = Checks()
    checks.text("reason", reason, max_len=SHORT_REASON_MAX)
    checks.done()
