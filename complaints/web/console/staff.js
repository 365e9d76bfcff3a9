// Platform staff's own pages: the supervision queue, and the shops page (look a shop up and
// act on it as the API allows; register a new one when the API offers that).

import { gql, mutate } from "./api.js";
import { newKey } from "./common.js";
import { clear, h } from "./dom.js";
import { buildForm } from "./forms.js";
import { formatTime, label, t } from "./i18n.js";
import { pagedList } from "./paging.js";
import { shopView } from "./shop.js";

const STARTING = "query Console_Starting { viewerAllowedActions }";

function registerForm(found) {
  return buildForm({
    fields: [
      { name: "shopId", kind: "text", required: true },
      { name: "name", kind: "text", required: true },
      { name: "deposit", kind: "money", required: true },
    ],
    submitLabel: t("shops.register"),
    submit: async (values) => {
      const s = await mutate("registerSeller", "RegisterSellerInput", { ...values, idempotencyKey: newKey() }, "... on Seller { shopId name }");
      clear(found, h("p", { class: "notice", role: "status" }, t("shops.registered", { name: s.name, shopId: s.shopId })));
    },
  });
}

/** Look a shop up; register a new one with its deposit. */
export async function shopsPage(main) {
  const { viewerAllowedActions: starting } = await gql(STARTING);
  const found = h("div", { "aria-live": "polite" });
  const lookup = buildForm({
    fields: [{ name: "shopId", kind: "text", required: true }],
    submitLabel: t("shops.lookUp"),
    submit: async ({ shopId }) => shopView(found, shopId),
  });
  clear(
    main,
    h("h1", {}, t("nav.shops")),
    found,
    h("h2", {}, t("shops.lookUp")),
    lookup,
    starting.includes("registerSeller") ? [h("h2", {}, t("shops.register")), registerForm(found)] : null,
  );
}

const SUPERVISION = `query Console_Supervision($first: Int, $after: String) { supervisionQueue(first: $first, after: $after) {
  totalCount edges { node { kind shopId since dueAt detail complaint { id reference status } } } pageInfo { hasNextPage endCursor }
} }`;

function supervisionItem(item) {
  return h(
    "li",
    { class: "card" },
    h("strong", {}, label("supervision", item.kind)),
    " · ",
    item.complaint ? h("a", { href: `#/case/${encodeURIComponent(item.complaint.id)}` }, item.complaint.reference) : item.shopId,
    h("p", {}, item.detail),
    h("small", {}, `${t("supervision.since")} ${formatTime(item.since)}`),
  );
}

/** The supervision queue, the longest-waiting first, a page at a time (keeping its place). */
export async function supervisionPage(main) {
  const list = h("ul", { class: "items" });
  const count = h("p", { class: "count" });
  const { top, more } = await pagedList({
    list,
    load: async (after, first) => (await gql(SUPERVISION, { first, after })).supervisionQueue,
    item: supervisionItem,
    onPage: (queue) => (count.textContent = t("supervision.count", { n: queue.totalCount })),
    keep: true,
    name: "supervision",
  });
  clear(main, h("h1", {}, t("nav.supervision")), count, top, list.children.length ? [list, more] : h("p", {}, t("list.empty")));
}
