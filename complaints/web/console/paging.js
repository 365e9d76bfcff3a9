// Lists drawn a page at a time from one of the API's connections (keyset cursors: `first`,
// `after`, `pageInfo { hasNextPage endCursor }`): "more" appends the next page. A list that keeps
// its place writes the cursor its latest page started after into the hash route
// (`#/cases?after=…`; the token is never in a URL), so that a reload starts from that page, with
// "more" from there and a link back to the first page.

import { ApiError } from "./api.js";
import { problem } from "./common.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";

/** How many items a page of a list shows. */
export const PAGE_SIZE = 25;

/** The route without its query: `#/cases?after=X` → `#/cases`. */
export function routePath(hash = location.hash) {
  return hash.split("?")[0] || "#/";
}

/** The cursor a route's list starts after (`?after=`), or null for its first page. */
export function routeCursor(hash = location.hash) {
  const query = hash.split("?")[1];
  return query ? new URLSearchParams(query).get("after") || null : null;
}

/** The route `path` with the list starting after `cursor` (none: its first page). */
export function routeAt(path, cursor) {
  return cursor ? `${path}?${new URLSearchParams({ after: cursor })}` : path;
}

/**
 * A list of a connection's nodes in `list`, a page at a time.
 *
 * `load(after, first)` resolves to the connection's page of `size` items at most (edges,
 * pageInfo and whatever else the caller asked for); `item(node)` draws one node;
 * `onPage(connection)` follows each page (a count, say). With `keep`, the list starts from the
 * route's cursor and writes the cursor of each page it appends back into the route, with
 * history.replaceState: no new route is taken and the list drawn so far stays. `name` marks its
 * controls (`data-more`, `data-first`).
 *
 * Resolves to `{ top, more, reset }`: `top` (a link to the first page, shown when the list does
 * not start there, and a refused cursor's problem) goes above the list, `more` below it;
 * `reset()` draws the first page again (a live list does, when what it lists changes).
 */
export async function pagedList({ list, load, item, onPage = () => {}, keep = false, name = "list", size = PAGE_SIZE }) {
  const path = routePath();
  const button = h("button", { type: "button", hidden: true, "data-more": name }, t("list.more"));
  const failed = h("div");
  const more = h("div", { class: "paging" }, button, failed);
  const first = h("a", { href: path, class: "first-page", hidden: true, "data-first": name }, t("list.first"));
  const notice = h("div");
  const top = h("div", { class: "paging-top" }, first, notice);
  let next = null;
  // Which drawing of the list a page belongs to: a page that arrives after the list started
  // over (a live list's reset) is dropped.
  let drawing = 0;

  const remember = (cursor) => {
    // Only while the route is still this list's: the viewer may have moved on meanwhile.
    if (keep && routePath() === path && routeCursor() !== cursor) history.replaceState(history.state, "", routeAt(path, cursor));
  };
  /** The page after `after`, appended; with `fresh`, in place of the list drawn so far. */
  const page = async (after, fresh = false) => {
    const mine = fresh ? ++drawing : drawing;
    const connection = await load(after, size);
    if (mine !== drawing) return connection;
    if (fresh) {
      list.replaceChildren();
      first.hidden = after === null;
    }
    list.append(...connection.edges.map(({ node }) => item(node)));
    next = connection.pageInfo.endCursor;
    button.hidden = !connection.pageInfo.hasNextPage;
    remember(after);
    onPage(connection);
    return connection;
  };
  const start = (after) => page(after, true);

  const cursor = keep ? routeCursor() : null;
  try {
    await start(cursor);
  } catch (error) {
    // A cursor the API refuses (edited, or of another order): said, and the first page instead.
    if (cursor === null || !(error instanceof ApiError) || error.code !== "VALIDATION_FAILED") throw error;
    clear(notice, problem(error));
    await start(null);
  }
  button.addEventListener("click", async () => {
    clear(failed);
    button.disabled = true;
    const shown = list.children.length;
    try {
      await page(next);
      // The list is whole and the button gone: the keyboard goes on from the first item it added.
      if (button.hidden) list.children[shown]?.querySelector("a[href], button")?.focus();
    } catch (error) {
      clear(failed, problem(error));
    } finally {
      button.disabled = false;
    }
  });
  const reset = () => {
    clear(notice);
    return start(null);
  };
  return { top, more, reset };
}
