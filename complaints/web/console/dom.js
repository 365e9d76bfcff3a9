// Building the page from data without innerHTML: text is always text.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name in element && typeof value !== "string") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : value);
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function clear(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let unique = 0;
export function uid(prefix = "f") {
  unique += 1;
  return `${prefix}-${unique}`;
}

/** A table that may be wider than a phone: it scrolls inside a region of its own, which the
 * keyboard can reach and a screen reader names (`name`), not the page sideways. */
export function tableWrap(name, table) {
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": name }, table);
}
