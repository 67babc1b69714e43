// Tiny DOM helpers shared by the teaching views: element creation and clearing.

/** el("div", {class: "x", "data-i18n": "views.k"}, child, "text") → HTMLElement. */
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

/** Remove every child of a node. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Format a float for display: fixed digits, "−" as the minus sign, no "-0". */
export function fmt(v, digits = 2) {
  if (!Number.isFinite(v)) return String(v);
  const s = v.toFixed(digits);
  const zero = /^-0\.?0*$/.test(s);
  return zero ? s.slice(1) : s.replace("-", "−");
}

/** "(3, 28, 28)" from a shape array; a 1-tuple as "(784,)". */
export function shapeText(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Integer input helper: clamps value of an <input type=number> into [lo, hi]. */
export function readInt(input, lo, hi, fallback) {
  const v = Number.parseInt(input.value, 10);
  if (!Number.isFinite(v)) return fallback;
  return Math.min(hi, Math.max(lo, v));
}
