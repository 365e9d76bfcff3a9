// A webhook endpoint's recent deliveries (webhookDeliveries), the newest first, a page at a time:
// what was sent, whether it arrived, how many attempts it took, what the endpoint answered and
// when the platform tries again. Redelivering is the endpoint's own action (redeliverWebhooks).

import { gql } from "./api.js";
import { h } from "./dom.js";
import { formatTime, label, t } from "./i18n.js";
import { pagedList } from "./paging.js";

/** How many deliveries a page shows; "more" asks for the next, after the last shown. */
const PAGE = 5;
const DELIVERIES = `query Console_Deliveries($endpointId: ID!, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {
    edges { node { id position eventType status attempts lastStatusCode lastAttemptAt nextAttemptAt lastError } }
    pageInfo { hasNextPage endCursor }
  }
}`;

function answer(d) {
  if (d.lastStatusCode !== null) return t("deliveries.code", { code: d.lastStatusCode });
  return d.lastError || "";
}

function deliveryItem(d) {
  return h(
    "li",
    { "data-delivery": d.id, "data-status": d.status },
    h("span", { class: "badge" }, label("delivery", d.status)),
    " ",
    h("code", {}, d.eventType),
    ` · ${t("deliveries.position", { position: d.position })} · ${t("deliveries.attempts", { count: d.attempts })}`,
    h(
      "small",
      {},
      [
        answer(d),
        d.lastAttemptAt ? t("deliveries.lastAttempt", { at: formatTime(d.lastAttemptAt) }) : null,
        d.nextAttemptAt ? t("deliveries.nextAttempt", { at: formatTime(d.nextAttemptAt) }) : null,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
  );
}

/** The endpoint's deliveries, as a section of its card. */
export async function deliveryList(endpointId) {
  const list = h("ul", { class: "deliveries" });
  const empty = h("p", { class: "hint" }, t("deliveries.none"));
  const { more } = await pagedList({
    list,
    name: "deliveries",
    size: PAGE,
    load: async (after, first) => (await gql(DELIVERIES, { endpointId, first, after })).webhookDeliveries,
    item: deliveryItem,
    onPage: () => {
      empty.hidden = list.children.length > 0;
    },
  });
  return h("section", { class: "deliveries", "data-deliveries": endpointId }, h("h3", {}, t("deliveries.title")), empty, list, more);
}
