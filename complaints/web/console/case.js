// The case page: header with open deadlines counting down, typed sections, the live timeline,
// and a form for each action in `allowedActions`, nothing more.

import { ApiError, gql, Live, mutate } from "./api.js";
import { evidenceSection, FACTS, facts, intakeSection, orderSection, RULE, ruleQuote, section } from "./casefacts.js";
import { append, clear, h } from "./dom.js";
import { ACTIONS, buildForm } from "./forms.js";
import { countdown, formatMoney, formatTime, label, t } from "./i18n.js";

const MONEY = "amount currency";
const REMEDY = `type amount { ${MONEY} }`;
/** What the case page draws from: read by Console_Case, sent back by every action, and carried
 * by every live frame (`ComplaintUpdate.complaint`), so that a frame redraws the page by itself. */
const CASE_FIELDS = `
  id reference status category orderId shopId consumerId description version filedAt updatedAt closedAt
  clockPaused escalated assignedArbiterId decidedByDefault outcome
  seller { shopId name }
  requestedRemedy { ${REMEDY} }
  remedy { ${REMEDY} }
  deadlines { id kind dueAt party overdue }
  offers { id by status madeAt message acceptedBy remedy { ${REMEDY} } }
  ${FACTS}
  findings { text recordedAt }
  ruling { outcome rationale decidedAt byDefault acknowledgedBy remedy { ${REMEDY} }
    rules { ${RULE} } enforcedDeadline { kind dueAt } }
  appeal { by grounds filedAt granted decidedAt rationale }
  fulfilment { advancedByPlatform { ${MONEY} }
    steps { kind party done dueAt doneAt carrier trackingNumber } }
  executionIssues { id raisedBy text raisedAt dueAt resolution resolvedAt dispute advanced }
  ratings { by score comment ratedAt }
  allowedActions
`;
export const CASE = `query Console_Case($id: ID!) {
  complaint(id: $id) { ${CASE_FIELDS} }
}`;
const ENTRY = "position type at actorRole actorId summary text rules { code title }";
const TIMELINE = `query Console_Timeline($id: ID!, $after: String) {
  complaint(id: $id) {
    timeline(first: 100, after: $after) {
      edges { cursor node { ${ENTRY} } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
const UPDATES = `subscription Console_Updates($id: ID!, $after: Int) {
  complaintUpdates(complaintId: $id, after: $after) {
    position entry { ${ENTRY} } complaint { ${CASE_FIELDS} }
  }
}`;
const RULES = `query Console_Rules { rules { ${RULE} } }`;

let rulesCache = null;
async function rules() {
  rulesCache = rulesCache || (await gql(RULES)).rules;
  return rulesCache;
}

function remedyText(remedy) {
  if (!remedy) return "";
  return [label("remedy", remedy.type), formatMoney(remedy.amount)].filter(Boolean).join(" · ");
}

function deadlineList(deadlines, clockPaused) {
  if (!deadlines.length) return null;
  return h(
    "ul",
    { class: "deadlines", "aria-label": t("case.deadlines") },
    deadlines.map((d) =>
      h(
        "li",
        { class: d.overdue ? "overdue" : "" },
        h("strong", {}, label("deadline", d.kind)),
        d.party ? ` (${label("role", d.party)}) ` : " ",
        h("time", { datetime: d.dueAt, "data-countdown": d.dueAt, title: formatTime(d.dueAt) }, clockPaused ? t("case.paused") : countdown(d.dueAt)),
      ),
    ),
  );
}

function header(c) {
  return h(
    "header",
    { class: "case-header card" },
    h("h1", {}, c.reference, " ", h("span", { class: `badge status-${c.status}` }, label("status", c.status))),
    c.description ? h("p", { class: "description" }, c.description) : null,
    facts([
      ["case.consumer", c.consumerId || t("case.theConsumer")],
      ["case.shop", `${c.seller?.name || c.shopId} (${c.shopId})`],
      ["case.order", c.orderId],
      ["case.category", label("category", c.category)],
      ["case.requested", remedyText(c.requestedRemedy)],
      ["case.filedAt", formatTime(c.filedAt)],
      ["case.arbiter", c.assignedArbiterId],
      ["case.outcome", c.outcome ? label("outcome", c.outcome) : null],
      ["case.remedy", c.remedy ? remedyText(c.remedy) : null],
    ]),
    c.clockPaused ? h("p", { class: "notice" }, t("case.clockPaused")) : null,
    deadlineList(c.deadlines, c.clockPaused),
  );
}

function offersSection(c) {
  if (!c.offers.length) return null;
  return section(
    "offers",
    h(
      "ul",
      { class: "items" },
      c.offers.map((o) =>
        h(
          "li",
          { "data-offer": o.id },
          h("strong", {}, label("role", o.by)),
          ": ",
          remedyText(o.remedy),
          " ",
          h("span", { class: "badge" }, label("offer", o.status)),
          o.message ? h("p", {}, o.message) : null,
          h("small", {}, formatTime(o.madeAt)),
        ),
      ),
    ),
  );
}

function rulingSection(c) {
  const r = c.ruling;
  if (!r) return null;
  return section(
    "ruling",
    facts([
      ["case.outcome", label("outcome", r.outcome)],
      ["case.remedy", r.remedy ? remedyText(r.remedy) : null],
      ["case.decidedAt", formatTime(r.decidedAt)],
      ["case.byDefault", r.byDefault ? t("yes") : null],
      ["case.acknowledgedBy", r.acknowledgedBy.map((p) => label("role", p)).join(", ")],
    ]),
    h("p", { class: "rationale" }, r.rationale),
    r.rules.length ? h("h3", {}, t("case.rulesCited")) : null,
    r.rules.map(ruleQuote),
  );
}

function appealSection(c) {
  const a = c.appeal;
  if (!a) return null;
  const decided = a.granted === null || a.granted === undefined ? t("case.appealWaiting") : a.granted ? t("case.appealGranted") : t("case.appealRefused");
  return section(
    "appeal",
    facts([
      ["case.by", label("role", a.by)],
      ["case.filedAt", formatTime(a.filedAt)],
      ["case.decision", decided],
      ["case.decidedAt", formatTime(a.decidedAt)],
    ]),
    h("p", {}, a.grounds),
    a.rationale ? h("p", { class: "rationale" }, a.rationale) : null,
  );
}

function fulfilmentSection(c) {
  const f = c.fulfilment;
  if (!f) return null;
  return section(
    "fulfilment",
    h(
      "ol",
      { class: "steps" },
      f.steps.map((s) =>
        h(
          "li",
          { class: s.done ? "done" : "" },
          `${label("step", s.kind)} (${label("role", s.party)}) `,
          s.done ? `✓ ${formatTime(s.doneAt)}` : s.dueAt ? t("case.due", { when: formatTime(s.dueAt) }) : "",
          s.trackingNumber ? ` · ${s.carrier} ${s.trackingNumber}` : "",
        ),
      ),
    ),
    f.advancedByPlatform ? h("p", {}, t("case.advanced", { amount: formatMoney(f.advancedByPlatform) })) : null,
  );
}

function issuesSection(c) {
  if (!c.executionIssues.length) return null;
  return section(
    "issues",
    h(
      "ul",
      { class: "items" },
      c.executionIssues.map((i) =>
        h("li", {}, h("strong", {}, label("role", i.raisedBy)), ": ", i.text || "", " ", h("small", {}, formatTime(i.raisedAt)), i.resolution ? h("p", {}, `${t("case.resolution")}: ${i.resolution}`) : null),
      ),
    ),
  );
}

function ratingsSection(c) {
  if (!c.ratings.length) return null;
  return section(
    "ratings",
    h(
      "ul",
      { class: "items" },
      c.ratings.map((r) => h("li", {}, h("strong", {}, label("role", r.by)), ` ${"★".repeat(r.score)}${"☆".repeat(5 - r.score)} `, r.comment || "")),
    ),
  );
}

function findingsSection(c) {
  if (!c.findings.length) return null;
  return section("findings", h("ul", { class: "items" }, c.findings.map((f) => h("li", {}, f.text, " ", h("small", {}, formatTime(f.recordedAt))))));
}

function entryItem(e) {
  return h(
    "li",
    { "data-position": e.position, "data-type": e.type },
    h("time", { datetime: e.at }, formatTime(e.at)),
    " ",
    h("strong", {}, label("entry", e.type)),
    ` · ${label("role", e.actorRole)}${e.actorId ? ` (${e.actorId})` : ""}`,
    h("p", {}, e.summary),
    e.text ? h("blockquote", {}, e.text) : null,
    e.rules.length ? h("small", {}, e.rules.map((r) => `${r.code} ${r.title}`).join(" · ")) : null,
  );
}

/** The case page for `id`; returns a function that stops its subscription and timers. */
export async function casePage(main, id, { role, navigate }) {
  const state = { complaint: null, last: 0, positions: new Set() };
  const liveStatus = h("span", { class: "live", role: "status" }, t("live.connecting"));
  const timeline = h("ol", { class: "timeline", "aria-live": "polite", "aria-label": t("case.timeline") });
  const actions = h("div", { class: "actions" });
  const body = h("div", { class: "case-body" });
  const formSlot = h("div", { class: "form-slot" });

  const load = async () => {
    const { complaint } = await gql(CASE, { id });
    if (!complaint) throw new ApiError("NOT_FOUND", t("case.notFound"));
    state.complaint = complaint;
    return complaint;
  };

  const render = () => {
    const c = state.complaint;
    clear(body, header(c), orderSection(c), intakeSection(c), offersSection(c), evidenceSection(c), rulingSection(c), appealSection(c), fulfilmentSection(c), issuesSection(c), ratingsSection(c), findingsSection(c));
    renderActions();
  };

  // Built once: a frame redraws the buttons, never the open form (what is typed, and the focus
  // in it, stay), and a button that stays allowed keeps the focus it had.
  const actionsTitle = h("h2", { id: "actions-title" }, t("case.actions"));
  const buttons = h("div", { class: "action-buttons", role: "group", "aria-labelledby": "actions-title" });
  append(actions, [actionsTitle, buttons, formSlot]);
  const renderActions = () => {
    const allowed = state.complaint.allowedActions.filter((name) => name in ACTIONS);
    const focused = buttons.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    actionsTitle.hidden = !allowed.length;
    clear(
      buttons,
      allowed.map((name) =>
        h("button", { type: "button", "data-action": name, onclick: () => openForm(name) }, label("action", name)),
      ),
    );
    if (focused) buttons.querySelector(`[data-action="${focused}"]`)?.focus();
  };

  const openForm = async (name) => {
    const spec = ACTIONS[name];
    const staff = !["CONSUMER", "SELLER"].includes(role);
    const fields = spec.fields.filter((f) => !f.staffOnly || staff);
    const context = { complaint: state.complaint, role, rules: fields.some((f) => f.kind.startsWith("rule")) ? await rules() : [] };
    const idempotencyKey = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    let done = null;
    const form = buildForm({
      fields,
      context,
      submitLabel: label("action", name),
      submit: async (values) => {
        done = await mutate(name, spec.input, { complaintId: state.complaint.id, idempotencyKey, ...values }, `... on Complaint { ${CASE_FIELDS} }`);
      },
      onDone: async () => {
        clear(formSlot);
        // The answer is the case as the action left it: drawn from, not read again.
        if (done?.id === state.complaint.id) show(done);
        else await refresh();
        document.querySelector(".action-buttons button")?.focus();
      },
      cancel: () => clear(formSlot),
    });
    clear(formSlot, h("h3", {}, label("action", name)), form);
    form.setAttribute("data-form", name);
    (form.querySelector("input, select, textarea") || form.querySelector("button[type=submit]")).focus();
  };

  const addEntries = (entries) => {
    for (const entry of entries) {
      if (state.positions.has(entry.position)) continue;
      state.positions.add(entry.position);
      state.last = Math.max(state.last, entry.position);
      // In order of position, also for one a fallback read finds behind the last shown.
      const later = [...timeline.children].find((li) => Number(li.dataset.position) > entry.position);
      timeline.insertBefore(entryItem(entry), later || null);
    }
  };

  /** Draw `complaint` unless the page already shows a later version of the case. */
  const show = (complaint) => {
    if (complaint.version < state.complaint.version) return;
    state.complaint = complaint;
    render();
  };

  const refresh = async () => {
    await load();
    render();
  };

  const readTimeline = async () => {
    let after = null;
    for (let page = 0; page < 20; page += 1) {
      const { complaint } = await gql(TIMELINE, { id, after });
      const connection = complaint.timeline;
      addEntries(connection.edges.map((e) => e.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
  };

  await load();
  await readTimeline();
  clear(
    main,
    h("p", {}, h("a", { href: "#/", onclick: (e) => { e.preventDefault(); navigate(-1); } }, t("nav.back"))),
    body,
    actions,
    section("timeline", liveStatus, timeline),
  );
  render();

  const live = new Live((s) => {
    liveStatus.textContent = t(`live.${s}`);
    liveStatus.dataset.state = s;
  });
  // A re-read, coalesced: only when a frame cannot stand for the case by itself (below).
  let rereading = null;
  const reread = (withTimeline) => {
    rereading =
      rereading ||
      Promise.all([refresh(), withTimeline ? readTimeline() : null])
        .then(() => {
          if (liveStatus.dataset.state) liveStatus.textContent = t(`live.${liveStatus.dataset.state}`);
        })
        .catch((error) => {
          liveStatus.textContent = `${t("live.error")}: ${error.message}`;
        })
        .finally(() => (rereading = null));
  };
  // Each frame carries its entry and the case as it stands when the server sends it (read then,
  // for this viewer: its allowed actions too), with the selection Console_Case reads. So:
  // - a frame at or before the last position shown is one the page has: nothing to do;
  // - a frame with its case draws the page from it, no read (unless the page already shows a
  //   later version, read after its own action: then only the entry is added);
  // - a frame without its case (none sent, or not of this case) leaves the page stale: read
  //   the case again;
  // - a frame refused (errors: the server could not read the case for it) has lost its entry
  //   as well: read the case and the timeline again.
  // A dropped connection needs no read of its own: it resumes with `after` set to the last
  // position shown, the server sends every entry after it, each with the case as it then
  // stands, so the frames that follow bring the page up to date. Positions are the log's, not
  // the case's, so a gap between two is no sign of a missed entry (other cases' lie between).
  const stop = live.subscribe(
    UPDATES,
    () => ({ id: state.complaint.id, after: state.last || null }),
    (data) => {
      const update = data.complaintUpdates;
      if (update.position <= state.last) return;
      addEntries([update.entry]);
      if (update.complaint?.id === state.complaint.id) show(update.complaint);
      else reread(false);
    },
    (error, frame) => {
      liveStatus.textContent = `${t("live.error")}: ${error.message}`;
      if (frame) reread(true);
    },
  );
  const ticking = setInterval(() => {
    if (state.complaint?.clockPaused) return;
    main.querySelectorAll("[data-countdown]").forEach((el) => {
      el.textContent = countdown(el.dataset.countdown);
    });
  }, 1000);
  return () => {
    stop();
    live.close();
    clearInterval(ticking);
  };
}
