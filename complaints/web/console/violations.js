// Reported violations, for every signed-in role: the reports the viewer may read, with a form
// for each action the API allows on each (Violation.allowedActions), and the form to report
// one when the API offers it (Query.viewerAllowedActions).

import { ApiError, gql, mutate } from "./api.js";
import { actionButtons, newKey } from "./common.js";
import { clear, h } from "./dom.js";
import { area, buildForm } from "./forms.js";
import { formatTime, label, t } from "./i18n.js";
import { pagedList } from "./paging.js";

const VIOLATIONS = `query Console_Violations($first: Int, $after: String) { violations(first: $first, after: $after) {
  totalCount edges { node { id shopId kind status reportedAt reportedBy description sellerResponse allowedActions
    responseDueAt decisionDueAt rationale rules { code title } } } pageInfo { hasNextPage endCursor }
} }`;
const RULES = "query Console_ViolationRules { rules { code title } }";
const STARTING = "query Console_Starting { viewerAllowedActions }";
const VIOLATION_KINDS = ["COUNTERFEIT", "FRAUD", "MISREPRESENTATION", "OTHER"];
const VIOLATION_RESULT = "... on Violation { id status }";

/** Every mutation Violation.allowedActions may list. */
export const VIOLATION_ACTIONS = {
  respondToViolation: { input: "RespondToViolationInput", fields: [area("response")], keys: ["violationId"] },
  confirmViolation: {
    input: "ViolationActionInput",
    fields: [area("rationale"), { name: "ruleCodes", kind: "rules", required: true }],
    keys: ["violationId"],
  },
  dismissViolation: { input: "DismissViolationInput", fields: [area("reason")], keys: ["violationId"] },
};

/** The reports the API lets this viewer list, a page at a time (keeping its place in the route),
 * drawn into `list`; null when it lets them list none (a consumer reports, and reads its own
 * report by its address, but lists nothing). The rulebook, for a confirmation's rules, is read
 * into `context` once some report listed can be confirmed. */
async function readable(list, count, context, redraw) {
  const load = async (after, first) => {
    const { violations } = await gql(VIOLATIONS, { first, after });
    if (!context.rules.length && violations.edges.some(({ node }) => node.allowedActions.includes("confirmViolation"))) {
      context.rules = (await gql(RULES)).rules;
    }
    return violations;
  };
  const item = (v) => {
    const slot = h("div", { class: "form-slot" });
    const buttons = actionButtons(slot, v.allowedActions, VIOLATION_ACTIONS, { violationId: v.id }, { selection: VIOLATION_RESULT, onDone: () => redraw(), context });
    return violationItem(v, buttons, slot);
  };
  try {
    return await pagedList({
      list,
      load,
      item,
      onPage: (violations) => (count.textContent = t("violations.count", { n: violations.totalCount })),
      keep: true,
      name: "violations",
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_ALLOWED") return null;
    throw error;
  }
}

function violationItem(v, buttons, slot) {
  return h(
    "li",
    { class: "card", "data-violation": v.id },
    h("strong", {}, `${v.shopId} · ${label("violation", v.kind)}`),
    " ",
    h("span", { class: "badge" }, label("violationStatus", v.status)),
    ` · ${formatTime(v.reportedAt)} · ${label("role", v.reportedBy)}`,
    v.description ? h("p", {}, v.description) : null,
    v.sellerResponse ? h("p", {}, `${t("violations.response")}: ${v.sellerResponse}`) : null,
    v.status === "REPORTED" && v.responseDueAt ? h("p", { class: "due" }, t("violations.answerBy", { when: formatTime(v.responseDueAt) })) : null,
    v.status === "REPORTED" && v.decisionDueAt ? h("p", { class: "due" }, t("violations.decideBy", { when: formatTime(v.decisionDueAt) })) : null,
    v.rationale ? h("p", { class: "rationale" }, `${t("violations.rationale")}: ${v.rationale}`) : null,
    v.rules?.length ? h("small", {}, v.rules.map((r) => `${r.code} ${r.title}`).join(" · ")) : null,
    h("p", {}, h("a", { href: `#/violation/${encodeURIComponent(v.id)}` }, t("violations.history"))),
    buttons.length ? h("div", { class: "action-buttons" }, buttons) : null,
    slot,
  );
}

function reportForm(redraw) {
  const sent = h("div");
  const form = buildForm({
    fields: [
      { name: "shopId", kind: "text", required: true },
      { name: "violationKind", kind: "select", options: VIOLATION_KINDS, group: "violation", required: true, labelKey: "field.violationKind" },
      { name: "description", kind: "textarea", required: true },
      { name: "complaintId", kind: "text", labelKey: "field.complaintReference" },
    ],
    submitLabel: t("violations.report"),
    submit: ({ violationKind, ...values }) =>
      mutate("reportViolation", "ReportViolationInput", { ...values, kind: violationKind, idempotencyKey: newKey() }, VIOLATION_RESULT),
    onDone: () => {
      form.reset();
      clear(sent, h("p", { class: "notice", role: "status" }, t("violations.reported")));
      redraw?.();
    },
  });
  form.setAttribute("data-form", "reportViolation");
  return [h("h2", {}, t("violations.report")), sent, form];
}

export async function violationsPage(main, { redraw }) {
  const list = h("ul", { class: "items" });
  const count = h("p", { class: "count" });
  const context = { rules: [] };
  const [paged, { viewerAllowedActions: starting }] = await Promise.all([readable(list, count, context, redraw), gql(STARTING)]);
  clear(
    main,
    h("h1", {}, t("nav.violations")),
    paged ? [count, paged.top] : null,
    list.children.length ? [list, paged.more] : h("p", {}, t("list.empty")),
    // A new report shows in the list of those who list reports.
    starting.includes("reportViolation") ? reportForm(paged ? redraw : null) : null,
  );
}
