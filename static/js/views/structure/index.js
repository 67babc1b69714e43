// @ts-check
// View "structure" (slides 4–5): a fully connected layer flattens 28×28 into 784 (neighbours end up
// 28 apart); a CNN keeps (C, H, W) through its layers: the learned model's real layers from
// GET /api/models/{id} (output shapes and parameter counts).

import { convolve, getModel, listModels, stage } from "../../lib/api.js";
import { clear, el } from "../../lib/dom.js";
import { cellAt, drawMap, mapScale } from "../../lib/draw.js";
import { shapeText } from "../../lib/format.js";
import { loadNamespace } from "../../lib/i18n.js";
import { squarePng } from "../../lib/images.js";
import { openView } from "../../lib/view.js";
import { block, op } from "../../lib/widgets.js";

const SIDE = 28;
const HUES = { input: 200, conv: 30, relu: 280, pool: 120, affine: 0, softmax: 330 };

export async function mount(root) {
  try { await loadNamespace("textbook"); } catch (err) { console.warn("textbook locale", err); }
  const view = await openView(root, "structure", { compute });
  const { $, t } = view;
  const st = { digit: null, mark: [14, 14], models: [], model: null };

  async function loadDigit() {
    const png = await squarePng(await view.image(), SIDE);
    const resp = await convolve([png], { color: "gray", kernel: [[1]] });
    st.digit = stage(resp, "input").values;
  }

  /** A model's name in the interface language (locale key by id; the id itself otherwise). */
  const modelName = (id) => {
    const key = `views.structure.models.${id}`;
    const name = t(key);
    return name === key ? id : name;
  };

  async function loadModels() {
    const body = await listModels();
    st.models = body.models || [];
    const select = clear($("model"));
    for (const m of st.models) select.append(el("option", { value: m.id, "data-model": m.id }, modelName(m.id)));
    // the book's SimpleConvNet (section 7.5) first, beside the 28×28 digit the view flattens
    const book = st.models.find((m) => m.id === "simple-convnet") ?? st.models.find((m) => m.input_shape?.[0] === 1);
    if (book) select.value = book.id;
  }

  async function loadModel() {
    const id = $("model").value;
    if (id) st.model = await getModel(id);
  }

  async function compute() {
    if (!st.models.length) await loadModels();
    await Promise.all([st.digit ? null : loadDigit(), loadModel()]);
    render();
  }

  /** The 28×28 image, the flat 784 row, and where one pixel and its neighbours land. */
  function renderFlatten() {
    const host = clear($("flatten"));
    if (!st.digit) return;
    const [my, mx] = st.mark;
    const gray = mapScale(st.digit, { kind: "gray", lo: 0, hi: 1 });
    const marks = /** @type {[number, number, string][]} */ ([[my, mx, "#e4007f"], [my - 1, mx, "#00a0e9"],
      [my + 1, mx, "#00a0e9"], [my, mx - 1, "#f39800"], [my, mx + 1, "#f39800"]])
      .filter(([y, x]) => y >= 0 && x >= 0 && y < SIDE && x < SIDE);
    const img = drawMap(el("canvas", { class: "vw-map vw-digit", role: "img", tabindex: 0,
      "aria-label": t("views.structure.imageLabel") }), st.digit, SIDE, SIDE, gray);
    const g = img.getContext("2d");
    for (const [y, x, c] of marks) { g.strokeStyle = c; g.lineWidth = 0.35; g.strokeRect(x + 0.15, y + 0.15, 0.7, 0.7); }
    img.addEventListener("click", (ev) => {
      st.mark = cellAt(ev, img, SIDE, SIDE);
      renderFlatten();
    });
    img.addEventListener("keydown", (ev) => {
      const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[ev.key];
      if (!d) return;
      ev.preventDefault();
      st.mark = [Math.min(SIDE - 1, Math.max(0, my + d[0])), Math.min(SIDE - 1, Math.max(0, mx + d[1]))];
      renderFlatten();
      root.querySelector(".vw-digit")?.focus();
    });
    const strip = drawMap(el("canvas", { class: "vw-strip", role: "img", "aria-label": t("views.structure.stripLabel") }),
      st.digit, 1, SIDE * SIDE, gray);
    const ticks = el("div", { class: "vw-strip-marks" });
    for (const [y, x, c] of marks) {
      const mark = el("span", { class: "vw-strip-mark", title: `(${y}, ${x}) → ${y * SIDE + x}` });
      mark.style.left = `${(100 * (y * SIDE + x + 0.5)) / (SIDE * SIDE)}%`;
      mark.style.borderColor = c;
      ticks.append(mark);
    }
    const i = my * SIDE + mx;
    host.append(
      el("div", { class: "vw-flat-row" },
        el("figure", { class: "vw-fig" }, img, el("figcaption", {}, `${shapeText([1, SIDE, SIDE])}`)),
        op("→"),
        el("figure", { class: "vw-fig vw-strip-fig" }, el("div", { class: "vw-strip-wrap" }, strip, ticks),
          el("figcaption", {}, `${shapeText([SIDE * SIDE])} = ${SIDE}×${SIDE}`))),
      el("p", { "data-role": "flat-text" }, t("views.structure.flatText", { y: my, x: mx, i, up: i - SIDE, down: i + SIDE, left: i - 1, right: i + 1, side: SIDE })));
  }

  /** One block per layer with its real output shape and parameter count. */
  function renderLayers() {
    const host = clear($("layers"));
    const m = st.model;
    if (!m) return;
    let total = 0;
    const side = Math.max(...(m.input_shape || [1, 28, 28]).slice(1));
    m.layers.forEach((layer, idx) => {
      total += layer.params;
      const s = layer.output_shape;
      const hue = HUES[layer.type] ?? 200;
      // Maps drawn to one scale (the input's side = 70 px) so the shrinking shows; vectors as bars.
      const b = s.length === 3
        ? block({ c: s[0], h: s[1], w: s[2], label: shapeText(s), hue, maxPx: (70 * Math.max(s[1], s[2])) / side })
        : block({ c: 1, h: s[0], w: Math.max(1, s[0] / 10), label: shapeText(s), hue,
          maxPx: Math.min(90, 14 + 8 * Math.log2(Math.max(2, s[0]))) });
      if (idx) host.append(op("→"));
      host.append(el("div", { class: `vw-layer vw-layer-${layer.type}`, "data-name": layer.name, "data-shape": JSON.stringify(s), "data-params": layer.params },
        el("div", { class: "vw-layer-type" }, t(`views.structure.types.${layer.type}`)),
        el("div", { class: "vw-layer-name" }, layer.name),
        b,
        el("div", { class: "vw-layer-params" }, t("views.structure.params", { n: layer.params.toLocaleString("en") }))));
    });
    const flat = m.layers.findIndex((l) => l.output_shape.length === 1);
    const before = flat > 0 ? m.layers[flat - 1].output_shape : null;
    $("total").textContent = t("views.structure.total", { n: total.toLocaleString("en") }) +
      (before ? " " + t("views.structure.flattenAt", { name: m.layers[flat].name, shape: shapeText(before), n: before.reduce((a, b2) => a * b2, 1) }) : "");
  }

  function render() {
    renderFlatten();
    renderLayers();
  }

  const trigger = view.start();
  $("model").addEventListener("change", trigger);
  root.querySelectorAll("[data-example]").forEach((b) => b.addEventListener("click", () => {   // textbook mode
    $("model").value = b.dataset.example;
    $("model").dispatchEvent(new Event("change"));
  }));
  view.onImage(() => { st.digit = null; trigger(); });
  view.onLanguage(() => {
    root.querySelectorAll("[data-model]").forEach((o) => { o.textContent = modelName(o.dataset.model); });
    render();
  });
}
