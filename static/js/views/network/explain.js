// @ts-check
// "Why this answer" (issue 15.4): saliency, Grad-CAM, occlusion and activation maximisation of
// the current digit through POST /api/models/{id}/explain, with the numbers behind each map:
// Grad-CAM's α_k and the weighted sum Σ_k α_k·A^k, occlusion's score drops, the top-9 patches.
import { explainModel } from "../../lib/api.js";
import { clear, el } from "../../lib/dom.js";
import { drawMap, drawRgb, fitCanvas, mapScale } from "../../lib/draw.js";
import { fixed } from "../../lib/format.js";
import { getLanguage, t } from "../../lib/i18n.js";

const METHODS = ["saliency", "gradcam", "occlusion", "maximize"];
const MAP_PX = 168;

/** A canvas showing a (h, w) nested list, with a caption. @param {number[][]} rows
 *  @param {string} caption @param {string} [kind] */
function figure(rows, caption, kind) {
  const rgb = Array.isArray(rows[0]?.[0]) && rows.length === 3;  // (3, H, W): a colour image
  const h = rgb ? rows[0].length : rows.length, w = rgb ? rows[0][0].length : rows[0].length;
  const canvas = el("canvas", { class: "net-pixelated", role: "img", "aria-label": caption });
  if (rgb) drawRgb(canvas, rows.flat(2), h, w);  // values in [0, 1]: an input image
  else {
    const flat = rows.flat();
    drawMap(canvas, flat, h, w, mapScale(flat, kind ? { kind } : {}));
  }
  fitCanvas(canvas, h, w, MAP_PX, MAP_PX);
  return el("figure", { class: "xp-fig" }, canvas, el("figcaption", { text: caption }));
}

/** The step list: name, formula and a short summary of the values. @param {any[]} steps */
function stepList(steps) {
  const summary = (v) => {
    if (typeof v === "number") return fixed(v, 4);
    const flat = [v].flat(Infinity);
    return `${flat.length} · min ${fixed(Math.min(...flat), 3)} · max ${fixed(Math.max(...flat), 3)}`;
  };
  return el("ol", { class: "xp-steps", "data-role": "xpSteps" }, steps.map((s) =>
    el("li", {}, el("code", { text: s.formula }), " = ", summary(s.values))));
}

/** Grad-CAM: α_k listed (largest |α| first) and the sum built term by term. @param {any} r */
function gradcamDetails(r) {
  const by = Object.fromEntries(r.steps.map((s) => [s.name, s.values]));
  const alpha = /** @type {number[]} */ (by.alpha);
  const order = alpha.map((a, k) => k).sort((a, b) => Math.abs(alpha[b]) - Math.abs(alpha[a]));
  const rows = order.slice(0, 8).map((k) => el("tr", {},
    el("th", { scope: "row", text: `k = ${k}` }), el("td", { text: fixed(alpha[k], 5) })));
  const table = el("table", { class: "xp-alpha", "data-role": "xpAlpha" },
    el("caption", { text: t("network.why.alpha", { n: alpha.length }) }), el("tbody", {}, rows));
  const sent = /** @type {number[]} */ (r.channels ?? alpha.map((a, k) => k));  // terms' rows
  const terms = order.slice(0, 4).map((k) =>
    figure(by.terms[sent.indexOf(k)], `α_${k}·A^${k}`, "diverging"));
  return [table, el("div", { class: "xp-row" }, terms,
    figure(by.weighted_sum, t("network.why.sum"), "diverging"),
    figure(by.relu, t("network.why.relu")), figure(r.overlay, t("network.why.overlay")))];
}

/** Maximisation: the synthetic image beside the 9 sample patches. @param {any} r */
function maximizeDetails(r, model) {
  const colour = r.shape.length === 3 && r.shape[0] === 3;  // patches of synthetic colour pictures
  const data = model?.card?.data;
  const names = colour ? (getLanguage() === "ja" ? data?.classes_ja : data?.classes) ?? null : null;
  const patches = r.patches.map((p) => figure(p.patch, t(colour ? "network.why.patchColour" : "network.why.patch",
    { label: names?.[p.label] ?? p.label, act: fixed(p.activation, 2) }), "gray"));
  return [el("h4", { text: t(colour ? "network.why.patchesColour" : "network.why.patches") }),
    el("div", { class: "xp-row", "data-role": "xpPatches" }, patches)];
}

/** Build the panel in host; returns {setInput(values), setModel(detail)}.
 *  @param {HTMLElement} host */
export function mountExplain(host) {
  /** @type {{model: any, input: number[][] | number[][][] | (() => Promise<any>) | null, last: any}} */
  const state = { model: null, input: null, last: null };
  const method = el("select", { "data-role": "xpMethod", id: "xp-method" },
    METHODS.map((m) => el("option", { value: m })));
  const layer = el("select", { "data-role": "xpLayer", id: "xp-layer" });
  const index = el("input", { type: "number", min: 0, value: 0, "data-role": "xpIndex", id: "xp-index" });
  const run = el("button", { type: "button", "data-role": "xpRun" });
  const out = el("div", { class: "xp-out", "data-role": "xpOut", "aria-live": "polite" });
  const labels = [el("label", { for: "xp-method" }), el("label", { for: "xp-layer" }),
    el("label", { for: "xp-index" })];
  host.replaceChildren(el("div", { class: "xp-controls" }, labels[0], method, labels[1], layer,
    labels[2], index, run), out);

  function label() {
    [...method.options].forEach((o) => { o.text = t(`network.why.methods.${o.value}`); });
    labels[0].textContent = t("network.why.method");
    labels[1].textContent = t("network.why.layer");
    labels[2].textContent = t("network.why.index");
    run.textContent = t("network.why.run");
    if (state.last) show(state.last);
  }

  /** @param {any} r */
  function show(r) {
    state.last = r;
    const shape = r.shape;  // a colour maximize image stays RGB; other (C, H, W) maps show channel 0
    const rows = shape.length !== 3 ? r.map : r.method === "maximize" && shape[0] === 3 ? r.map : r.map[0];
    const head = t("network.why.result", { target: r.target, predicted: r.predicted });
    const main = figure(rows, t(`network.why.maps.${r.method}`),
      { occlusion: "diverging", maximize: "gray" }[r.method]);
    const extra = r.method === "gradcam" ? gradcamDetails(r)
      : r.method === "maximize" ? maximizeDetails(r, state.model) : [];
    clear(out).append(el("p", { text: head }), el("div", { class: "xp-row" }, main), ...extra,
      el("h4", { text: t("network.why.steps") }), stepList(r.steps));
    host.dataset.method = r.method;
  }

  async function explainNow() {
    if (!state.model || !state.input) return;
    host.dataset.state = "busy";
    const body = { input: null, method: method.value, index: Number(index.value) || 0 };
    if (layer.value) body.layer = layer.value;
    if (method.value === "gradcam") body.channels = 8;  // the top-4 terms are drawn; α_k all
    try {
      body.input = typeof state.input === "function" ? await state.input() : state.input;
      show(await explainModel(state.model.id, body));
    } catch (err) {
      clear(out).append(el("p", { class: "net-error", role: "alert",
        text: t("network.why.error", { message: err.message }) }));
    } finally {
      host.dataset.state = "idle";
    }
  }

  run.addEventListener("click", explainNow);
  method.addEventListener("change", () => {
    const needsLayer = method.value === "gradcam" || method.value === "maximize";
    layer.disabled = !needsLayer;
    index.disabled = method.value !== "maximize";
  });
  method.dispatchEvent(new Event("change"));
  label();
  return {
    /** @param {any} values the input the network saw ((H, W) or (C, H, W)) */
    setInput(values) { state.input = values; },  // or an async () => values, asked on Explain
    /** @param {any} detail the model (GET /api/models/{id}) */
    setModel(detail) {
      state.model = detail;
      layer.replaceChildren(...detail.conv_layers.map((n) => new Option(n, n)));
      layer.value = detail.conv_layers[detail.conv_layers.length - 1];
      clear(out);
      state.last = null;
      // an imported model too: every method through its layers' own backward
      host.dataset.imported = String(String(detail.source).startsWith("onnx"));
    },
    relabel: label,
  };
}
