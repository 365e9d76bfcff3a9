// The pages anyone may read, signed in or not: sanctioned sellers and the platform's statistics.

import { gql } from "./api.js";
import { clear, h } from "./dom.js";
import { formatTime, label, t } from "./i18n.js";
import { pagedList } from "./paging.js";

const SANCTIONED = `query Console_Sanctioned($first: Int, $after: String) { sanctionedSellers(first: $first, after: $after) {
  totalCount edges { node { shopId name status sanctions { kind reason imposedAt liftedAt } } } pageInfo { hasNextPage endCursor }
} }`;

function sanctionedItem(s) {
  return h(
    "li",
    { class: "card", "data-sanctioned": s.shopId },
    h("strong", {}, `${s.name} (${s.shopId})`),
    s.sanctions.filter((x) => !x.liftedAt).map((x) => h("p", {}, `${label("sanction", x.kind)} · ${formatTime(x.imposedAt)} · ${x.reason}`)),
  );
}

/** Shops under an active sanction, the latest first, a page at a time (keeping its place). */
export async function sanctionedPage(main) {
  const list = h("ul", { class: "items" });
  const count = h("p", { class: "count" });
  const { top, more } = await pagedList({
    list,
    load: async (after, first) => (await gql(SANCTIONED, { first, after })).sanctionedSellers,
    item: sanctionedItem,
    onPage: (sellers) => (count.textContent = t("sanctioned.count", { n: sellers.totalCount })),
    keep: true,
    name: "sanctioned",
  });
  clear(main, h("h1", {}, t("nav.sanctioned")), count, top, list.children.length ? [list, more] : h("p", {}, t("list.empty")));
}

const STATISTICS = `query Console_Statistics($from: DateTime!, $to: DateTime!) { statistics(from: $from, to: $to) {
  filed closed byCategory byOutcome medianResolutionHours satisfactionAverage escalations advanceRefunds
} }`;

function barChart(title, counts, group) {
  const entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const rowHeight = 28;
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 400 ${Math.max(1, entries.length) * rowHeight}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
  entries.forEach(([key, n], i) => {
    const bar = document.createElementNS(NS, "rect");
    bar.setAttribute("x", "160");
    bar.setAttribute("y", String(i * rowHeight + 4));
    bar.setAttribute("height", String(rowHeight - 8));
    bar.setAttribute("width", String((200 * n) / max));
    bar.setAttribute("class", "bar");
    const name = document.createElementNS(NS, "text");
    name.setAttribute("x", "0");
    name.setAttribute("y", String(i * rowHeight + 19));
    name.textContent = label(group, key);
    const value = document.createElementNS(NS, "text");
    value.setAttribute("x", String(166 + (200 * n) / max));
    value.setAttribute("y", String(i * rowHeight + 19));
    value.textContent = String(n);
    svg.append(bar, name, value);
  });
  return h("figure", { class: "chart card" }, h("figcaption", {}, title), entries.length ? svg : h("p", {}, t("list.empty")));
}

export async function statisticsPage(main) {
  const to = new Date();
  const from = new Date(to.getTime() - 365 * 86400 * 1000);
  const { statistics: s } = await gql(STATISTICS, { from: from.toISOString(), to: to.toISOString() });
  clear(
    main,
    h("h1", {}, t("nav.statistics")),
    h("p", { class: "hint" }, t("statistics.period", { from: formatTime(from.toISOString()), to: formatTime(to.toISOString()) })),
    h(
      "dl",
      { class: "facts card" },
      [
        ["statistics.filed", s.filed],
        ["statistics.closed", s.closed],
        ["statistics.median", s.medianResolutionHours === null ? "—" : `${s.medianResolutionHours.toFixed(1)} h`],
        ["statistics.satisfaction", s.satisfactionAverage === null ? "—" : s.satisfactionAverage.toFixed(2)],
        ["statistics.escalations", s.escalations],
      ].map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, v)]),
    ),
    barChart(t("statistics.byCategory"), s.byCategory, "category"),
    barChart(t("statistics.byOutcome"), s.byOutcome, "outcome"),
  );
}
