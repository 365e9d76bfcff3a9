// The case page's sections about what the case rests on: the order it is about (as the
// marketplace recorded it), what intake decided, and the evidence. Each is drawn from typed
// fields of the API (`Complaint.order`, `Complaint.intake`, `Complaint.evidence`), never from
// the timeline's details.

import { fileUrl } from "./api.js";
import { h } from "./dom.js";
import { formatMoney, formatTime, label, t } from "./i18n.js";

export const RULE = "code title text";
/** What the case query asks for these sections. */
export const FACTS = `order { orderId shopId amount { amount currency } paidAt deliveredAt carrier trackingNumber complaintWindowEndsAt }
    intake { returnedFor missing rejectedReason resubmissions rules { ${RULE} } }
    evidenceRequests { id party kinds note requestedAt dueAt status }
    evidence { id party kind description submittedAt requestId file { sha256 mediaType size url } }`;

export function section(key, ...content) {
  const id = `section-${key}`;
  return h("section", { class: "card", "aria-labelledby": id, "data-section": key }, h("h2", { id }, t(`case.${key}`)), content);
}

/** A list of facts: [catalogue key, value] pairs; those without a value are left out. */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(([, value]) => value !== null && value !== undefined && value !== "").map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)]),
  );
}

export function ruleQuote(rule) {
  return h("blockquote", { class: "rule", "data-rule": rule.code }, h("strong", {}, `${rule.code} · ${rule.title}`), h("p", {}, rule.text));
}

/** The order as the marketplace recorded it; the carrier and tracking number where the API
 * shows them to this viewer. Null where orders were not checked at filing (ORDER_CHECK=off). */
export function orderSection(c) {
  const o = c.order;
  if (!o) return null;
  return section(
    "orderDetails",
    facts([
      ["order.shop", o.shopId],
      ["order.id", o.orderId],
      ["order.amount", formatMoney(o.amount)],
      ["order.paidAt", formatTime(o.paidAt)],
      ["order.deliveredAt", o.deliveredAt ? formatTime(o.deliveredAt) : t("order.notDelivered")],
      ["order.carrier", o.carrier],
      ["order.trackingNumber", o.trackingNumber],
      ["order.windowEnds", formatTime(o.complaintWindowEndsAt)],
    ]),
  );
}

/** What intake decided: the latest return for information and what it said was missing, a
 * rejection and its reason, the rules they cite, and how often the consumer resubmitted. */
export function intakeSection(c) {
  const i = c.intake;
  if (!i || (!i.returnedFor && !i.rejectedReason && !i.resubmissions && !i.missing.length)) return null;
  return section(
    "intake",
    facts([
      ["case.returnedFor", i.returnedFor],
      ["case.missing", i.missing.length ? h("ul", { class: "missing" }, i.missing.map((m) => h("li", {}, m))) : null],
      ["case.rejectedReason", i.rejectedReason],
      ["case.resubmissions", i.resubmissions ? t("case.times", { n: i.resubmissions }) : null],
    ]),
    i.rules.length ? [h("h3", {}, t("case.rulesCited")), i.rules.map(ruleQuote)] : null,
  );
}

function thumbnail(file) {
  const link = h("a", { href: "#", class: "file", "aria-label": t("case.openFile", { type: file.mediaType }) });
  const image = file.mediaType.startsWith("image/") ? h("img", { alt: t("case.evidenceImage"), width: 96, height: 96 }) : null;
  link.append(image || t("case.fileOf", { type: file.mediaType }));
  fileUrl(file.url)
    .then((url) => {
      if (image) image.src = url;
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
    })
    .catch(() => link.replaceChildren(t("case.fileGone")));
  return link;
}

/** The requests for evidence and the evidence itself, each item naming the request it answers.
 * (Evidence that answers none was attached when filing or resubmitting, or volunteered.) */
export function evidenceSection(c) {
  if (!c.evidence.length && !c.evidenceRequests.length) return null;
  const requests = new Map(c.evidenceRequests.map((r) => [r.id, r]));
  return section(
    "evidence",
    c.evidenceRequests.length
      ? h(
          "ul",
          { class: "items requests" },
          c.evidenceRequests.map((r) =>
            h("li", {}, t("case.requestFor", { party: label("role", r.party), kinds: r.kinds.join(", ") }), " ", h("span", { class: "badge" }, label("request", r.status)), r.note ? h("p", {}, r.note) : null),
          ),
        )
      : null,
    h(
      "ul",
      { class: "items evidence" },
      c.evidence.map((e) =>
        h(
          "li",
          { "data-evidence": e.id, "data-request": e.requestId },
          e.file ? thumbnail(e.file) : null,
          h(
            "div",
            {},
            h("strong", {}, `${label("role", e.party)} · ${e.kind}`),
            e.requestId ? [" ", h("span", { class: "badge" }, t("case.answers", { kinds: requests.get(e.requestId)?.kinds.join(", ") || e.kind }))] : null,
            e.description ? h("p", {}, e.description) : null,
            h("small", {}, formatTime(e.submittedAt)),
          ),
        ),
      ),
    ),
  );
}
