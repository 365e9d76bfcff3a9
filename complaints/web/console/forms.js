// Small forms: one per action the API allows. A typed refusal is shown beside the field it names.

import { ApiError, upload } from "./api.js";
import { h, uid } from "./dom.js";
import { label, t } from "./i18n.js";

export const REMEDY_TYPES = [
  "REFUND",
  "PARTIAL_REFUND",
  "RETURN_AND_REFUND",
  "EXCHANGE",
  "REPAIR",
  "RESHIP",
  "COMPENSATION",
  "EXPLANATION_ONLY",
];
export const CATEGORIES = [
  "NOT_RECEIVED",
  "NOT_AS_DESCRIBED",
  "DAMAGED",
  "WRONG_ITEM",
  "COUNTERFEIT",
  "FRAUD",
  "AFTER_SALES_REFUSED",
  "OTHER",
];
export const OUTCOMES = [
  "CONSUMER_FAVOUR_FULL",
  "CONSUMER_FAVOUR_PARTIAL",
  "SELLER_FAVOUR_EXPLAINED",
  "SETTLED_BY_AGREEMENT",
  "REJECTED_INVALID",
];
export const CURRENCIES = ["CNY", "USD", "EUR"];
/** Kinds of evidence a form suggests beside those a request asks for (any text is accepted). */
const EVIDENCE_KINDS = ["photo", "video", "receipt", "chat_log", "document"];

/** Now, as a datetime-local control's value (local time, to the minute). */
export function localNow(at = new Date()) {
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

export const remedy = (name, required = true) => ({ name, kind: "remedy", required });
export const text = (name, required = true) => ({ name, kind: "text", required });
export const area = (name, required = true) => ({ name, kind: "textarea", required });

/** Every complaint mutation the API may list in `allowedActions`: its input type and fields. */
export const ACTIONS = {
  acceptComplaint: { input: "ComplaintActionInput", fields: [] },
  returnComplaintForInfo: {
    input: "ReturnForInfoInput",
    fields: [area("reason"), { name: "missing", kind: "list", required: true }, { name: "ruleCodes", kind: "rules" }],
  },
  rejectComplaint: { input: "RejectComplaintInput", fields: [area("reason"), { name: "ruleCode", kind: "rule" }] },
  resubmitComplaint: { input: "ResubmitComplaintInput", fields: [area("description"), { name: "evidence", kind: "files" }] },
  withdrawComplaint: { input: "ComplaintActionInput", fields: [], confirm: true },
  makeOffer: { input: "MakeOfferInput", fields: [remedy("remedy"), area("message", false)] },
  acceptOffer: { input: "OfferActionInput", fields: [{ name: "offerId", kind: "offer", required: true }] },
  declineOffer: {
    input: "OfferActionInput",
    fields: [{ name: "offerId", kind: "offer", required: true }, area("reason", false)],
  },
  proposeSettlement: { input: "MakeOfferInput", fields: [remedy("remedy"), area("message", false)] },
  requestIntervention: { input: "ComplaintActionInput", fields: [] },
  postMessage: {
    input: "PostMessageInput",
    fields: [area("text"), { name: "visibility", kind: "select", options: ["PARTIES", "STAFF"], group: "visibility", staffOnly: true }],
  },
  assignComplaint: { input: "AssignComplaintInput", fields: [text("arbiterId")] },
  assignMediator: { input: "AssignMediatorInput", fields: [text("mediatorId")] },
  requestEvidence: {
    input: "RequestEvidenceInput",
    fields: [
      { name: "party", kind: "select", options: ["CONSUMER", "SELLER"], group: "role", required: true },
      { name: "kinds", kind: "list", required: true },
      area("note", false),
      { name: "dueAt", kind: "datetime" },
    ],
  },
  submitEvidence: {
    input: "SubmitEvidenceInput",
    fields: [
      { name: "kind", kind: "evidenceKind", required: true },
      area("description"),
      { name: "sha256", kind: "file" },
      { name: "requestId", kind: "request" },
    ],
  },
  recordFinding: { input: "RecordFindingInput", fields: [area("finding")] },
  issueRuling: {
    input: "IssueRulingInput",
    fields: [
      { name: "outcome", kind: "select", options: OUTCOMES, group: "outcome", required: true },
      area("rationale"),
      remedy("remedy", false),
      { name: "ruleCodes", kind: "rules" },
    ],
  },
  acknowledgeRuling: { input: "ComplaintActionInput", fields: [] },
  fileAppeal: { input: "FileAppealInput", fields: [area("grounds")] },
  decideAppeal: {
    input: "DecideAppealInput",
    fields: [
      { name: "grant", kind: "bool" },
      area("rationale"),
      { name: "outcome", kind: "select", options: OUTCOMES, group: "outcome" },
      remedy("remedy", false),
      { name: "ruleCodes", kind: "rules" },
    ],
  },
  confirmRefund: { input: "ComplaintActionInput", fields: [] },
  shipReturn: { input: "ShipReturnInput", fields: [text("carrier"), text("trackingNumber")] },
  confirmReturnReceived: { input: "ComplaintActionInput", fields: [] },
  shipReplacement: { input: "ShipReturnInput", fields: [text("carrier"), text("trackingNumber")] },
  confirmRemedyReceived: { input: "ComplaintActionInput", fields: [] },
  disputeRemedy: { input: "DisputeRemedyInput", fields: [area("reason")] },
  raiseExecutionIssue: { input: "PostMessageInput", fields: [area("text")] },
  resolveExecutionIssue: {
    input: "ResolveIssueInput",
    fields: [{ name: "issueId", kind: "issue" }, area("resolution"), { name: "advanceRefund", kind: "bool" }],
  },
  rateHandling: { input: "RateHandlingInput", fields: [{ name: "score", kind: "score", required: true }, area("comment", false)] },
  pauseClock: { input: "PauseClockInput", fields: [area("reason")] },
  resumeClock: { input: "ComplaintActionInput", fields: [] },
};

function options(values, group, { blank = false } = {}) {
  return [
    blank ? h("option", { value: "" }, t("form.none")) : null,
    ...values.map((value) => h("option", { value }, group ? label(group, value) : value)),
  ];
}

/** One field's control(s) and a reader for its value. */
function control(field, id, context) {
  const required = Boolean(field.required);
  switch (field.kind) {
    case "textarea": {
      const input = h("textarea", { id, name: field.name, rows: 3, required });
      return { element: input, read: () => input.value.trim() || (required ? "" : null) };
    }
    case "list": {
      const input = h("input", { id, name: field.name, type: "text", required, "aria-describedby": `${id}-hint` });
      return {
        element: [input, h("small", { id: `${id}-hint`, class: "hint" }, t("form.listHint"))],
        read: () => input.value.split(/[,，\n]/).map((s) => s.trim()).filter(Boolean),
      };
    }
    case "select": {
      const input = h("select", { id, name: field.name, required }, options(field.options, field.group, { blank: !required }));
      return { element: input, read: () => input.value || null };
    }
    case "bool": {
      const input = h("input", { id, name: field.name, type: "checkbox" });
      return { element: input, read: () => input.checked, inline: true };
    }
    case "datetime": {
      const value = field.now ? localNow() : null;
      const input = h("input", { id, name: field.name, type: "datetime-local", required, value });
      return { element: input, read: () => (input.value ? new Date(input.value).toISOString() : null) };
    }
    case "score": {
      const group = h(
        "fieldset",
        { class: "score", id },
        h("legend", {}, t("field.score")),
        [1, 2, 3, 4, 5].map((n) =>
          h("label", {}, h("input", { type: "radio", name: field.name, value: String(n), required }), ` ${n}`),
        ),
      );
      return {
        element: group,
        read: () => Number(group.querySelector("input:checked")?.value || 0),
        fieldset: true,
      };
    }
    case "remedy": {
      const type = h("select", { id, name: "remedy.type", required }, options(REMEDY_TYPES, "remedy", { blank: !required }));
      const amount = h("input", { id: `${id}-amount`, name: "remedy.amount", type: "text", inputmode: "decimal", placeholder: "0.00" });
      const currency = h("select", { id: `${id}-currency`, "aria-label": t("field.currency") }, options(CURRENCIES));
      return {
        element: h(
          "span",
          { class: "remedy" },
          type,
          h("label", { for: `${id}-amount`, class: "inline" }, t("field.amount")),
          amount,
          currency,
        ),
        read: () => {
          if (!type.value) return null;
          const value = { type: type.value };
          if (amount.value.trim()) value.amount = { amount: amount.value.trim(), currency: currency.value };
          return value;
        },
      };
    }
    case "money": {
      const amount = h("input", { id, name: field.name, type: "text", inputmode: "decimal", required, placeholder: "0.00" });
      const currency = h("select", { id: `${id}-currency`, "aria-label": t("field.currency") }, options(CURRENCIES));
      return {
        element: h("span", { class: "remedy" }, amount, currency),
        // An optional amount left blank is no amount at all.
        read: () => (amount.value.trim() || required ? { amount: amount.value.trim(), currency: currency.value } : null),
      };
    }
    case "number": {
      const input = h("input", { id, name: field.name, type: "number", inputmode: "numeric", min: 0, step: 1, required });
      return { element: input, read: () => (input.value.trim() === "" ? null : Number(input.value)) };
    }
    case "offer": {
      const open = (context.complaint?.offers || []).filter((o) => o.status === "OPEN");
      const input = h(
        "select",
        { id, name: field.name, required },
        open.map((o) => h("option", { value: o.id }, `${label("role", o.by)}: ${label("remedy", o.remedy.type)} ${o.remedy.amount ? o.remedy.amount.amount : ""}`)),
      );
      return { element: input, read: () => input.value };
    }
    case "issue": {
      const open = (context.complaint?.executionIssues || []).filter((i) => !i.resolvedAt);
      const input = h(
        "select",
        { id, name: field.name },
        options([], null, { blank: true }),
        open.map((i) => h("option", { value: i.id }, i.text || label("role", i.raisedBy))),
      );
      return { element: input, read: () => input.value || null };
    }
    case "evidenceKind": {
      const asked = (context.complaint?.evidenceRequests || []).filter((r) => r.status === "OPEN").flatMap((r) => r.kinds);
      const list = `${id}-kinds`;
      const input = h("input", { id, name: field.name, type: "text", required, list, value: asked[0] || "" });
      const kinds = [...new Set([...asked, ...EVIDENCE_KINDS])];
      return { element: [input, h("datalist", { id: list }, kinds.map((k) => h("option", { value: k })))], read: () => input.value.trim() };
    }
    case "request": {
      // The open requests asked of the viewer's side; none chosen: the server takes the oldest
      // open one asking for the kind, and with none such the evidence is volunteered.
      const mine = (context.complaint?.evidenceRequests || []).filter((r) => r.status === "OPEN" && r.party === context.role);
      const input = h(
        "select",
        { id, name: field.name },
        h("option", { value: "" }, t("form.byKind")),
        mine.map((r) => h("option", { value: r.id }, `${r.kinds.join(", ")}${r.note ? ` · ${r.note}` : ""}`)),
      );
      return { element: input, read: () => input.value || null };
    }
    case "rule":
    case "rules": {
      const multiple = field.kind === "rules";
      const input = h(
        "select",
        { id, name: field.name, multiple, size: multiple ? 4 : null },
        multiple ? null : options([], null, { blank: true }),
        (context.rules || []).map((r) => h("option", { value: r.code }, `${r.code} · ${r.title}`)),
      );
      return {
        element: input,
        read: () => {
          const chosen = Array.from(input.selectedOptions, (o) => o.value).filter(Boolean);
          return multiple ? (chosen.length ? chosen : null) : chosen[0] || null;
        },
      };
    }
    case "file": {
      const input = h("input", { id, name: field.name, type: "file", accept: "image/*,application/pdf" });
      return {
        element: input,
        read: async () => (input.files?.[0] ? (await upload(input.files[0])).sha256 : null),
      };
    }
    case "files": {
      // Several files, each uploaded and attached as evidence of the kind its type suggests.
      const input = h("input", { id, name: field.name, type: "file", multiple: true, accept: "image/*,application/pdf" });
      return {
        element: input,
        read: async () => {
          const files = Array.from(input.files || []);
          const attached = [];
          for (const file of files) {
            const stored = await upload(file);
            attached.push({ sha256: stored.sha256, kind: file.type.startsWith("image/") ? "photo" : "document", description: file.name });
          }
          return attached.length ? attached : null;
        },
      };
    }
    default: {
      const input = h("input", { id, name: field.name, type: "text", required });
      return { element: input, read: () => input.value.trim() || (required ? "" : null) };
    }
  }
}

/**
 * A form for `fields`; `submit(values)` runs the API call. Returns the <form>. On an ApiError the
 * message for each field it names is shown beside that field, the rest at the top.
 */
export function buildForm({ fields, submitLabel, submit, context = {}, onDone = () => {}, cancel = null }) {
  const summary = h("p", { class: "error", role: "alert", hidden: true });
  const controls = [];
  const errors = {};
  const rows = fields.map((field) => {
    const id = uid(field.name);
    const made = control(field, id, context);
    const error = h("span", { class: "field-error", id: `${id}-error` });
    errors[field.name] = error;
    controls.push([field, made]);
    const caption = t(field.labelKey || `field.${field.name}`) + (field.required ? " *" : "");
    if (made.fieldset) return h("div", { class: "row" }, made.element, error);
    return h(
      "div",
      { class: made.inline ? "row inline" : "row", "data-field": field.name },
      h("label", { for: id }, caption),
      made.element,
      error,
    );
  });
  const button = h("button", { type: "submit", class: "primary" }, submitLabel);
  const form = h(
    "form",
    { class: "action-form", novalidate: true },
    summary,
    rows,
    h("div", { class: "buttons" }, button, cancel ? h("button", { type: "button", onclick: cancel }, t("form.cancel")) : null),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    summary.hidden = true;
    for (const error of Object.values(errors)) error.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    button.disabled = true;
    try {
      const values = {};
      for (const [field, made] of controls) {
        const value = await made.read();
        if (value !== null && value !== undefined) values[field.name] = value;
      }
      await submit(values);
      onDone();
    } catch (error) {
      show(error);
    } finally {
      button.disabled = false;
    }
  });

  function show(error) {
    const unplaced = [];
    const fieldErrors = error instanceof ApiError ? error.fields : [];
    for (const { field, message } of fieldErrors) {
      const name = field.replace(/^input\./, "");
      const key = name in errors ? name : name.split(/[.[]/)[0];
      if (key in errors) {
        errors[key].textContent = message;
        const row = errors[key].closest(".row");
        row?.querySelector("input, select, textarea")?.setAttribute("aria-invalid", "true");
      } else {
        unplaced.push(`${field}: ${message}`);
      }
    }
    if (!fieldErrors.length || unplaced.length) {
      const code = error instanceof ApiError ? error.code : "ERROR";
      summary.textContent = [`${label("error", code)}: ${error.message}`, ...unplaced].join(" · ");
      summary.hidden = false;
    }
    const first = form.querySelector("[aria-invalid]") || summary;
    // A field inside a closed disclosure is shown with its error.
    const disclosure = first.closest("details");
    if (disclosure) disclosure.open = true;
    first.focus?.();
  }
  return form;
}
