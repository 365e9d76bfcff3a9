// The hash-chained history of a shop or of a violation report (shopAuditTrail,
// violationAuditTrail), for staff and auditors: each event in words, who recorded it and when,
// and whether the chain verifies. A viewer the API does not let read it sees no history.
// A violation's own page (#/violation/<id>) shows the report and its history.

import { ApiError, gql } from "./api.js";
import { problem } from "./common.js";
import { clear, h, tableWrap } from "./dom.js";
import { formatMoney, formatTime, label, t } from "./i18n.js";

const EVENT = "version type recordedAt actorRole actorId data hash";
const SHOP_TRAIL = `query Console_ShopTrail($shopId: String!) {
  shopAuditTrail(shopId: $shopId) { verified firstBrokenVersion events { ${EVENT} } }
}`;
const VIOLATION = `query Console_Violation($id: ID!) {
  node(id: $id) { ... on Violation { id shopId kind status reportedAt reportedBy decidedAt description
    sellerResponse responseDueAt decisionDueAt rationale rules { code title } } }
}`;
const VIOLATION_TRAIL = `query Console_ViolationTrail($id: ID!) {
  violationAuditTrail(violationId: $id) { verified firstBrokenVersion events { ${EVENT} } }
}`;

const money = (m) => (m ? formatMoney(m) : "");
const when = (iso) => (iso ? formatTime(iso) : "");

/** What an event of a shop's or a violation's record says, in words (empty when its name
 * says it all). */
function detail(type, d) {
  switch (type) {
    case "Registered":
      return t("history.deposit", { amount: money(d.deposit) });
    case "DepositToppedUp":
    case "FineReturned":
      return t("history.balance", { amount: money(d.amount), balance: d.balance_after, debt: d.debt_after });
    case "DepositDeducted":
      return `${t("history.balance", { amount: money(d.amount), balance: d.balance_after, debt: d.debt_after })} · ${d.reason}`;
    case "AfterSalesPolicySet":
      return d.policy
        ? `${t("seller.policy", { days: d.policy.return_window_days, months: d.policy.warranty_months })} · ${
            d.policy.exchange_allowed ? t("seller.exchange") : t("seller.noExchange")
          } · ${d.policy.terms}`
        : "";
    case "SanctionImposed":
      return [
        `${label("sanction", d.kind)} (${d.sanction_id})`,
        d.until ? t("seller.until", { at: when(d.until) }) : t("standing.untilLifted"),
        d.fine ? `${t("field.fine")}: ${money(d.fine)}` : null,
        d.reason,
      ]
        .filter(Boolean)
        .join(" · ");
    case "SanctionLifted":
      return `${d.sanction_id} · ${d.reason}`;
    case "SanctionExpired":
      return d.sanction_id;
    case "SanctionAppealed":
      return [d.sanction_id, d.grounds, d.decision_due_at ? t("case.due", { when: when(d.decision_due_at) }) : null].filter(Boolean).join(" · ");
    case "SanctionAppealDecided":
      return `${d.sanction_id} · ${d.granted ? t("case.appealGranted") : t("case.appealRefused")} · ${d.rationale}`;
    case "SpotCheckRecorded":
      return `${d.passed ? t("history.passed") : t("history.failed")}${d.findings ? ` · ${d.findings}` : ""}`;
    case "ViolationConfirmed":
      return label("violation", d.kind);
    case "Struck":
      return [t("history.strike", { strike: d.strike }), d.sanction_kind ? label("sanction", d.sanction_kind) : null, d.reason].filter(Boolean).join(" · ");
    case "Reported":
      return [label("violation", d.kind), d.description].filter(Boolean).join(" · ");
    case "Responded":
      return d.response || "";
    case "Confirmed":
      return [d.rationale, (d.rule_codes || []).join(", ")].filter(Boolean).join(" · ");
    case "Dismissed":
      return d.reason || "";
    default:
      return "";
  }
}

/** A trail's verdict and its events, as a table named `name`. */
export function historyTable(trail, name) {
  return [
    h(
      "p",
      { class: trail.verified ? "verified" : "error", "data-verified": String(trail.verified) },
      trail.verified ? t("audit.verified") : t("audit.broken", { version: trail.firstBrokenVersion }),
    ),
    tableWrap(
      name,
      h(
        "table",
        { class: "history" },
        h("thead", {}, h("tr", {}, ["audit.version", "audit.type", "history.detail", "audit.at", "audit.actor", "audit.hash"].map((k) => h("th", { scope: "col" }, t(k))))),
        h(
          "tbody",
          {},
          trail.events.map((e) =>
            h(
              "tr",
              { "data-event": e.type },
              h("td", {}, e.version),
              h("td", {}, label("history", e.type)),
              h("td", {}, detail(e.type, e.data || {})),
              h("td", {}, formatTime(e.recordedAt)),
              h("td", {}, `${label("role", e.actorRole)} ${e.actorId || ""}`),
              h("td", {}, h("code", { title: e.hash }, e.hash.slice(0, 12))),
            ),
          ),
        ),
      ),
    ),
  ];
}

/** Read a trail; null when the API does not let this viewer read it. */
async function readTrail(query, variables, field) {
  try {
    return (await gql(query, variables))[field];
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_ALLOWED") return null;
    throw error;
  }
}

/** The shop's history as a section, or null for a viewer who may not read it. */
export async function shopHistory(shopId) {
  const trail = await readTrail(SHOP_TRAIL, { shopId }, "shopAuditTrail");
  if (!trail) return null;
  return h("section", { class: "card", "data-history": "shop", "aria-labelledby": "shop-history" }, h("h2", { id: "shop-history" }, t("history.shop")), historyTable(trail, t("history.shop")));
}

/** One violation report: what was reported and decided, and its history. */
export async function violationPage(main, id) {
  const { node: v } = await gql(VIOLATION, { id });
  if (!v) return clear(main, h("h1", {}, t("nav.violations")), problem(new ApiError("NOT_FOUND", t("violations.notFound"))));
  const trail = await readTrail(VIOLATION_TRAIL, { id }, "violationAuditTrail");
  clear(
    main,
    h("p", {}, h("a", { href: "#/violations" }, t("violations.back"))),
    h("h1", {}, `${v.shopId} · ${label("violation", v.kind)}`),
    h(
      "div",
      { class: "card", "data-violation": v.id },
      h("p", {}, h("span", { class: "badge" }, label("violationStatus", v.status)), ` · ${formatTime(v.reportedAt)} · ${label("role", v.reportedBy)}`),
      v.description ? h("p", {}, v.description) : null,
      v.sellerResponse ? h("p", {}, `${t("violations.response")}: ${v.sellerResponse}`) : null,
      v.status === "REPORTED" && v.responseDueAt ? h("p", { class: "due" }, t("violations.answerBy", { when: formatTime(v.responseDueAt) })) : null,
      v.status === "REPORTED" && v.decisionDueAt ? h("p", { class: "due" }, t("violations.decideBy", { when: formatTime(v.decisionDueAt) })) : null,
      v.rationale ? h("p", { class: "rationale" }, `${t("violations.rationale")}: ${v.rationale}`) : null,
      v.rules.length ? h("small", {}, v.rules.map((r) => `${r.code} ${r.title}`).join(" · ")) : null,
    ),
    trail
      ? h("section", { class: "card", "data-history": "violation", "aria-labelledby": "violation-history" }, h("h2", { id: "violation-history" }, t("history.violation")), historyTable(trail, t("history.violation")))
      : h("p", { class: "hint" }, t("history.staffOnly")),
  );
}
