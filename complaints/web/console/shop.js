// A shop's page, for its own staff and for platform staff: its standing, deposit, policy and
// sanctions, with a form for each action the API allows on the shop (Seller.allowedActions)
// and on each sanction (Sanction.allowedActions), nothing more.

import { gql } from "./api.js";
import { actionButtons, problem } from "./common.js";
import { clear, h } from "./dom.js";
import { area, text } from "./forms.js";
import { shopHistory } from "./history.js";
import { formatMoney, formatTime, label, t } from "./i18n.js";

export const SANCTION_KINDS = ["WARNING", "FINE", "TRADING_RESTRICTED", "SHOP_CLOSED"];
const MONEY = "amount currency";
const SHOP = `query Console_Shop($shopId: String!) {
  seller(shopId: $shopId) {
    shopId name status allowedActions
    depositBalance { ${MONEY} } depositDebt { ${MONEY} }
    scorecard { complaints upheldAgainstSeller strikes }
    afterSalesPolicy { returnWindowDays exchangeAllowed warrantyMonths terms }
    sanctions { id kind reason imposedAt liftedAt until allowedActions
      appeal { grounds filedAt granted decidedAt rationale decisionDueAt } }
  }
  sellerStanding(shopId: $shopId) { canTakeOrders canListProducts restrictedUntil }
}`;
const SELLER_RESULT = "... on Seller { shopId }";

const number = (name) => ({ name, kind: "number", required: true });

/** Every mutation Seller.allowedActions may list, but those about one sanction. */
export const SHOP_ACTIONS = {
  setAfterSalesPolicy: {
    input: "SetAfterSalesPolicyInput",
    fields: [number("returnWindowDays"), { name: "exchangeAllowed", kind: "bool" }, number("warrantyMonths"), area("terms")],
    keys: ["shopId"],
  },
  topUpDeposit: {
    input: "TopUpDepositInput",
    fields: [{ name: "amount", kind: "money", required: true }],
    keys: ["shopId"],
  },
  recordSpotCheck: {
    input: "RecordSpotCheckInput",
    fields: [{ name: "passed", kind: "bool" }, area("findings")],
    keys: ["shopId"],
  },
  sanctionSeller: {
    input: "SanctionSellerInput",
    fields: [
      { name: "kind", kind: "select", options: SANCTION_KINDS, group: "sanction", required: true, labelKey: "field.sanctionKind" },
      area("reason"),
      { name: "amount", kind: "money", labelKey: "field.fine" },
      { name: "complaintId", kind: "text", labelKey: "field.complaintReference" },
    ],
    keys: ["shopId"],
  },
  registerWebhook: {
    input: "RegisterWebhookInput",
    fields: [text("url"), { name: "events", kind: "list" }],
    keys: ["shopId"],
    result: "... on WebhookEndpointCreated { secret endpoint { id } }",
  },
};

/** Every mutation Sanction.allowedActions may list. */
export const SANCTION_ACTIONS = {
  liftSanction: {
    input: "LiftSanctionInput",
    fields: [area("reason")],
    keys: ["shopId", "kind"],
  },
  appealSanction: {
    input: "AppealSanctionInput",
    fields: [area("grounds")],
    keys: ["shopId", "sanctionId"],
  },
  decideSanctionAppeal: {
    input: "DecideSanctionAppealInput",
    fields: [{ name: "grant", kind: "bool" }, area("rationale")],
    keys: ["shopId", "sanctionId"],
  },
};

/** The signing secret of an endpoint just registered: shown this once. */
export function secretNotice(secret) {
  return h("p", { class: "notice" }, t("webhooks.secret"), " ", h("code", {}, secret));
}

function appealText(appeal) {
  const decision = appeal.granted === null ? t("case.appealWaiting") : appeal.granted ? t("case.appealGranted") : t("case.appealRefused");
  const due = appeal.granted === null && appeal.decisionDueAt ? ` (${t("case.due", { when: formatTime(appeal.decisionDueAt) })})` : "";
  return `${t("case.appeal")}: ${appeal.grounds} — ${decision}${due}`;
}

function policyText(policy) {
  if (!policy) return t("seller.noPolicy");
  const terms = t("seller.policy", { days: policy.returnWindowDays, months: policy.warrantyMonths });
  return `${terms} · ${policy.exchangeAllowed ? t("seller.exchange") : t("seller.noExchange")} · ${policy.terms}`;
}

function standing(s) {
  return [
    label("sellerStatus", s.status),
    s.depositBalance ? `${t("seller.deposit")}: ${formatMoney(s.depositBalance)}` : null,
    s.depositDebt && Number(s.depositDebt.amount) > 0 ? `${t("seller.debt")}: ${formatMoney(s.depositDebt)}` : null,
    t("shops.scorecard", s.scorecard),
  ]
    .filter(Boolean)
    .join(" · ");
}

/** What the marketplace may do for the shop now (its public standing). */
function marketStanding(m) {
  if (!m) return null;
  const yes = (ok) => (ok ? t("yes") : t("no"));
  const parts = [`${t("standing.orders")}: ${yes(m.canTakeOrders)}`, `${t("standing.listing")}: ${yes(m.canListProducts)}`];
  if (!m.canListProducts) parts.push(m.restrictedUntil ? t("seller.until", { at: formatTime(m.restrictedUntil) }) : t("standing.untilLifted"));
  return h("p", { class: "standing", "data-standing": m.canListProducts ? "open" : "restricted" }, parts.join(" · "));
}

function sanctionItem(x, buttons) {
  const lifted = x.liftedAt ? ` · ${t("seller.lifted")} ${formatTime(x.liftedAt)}` : "";
  // Its window: until when it binds (or until a supervisor lifts it), while it does.
  const until = x.liftedAt ? "" : ` · ${x.until ? t("seller.until", { at: formatTime(x.until) }) : t("standing.untilLifted")}`;
  return h(
    "li",
    { "data-sanction": x.id },
    h("strong", {}, label("sanction", x.kind)),
    ` · ${formatTime(x.imposedAt)}${until}${lifted}`,
    h("p", {}, x.reason),
    x.appeal ? h("p", {}, appealText(x.appeal)) : null,
    buttons.length ? h("div", { class: "action-buttons" }, buttons) : null,
  );
}

/** Draw the shop `shopId` into `target`, and again after each action taken on it. */
export async function shopView(target, shopId) {
  const notice = h("div", { role: "status" });
  const draw = async () => {
    const { seller: s, sellerStanding: market } = await gql(SHOP, { shopId });
    if (!s) return clear(target, h("p", {}, t("seller.notFound")));
    const history = await shopHistory(shopId);
    const slot = h("div", { class: "form-slot" });
    const onDone = (name, result) => {
      clear(notice, result?.secret ? secretNotice(result.secret) : null);
      draw().catch((error) => target.append(problem(error)));
    };
    const shopButtons = actionButtons(slot, s.allowedActions, SHOP_ACTIONS, { shopId }, { selection: SELLER_RESULT, onDone });
    clear(
      target,
      h(
        "div",
        { class: "card", "data-shop": s.shopId },
        h("h2", {}, `${s.name} (${s.shopId})`),
        h("p", {}, standing(s)),
        marketStanding(market),
        h("p", { class: "policy" }, policyText(s.afterSalesPolicy)),
        notice,
        s.sanctions.length
          ? h(
              "ul",
              { class: "items" },
              s.sanctions.map((x) =>
                sanctionItem(
                  x,
                  actionButtons(slot, x.allowedActions, SANCTION_ACTIONS, { shopId, sanctionId: x.id, kind: x.kind }, { selection: SELLER_RESULT, onDone }),
                ),
              ),
            )
          : h("p", {}, t("seller.noSanctions")),
        shopButtons.length ? [h("h3", {}, t("case.actions")), h("div", { class: "action-buttons", "data-actions": "shop" }, shopButtons)] : null,
        slot,
      ),
      history,
    );
  };
  await draw();
}
