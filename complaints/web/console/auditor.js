// The auditor's page: a case's hash-chained history, verified, the case as it stood at any
// version of it, and every event's proof in the transparency log's latest checkpoint, checked
// here in the browser (logproof.js).

import { ApiError, gql } from "./api.js";
import { problem } from "./common.js";
import { clear, h, tableWrap } from "./dom.js";
import { buildForm } from "./forms.js";
import { formatMoney, formatTime, label, t } from "./i18n.js";
import { hex, leafHash, readCheckpoint, unhex, uuidOf, verifyConsistency, verifyInclusion, verifyNote } from "./logproof.js";

const AUDIT = `query Console_Audit($id: ID!) { auditTrail(complaintId: $id) {
  complaintId verified firstBrokenVersion
  events { version type recordedAt actorRole actorId hash previousHash leafIndex }
} }`;
const LOG = `query Console_Log { logCheckpoint { treeSize rootHash note } logKey { keyName verifierKey } }`;
const PROOF = `query Console_Proof($id: ID!, $version: Int!, $size: Int) {
  inclusionProof(complaintId: $id, version: $version, treeSize: $size) { leafIndex treeSize leafHash auditPath }
}`;

const CONSISTENCY = `query Console_Consistency($first: Int!) {
  consistencyProof(firstSize: $first) { firstSize secondSize path }
  logCheckpoint { treeSize rootHash note } logKey { keyName verifierKey }
}`;

// The checkpoints this browser has seen (size and root), so that a later visit can check that
// the log still extends them: an append-only log never rewrites what it signed.
const NOTED = "complaints.audit.checkpoints";
const KEEP = 20;

function noted() {
  try {
    return JSON.parse(localStorage.getItem(NOTED) || "[]");
  } catch {
    return [];
  }
}

function note(size, root) {
  const kept = noted().filter((c) => c.size !== size);
  localStorage.setItem(NOTED, JSON.stringify([{ size, root }, ...kept].slice(0, KEEP)));
}

/** Check that the latest signed checkpoint extends an earlier tree (its size and root, as the
 * auditor noted them; the last this browser noted is offered): the consistency proof is
 * verified here, against the root read from the signed note. */
function consistencySection() {
  const result = h("div", { "aria-live": "polite" });
  const form = buildForm({
    fields: [
      { name: "firstSize", kind: "number", required: true, labelKey: "consistency.size" },
      { name: "rootHash", kind: "text", required: true, labelKey: "consistency.root" },
    ],
    submitLabel: t("consistency.check"),
    submit: async ({ firstSize, rootHash }) => {
      const root = rootHash.trim().toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(root)) throw new ApiError("VALIDATION_FAILED", t("consistency.badRoot"), [{ field: "rootHash", message: t("consistency.badRoot") }]);
      const { consistencyProof: proof, logCheckpoint: checkpoint, logKey: key } = await gql(CONSISTENCY, { first: Number(firstSize) });
      const body = readCheckpoint(checkpoint.note);
      const signature = await verifyNote(checkpoint.note, key.verifierKey).catch(() => false);
      const ok = signature !== false && proof.secondSize === body.size && (await verifyConsistency(proof.firstSize, body.size, proof.path, unhex(root), body.root));
      if (ok) note(body.size, hex(body.root));
      clear(
        result,
        h(
          "p",
          { class: ok ? "verified" : "error", "data-consistency": String(ok) },
          ok ? t("consistency.verified", { first: proof.firstSize, second: body.size }) : t("consistency.failed", { first: proof.firstSize, second: body.size }),
        ),
        signature === null ? h("p", { class: "hint" }, t("audit.signatureUnsupported")) : null,
      );
    },
  });
  form.setAttribute("data-form", "consistency");
  const last = noted()[0];
  if (last) {
    form.querySelector('[name="firstSize"]').value = last.size;
    form.querySelector('[name="rootHash"]').value = last.root;
  }
  return h(
    "section",
    { class: "card", "aria-labelledby": "consistency-title" },
    h("h2", { id: "consistency-title" }, t("consistency.title")),
    h("p", { class: "hint" }, last ? t("consistency.hintNoted", { size: last.size }) : t("consistency.hint")),
    form,
    result,
  );
}

/** The latest signed checkpoint: its size and root, noted in this browser once its signature
 * verifies (or cannot be checked here). */
async function checkpointPanel() {
  let log;
  try {
    log = await gql(LOG);
  } catch (error) {
    if (error.code === "CHECKPOINT_NOT_FOUND") return h("p", { "data-checkpoint": "none" }, t("audit.logNone"));
    throw error;
  }
  const body = readCheckpoint(log.logCheckpoint.note);
  const signature = await verifyNote(log.logCheckpoint.note, log.logKey.verifierKey).catch(() => false);
  if (signature !== false) note(body.size, hex(body.root));
  return h(
    "div",
    { "data-checkpoint": String(body.size) },
    h("p", {}, t("consistency.latest", { size: body.size })),
    h("p", {}, h("code", { class: "root" }, hex(body.root))),
  );
}

// Each event's proof against the latest checkpoint, verified here: "true" when every event is
// proven (and the signature verifies, where the browser can check it), "pending" when some are
// not in a checkpoint yet, "false" when anything fails.
async function logPanel(id, auditTrail) {
  const panel = h("section", { class: "card", "aria-live": "polite" }, h("h2", {}, t("audit.log")));
  let log;
  try {
    log = await gql(LOG);
  } catch (error) {
    panel.append(h("p", { "data-log-verified": "none" }, error.code === "CHECKPOINT_NOT_FOUND" ? t("audit.logNone") : error.message));
    return panel;
  }
  const { logCheckpoint: checkpoint, logKey: key } = log;
  const body = readCheckpoint(checkpoint.note);
  const signature = await verifyNote(checkpoint.note, key.verifierKey).catch(() => false);
  const uuid = uuidOf(auditTrail.complaintId);
  const size = body.size;
  let pending = 0;
  let broken = null;
  for (const event of auditTrail.events) {
    const { inclusionProof: proof } = await gql(PROOF, { id, version: event.version, size });
    if (!proof) {
      pending += 1;
      continue;
    }
    const leaf = await leafHash(uuid, event.version, event.hash);
    const ok = proof.treeSize === size && (await verifyInclusion(proof.leafIndex, size, leaf, proof.auditPath, body.root));
    if (!ok && broken === null) broken = event.version;
  }
  const rootMatches = body.size === checkpoint.treeSize && hex(body.root) === checkpoint.rootHash;
  if (signature !== false && rootMatches) note(body.size, hex(body.root));
  const state = broken !== null || signature === false || !rootMatches ? "false" : pending ? "pending" : "true";
  const message =
    broken !== null
      ? t("audit.logBroken", { version: broken })
      : state === "false"
        ? t("audit.signatureFailed")
        : pending
          ? t("audit.logPending", { count: pending, size })
          : t("audit.logVerified", { size });
  panel.append(
    h("p", { class: state === "true" ? "verified" : state === "false" ? "error" : "", "data-log-verified": state }, message),
    h(
      "p",
      { "data-signature": signature === null ? "unsupported" : String(signature) },
      signature === null ? t("audit.signatureUnsupported") : signature ? t("audit.signatureVerified", { key: key.keyName }) : t("audit.signatureFailed"),
    ),
    h("pre", { class: "note" }, checkpoint.note),
  );
  return panel;
}
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
    // The form offers the last checkpoint noted before this visit's, which is noted next.
    const section = consistencySection();
    const latest = await checkpointPanel();
    section.querySelector("h2").after(latest);
    return clear(main, h("h1", {}, t("nav.audit")), form, section);
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
  const logs = h("div", { id: "log-proof" });
  clear(
    main,
    h("h1", {}, t("nav.audit")),
    h("p", { class: auditTrail.verified ? "verified" : "error", "data-verified": String(auditTrail.verified) }, auditTrail.verified ? t("audit.verified") : t("audit.broken", { version: auditTrail.firstBrokenVersion })),
    h("label", { for: "as-of" }, t("audit.asOf")),
    slider,
    shown,
    state,
    logs,
    tableWrap(
      t("nav.audit"),
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["audit.version", "audit.type", "audit.at", "audit.actor", "audit.hash", "audit.leaf"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, auditTrail.events.map((e) => h("tr", {}, h("td", {}, e.version), h("td", {}, label("entry", e.type)), h("td", {}, formatTime(e.recordedAt)), h("td", {}, `${label("role", e.actorRole)} ${e.actorId || ""}`), h("td", {}, h("code", { title: e.hash }, e.hash.slice(0, 12))), h("td", {}, e.leafIndex === null ? "—" : String(e.leafIndex))))),
      ),
    ),
  );
  await show();
  logs.replaceChildren(await logPanel(id, auditTrail).catch((e) => problem(e)));
}
