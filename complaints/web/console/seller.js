// The seller's own pages: its shop (standing, policy, sanctions and their appeals) and its
// webhook endpoints. What may be done on them is what the API allows.

import { gql } from "./api.js";
import { actionButtons, problem } from "./common.js";
import { deliveryList } from "./deliveries.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { SHOP_ACTIONS, secretNotice, shopView } from "./shop.js";

/** The shop, as its own staff see it. */
export async function sanctionsPage(main, me) {
  const shop = h("div");
  await shopView(shop, me.shopId);
  clear(main, h("h1", {}, t("nav.sanctions")), shop);
}

const WEBHOOKS = `query Console_Webhooks($shopId: String!) {
  seller(shopId: $shopId) { shopId allowedActions }
  webhookEndpoints(shopId: $shopId) { id url events status disabledReason createdAt allowedActions }
}`;

/** Every mutation WebhookEndpoint.allowedActions may list. */
export const ENDPOINT_ACTIONS = {
  removeWebhook: { input: "WebhookEndpointInput", fields: [], keys: ["endpointId"] },
  redeliverWebhooks: {
    input: "RedeliverWebhooksInput",
    fields: [{ name: "after", kind: "number", required: true }],
    keys: ["endpointId"],
  },
};
/** Of the shop's own actions, the one this page is about. */
const REGISTER = { registerWebhook: SHOP_ACTIONS.registerWebhook };
const ENDPOINT_RESULT = "... on WebhookEndpoint { id }";

export function endpointItem(w, buttons) {
  return h(
    "li",
    { class: "card", "data-endpoint": w.id },
    h("code", {}, w.url),
    ` · ${w.status}`,
    w.disabledReason ? h("p", {}, w.disabledReason) : null,
    h("p", {}, w.events.length ? w.events.join(", ") : t("webhooks.allEvents")),
    buttons.length ? h("div", { class: "action-buttons" }, buttons) : null,
  );
}

/** The shop's endpoints; a new one's signing secret is shown once, above the list. */
export async function webhooksPage(main, me) {
  const notice = h("div", { role: "status" });
  const content = h("div");
  const draw = async () => {
    const { seller, webhookEndpoints } = await gql(WEBHOOKS, { shopId: me.shopId });
    const slot = h("div", { class: "form-slot" });
    const onDone = (name, result) => {
      clear(notice, result?.secret ? secretNotice(result.secret) : null);
      draw().catch((error) => content.append(problem(error)));
    };
    // Each endpoint with its recent deliveries (a removed one's are gone with it).
    const endpoints = await Promise.all(
      webhookEndpoints.map(async (w) => {
        const item = endpointItem(w, actionButtons(slot, w.allowedActions, ENDPOINT_ACTIONS, { endpointId: w.id }, { selection: ENDPOINT_RESULT, onDone }));
        if (w.status !== "REMOVED") item.append(await deliveryList(w.id));
        return item;
      }),
    );
    const register = actionButtons(slot, seller?.allowedActions || [], REGISTER, { shopId: me.shopId }, { onDone });
    clear(
      content,
      endpoints.length ? h("ul", { class: "items" }, endpoints) : h("p", {}, t("list.empty")),
      register.length ? h("div", { class: "action-buttons" }, register) : null,
      slot,
    );
  };
  await draw();
  clear(main, h("h1", {}, t("nav.webhooks")), notice, content);
}
