// @ts-check
// The layer-stack composer of the training panel (issue 15): add, remove and reorder conv, ReLU,
// pool and affine layers; each row shows its output shape (C×H×W or M) as it changes, computed
// like the server (out = (H + 2P − FH) / S + 1, floored) from the chosen dataset's (C, H, W); the final affine to the 10 classes and
// the softmax are added by the server. value() is the request's {"layers": [...]}.
import { el } from "../../lib/dom.js";

const KINDS = ["conv", "relu", "pool", "affine"];
const FIELDS = { conv: { filters: [1, 64, 8], size: [1, 7, 3], pad: [0, 3, 1], stride: [1, 4, 1] },
  relu: {}, pool: { size: [1, 4, 2] }, affine: { units: [1, 512, 64] } };
const START = [{ type: "conv", filters: 8, size: 3, pad: 1, stride: 1 }, { type: "relu" },
  { type: "pool", size: 2 }, { type: "affine", units: 64 }, { type: "relu" }];

/** Output shapes per layer for an input (C, H, W); null from the first impossible layer on.
 * @param {Array<Record<string, any>>} layers @param {number[]} input */
export function stackShapes(layers, input) {
  let shape = input;
  return layers.map((l) => {
    if (!shape) return null;
    if (l.type === "conv" || l.type === "pool") {
      if (shape.length !== 3) { shape = null; return null; }
      const stride = l.stride ?? (l.type === "pool" ? l.size : 1), pad = l.pad ?? 0;
      const h = Math.floor((shape[1] + 2 * pad - l.size) / stride) + 1;
      const w = Math.floor((shape[2] + 2 * pad - l.size) / stride) + 1;
      shape = h < 1 || w < 1 ? null : [l.type === "conv" ? l.filters : shape[0], h, w];
    } else if (l.type === "affine") shape = [l.units];
    return shape;
  });
}

/** @param {{t: Function}} deps */
export function createComposer({ t }) {
  const layers = START.map((l) => ({ ...l }));
  let inputShape = [3, 32, 32];  // the chosen dataset's (C, H, W): setInput
  const list = el("ol", { class: "net-stack-list", "data-role": "stack-list" });
  const add = el("button", { type: "button", "data-role": "stack-add" });
  const note = el("p", { class: "net-explain", "data-role": "stack-note" });
  const root = el("div", { class: "net-stack", "data-role": "stack", hidden: true }, list, add, note);

  function render() {
    const shapes = stackShapes(layers, inputShape);
    list.replaceChildren(...layers.map((l, i) => {
      const kind = el("select", { "aria-label": t("network.stack.kind", { n: i + 1 }), "data-role": "stack-kind" },
        ...KINDS.map((k) => el("option", { value: k, selected: k === l.type }, t(`network.stack.kinds.${k}`))));
      kind.addEventListener("change", () => {
        layers[i] = { type: kind.value, ...Object.fromEntries(Object.entries(FIELDS[kind.value]).map(([f, v]) => [f, v[2]])) };
        render();
      });
      const fields = Object.entries(FIELDS[l.type]).map(([f, [min, max]]) => {
        const input = el("input", { type: "number", min: String(min), max: String(max), value: String(l[f] ?? ""),
          "data-role": `stack-${f}` });
        input.addEventListener("change", () => { layers[i][f] = Math.min(max, Math.max(min, Number(input.value) || min)); render(); });
        return el("label", {}, el("span", {}, t(`network.stack.fields.${f}`)), input);
      });
      const move = (d) => { const j = i + d; if (j < 0 || j >= layers.length) return; [layers[i], layers[j]] = [layers[j], layers[i]]; render(); };
      const button = (role, text, disabled) => el("button", { type: "button", "data-role": role, disabled,
        "aria-label": `${text} (${i + 1})` }, text);
      const up = button("stack-up", t("network.stack.up"), i === 0);
      const down = button("stack-down", t("network.stack.down"), i === layers.length - 1);
      const remove = button("stack-remove", t("network.stack.remove"), layers.length === 1);
      up.addEventListener("click", () => move(-1));
      down.addEventListener("click", () => move(1));
      remove.addEventListener("click", () => { layers.splice(i, 1); render(); });
      const shape = shapes[i];
      return el("li", { class: "net-tl-controls", "data-role": "stack-layer" }, kind, ...fields,
        el("output", { "data-role": "stack-shape", class: shape ? "" : "net-error" },
          shape ? shape.join("×") : t("network.stack.too_small")), up, down, remove);
    }));
    root.dataset.valid = String(shapes.every(Boolean) && layers.some((l) => l.type === "conv"));
    add.textContent = t("network.stack.add");
    note.textContent = t("network.stack.note", { shape: inputShape.join("×") });
  }
  add.addEventListener("click", () => { layers.push({ type: "relu" }); render(); });
  render();
  return { root, relabel: render, value: () => ({ layers: layers.map((l) => ({ ...l })) }),
    /** The dataset changed: its (C, H, W) is the stack's input. @param {number[]} shape */
    setInput(shape) { inputShape = shape; render(); } };
}
