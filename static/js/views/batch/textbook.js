// @ts-check
// The batch view's textbook mode (slide 14): (N, C, H, W) → (N, FN, OH, OW) with the book's numbers
// (SimpleConvNet's first layer, section 7.5: N = 10 images of (1, 28, 28), FN = 30 filters 5×5,
// P = 0, S = 1 → (10, 30, 24, 24)). Every field is editable; the shape comes from the engine: a
// batch of zeros of that shape goes through POST /api/convolve and the answer's shape is shown.
import { convolveArray } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { shapeText } from "../../lib/format.js";
import { loadNamespace, onLanguageChange, t } from "../../lib/i18n.js";
import { shapeCalc } from "../../lib/shapecalc.js";
import { BOOK_BATCH } from "../../lib/textbook.js";

/** Nested zeros of a shape. @param {number[]} shape @returns {any} */
const zeros = (shape) => (shape.length ? Array.from({ length: shape[0] }, () => zeros(shape.slice(1))) : 0);

const FIELDS = [["N", 1, 16], ["C", 1, 3], ["H", 1, 64], ["W", 1, 64], ["FN", 1, 64], ["FH", 1, 11], ["P", 0, 5], ["S", 1, 4]];

/** @param {Record<string, number>} v → the engine's answer as nodes */
async function compute(v) {
  const x = [v.N, v.C, v.H, v.W];
  const w = [v.FN, v.C, v.FH, v.FH];
  const resp = await convolveArray(zeros(x), { kernel: zeros(w), pad: v.P, stride: v.S, include_values: false });
  return [
    el("p", { class: "vw-shape-line", "data-role": "book-shape", "data-shape": JSON.stringify(resp.shape) },
      t("textbook.batch.result", { x: shapeText(x), w: shapeText(w), y: shapeText(resp.shape) })),
    el("p", { class: "vw-formula" }, resp.geometry.formula_h),
    el("p", { class: "vw-formula" }, resp.geometry.formula_w)];
}

/** Wire the view's textbook button and panel ([data-example], [data-role=book]). @param {HTMLElement} root */
export async function mountTextbook(root) {
  try { await loadNamespace("textbook"); } catch (err) { console.warn("textbook locale", err); }
  const button = /** @type {HTMLElement} */ (root.querySelector("[data-example]"));
  const panel = /** @type {HTMLElement} */ (root.querySelector("[data-role=book]"));
  const values = { ...BOOK_BATCH, P: BOOK_BATCH.pad, S: BOOK_BATCH.stride };
  /** @type {ReturnType<typeof shapeCalc> | null} */
  let calc = null;
  const build = () => {
    const fields = FIELDS.map(([key, min, max]) => ({ key: String(key), label: t(`textbook.names.${key}`),
      value: values[key], min: Number(min), max: Number(max) }));
    calc = shapeCalc(panel, fields, async (v) => { Object.assign(values, v); return compute(v); },
      { errorText: (e) => t("views.common.apiError", { message: e.message }) });
    return calc.run();
  };
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    panel.hidden = !on;
    if (on) { Object.assign(values, { ...BOOK_BATCH, P: BOOK_BATCH.pad, S: BOOK_BATCH.stride }); build(); }
  });
  onLanguageChange(() => { if (!panel.hidden && calc) build(); });
}
