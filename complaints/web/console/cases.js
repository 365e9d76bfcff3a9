// The lists of cases that each role's menu opens: a party's own (followed live), intake, an
// arbiter's assignments, a mediator's queue, everything for staff and auditors. The API scopes
// each to the viewer; each comes a page at a time and keeps its page in the route (paging.js).

import { gql, Live } from "./api.js";
import { problem } from "./common.js";
import { clear, h, tableWrap } from "./dom.js";
import { countdown, formatTime, label, t } from "./i18n.js";
import { pagedList } from "./paging.js";

const CASE_ROW = `id reference status category shopId orderId filedAt updatedAt
  requestedRemedy { type amount { amount currency } } deadlines { kind dueAt overdue }`;
const LIST = `query Console_Cases($filter: ComplaintFilter, $order: ComplaintOrder, $first: Int, $after: String) {
  complaints(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount edges { node { ${CASE_ROW} } } pageInfo { hasNextPage endCursor }
  }
}`;

function soonest(deadlines) {
  return deadlines.map((d) => d.dueAt).sort()[0] || null;
}

const MY_UPDATES = "subscription Console_MyUpdates { myComplaintUpdates { position } }";

function caseRow(c) {
  const due = soonest(c.deadlines);
  return h(
    "tr",
    { "data-reference": c.reference },
    h("th", { scope: "row" }, h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, c.reference)),
    h("td", {}, h("span", { class: `badge status-${c.status}` }, label("status", c.status))),
    h("td", {}, label("category", c.category)),
    h("td", {}, c.shopId),
    h("td", {}, formatTime(c.filedAt)),
    h("td", {}, due ? h("time", { datetime: due, "data-countdown": due }, countdown(due)) : "—"),
  );
}

/** A list of cases drawn into `main`, a page at a time, keeping its place in the route; with
 * `live`, it follows the viewer's cases as they change (from the first page again).
 * Returns a function that stops following them. */
export async function caseList(main, title, filter, order = "NEWEST", live = false) {
  const table = h("tbody");
  const count = h("p", { class: "count" });
  const { top, more, reset } = await pagedList({
    list: table,
    load: async (after, first) => (await gql(LIST, { filter, order, first, after })).complaints,
    item: caseRow,
    onPage: (complaints) => (count.textContent = t("list.count", { n: complaints.totalCount })),
    keep: true,
    name: "cases",
  });
  // A party's own list follows its cases live: a new filing, a status that moved.
  let stop = () => {};
  if (live) {
    const socket = new Live();
    let reloading = null;
    const unsubscribe = socket.subscribe(
      MY_UPDATES,
      () => ({}),
      () => {
        reloading = reloading || reset().catch((e) => more.append(problem(e))).finally(() => (reloading = null));
      },
    );
    stop = () => {
      unsubscribe();
      socket.close();
    };
  }
  clear(
    main,
    h("h1", {}, title),
    count,
    top,
    tableWrap(
      title,
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["list.reference", "list.status", "list.category", "list.shop", "list.filed", "list.deadline"].map((k) => h("th", { scope: "col" }, t(k))))),
        table,
      ),
    ),
    more,
  );
  return stop;
}
