// The Marketplace page, in development only: it plays the marketplace's own systems, which in
// production call the API themselves. It records demo orders and their deliveries through the
// same mutations (`recordOrder`, `recordDelivery`), so that a new user can go from nothing to a
// filed complaint in the browser; it reads a shop's standing (`sellerStanding`), and manages the
// marketplace's webhook endpoint (`registerMarketplaceWebhook`).
//
// Recording an order starts a record, so no record's `allowedActions` lists it, and
// `viewerAllowedActions` names only what starts a shop, a report or a webhook endpoint: the page
// offers the form to the marketplace's sign-in (its menu shows the page), and the server refuses
// anyone else as it refuses any call. What may be done on a recorded order, and on an endpoint,
// is the API's answer (`Order.allowedActions`, `WebhookEndpoint.allowedActions`).

import { ApiError, gql, mutate } from "./api.js";
import { actionButtons, newKey, orderDates, problem } from "./common.js";
import { clear, h } from "./dom.js";
import { buildForm, text } from "./forms.js";
import { formatMoney, formatTime, label, t } from "./i18n.js";
import { ENDPOINT_ACTIONS, endpointItem } from "./seller.js";
import { secretNotice } from "./shop.js";

const ORDER = "orderId shopId amount { amount currency } paidAt deliveredAt carrier trackingNumber complaintWindowEndsAt allowedActions";
const ORDER_RESULT = `... on Order { ${ORDER} }`;
const ONE_ORDER = `query Console_Order($shopId: String!, $orderId: String!) { order(shopId: $shopId, orderId: $orderId) { ${ORDER} } }`;
const STANDING = `query Console_Standing($shopId: String!) { sellerStanding(shopId: $shopId) {
  shopId status canTakeOrders canListProducts restrictedUntil activeSanctions { id kind reason imposedAt until }
} }`;
const HOOKS = `query Console_MarketplaceHooks { viewerAllowedActions
  marketplaceWebhookEndpoints { id url events status disabledReason createdAt allowedActions } }`;
const ENDPOINT_RESULT = "... on WebhookEndpoint { id }";

/** The marketplace's own mutations, which start a record: an order, its webhook endpoint. */
export const MARKETPLACE_ACTIONS = {
  recordOrder: {
    input: "RecordOrderInput",
    fields: [
      text("shopId"),
      text("orderId"),
      text("consumerId"),
      { name: "amount", kind: "money", required: true },
      { name: "paidAt", kind: "datetime", required: true, now: true },
      { name: "deliveredAt", kind: "datetime" },
      text("carrier", false),
      text("trackingNumber", false),
    ],
    keys: [],
  },
  registerMarketplaceWebhook: {
    input: "RegisterMarketplaceWebhookInput",
    fields: [text("url"), { name: "events", kind: "list", labelKey: "field.shopEvents" }],
    keys: [],
    result: "... on MarketplaceWebhookCreated { secret endpoint { id } }",
  },
};

/** Every mutation Order.allowedActions may list. */
export const ORDER_ACTIONS = {
  recordDelivery: {
    input: "RecordDeliveryInput",
    fields: [{ name: "deliveredAt", kind: "datetime", required: true, now: true }, text("carrier", false), text("trackingNumber", false)],
    keys: ["shopId", "orderId"],
  },
};

// The orders this tab recorded or looked up, the latest first, so that they stay on the page.
const KEPT = "complaints.marketplace.orders";
const KEEP_AT_MOST = 20;

function kept() {
  try {
    const list = JSON.parse(sessionStorage.getItem(KEPT) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function keep(o) {
  const others = kept().filter((k) => k.shopId !== o.shopId || k.orderId !== o.orderId);
  sessionStorage.setItem(KEPT, JSON.stringify([{ shopId: o.shopId, orderId: o.orderId }, ...others].slice(0, KEEP_AT_MOST)));
}

function orderItem(o, buttons) {
  const shipment = [o.carrier, o.trackingNumber].filter(Boolean).join(" ");
  return h(
    "li",
    { class: "card", "data-order": o.orderId, "data-shop": o.shopId },
    h("strong", {}, o.orderId),
    ` · ${o.shopId} · ${formatMoney(o.amount)}`,
    h("p", {}, orderDates(o)),
    shipment ? h("p", {}, `${t("order.shipment")}: ${shipment}`) : null,
    buttons.length ? h("div", { class: "action-buttons" }, buttons) : null,
  );
}

/** The kept orders, each as the API answers it now, with the actions it allows. */
async function drawOrders(target) {
  const slot = h("div", { class: "form-slot" });
  const redraw = () => drawOrders(target).catch((error) => target.append(problem(error)));
  const found = [];
  for (const k of kept()) {
    const { order } = await gql(ONE_ORDER, k);
    if (order) found.push(order);
  }
  const items = found.map((o) =>
    orderItem(o, actionButtons(slot, o.allowedActions, ORDER_ACTIONS, o, { selection: ORDER_RESULT, onDone: redraw })),
  );
  clear(target, items.length ? h("ul", { class: "items" }, items) : h("p", {}, t("market.noOrders")), slot);
}

function standingView(s) {
  if (!s) return h("p", {}, t("seller.notFound"));
  const yesNo = (value) => h("span", { class: value ? "verified" : "error" }, value ? t("yes") : t("no"));
  return h(
    "div",
    { class: "card", "data-standing": s.shopId },
    h("h3", {}, `${s.shopId} · ${label("sellerStatus", s.status)}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("market.canTakeOrders")),
      h("dd", { "data-can": "takeOrders" }, yesNo(s.canTakeOrders)),
      h("dt", {}, t("market.canListProducts")),
      h("dd", { "data-can": "listProducts" }, yesNo(s.canListProducts)),
      s.restrictedUntil ? [h("dt", {}, t("market.restrictedUntil")), h("dd", {}, formatTime(s.restrictedUntil))] : null,
    ),
    s.activeSanctions.length
      ? h(
          "ul",
          { class: "items" },
          s.activeSanctions.map((x) =>
            h("li", { "data-sanction": x.id }, h("strong", {}, label("sanction", x.kind)), ` · ${formatTime(x.imposedAt)}`, x.until ? ` · ${t("seller.until", { at: formatTime(x.until) })}` : "", h("p", {}, x.reason)),
          ),
        )
      : h("p", {}, t("seller.noSanctions")),
  );
}

/** The marketplace's webhook endpoints, and the form to add one when the API offers it. */
async function drawHooks(target, notice) {
  const { viewerAllowedActions, marketplaceWebhookEndpoints } = await gql(HOOKS);
  const slot = h("div", { class: "form-slot" });
  const onDone = (name, result) => {
    clear(notice, result?.secret ? secretNotice(result.secret) : null);
    drawHooks(target, notice).catch((error) => target.append(problem(error)));
  };
  const endpoints = marketplaceWebhookEndpoints.map((w) =>
    endpointItem(w, actionButtons(slot, w.allowedActions, ENDPOINT_ACTIONS, { endpointId: w.id }, { selection: ENDPOINT_RESULT, onDone })),
  );
  const register = { registerMarketplaceWebhook: MARKETPLACE_ACTIONS.registerMarketplaceWebhook };
  const buttons = actionButtons(slot, viewerAllowedActions, register, {}, { onDone });
  clear(
    target,
    endpoints.length ? h("ul", { class: "items" }, endpoints) : h("p", {}, t("list.empty")),
    buttons.length ? h("div", { class: "action-buttons" }, buttons) : null,
    slot,
  );
}

function card(key, ...content) {
  const id = `market-${key}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, t(`market.${key}`)), content);
}

export async function marketplacePage(main) {
  const recorded = h("div", { role: "status" });
  const orders = h("div", { "data-list": "orders" });
  const standing = h("div", { "aria-live": "polite" });
  const notice = h("div", { role: "status" });
  const hooks = h("div");
  const spec = MARKETPLACE_ACTIONS.recordOrder;
  const record = buildForm({
    fields: spec.fields,
    submitLabel: label("action", "recordOrder"),
    submit: async (values) => {
      clear(recorded);
      const o = await mutate("recordOrder", spec.input, { ...values, idempotencyKey: newKey() }, ORDER_RESULT);
      keep(o);
      const at = formatTime(o.complaintWindowEndsAt);
      clear(recorded, h("p", { class: "notice" }, t("market.recorded", { orderId: o.orderId, shopId: o.shopId, at })));
    },
    onDone: () => drawOrders(orders).catch((error) => orders.append(problem(error))),
  });
  record.setAttribute("data-form", "recordOrder");
  const lookUp = buildForm({
    fields: [text("shopId"), text("orderId")],
    submitLabel: t("market.lookUp"),
    submit: async (values) => {
      const { order } = await gql(ONE_ORDER, values);
      if (!order) throw new ApiError("NOT_FOUND", t("market.orderNotFound"));
      keep(order);
    },
    onDone: () => drawOrders(orders).catch((error) => orders.append(problem(error))),
  });
  lookUp.setAttribute("data-form", "lookUpOrder");
  const standingForm = buildForm({
    fields: [text("shopId")],
    submitLabel: t("market.readStanding"),
    submit: async ({ shopId }) => clear(standing, standingView((await gql(STANDING, { shopId })).sellerStanding)),
  });
  standingForm.setAttribute("data-form", "sellerStanding");
  await drawOrders(orders);
  await drawHooks(hooks, notice);
  clear(
    main,
    h("h1", {}, t("nav.marketplace")),
    h("p", { class: "notice" }, t("market.hint")),
    card("record", h("p", { class: "hint" }, t("market.recordHint")), recorded, record),
    card("orders", orders, h("h3", {}, t("market.lookUp")), lookUp),
    card("standing", h("p", { class: "hint" }, t("market.standingHint")), standingForm, standing),
    card("webhooks", h("p", { class: "hint" }, t("market.webhooksHint")), notice, hooks),
  );
}
