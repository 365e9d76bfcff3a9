// The console's shell: sign-in, navigation by role, and the router (hash routes, so that a case
// page can be bookmarked, and a list keep its page: `#/cases?after=…`; the token is never in the
// URL). Each role's pages are modules of their own; every action they offer is one the API lists
// in an `allowedActions`.

import { ApiError, gql, onUnauthenticated, session } from "./api.js";
import { auditPage } from "./auditor.js";
import { casePage } from "./case.js";
import { caseList } from "./cases.js";
import { problem, viewer } from "./common.js";
import { filePage } from "./consumer.js";
import { violationPage } from "./history.js";
import { clear, h } from "./dom.js";
import { buildForm } from "./forms.js";
import { label, language, LANGUAGES, preferredLanguage, setLanguage, t } from "./i18n.js";
import { marketplacePage } from "./marketplace.js";
import { privacyPage } from "./privacy.js";
import { sanctionedPage, statisticsPage } from "./public.js";
import { sanctionsPage, webhooksPage } from "./seller.js";
import { shopsPage, supervisionPage } from "./staff.js";
import { whatIfPage } from "./whatif.js";
import { violationsPage } from "./violations.js";

const root = document.getElementById("main");
let leave = () => {};
let generation = 0;
let config = { developmentSignIn: false };

/** Which pages each role's menu shows, the first being its home: navigation, not rights (what a
 * page offers to do is the API's answer). */
const PAGES = {
  PUBLIC: ["sanctioned", "statistics"],
  CONSUMER: ["cases", "file", "violations", "sanctioned", "statistics"],
  SELLER: ["cases", "sanctions", "violations", "webhooks", "statistics"],
  AGENT: ["intake", "cases", "assignments", "supervision", "violations"],
  MEDIATOR: ["mediation", "intake", "cases", "supervision", "violations"],
  ARBITER: ["assignments", "intake", "cases", "supervision", "violations"],
  SUPERVISOR: ["supervision", "intake", "cases", "assignments", "violations", "shops", "whatif", "privacy", "statistics"],
  AUDITOR: ["cases", "audit", "violations", "shops", "statistics"],
  MARKETPLACE: ["marketplace", "sanctioned", "statistics"],
};
/** Pages that exist in development only (ENVIRONMENT=development, as the development sign-in):
 * the Marketplace page records demo orders, which in production only the marketplace's own
 * systems record. */
const DEVELOPMENT_PAGES = new Set(["marketplace"]);

/** The pages the viewer's menu shows, the first being its home. */
function pages(role) {
  return (PAGES[role] || PAGES.PUBLIC).filter((page) => config.developmentSignIn || !DEVELOPMENT_PAGES.has(page));
}

/** The route's page and its argument, without the query (a list's `?after=` cursor). */
function routeParts() {
  const [page, ...rest] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  return { page, argument: rest.length ? decodeURIComponent(rest.join("/")) : null };
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
  const current = routeParts().page;
  clear(
    nav,
    h(
      "ul",
      {},
      pages(me.role).map((page) =>
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

// ----------------------------------------------------------------------------------- sign-in
const ROLES = ["CONSUMER", "SELLER", "AGENT", "MEDIATOR", "ARBITER", "SUPERVISOR", "AUDITOR", "MARKETPLACE"];

function signInPage(main) {
  const after = () => {
    navigate(`#/${pages(viewer().role)[0]}`);
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

// ---------------------------------------------------------------------------------- router
async function show(main, page, argument, me) {
  const redraw = () => route();
  switch (page) {
    case "signin":
      return signInPage(main);
    case "case":
      return casePage(main, argument, { role: me.role, navigate });
    case "cases": {
      // A party's own list follows its cases live, the seller's by the soonest deadline.
      const party = me.role === "SELLER" || me.role === "CONSUMER";
      const order = me.role === "SELLER" ? "SOONEST_DEADLINE" : "NEWEST";
      return caseList(main, t("nav.cases"), null, order, party);
    }
    case "intake":
      return caseList(main, t("nav.intake"), { status: ["SUBMITTED"] });
    case "assignments":
      return caseList(main, t("nav.assignments"), { assignedArbiterId: me.id });
    case "mediation":
      // A mediator's own queue: the cases under intervention assigned to them.
      return caseList(main, t("nav.mediation"), { assignedMediatorId: me.id });
    case "file":
      return filePage(main, { navigate });
    case "sanctions":
      return sanctionsPage(main, me);
    case "webhooks":
      return webhooksPage(main, me);
    case "shops":
      return shopsPage(main);
    case "supervision":
      return supervisionPage(main);
    case "violations":
      return violationsPage(main, { redraw });
    case "violation":
      return violationPage(main, argument);
    case "privacy":
      return privacyPage(main);
    case "audit":
      return auditPage(main, argument, { navigate });
    case "sanctioned":
      return sanctionedPage(main);
    case "statistics":
      return statisticsPage(main);
    case "whatif":
      return whatIfPage(main);
    case "marketplace":
      if (config.developmentSignIn) return marketplacePage(main);
    // falls through: the page does not exist outside development
    default:
      if (me.role === "PUBLIC" && !session.token) return navigate("#/signin");
      return navigate(`#/${pages(me.role)[0]}`);
  }
}

async function route() {
  leave();
  leave = () => {};
  const mine = ++generation;
  renderShell();
  const { page, argument } = routeParts();
  const shown = location.hash;
  // The page draws into a view of its own, shown once it is drawn.
  const view = h("div", { class: "view" });
  delete root.dataset.shown;
  clear(root, h("p", { class: "loading" }, t("app.loading")));
  let stop;
  try {
    stop = await show(view, page, argument, viewer());
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
