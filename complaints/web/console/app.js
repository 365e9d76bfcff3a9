// The console's shell: sign-in, navigation by role, and the pages (hash routes, so that a case
// page can be bookmarked; the token is never in the URL).

import { ApiError, gql, Live, mutate, onUnauthenticated, session, upload } from "./api.js";
import { casePage } from "./case.js";
import { clear, h } from "./dom.js";
import { buildForm, CATEGORIES, REMEDY_TYPES } from "./forms.js";
import { countdown, formatMoney, formatTime, label, language, LANGUAGES, preferredLanguage, setLanguage, t } from "./i18n.js";

const root = document.getElementById("main");
/** The view the page being drawn writes into; each page takes it before its first await. */
let current = root;
let leave = () => {};
let generation = 0;
let config = { developmentSignIn: false };

const STAFF = ["AGENT", "MEDIATOR", "ARBITER", "SUPERVISOR"];
const PAGES = {
  PUBLIC: ["sanctioned", "statistics"],
  CONSUMER: ["cases", "file", "violations", "sanctioned", "statistics"],
  SELLER: ["cases", "sanctions", "violations", "webhooks", "statistics"],
  AGENT: ["intake", "cases", "assignments", "supervision", "violations"],
  MEDIATOR: ["intake", "cases", "assignments", "supervision", "violations"],
  ARBITER: ["assignments", "intake", "cases", "supervision", "violations"],
  SUPERVISOR: ["supervision", "intake", "cases", "assignments", "violations", "shops", "statistics"],
  AUDITOR: ["cases", "audit", "violations", "statistics"],
};

function viewer() {
  const claims = session.claims;
  if (!claims) return { role: "PUBLIC", id: null, shopId: null };
  return { role: String(claims.role).toUpperCase(), id: claims.sub, shopId: claims.seller_id || null };
}

function navigate(target) {
  if (target === -1) history.back();
  else location.hash = target;
}

// ------------------------------------------------------------------------------------- shell
function renderShell() {
  const me = viewer();
  document.title = t("app.title");
  clear(document.getElementById("skip"), t("app.skip"));
  clear(document.getElementById("brand"), t("app.title"));
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav.label"));
  const current = location.hash.replace(/^#\/?/, "").split("/")[0];
  clear(
    nav,
    h(
      "ul",
      {},
      (PAGES[me.role] || PAGES.PUBLIC).map((page) =>
        h("li", {}, h("a", { href: `#/${page}`, "aria-current": page === current ? "page" : null }, t(`nav.${page}`))),
      ),
    ),
  );
  const chooser = h(
    "select",
    { id: "language", onchange: async (e) => { await setLanguage(e.target.value); route(); } },
    Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, selected: code === language() }, name)),
  );
  clear(
    document.getElementById("tools"),
    h("label", { for: "language", class: "visually-hidden" }, t("app.language")),
    chooser,
    h("span", { class: "who", "data-role": me.role }, me.id ? `${label("role", me.role)} · ${me.id}${me.shopId ? ` @ ${me.shopId}` : ""}` : label("role", "PUBLIC")),
    me.id
      ? h("button", { type: "button", id: "sign-out", onclick: () => { session.clear(); navigate("#/signin"); } }, t("app.signOut"))
      : h("a", { href: "#/signin", class: "button" }, t("app.signIn")),
  );
}

function problem(error) {
  const code = error instanceof ApiError ? error.code : "ERROR";
  return h("p", { class: "error", role: "alert" }, `${label("error", code)}: ${error.message}`);
}

// ----------------------------------------------------------------------------------- sign-in
const ROLES = ["CONSUMER", "SELLER", "AGENT", "MEDIATOR", "ARBITER", "SUPERVISOR", "AUDITOR"];

function signInPage() {
  const main = current;
  const after = () => {
    navigate(`#/${(PAGES[viewer().role] || PAGES.PUBLIC)[0]}`);
  };
  const development = config.developmentSignIn
    ? h(
        "section",
        { class: "card", "aria-labelledby": "dev-title" },
        h("h2", { id: "dev-title" }, t("signin.development")),
        h("p", { class: "hint" }, t("signin.developmentHint")),
        buildForm({
          fields: [
            { name: "role", kind: "select", options: ROLES, group: "role", required: true },
            { name: "id", kind: "text", required: true },
            { name: "shopId", kind: "text" },
          ],
          submitLabel: t("app.signIn"),
          submit: async (values) => {
            const response = await fetch("/console/session", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify(values),
            });
            const body = await response.json();
            if (!response.ok) throw new ApiError(body.error.code, body.error.message, body.error.fields || []);
            session.set(body.token);
          },
          onDone: after,
        }),
      )
    : null;
  const token = h(
    "section",
    { class: "card", "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, t("signin.token")),
    h("p", { class: "hint" }, t("signin.tokenHint")),
    buildForm({
      fields: [{ name: "token", kind: "textarea", required: true }],
      submitLabel: t("app.signIn"),
      submit: async ({ token: value }) => {
        session.set(value.replace(/^Bearer\s+/i, "").trim());
        try {
          await gql("query Console_Viewer { viewerRole }");
        } catch (error) {
          session.clear();
          throw new ApiError(error.code, error.message, [{ field: "token", message: error.message }]);
        }
      },
      onDone: after,
    }),
  );
  clear(main, h("h1", {}, t("signin.title")), development, token, h("p", {}, h("a", { href: "#/sanctioned" }, t("signin.public"))));
}

// ------------------------------------------------------------------------------------- lists
const CASE_ROW = `id reference status category shopId orderId filedAt updatedAt
  requestedRemedy { type amount { amount currency } } deadlines { kind dueAt overdue }`;
const LIST = `query Console_Cases($filter: ComplaintFilter, $order: ComplaintOrder, $after: String) {
  complaints(filter: $filter, orderBy: $order, first: 25, after: $after) {
    totalCount edges { node { ${CASE_ROW} } } pageInfo { hasNextPage endCursor }
  }
}`;

function soonest(deadlines) {
  return deadlines.map((d) => d.dueAt).sort()[0] || null;
}

const MY_UPDATES = "subscription Console_MyUpdates { myComplaintUpdates { position } }";

async function caseList(title, filter, order = "NEWEST", live = false) {
  const main = current;
  const table = h("tbody");
  const more = h("button", { type: "button", hidden: true }, t("list.more"));
  const count = h("p", { class: "count" });
  let after = null;
  const page = async () => {
    const { complaints } = await gql(LIST, { filter, order, after });
    count.textContent = t("list.count", { n: complaints.totalCount });
    for (const { node: c } of complaints.edges) {
      const due = soonest(c.deadlines);
      table.append(
        h(
          "tr",
          { "data-reference": c.reference },
          h("th", { scope: "row" }, h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, c.reference)),
          h("td", {}, h("span", { class: `badge status-${c.status}` }, label("status", c.status))),
          h("td", {}, label("category", c.category)),
          h("td", {}, c.shopId),
          h("td", {}, formatTime(c.filedAt)),
          h("td", {}, due ? h("time", { datetime: due, "data-countdown": due }, countdown(due)) : "—"),
        ),
      );
    }
    after = complaints.pageInfo.endCursor;
    more.hidden = !complaints.pageInfo.hasNextPage;
  };
  more.addEventListener("click", () => page().catch((e) => main.append(problem(e))));
  await page();
  // A party's own list follows its cases live: a new filing, a status that moved.
  let stop = () => {};
  if (live) {
    const socket = new Live();
    let reloading = null;
    const reload = () => {
      table.replaceChildren();
      after = null;
      return page();
    };
    const unsubscribe = socket.subscribe(
      MY_UPDATES,
      () => ({}),
      () => {
        reloading = reloading || reload().finally(() => (reloading = null));
      },
    );
    stop = () => {
      unsubscribe();
      socket.close();
    };
  }
  clear(
    main,
    h("h1", {}, title),
    count,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["list.reference", "list.status", "list.category", "list.shop", "list.filed", "list.deadline"].map((k) => h("th", { scope: "col" }, t(k))))),
        table,
      ),
    ),
    more,
  );
  return stop;
}

// ------------------------------------------------------------------------------- file a case
function filePage() {
  const main = current;
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
      const input = { ...values, evidence: evidence.length ? evidence : null, idempotencyKey: crypto.randomUUID?.() };
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

// --------------------------------------------------------------------------- seller's pages
const SELLER = `query Console_Seller($shopId: String!) {
  seller(shopId: $shopId) {
    shopId name status depositBalance { amount currency }
    scorecard { complaints upheldAgainstSeller strikes }
    sanctions { id kind reason imposedAt liftedAt until appeal { grounds filedAt granted decidedAt rationale } }
  }
}`;

async function sanctionsPage() {
  const main = current;
  const me = viewer();
  const { seller } = await gql(SELLER, { shopId: me.shopId });
  if (!seller) return clear(main, problem(new ApiError("NOT_FOUND", t("seller.notFound"))));
  const slot = h("div", { class: "form-slot" });
  clear(
    main,
    h("h1", {}, t("nav.sanctions")),
    h("p", {}, `${seller.name} · ${label("sellerStatus", seller.status)} · ${t("seller.deposit")}: ${formatMoney(seller.depositBalance)}`),
    seller.sanctions.length
      ? h(
          "ul",
          { class: "items" },
          seller.sanctions.map((s) =>
            h(
              "li",
              { class: "card" },
              h("strong", {}, label("sanction", s.kind)),
              ` · ${formatTime(s.imposedAt)}`,
              s.liftedAt ? ` · ${t("seller.lifted")} ${formatTime(s.liftedAt)}` : "",
              h("p", {}, s.reason),
              s.appeal
                ? h("p", {}, `${t("case.appeal")}: ${s.appeal.grounds} — ${s.appeal.granted === null ? t("case.appealWaiting") : s.appeal.granted ? t("case.appealGranted") : t("case.appealRefused")}`)
                : !s.liftedAt
                  ? h(
                      "button",
                      {
                        type: "button",
                        onclick: () =>
                          clear(
                            slot,
                            buildForm({
                              fields: [{ name: "grounds", kind: "textarea", required: true }],
                              submitLabel: t("action.appealSanction"),
                              submit: (v) => mutate("appealSanction", "AppealSanctionInput", { shopId: me.shopId, sanctionId: s.id, ...v }, "... on Seller { shopId }"),
                              onDone: () => route(),
                              cancel: () => clear(slot),
                            }),
                          ),
                      },
                      t("action.appealSanction"),
                    )
                  : null,
            ),
          ),
        )
      : h("p", {}, t("seller.noSanctions")),
    slot,
  );
}

const WEBHOOKS = `query Console_Webhooks($shopId: String!) {
  webhookEndpoints(shopId: $shopId) { id url events status disabledReason createdAt }
}`;

async function webhooksPage() {
  const main = current;
  const me = viewer();
  const { webhookEndpoints } = await gql(WEBHOOKS, { shopId: me.shopId });
  const secret = h("div", { role: "status" });
  clear(
    main,
    h("h1", {}, t("nav.webhooks")),
    h(
      "ul",
      { class: "items" },
      webhookEndpoints.map((w) =>
        h(
          "li",
          { class: "card" },
          h("code", {}, w.url),
          ` · ${w.status}`,
          w.disabledReason ? h("p", {}, w.disabledReason) : null,
          h("p", {}, w.events.length ? w.events.join(", ") : t("webhooks.allEvents")),
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                await mutate("removeWebhook", "WebhookEndpointInput", { endpointId: w.id }, "... on WebhookEndpoint { id }");
                route();
              },
            },
            t("webhooks.remove"),
          ),
        ),
      ),
    ),
    h("h2", {}, t("webhooks.add")),
    buildForm({
      fields: [
        { name: "url", kind: "text", required: true },
        { name: "events", kind: "list" },
      ],
      submitLabel: t("webhooks.add"),
      submit: async (values) => {
        const created = await mutate("registerWebhook", "RegisterWebhookInput", { shopId: me.shopId, events: values.events?.length ? values.events : null, url: values.url }, "... on WebhookEndpointCreated { secret endpoint { id } }");
        clear(secret, h("p", { class: "notice" }, t("webhooks.secret"), " ", h("code", {}, created.secret)));
      },
    }),
    secret,
  );
}

// ---------------------------------------------------------------------------- staff's pages
const SHOP = `query Console_Shop($shopId: String!) {
  seller(shopId: $shopId) { shopId name status depositBalance { amount currency }
    scorecard { complaints upheldAgainstSeller strikes } }
}`;

const SANCTION_KINDS = ["WARNING", "FINE", "TRADING_RESTRICTED", "SHOP_CLOSED"];
const SHOP_SANCTIONS = `query Console_ShopSanctions($shopId: String!) {
  seller(shopId: $shopId) { sanctions { id kind reason imposedAt liftedAt until
    appeal { grounds granted decidedAt rationale } } }
}`;
const SELLER_RESULT = "... on Seller { shopId }";

/** A shop for a supervisor: its standing, its sanctions and what may be done about them. */
async function showShop(target, shopId) {
  const [{ seller: s }, { seller: withSanctions }] = await Promise.all([gql(SHOP, { shopId }), gql(SHOP_SANCTIONS, { shopId })]);
  if (!s) return clear(target, h("p", {}, t("seller.notFound")));
  const slot = h("div", { class: "form-slot" });
  const again = () => showShop(target, shopId);
  const form = (action, text, fields, input, submit) =>
    opener(slot, { action, text, fields, submit: (x) => mutate(action, input, submit(x), SELLER_RESULT), onDone: again });
  clear(
    target,
    h(
      "div",
      { class: "card", "data-shop": s.shopId },
      h("h2", {}, `${s.name} (${s.shopId})`),
      h("p", {}, `${label("sellerStatus", s.status)} · ${t("seller.deposit")}: ${formatMoney(s.depositBalance)} · ${t("shops.scorecard", s.scorecard)}`),
      h(
        "ul",
        { class: "items" },
        withSanctions.sanctions.map((x) =>
          h(
            "li",
            { "data-sanction": x.id },
            h("strong", {}, label("sanction", x.kind)),
            ` · ${formatTime(x.imposedAt)}${x.liftedAt ? ` · ${t("seller.lifted")} ${formatTime(x.liftedAt)}` : ""}`,
            h("p", {}, x.reason),
            x.appeal ? h("p", {}, `${t("case.appeal")}: ${x.appeal.grounds}`) : null,
            x.appeal && x.appeal.granted === null && !x.liftedAt
              ? form("decideSanctionAppeal", t("action.decideSanctionAppeal"), [{ name: "grant", kind: "bool" }, { name: "rationale", kind: "textarea", required: true }], "DecideSanctionAppealInput", (v) => ({ shopId, sanctionId: x.id, grant: Boolean(v.grant), rationale: v.rationale }))
              : null,
            !x.liftedAt
              ? form("liftSanction", t("action.liftSanction"), [{ name: "reason", kind: "textarea", required: true }], "LiftSanctionInput", (v) => ({ shopId, kind: x.kind, reason: v.reason }))
              : null,
          ),
        ),
      ),
      form(
        "sanctionSeller",
        t("action.sanctionSeller"),
        [
          { name: "sanctionKind", kind: "select", options: SANCTION_KINDS, group: "sanction", required: true, labelKey: "field.sanctionKind" },
          { name: "reason", kind: "textarea", required: true },
          { name: "fine", kind: "money", labelKey: "field.fine" },
          { name: "complaintId", kind: "text", labelKey: "field.complaintReference" },
        ],
        "SanctionSellerInput",
        (v) => ({
          shopId,
          kind: v.sanctionKind,
          reason: v.reason,
          amount: v.fine?.amount ? v.fine : null,
          complaintId: v.complaintId || null,
          idempotencyKey: crypto.randomUUID?.(),
        }),
      ),
      slot,
    ),
  );
}

/** Supervisors: look a shop up, and register a new one with its deposit. */
function shopsPage() {
  const main = current;
  const found = h("div", { "aria-live": "polite" });
  const lookup = buildForm({
    fields: [{ name: "shopId", kind: "text", required: true }],
    submitLabel: t("shops.lookUp"),
    submit: async ({ shopId }) => showShop(found, shopId),
  });
  const register = buildForm({
    fields: [
      { name: "shopId", kind: "text", required: true },
      { name: "name", kind: "text", required: true },
      { name: "deposit", kind: "money", required: true },
    ],
    submitLabel: t("shops.register"),
    submit: async (values) => {
      const s = await mutate("registerSeller", "RegisterSellerInput", { ...values, idempotencyKey: crypto.randomUUID?.() }, "... on Seller { shopId name }");
      clear(found, h("p", { class: "notice", role: "status" }, t("shops.registered", { name: s.name, shopId: s.shopId })));
    },
  });
  clear(main, h("h1", {}, t("nav.shops")), found, h("h2", {}, t("shops.lookUp")), lookup, h("h2", {}, t("shops.register")), register);
}

const SUPERVISION = `query Console_Supervision { supervisionQueue(first: 50) {
  edges { node { kind shopId since dueAt detail complaint { id reference status } } }
} }`;

async function supervisionPage() {
  const main = current;
  const { supervisionQueue } = await gql(SUPERVISION);
  clear(
    main,
    h("h1", {}, t("nav.supervision")),
    supervisionQueue.edges.length
      ? h(
          "ul",
          { class: "items" },
          supervisionQueue.edges.map(({ node: item }) =>
            h(
              "li",
              { class: "card" },
              h("strong", {}, label("supervision", item.kind)),
              " · ",
              item.complaint ? h("a", { href: `#/case/${encodeURIComponent(item.complaint.id)}` }, item.complaint.reference) : item.shopId,
              h("p", {}, item.detail),
              h("small", {}, `${t("supervision.since")} ${formatTime(item.since)}`),
            ),
          ),
        )
      : h("p", {}, t("list.empty")),
  );
}

const VIOLATIONS = `query Console_Violations { violations(first: 50) {
  edges { node { id shopId kind status reportedAt reportedBy description sellerResponse } }
} }`;
const VIOLATION_KINDS = ["COUNTERFEIT", "FRAUD", "MISREPRESENTATION", "OTHER"];
const VIOLATION = "... on Violation { id status }";

/** A button that opens a small form in `slot`; once it is sent, `onDone` (by default the page
 * is drawn again). */
function opener(slot, { action, text, fields, submit, onDone = () => route() }) {
  return h(
    "button",
    {
      type: "button",
      "data-action": action,
      onclick: () => {
        const form = buildForm({ fields, submitLabel: text, submit, onDone, cancel: () => clear(slot) });
        form.setAttribute("data-form", action);
        clear(slot, h("h3", {}, text), form);
        form.querySelector("input, select, textarea, button")?.focus();
      },
    },
    text,
  );
}

async function violationsPage() {
  const main = current;
  const me = viewer();
  // Consumers may report but not list: the list is for staff, auditors and the shop reported.
  const violations =
    me.role === "CONSUMER" || me.role === "PUBLIC" ? { edges: [] } : (await gql(VIOLATIONS)).violations;
  const report = buildForm({
    fields: [
      { name: "shopId", kind: "text", required: true },
      { name: "violationKind", kind: "select", options: VIOLATION_KINDS, group: "violation", required: true, labelKey: "field.violationKind" },
      { name: "description", kind: "textarea", required: true },
      { name: "complaintId", kind: "text", labelKey: "field.complaintReference" },
    ],
    submitLabel: t("violations.report"),
    submit: ({ violationKind, ...values }) =>
      mutate("reportViolation", "ReportViolationInput", { ...values, kind: violationKind, idempotencyKey: crypto.randomUUID?.() }, VIOLATION),
    onDone: () => {
      report.reset();
      clear(sent, h("p", { class: "notice", role: "status" }, t("violations.reported")));
      if (me.role !== "CONSUMER") route();
    },
  });
  const sent = h("div");
  report.setAttribute("data-form", "reportViolation");
  clear(
    main,
    h("h1", {}, t("nav.violations")),
    violations.edges.length
      ? h(
          "ul",
          { class: "items" },
          violations.edges.map(({ node: v }) => {
            const slot = h("div", { class: "form-slot" });
            const open = v.status === "REPORTED";
            const decide = open && me.role === "SUPERVISOR";
            const respond = open && me.role === "SELLER" && me.shopId === v.shopId && !v.sellerResponse;
            return h(
              "li",
              { class: "card", "data-violation": v.id },
              h("strong", {}, `${v.shopId} · ${label("violation", v.kind)}`),
              " ",
              h("span", { class: "badge" }, label("violationStatus", v.status)),
              ` · ${formatTime(v.reportedAt)} · ${label("role", v.reportedBy)}`,
              v.description ? h("p", {}, v.description) : null,
              v.sellerResponse ? h("p", {}, `${t("violations.response")}: ${v.sellerResponse}`) : null,
              h(
                "div",
                { class: "action-buttons" },
                decide
                  ? [
                      opener(slot, { action: "confirmViolation", text: t("action.confirmViolation"), fields: [], submit: () => mutate("confirmViolation", "ViolationActionInput", { violationId: v.id }, VIOLATION) }),
                      opener(slot, { action: "dismissViolation", text: t("action.dismissViolation"), fields: [{ name: "reason", kind: "textarea", required: true }], submit: (x) => mutate("dismissViolation", "DismissViolationInput", { violationId: v.id, ...x }, VIOLATION) }),
                    ]
                  : null,
                respond
                  ? opener(slot, { action: "respondToViolation", text: t("action.respondToViolation"), fields: [{ name: "response", kind: "textarea", required: true }], submit: (x) => mutate("respondToViolation", "RespondToViolationInput", { violationId: v.id, ...x }, VIOLATION) })
                  : null,
              ),
              slot,
            );
          }),
        )
      : h("p", {}, t("list.empty")),
    me.role === "AUDITOR" ? null : [h("h2", {}, t("violations.report")), sent, report],
  );
}

// --------------------------------------------------------------------------------- auditor
const AUDIT = `query Console_Audit($id: ID!) { auditTrail(complaintId: $id) {
  verified firstBrokenVersion events { version type recordedAt actorRole actorId hash previousHash }
} }`;
const AS_OF = `query Console_AsOf($id: ID!, $version: Int!) {
  complaintAsOf(id: $id, version: $version) { reference status version updatedAt outcome
    offers { by status remedy { type amount { amount currency } } } deadlines { kind dueAt } }
}`;

async function auditPage(id) {
  const main = current;
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

// ---------------------------------------------------------------------------------- public
const SANCTIONED = `query Console_Sanctioned { sanctionedSellers(first: 50) {
  edges { node { shopId name status sanctions { kind reason imposedAt liftedAt } } }
} }`;

async function sanctionedPage() {
  const main = current;
  const { sanctionedSellers } = await gql(SANCTIONED);
  clear(
    main,
    h("h1", {}, t("nav.sanctioned")),
    sanctionedSellers.edges.length
      ? h("ul", { class: "items" }, sanctionedSellers.edges.map(({ node: s }) => h("li", { class: "card" }, h("strong", {}, `${s.name} (${s.shopId})`), s.sanctions.filter((x) => !x.liftedAt).map((x) => h("p", {}, `${label("sanction", x.kind)} · ${formatTime(x.imposedAt)} · ${x.reason}`)))))
      : h("p", {}, t("list.empty")),
  );
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

async function statisticsPage() {
  const main = current;
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

// ---------------------------------------------------------------------------------- router
async function show(page, argument, me) {
  switch (page) {
    case "signin":
      return signInPage();
    case "case":
      return casePage(current, argument, { role: me.role, navigate });
    case "cases": {
      const party = me.role === "SELLER" || me.role === "CONSUMER";
      const order = me.role === "SELLER" ? "SOONEST_DEADLINE" : "NEWEST";
      return caseList(t("nav.cases"), null, order, party);
    }
    case "intake":
      return caseList(t("nav.intake"), { status: ["SUBMITTED"] });
    case "assignments":
      return caseList(t("nav.assignments"), { assignedArbiterId: me.id });
    case "file":
      return filePage();
    case "sanctions":
      return sanctionsPage();
    case "webhooks":
      return webhooksPage();
    case "shops":
      return shopsPage();
    case "supervision":
      return supervisionPage();
    case "violations":
      return violationsPage();
    case "audit":
      return auditPage(argument);
    case "sanctioned":
      return sanctionedPage();
    case "statistics":
      return statisticsPage();
    default:
      if (me.role === "PUBLIC" && !session.token) return navigate("#/signin");
      return navigate(`#/${(PAGES[me.role] || PAGES.PUBLIC)[0]}`);
  }
}

async function route() {
  leave();
  leave = () => {};
  const mine = ++generation;
  renderShell();
  const [page, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const argument = rest.length ? decodeURIComponent(rest.join("/")) : null;
  const shown = location.hash;
  const view = h("div", { class: "view" });
  current = view;
  delete root.dataset.shown;
  clear(root, h("p", { class: "loading" }, t("app.loading")));
  let stop;
  try {
    stop = await show(page, argument, viewer());
  } catch (error) {
    clear(view, h("h1", {}, t("app.problem")), problem(error));
  }
  if (mine !== generation) {
    // Another route was taken while this one loaded: drop what it started.
    if (typeof stop === "function") stop();
    return;
  }
  leave = typeof stop === "function" ? stop : () => {};
  clear(root, view);
  // Which route the page shows, once it is drawn (the browser tests wait for it).
  root.dataset.shown = shown;
  root.focus({ preventScroll: true });
}

async function start() {
  await setLanguage(preferredLanguage());
  try {
    config = await (await fetch("/console/config")).json();
  } catch {
    config = { developmentSignIn: false };
  }
  onUnauthenticated(() => {
    session.clear();
    navigate("#/signin");
  });
  window.addEventListener("hashchange", route);
  await route();
  document.body.dataset.ready = "true";
}

start();
