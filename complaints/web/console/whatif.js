// A supervisor's policy what-if: replay the cases filed in a period under proposed settings
// (policyWhatIf, the same report `complaints whatif` writes) and show what would have changed,
// beside what happened. Nothing is written anywhere.

import { gql } from "./api.js";
import { clear, h, tableWrap } from "./dom.js";
import { buildForm } from "./forms.js";
import { t } from "./i18n.js";

const WHATIF = "query Console_WhatIf($input: PolicyWhatIfInput!) { policyWhatIf(input: $input) }";

/** How often a worker job's progress is asked for. */
const POLL_MS = 2000;

/** The figures compared before and after, as the report names them. */
const FIGURES = ["defaultRulings", "refundsAdvanced", "closed", "medianDaysToClose", "strikes", "fines"];

function counts(value) {
  const entries = Object.entries(value || {});
  return entries.length ? entries.map(([k, n]) => `${k}: ${n}`).join(", ") : "—";
}

function comparison(report) {
  const row = (name, before, after) =>
    h("tr", { class: String(before) === String(after) ? null : "changed" }, h("th", { scope: "row" }, name), h("td", {}, before), h("td", {}, after));
  const table = h(
    "table",
    { class: "card" },
    h("caption", {}, t("whatif.compared")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("whatif.figure")), h("th", { scope: "col" }, t("whatif.before")), h("th", { scope: "col" }, t("whatif.after")))),
    h(
      "tbody",
      {},
      row(t("whatif.outcomes"), counts(report.before.outcomes), counts(report.after.outcomes)),
      FIGURES.map((f) => row(t(`whatif.${f}`), report.before[f] ?? "—", report.after[f] ?? "—")),
      row(t("whatif.sanctions"), counts(report.before.sanctions), counts(report.after.sanctions)),
    ),
  );
  return tableWrap(t("whatif.compared"), table);
}

function changedCases(report) {
  const shown = report.cases.filter((c) => c.tag !== "unchanged");
  if (!shown.length) return h("p", {}, t("whatif.noChange"));
  return h(
    "ul",
    { class: "items" },
    shown.map((c) =>
      h(
        "li",
        { class: "card", "data-tag": c.tag },
        h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, c.reference),
        " · ",
        h("span", { class: "badge" }, t(`whatif.tag.${c.tag}`)),
        " · ",
        c.shop,
        c.reason ? h("p", {}, c.reason) : null,
      ),
    ),
  );
}

function reportView(report) {
  const identity = report.identity.ok
    ? h("p", { class: "notice", role: "status" }, t("whatif.identityOk"))
    : h("p", { class: "error", role: "alert" }, t("whatif.identityBroken", { count: report.identity.divergences.length }));
  return [
    h("h2", {}, t("whatif.result")),
    identity,
    h(
      "dl",
      { class: "facts card" },
      [
        ["whatif.replayed", report.replayed],
        ["whatif.changed", report.changed],
        ["whatif.undetermined", report.undetermined],
        ["whatif.unchanged", report.unchanged],
      ].map(([k, v]) => [h("dt", {}, t(k)), h("dd", { "data-figure": k.split(".")[1] }, String(v))]),
    ),
    comparison(report),
    h("h3", {}, t("whatif.cases")),
    changedCases(report),
  ];
}

/** Ask, and while the answer is a worker job (a large period) show its progress and ask again
 * every POLL_MS until it is done; a report itself has no `status` (docs/whatif.md). */
async function answer(result, input) {
  for (;;) {
    const { policyWhatIf } = await gql(WHATIF, { input });
    const status = policyWhatIf.status;
    if (status === undefined || status === "done") {
      clear(result, reportView(status === undefined ? policyWhatIf : policyWhatIf.report));
      return;
    }
    if (status === "failed") {
      clear(result, h("p", { class: "error", role: "alert" }, t("whatif.failed", { error: policyWhatIf.error })));
      return;
    }
    const { phase, done, total } = policyWhatIf.progress;
    clear(
      result,
      h("p", { class: "loading", id: "whatif-progress" }, t(`whatif.phase.${phase}`, { done, total })),
      h("progress", { max: String(Math.max(total, 1)), value: String(done) }),
    );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!result.isConnected) return; // the supervisor went elsewhere
  }
}

export async function whatIfPage(main) {
  const result = h("section", { "aria-live": "polite", id: "whatif-result" });
  const form = buildForm({
    fields: [
      { name: "settings", kind: "textarea", labelKey: "whatif.settings" },
      { name: "from", kind: "datetime", required: true, labelKey: "whatif.from" },
      { name: "to", kind: "datetime", required: true, now: true, labelKey: "whatif.to" },
    ],
    submitLabel: t("whatif.run"),
    submit: async ({ settings, from, to }) => {
      const lines = (settings || "").split("\n").map((s) => s.trim()).filter(Boolean);
      clear(result, h("p", { class: "loading" }, t("app.loading")));
      try {
        await answer(result, { settings: lines, from, to });
      } catch (error) {
        clear(result);
        throw error;
      }
    },
  });
  clear(
    main,
    h("h1", {}, t("nav.whatif")),
    h("p", { class: "hint" }, t("whatif.hint", { example: "DEADLINES=seller_response=24h" })),
    form,
    result,
  );
}
