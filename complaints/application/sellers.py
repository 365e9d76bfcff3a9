"""Commands on a shop (R9, R8, R10): registration, its after-sales policy, its deposit, its
sanctions and their appeals, and spot checks."""

from __future__ import annotations

from uuid import UUID

from complaints.application.runner import Changes, CommandRunner, command
from complaints.domain.errors import SellerAlreadyRegistered
from complaints.domain.sanctions import Offence
from complaints.domain.seller import AfterSalesPolicy, Seller
from complaints.domain.text import Text
from complaints.domain.values import Actor, Money, SanctionKind


class SellerCommands(CommandRunner):
    @command
    def register_seller(
        self,
        actor: Actor,
        shop_id: str,
        name: str,
        deposit: Money,
    ) -> Changes[Seller]:
        seller = Seller.register(self.context(actor), shop_id=shop_id, name=name, deposit=deposit)
        if seller.id in self.repository:
            raise SellerAlreadyRegistered(
                Text("Shop {shop_id!r} is already registered.", shop_id=shop_id)
            )
        return Changes(seller)

    @command
    def set_after_sales_policy(
        self,
        actor: Actor,
        shop_id: str,
        policy: AfterSalesPolicy,
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.set_after_sales_policy(self.context(actor), policy)
        return Changes(seller)

    @command
    def top_up_deposit(self, actor: Actor, shop_id: str, amount: Money) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.top_up_deposit(self.context(actor), amount)
        return Changes(seller)

    @command
    def sanction_seller(
        self,
        actor: Actor,
        shop_id: str,
        kind: SanctionKind,
        reason: str,
        complaint_id: UUID | None = None,
        fine: Money | None = None,
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.impose_sanction(
            self.context(actor),
            kind=kind,
            reason=reason,
            complaint_id=complaint_id,
            fine=fine,
            lasts=self.settings.sanctions.lasts(kind),
        )
        return Changes(seller)

    @command
    def appeal_sanction(
        self, actor: Actor, shop_id: str, sanction_id: str, grounds: str
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.appeal_sanction(self.context(actor), sanction_id=sanction_id, grounds=grounds)
        return Changes(seller)

    @command
    def decide_sanction_appeal(
        self, actor: Actor, shop_id: str, sanction_id: str, grant: bool, rationale: str
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.decide_sanction_appeal(
            self.context(actor), sanction_id=sanction_id, grant=grant, rationale=rationale
        )
        return Changes(seller)

    @command
    def expire_sanction(self, actor: Actor, shop_id: str, sanction_id: str) -> Changes[Seller]:
        """End a sanction whose time is up (the worker's job). Idempotent."""
        seller = self.get_seller(shop_id)
        seller.expire_sanction(self.context(actor), sanction_id=sanction_id)
        return Changes(seller)

    @command
    def lift_sanction(
        self,
        actor: Actor,
        shop_id: str,
        kind: SanctionKind,
        reason: str,
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.lift_sanction(self.context(actor), kind=kind, reason=reason)
        return Changes(seller)

    @command
    def record_spot_check(
        self,
        actor: Actor,
        shop_id: str,
        passed: bool,
        findings: str,
    ) -> Changes[Seller]:
        ctx = self.context(actor)
        seller = self.get_seller(shop_id)
        seller.record_spot_check(ctx, passed=passed, findings=findings)
        if not passed:
            seller.strike(
                ctx, self.settings.sanctions, offence=Offence.SPOT_CHECK_FAILED, reason=findings
            )
        return Changes(seller)
