// Personal data: erasing a data subject (eraseSubject), for the viewers the API offers it to
// (Query.viewerAllowedActions). Erasure destroys the subject's keys: their personal text reads
// "[erased]" everywhere from then on, and it cannot be undone, so the form asks twice.

import { gql, mutate } from "./api.js";
import { newKey } from "./common.js";
import { clear, h } from "./dom.js";
import { buildForm } from "./forms.js";
import { formatTime, t } from "./i18n.js";

const STARTING = "query Console_Starting { viewerAllowedActions }";
const RECEIPT = "... on ErasureReceipt { subjectId erasedAt }";

function eraseForm(result) {
  const confirm = h("div", { class: "form-slot" });
  const form = buildForm({
    fields: [{ name: "subjectId", kind: "text", required: true }],
    submitLabel: t("privacy.erase"),
    // The first step only asks: the erasure is sent from the confirmation.
    submit: async ({ subjectId }) => {
      const key = newKey();
      const sure = buildForm({
        fields: [],
        submitLabel: t("privacy.confirm"),
        submit: async () => {
          const receipt = await mutate("eraseSubject", "EraseSubjectInput", { subjectId, idempotencyKey: key }, RECEIPT);
          clear(result, h("p", { class: "notice", role: "status", "data-erased": receipt.subjectId }, t("privacy.erased", { subject: receipt.subjectId, at: formatTime(receipt.erasedAt) })));
        },
        onDone: () => {
          clear(confirm);
          form.reset();
        },
        cancel: () => clear(confirm),
      });
      sure.setAttribute("data-form", "confirmErasure");
      clear(confirm, h("p", { class: "warning", role: "alert" }, t("privacy.warning", { subject: subjectId })), sure);
      sure.querySelector("button")?.focus();
    },
  });
  form.setAttribute("data-form", "eraseSubject");
  return [form, confirm];
}

export async function privacyPage(main) {
  const { viewerAllowedActions: starting } = await gql(STARTING);
  const result = h("div", { "aria-live": "polite" });
  clear(
    main,
    h("h1", {}, t("nav.privacy")),
    h("p", { class: "hint" }, t("privacy.hint")),
    result,
    starting.includes("eraseSubject") ? eraseForm(result) : h("p", {}, t("privacy.notOffered")),
  );
}
