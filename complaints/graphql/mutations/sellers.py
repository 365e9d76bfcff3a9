"""Shops and their policy (R9): registration, the after-sales policy, the deposit."""

from __future__ import annotations

import strawberry

from complaints.application import ComplaintsApp
from complaints.domain.seller import AfterSalesPolicy
from complaints.graphql.inputs import (
    RegisterSellerInput,
    SetAfterSalesPolicyInput,
    TopUpDepositInput,
)
from complaints.graphql.mutations.payloads import seller_mutation


@strawberry.type
class SellerMutations:
    register_seller = seller_mutation(
        ComplaintsApp.register_seller,
        RegisterSellerInput,
        description="Supervisor: register a shop with its security deposit",
    )
    set_after_sales_policy = seller_mutation(
        ComplaintsApp.set_after_sales_policy,
        SetAfterSalesPolicyInput,
        description="The shop's own staff: state the after-sales policy",
        assemble={"policy": AfterSalesPolicy},
    )
    top_up_deposit = seller_mutation(
        ComplaintsApp.top_up_deposit,
        TopUpDepositInput,
        description="The shop's staff or a supervisor: pay into the deposit",
    )
