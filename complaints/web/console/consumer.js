// The consumer's own page: filing a complaint, with photos taken or chosen on the phone. (A
// consumer's cases are the shared list; reporting a violation is on the violations page.)

import { mutate, upload } from "./api.js";
import { newKey } from "./common.js";
import { clear, h } from "./dom.js";
import { buildForm, CATEGORIES } from "./forms.js";
import { t } from "./i18n.js";

export function filePage(main, { navigate }) {
  const form = buildForm({
    fields: [
      { name: "shopId", kind: "text", required: true },
      { name: "orderId", kind: "text", required: true },
      { name: "category", kind: "select", options: CATEGORIES, group: "category", required: true },
      { name: "description", kind: "textarea", required: true },
      { name: "requestedRemedy", kind: "remedy", required: true },
      { name: "photos", kind: "photos" },
    ],
    submitLabel: t("action.fileComplaint"),
    submit: async (values) => {
      const files = Array.from(form.querySelector("input[type=file]")?.files || []);
      const evidence = [];
      for (const file of files) {
        const stored = await upload(file);
        evidence.push({ sha256: stored.sha256, kind: "photo", description: file.name });
      }
      delete values.photos;
      const input = { ...values, evidence: evidence.length ? evidence : null, idempotencyKey: newKey() };
      const filed = await mutate("fileComplaint", "FileComplaintInput", input, "... on Complaint { id reference }");
      navigate(`#/case/${encodeURIComponent(filed.id)}`);
    },
  });
  // The photos control: several images, chosen or taken with the phone's camera.
  const row = form.querySelector('[data-field="photos"]');
  const input = h("input", { type: "file", id: "photos", name: "photos", multiple: true, accept: "image/*" });
  row.querySelector("input")?.replaceWith(input);
  row.querySelector("label").setAttribute("for", "photos");
  clear(main, h("h1", {}, t("nav.file")), h("p", { class: "hint" }, t("file.hint")), form);
}
