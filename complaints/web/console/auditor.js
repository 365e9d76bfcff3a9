// The auditor's page: a case's hash-chained history, verified, and the case as it stood at any
// version of it.

import { ApiError, gql } from "./api.js";
import { problem } from "./common.js";
import { clear, h } from "./dom.js";
import { buildForm } from "./forms.js";
import { formatMoney, formatTime, label, t } from "./i18n.js";

const AUDIT = `query Console_Audit($id: ID!) { auditTrail(complaintId: $id) {
  verified firstBrokenVersion events { version type recordedAt actorRole actorId hash previousHash }
} }`;
const AS_OF = `query Console_AsOf($id: ID!, $version: Int!) {
  complaintAsOf(id: $id, version: $version) { reference status version updatedAt outcome
    offers { by status remedy { type amount { amount currency } } } deadlines { kind dueAt } }
}`;

export async function auditPage(main, id, { navigate }) {
  if (!id) {
    const form = buildForm({
      fields: [{ name: "reference", kind: "text", required: true }],
      submitLabel: t("audit.open"),
      submit: async ({ reference }) => navigate(`#/audit/${encodeURIComponent(reference)}`),
    });
    return clear(main, h("h1", {}, t("nav.audit")), form);
  }
  const { auditTrail } = await gql(AUDIT, { id });
  const versions = auditTrail.events.length;
  const slider = h("input", { type: "range", id: "as-of", min: 1, max: versions, value: versions, step: 1 });
  const shown = h("output", { for: "as-of" }, String(versions));
  const state = h("div", { class: "card", "aria-live": "polite" });
  const show = async () => {
    shown.textContent = slider.value;
    const { complaintAsOf: c } = await gql(AS_OF, { id, version: Number(slider.value) });
    clear(state, c ? [h("h2", {}, `${c.reference} · v${c.version}`), h("p", {}, `${label("status", c.status)} · ${formatTime(c.updatedAt)}`), c.outcome ? h("p", {}, label("outcome", c.outcome)) : null, c.offers.map((o) => h("p", {}, `${label("role", o.by)}: ${label("remedy", o.remedy.type)} ${formatMoney(o.remedy.amount)} (${label("offer", o.status)})`))] : problem(new ApiError("NOT_FOUND", t("case.notFound"))));
  };
  slider.addEventListener("input", () => show().catch((e) => state.replaceChildren(problem(e))));
  clear(
    main,
    h("h1", {}, t("nav.audit")),
    h("p", { class: auditTrail.verified ? "verified" : "error", "data-verified": String(auditTrail.verified) }, auditTrail.verified ? t("audit.verified") : t("audit.broken", { version: auditTrail.firstBrokenVersion })),
    h("label", { for: "as-of" }, t("audit.asOf")),
    slider,
    shown,
    state,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["audit.version", "audit.type", "audit.at", "audit.actor", "audit.hash"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, auditTrail.events.map((e) => h("tr", {}, h("td", {}, e.version), h("td", {}, label("entry", e.type)), h("td", {}, formatTime(e.recordedAt)), h("td", {}, `${label("role", e.actorRole)} ${e.actorId || ""}`), h("td", {}, h("code", { title: e.hash }, e.hash.slice(0, 12)))))),
      ),
    ),
  );
  await show();
}
