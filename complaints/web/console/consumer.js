// The consumer's own page: filing a complaint about one of their orders, with photos taken or
// chosen on the phone. (A consumer's cases are the shared list; reporting a violation is on the
// violations page.)
//
// The page lists `myOrders`: the consumer's orders the marketplace recorded that are still inside
// their filing window (rule ). Picking one fills the shop and the order. The shop and order
// fields stay on the page behind "my order is not listed", open when nothing is listed: a server
// that checks no orders (ORDER_CHECK=off) records none, and its consumers name the order there;
// a server that checks them answers a typed refusal beside the order field (not recorded as
// yours, or its window closed). So the page needs no setting of the server's to know which: the
// list and the server's answer say it.

import { gql, mutate, upload } from "./api.js";
import { newKey, orderDates } from "./common.js";
import { clear, h, uid } from "./dom.js";
import { buildForm, CATEGORIES } from "./forms.js";
import { formatMoney, t } from "./i18n.js";
import { pagedList } from "./paging.js";

/** How many orders a page of the list shows; "more" asks for the next, after the last shown. */
const PAGE = 10;
const MY_ORDERS = `query Console_MyOrders($first: Int, $after: String) {
  myOrders(first: $first, after: $after) {
    edges { node { orderId shopId amount { amount currency } paidAt deliveredAt complaintWindowEndsAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const GUIDES = `query Console_Guides($category: ComplaintCategory!) { guides(category: $category) { title text } }`;

/** The platform's advice for the chosen category (what to check first, what evidence helps),
 * shown beside the category as it changes: the box, and the function that fills it now. */
function guidesFor(select) {
  const box = h("aside", { class: "guides", "aria-live": "polite", "data-guides": "" });
  let asked = 0;
  const show = async () => {
    const mine = ++asked;
    const category = select.value;
    if (!category) return clear(box);
    const { guides } = await gql(GUIDES, { category });
    if (mine !== asked) return; // a later choice answers
    box.dataset.guides = category;
    clear(box, guides.length ? [h("h2", {}, t("file.guides")), guides.map((g) => h("div", { class: "guide" }, h("h3", {}, g.title), h("p", {}, g.text)))] : null);
  };
  select.addEventListener("change", () => show().catch((e) => clear(box, problem(e))));
  return [box, show];
}

function orderChoice(o, pick) {
  const id = uid("order");
  return h(
    "li",
    { "data-order": o.orderId, "data-shop": o.shopId },
    h("input", { type: "radio", name: "order", id, value: `${o.shopId}/${o.orderId}`, onchange: () => pick(o) }),
    h(
      "label",
      { for: id },
      h("strong", {}, o.orderId),
      ` · ${o.shopId} · ${formatMoney(o.amount)}`,
      h("small", {}, orderDates(o)),
    ),
  );
}

/** The consumer's orders inside their window, a page at a time; `pick(order)` on a choice.
 * Resolves to whether any is listed. */
async function orderPicker(fieldset, pick) {
  const list = h("ul", { class: "orders" });
  const { more } = await pagedList({
    list,
    load: async (after, first) => (await gql(MY_ORDERS, { first, after })).myOrders,
    item: (o) => orderChoice(o, pick),
    name: "orders",
    size: PAGE,
  });
  const listed = list.children.length > 0;
  clear(
    fieldset,
    h("legend", {}, t("file.pick")),
    listed
      ? [h("p", { class: "hint" }, t("file.pickHint")), list, more]
      : h("div", { class: "notice", role: "status", "data-empty": "orders" }, h("p", {}, h("strong", {}, t("file.noOrders"))), h("p", {}, t("file.noOrdersWhy"))),
  );
  return listed;
}

export async function filePage(main, { navigate }) {
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

  const category = form.querySelector('[name="category"]');
  const [guides, showGuides] = guidesFor(category);
  form.querySelector('[data-field="category"]').append(guides);
  await showGuides();

  // The shop and the order: picked from the list, or named by hand behind the disclosure.
  const shop = form.querySelector('[name="shopId"]');
  const order = form.querySelector('[name="orderId"]');
  const unlisted = h("details", { class: "unlisted" }, h("summary", {}, t("file.notListed")));
  form.querySelector('[data-field="shopId"]').before(unlisted);
  unlisted.append(form.querySelector('[data-field="shopId"]'), form.querySelector('[data-field="orderId"]'));
  const chosen = h("p", { class: "notice", role: "status", hidden: true });
  const limit = h("small", { class: "hint", "data-hint": "amount" });
  form.querySelector('[data-field="requestedRemedy"]').append(limit);
  const amount = form.querySelector('[name="remedy.amount"]');
  const currency = amount.nextElementSibling;

  const pick = (o) => {
    shop.value = o.shopId;
    order.value = o.orderId;
    // The order's amount, as a hint: asking for more is refused by the server anyway.
    amount.value = o.amount.amount;
    if (![...currency.options].some((option) => option.value === o.amount.currency)) {
      currency.append(h("option", { value: o.amount.currency }, o.amount.currency));
    }
    currency.value = o.amount.currency;
    limit.textContent = t("file.atMost", { amount: formatMoney(o.amount) });
    chosen.textContent = t("file.chosen", { orderId: o.orderId, shopId: o.shopId });
    chosen.hidden = false;
  };
  // Naming an order by hand drops the choice from the list.
  const typed = () => {
    form.querySelectorAll('input[name="order"]').forEach((radio) => (radio.checked = false));
    chosen.hidden = true;
    limit.textContent = "";
  };
  shop.addEventListener("input", typed);
  order.addEventListener("input", typed);

  const picker = h("fieldset", { class: "order-picker" });
  const listed = await orderPicker(picker, pick);
  unlisted.open = !listed;
  unlisted.before(picker, chosen);
  clear(main, h("h1", {}, t("nav.file")), h("p", { class: "hint" }, t("file.hint")), form);
}
