// What every role's pages share: who is signed in, a refusal shown as text, and the buttons for
// the actions the API allows on a record (a shop, a sanction, a violation, a webhook endpoint).
// Which buttons appear is always the API's answer (`allowedActions`), never the viewer's role.

import { ApiError, mutate, session } from "./api.js";
import { clear, h } from "./dom.js";
import { buildForm } from "./forms.js";
import { countdown, formatTime, label, t } from "./i18n.js";

/** The signed-in viewer, from the token's claims: for display, navigation and read scope. */
export function viewer() {
  const claims = session.claims;
  if (!claims) return { role: "PUBLIC", id: null, shopId: null };
  return { role: String(claims.role).toUpperCase(), id: claims.sub, shopId: claims.seller_id || null };
}

export function problem(error) {
  const code = error instanceof ApiError ? error.code : "ERROR";
  return h("p", { class: "error", role: "alert" }, `${label("error", code)}: ${error.message}`);
}

/** When an order was paid and delivered, and until when a complaint about it may be filed. */
export function orderDates(o, now = Date.now()) {
  const ends = o.complaintWindowEndsAt;
  return [
    t("order.paid", { at: formatTime(o.paidAt) }),
    o.deliveredAt ? t("order.delivered", { at: formatTime(o.deliveredAt) }) : t("order.notDelivered"),
    new Date(ends).getTime() > now
      ? t("order.windowUntil", { at: formatTime(ends), left: countdown(ends, now) })
      : t("order.windowClosed", { at: formatTime(ends) }),
  ].join(" · ");
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/** A button that opens a small form in `slot`; once it is sent, `onDone`. */
export function opener(slot, { action, text, fields, submit, onDone, context = {} }) {
  return h(
    "button",
    {
      type: "button",
      "data-action": action,
      onclick: () => {
        const form = buildForm({ fields, submitLabel: text, submit, onDone, context, cancel: () => clear(slot) });
        form.setAttribute("data-form", action);
        clear(slot, h("h3", {}, text), form);
        form.querySelector("input, select, textarea, button")?.focus();
      },
    },
    text,
  );
}

/**
 * A button for each action in `allowed` that `forms` has a form for, in the API's order. Each
 * spec in `forms` names its mutation's input type, the fields the viewer fills in, and `keys`:
 * the input fields taken from `record` (the shop's id, the sanction's, ...). `selection` is what
 * the mutation returns (a spec's own `result` overrides it); `onDone(name, result)` follows a
 * success. `context` is what the forms choose from (the rulebook's rules, ...).
 */
export function actionButtons(slot, allowed, forms, record, { selection, onDone, context = {} }) {
  return allowed
    .filter((name) => name in forms)
    .map((name) => {
      const spec = forms[name];
      const idempotencyKey = newKey();
      let result = null;
      return opener(slot, {
        action: name,
        text: label("action", name),
        fields: spec.fields,
        context,
        submit: async (values) => {
          const keys = Object.fromEntries(spec.keys.map((key) => [key, record[key]]));
          result = await mutate(name, spec.input, { ...keys, ...values, idempotencyKey }, spec.result || selection);
        },
        onDone: () => onDone(name, result),
      });
    });
}
