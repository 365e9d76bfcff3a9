"""Commands on a reported violation of the platform's rules (R8): report, answer, confirm
(with its strike on the shop when the kind is sanctioned), dismiss."""

from __future__ import annotations

from uuid import UUID

from complaints.application.policies import SANCTIONED_VIOLATIONS
from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.values import Actor, ViolationKind
from complaints.domain.violation import Violation


class ViolationCommands(CommandRunner):
    @command
    def report_violation(
        self,
        actor: Actor,
        shop_id: str,
        kind: ViolationKind,
        description: str,
        complaint_id: UUID | None = None,
    ) -> Changes[Violation]:
        seller = self.get_seller(shop_id)
        if complaint_id is not None:
            self.get_complaint(complaint_id)
        violation = Violation.report(
            self.context(actor),
            shop_id=seller.shop_id,
            kind=kind,
            description=description,
            complaint_id=complaint_id,
        )
        return Changes(violation)

    @command
    def respond_to_violation(
        self, actor: Actor, violation_id: UUID, response: str
    ) -> Changes[Violation]:
        violation = self.get_violation(violation_id)
        violation.respond(self.context(actor), response=response)
        return Changes(violation)

    @command
    def confirm_violation(
        self,
        actor: Actor,
        violation_id: UUID,
        rationale: str = "",
        rule_codes: list[str] | None = None,
    ) -> Changes[Violation]:
        ctx = self.context(actor)
        violation = self.get_violation(violation_id)
        violation.confirm(ctx, rationale=rationale, rule_codes=list(rule_codes or ()))
        seller = self.get_seller(violation.shop_id)
        seller.record_violation(ctx, violation_id=violation.id, kind=violation.kind)
        offence = SANCTIONED_VIOLATIONS.get(violation.kind)
        if offence is not None:
            seller.strike(
                ctx,
                self.settings.sanctions,
                offence=offence,
                reason=f"A {violation.kind.value.lower()} violation was confirmed.",
                complaint_id=violation.complaint_id,
                violation_id=violation.id,
            )
        return Changes(violation, (seller,))

    @command
    def dismiss_violation(
        self, actor: Actor, violation_id: UUID, reason: str
    ) -> Changes[Violation]:
        violation = self.get_violation(violation_id)
        violation.dismiss(self.context(actor), reason=reason)
        return Changes(violation)
