// @ts-check
// The 3-D convolution view's textbook mode (slides 11–13) and its position marker. The slides show
// the block picture without numbers, so the example is built from the book's slide-7 numbers: three
// 4×4 channels (the slide-7 input, and two variations of it), FN = 2 filters of shape (3, 3, 3)
// (filter 1 = the slide-7 filter in every channel) and FN = 2 biases. Its channel-1 partial of
// filter 1 is the slide's [[15, 16], [6, 15]]. Every number shown is the engine's.
import { el } from "../../lib/dom.js";
import { plane } from "../../lib/images.js";
import { numGrid } from "../../lib/numgrid.js";
import { BOOK_BANK, BOOK_INPUT3D, copyRows } from "../../lib/textbook.js";

const CH = ["R", "G", "B"];

/** A fresh copy of the example: {input: (3, 4, 4) rows, bank: [{w: (3, 3, 3), b}]} */
export function bookExample() {
  return { input: BOOK_INPUT3D.map(copyRows),
    bank: BOOK_BANK.filters.map((f, i) => ({ w: f.map(copyRows), b: BOOK_BANK.biases[i] })) };
}

/**
 * The numbers of the example: the C input channels (editable; onEdit(c, rows)), then per filter the
 * C partial maps, their sum, the bias and the engine's output. r: the view's result.
 * @param {any} book @param {any} r @param {(k: string, v?: object) => string} t
 * @param {(c: number, rows: number[][]) => void} onEdit
 */
export function renderBookNumbers(book, r, t, onEdit) {
  const ch = (c) => t(`views.common.channel${CH[c]}`);
  const label = (name) => (y, x, v) => t("textbook.cell", { grid: name, r: y + 1, c: x + 1, v });
  /** @param {string} role @param {string} title @param {HTMLElement} grid */
  const box = (role, title, grid) => el("div", { class: "vw-labelled", "data-role": role }, el("h4", {}, title), grid);
  const inputs = book.input.map((rows, c) => {
    const h = rows.length;
    const w = rows[0].length;
    return box(`book-in-${c}`, ch(c), numGrid(rows.flat(), h, w, { label: ch(c), cellLabel: label(ch(c)),
      onChange: (vals) => onEdit(c, Array.from({ length: h }, (_, y) => vals.slice(y * w, y * w + w))) }));
  });
  const [, FN, OH, OW] = r.conv.shape;
  const rows = [];
  for (let f = 0; f < FN; f++) {
    const parts = [0, 1, 2].map((c) => plane(r.parts.values, r.parts.shape, 0, f * 3 + c));
    const sum = parts[0].map((v, i) => v + parts[1][i] + parts[2][i]);
    const out = plane(r.conv.values, r.conv.shape, 0, f);
    const grid = (role, title, values) => box(role, title, numGrid(values, OH, OW, { label: title, cellLabel: label(title), digits: 2 }));
    const items = [];
    parts.forEach((p, c) => {
      if (c) items.push(el("span", { class: "vw-op", "aria-hidden": "true" }, "+"));
      items.push(grid(`book-part-${f}-${c}`, t("textbook.conv3d.partial", { f: f + 1, ch: ch(c) }), p));
    });
    items.push(el("span", { class: "vw-op", "aria-hidden": "true" }, "="),
      grid(`book-sum-${f}`, t("views.conv3d.sum"), sum),
      el("span", { class: "vw-op", "aria-hidden": "true" }, "+"),
      el("div", { class: "vw-biasbox", "data-role": `book-bias-${f}` }, el("span", {}, t("views.common.bias")), el("strong", {}, String(r.bias[f]))),
      el("span", { class: "vw-op", "aria-hidden": "true" }, "="),
      grid(`book-out-${f}`, t("views.conv3d.output", { f: f + 1 }), out));
    rows.push(el("div", { class: "vw-row-maps vw-book-row" }, items));
  }
  return [el("div", { class: "vw-row-maps" }, inputs), ...rows];
}

/** Wrap a figure's canvas so a marker can be laid over it; kind "in" (H×W input) or "out". */
export function markable(fig, kind, h, w) {
  const canvas = fig.querySelector("canvas");
  const wrap = el("span", { class: "vw-mapwrap", "data-mark": kind, "data-h": h, "data-w": w });
  canvas.replaceWith(wrap);
  wrap.append(canvas, el("span", { class: "vw-marker", "aria-hidden": "true" }));
  return fig;
}

/** Mark output position (y, x) on every "out" map under host and its window (k×k, stride S,
 *  padding P) on every "in" map. @param {ParentNode} host */
export function markAll(host, y, x, { k, stride, pad }) {
  host.querySelectorAll(".vw-mapwrap").forEach((wrap) => {
    const h = Number(wrap.dataset.h);
    const w = Number(wrap.dataset.w);
    const inMap = wrap.dataset.mark === "in";
    const y0 = inMap ? Math.max(0, y * stride - pad) : y;
    const x0 = inMap ? Math.max(0, x * stride - pad) : x;
    const y1 = inMap ? Math.min(h, y * stride - pad + k) : y + 1;
    const x1 = inMap ? Math.min(w, x * stride - pad + k) : x + 1;
    const m = /** @type {HTMLElement} */ (wrap.querySelector(".vw-marker"));
    wrap.dataset.y = String(y0);
    wrap.dataset.x = String(x0);
    Object.assign(m.style, { top: `${(100 * y0) / h}%`, left: `${(100 * x0) / w}%`,
      height: `${(100 * (y1 - y0)) / h}%`, width: `${(100 * (x1 - x0)) / w}%` });
  });
}
