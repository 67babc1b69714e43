// @ts-check
// DOM helpers: element creation, clearing, reading a clamped integer from an input.

/**
 * el("div", {class: "x", "data-i18n": "views.k"}, child, "text") → HTMLElement. Attributes that are
 * null, undefined or false are left out; true sets an empty attribute; "text" sets textContent;
 * on<event> functions become listeners. Children: nodes, strings, numbers, arrays of them.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Record<string, any> | null} [attrs] @param {...any} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Remove every child of a node. @template {Node} N @param {N} node @returns {N} */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** The integer in an <input>, clamped into [lo, hi]; fallback when it is not a number.
 *  @param {HTMLInputElement | HTMLSelectElement} input @param {number} lo @param {number} hi
 *  @param {number} fallback */
export function readInt(input, lo, hi, fallback) {
  const v = Number.parseInt(input.value, 10);
  if (!Number.isFinite(v)) return fallback;
  return Math.min(hi, Math.max(lo, v));
}

/** The element of root with data-role="role" (views find their controls this way).
 *  @param {ParentNode} root @returns {(role: string) => any} */
export const byRole = (root) => (role) => root.querySelector(`[data-role="${role}"]`);

/** Every element matching selector under root, as an array.
 *  @param {string} selector @param {ParentNode} [root] @returns {HTMLElement[]} */
export const all = (selector, root = document) =>
  [.../** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll(selector))];
