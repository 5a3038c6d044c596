// @ts-check
/** DOM helpers. Engine text only ever lands in textContent, never in HTML. */

/**
 * @param {string} tag
 * @param {{ class?: string, title?: string, dataset?: Record<string, string> } | null} [attrs]
 * @param {...(Node | string | number | null | undefined)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs?.class) node.className = attrs.class;
  if (attrs?.title) node.title = attrs.title;
  if (attrs?.dataset) Object.assign(node.dataset, attrs.dataset);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "number" ? String(child) : child);
  }
  return node;
}

/** @param {string} id */
export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`missing #${id}`);
  return node;
}

/** @param {string} id @param {string} text @param {string} [className] */
export function setText(id, text, className) {
  const node = byId(id);
  node.textContent = text;
  if (className !== undefined) node.className = className;
}

/**
 * Replaces a table body's rows, or shows one "empty" row.
 * @param {string} tableId @param {HTMLElement[]} rows @param {string} emptyText
 */
export function fillTable(tableId, rows, emptyText) {
  const body = /** @type {HTMLTableElement} */ (byId(tableId)).tBodies[0];
  if (body === undefined) return;
  const columns = byId(tableId).querySelectorAll("thead th").length;
  if (rows.length === 0) {
    const cell = el("td", null, emptyText);
    /** @type {HTMLTableCellElement} */ (cell).colSpan = columns;
    body.replaceChildren(el("tr", { class: "empty" }, cell));
  } else {
    body.replaceChildren(...rows);
  }
}

/** A utilisation bar 0..1. @param {number} ratio */
export function bar(ratio) {
  const inner = el("i");
  inner.style.width = `${Math.min(100, Math.max(0, ratio * 100)).toFixed(1)}%`;
  const level = ratio >= 0.95 ? "bar bad" : ratio >= 0.8 ? "bar warn" : "bar";
  return el("div", { class: level, title: `${(ratio * 100).toFixed(1)}%` }, inner);
}
