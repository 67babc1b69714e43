// @ts-check
// The im2col view's textbook mode (section 7.4.3): the book's x1 = (1, 3, 7, 7) and x2 =
// (10, 3, 7, 7) with a 5×5 filter give im2col matrices of (9, 75) and (90, 75). Every field is
// editable; OH and OW come from the engine (GET /api/geometry), the matrix shape is
// (N·OH·OW, C·FH·FW) as in the book's Convolution.forward.
import { geometry } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { shapeText } from "../../lib/format.js";
import { loadNamespace, onLanguageChange, t } from "../../lib/i18n.js";
import { shapeCalc } from "../../lib/shapecalc.js";
import { BOOK_IM2COL } from "../../lib/textbook.js";

const FIELDS = [["N", 1, 100], ["C", 1, 64], ["H", 1, 512], ["W", 1, 512], ["FH", 1, 31], ["P", 0, 10], ["S", 1, 8]];

/** @param {Record<string, number>} v → the matrix shape as nodes */
async function compute(v) {
  const g = await geometry({ h: v.H, w: v.W, fh: v.FH, fw: v.FH, stride: v.S, pad: v.P });
  const shape = [v.N * g.out_h * g.out_w, v.C * v.FH * v.FH];
  return [
    el("p", { class: "vw-shape-line", "data-role": "book-shape", "data-shape": JSON.stringify(shape) },
      t("textbook.im2col.result", { x: shapeText([v.N, v.C, v.H, v.W]), fh: v.FH, col: shapeText(shape),
        n: v.N, oh: g.out_h, ow: g.out_w, c: v.C })),
    el("p", { class: "vw-formula" }, g.formula_h),
    el("p", { class: "vw-formula" }, g.formula_w)];
}

/** Wire the view's textbook buttons and panel ([data-example], [data-role=book]). @param {HTMLElement} root */
export async function mountTextbook(root) {
  try { await loadNamespace("textbook"); } catch (err) { console.warn("textbook locale", err); }
  const panel = /** @type {HTMLElement} */ (root.querySelector("[data-role=book]"));
  const buttons = [.../** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll("[data-example]"))];
  /** @type {Record<string, number>} */
  let values = { ...BOOK_IM2COL.x2 };
  let open = false;
  const build = () => {
    const fields = FIELDS.map(([key, min, max]) => ({ key: String(key), label: t(`textbook.names.${key}`),
      value: values[key], min: Number(min), max: Number(max) }));
    return shapeCalc(panel, fields, async (v) => { values = v; return compute(v); },
      { errorText: (e) => t("views.common.apiError", { message: e.message }) }).run();
  };
  for (const button of buttons) {
    button.addEventListener("click", () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(on && b === button)));
      open = on;
      panel.hidden = !on;
      if (on) { values = { ...BOOK_IM2COL[button.dataset.example ?? "x2"] }; build(); }
    });
  }
  onLanguageChange(() => { if (open) build(); });
}
