// @ts-check
// A small "shapes with the book's numbers" panel for the teaching views' textbook mode: labelled
// number fields under the book's names (N, C, H, W, FN, FH, P, S), applied as typed (debounced),
// and a result line the view computes through the engine. After each result the panel's
// data-runs counts the completed computations (tests wait on it); an error is shown in the panel.
import { clear, el } from "./dom.js";
import { debounce } from "./events.js";

/**
 * @typedef {{key: string, label: string, value: number, min: number, max: number}} ShapeField
 * shapeCalc(host, fields, compute, {errorText}) fills host and returns {set(values), run()}.
 * compute(values) → Promise<Node[]> (what to show); values: {key: number}.
 * @param {HTMLElement} host @param {ShapeField[]} fields
 * @param {(values: Record<string, number>) => Promise<Node[]>} compute
 * @param {{errorText: (err: Error) => string}} opts
 */
export function shapeCalc(host, fields, compute, { errorText }) {
  /** @type {Record<string, HTMLInputElement>} */
  const inputs = {};
  const out = el("div", { class: "vw-shape-out", "data-role": "book-out", "aria-live": "polite" });
  const error = el("p", { class: "vw-error", role: "alert" });
  let runs = 0;
  let seq = 0;
  const read = () => Object.fromEntries(fields.map((f) => {
    const v = Number.parseInt(inputs[f.key].value, 10);
    return [f.key, Number.isFinite(v) ? Math.min(f.max, Math.max(f.min, v)) : f.value];
  }));
  async function run() {
    const mine = ++seq;
    error.textContent = "";
    try {
      const nodes = await compute(read());
      if (mine === seq) clear(out).append(...nodes);
    } catch (err) {
      if (mine === seq) { clear(out); error.textContent = errorText(/** @type {Error} */ (err)); }
    } finally {
      runs += 1;
      host.dataset.runs = String(runs);
    }
  }
  const later = debounce(run, 250);
  const row = el("div", { class: "vw-controls" }, fields.map((f) => {
    const input = el("input", { type: "number", min: f.min, max: f.max, value: f.value, "data-role": `book-${f.key}` });
    input.addEventListener("input", later);
    inputs[f.key] = input;
    return el("label", {}, el("span", {}, f.label), input);
  }));
  clear(host).append(row, out, error);
  return {
    /** @param {Record<string, number>} values */
    set(values) {
      for (const [k, v] of Object.entries(values)) if (inputs[k]) inputs[k].value = String(v);
      return run();
    },
    run,
  };
}
