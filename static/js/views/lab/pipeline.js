// @ts-check
// The pipeline input → conv → ReLU → pool: one card per stage, each map on a canvas at its true
// aspect with its shape (C, H, W), min, max and a colour-scale legend; channels side by side.
import { drawLegend } from "../../lib/colorscale.js";
import { el } from "../../lib/dom.js";
import { drawMap, drawRgb, fitCanvas } from "../../lib/draw.js";
import { compact } from "../../lib/format.js";
import { boxSizes } from "./layout.js";
import { LOOKS, scalesFor } from "./looks.js";

const CARD_PAD = 14;   // px: a card's padding + border

/** A stage's min / max: up to 3 decimals, exponential from 1000 and below 0.001. @param {number} v */
const fmt = (v) => compact(v, 3, { big: 1000, small: 0.001 });

/** A stage with its values viewed as (C, H, W) (N = 1). */
export function stageData(stage, values) {
  const [C, H, W] = stage.shape.slice(-3);
  return { name: stage.name, C, H, W, min: stage.min, max: stage.max, values };
}

/** Pad value index: -1 (zero) for zeros mode, else the clamped / mirrored index (numpy modes). */
export function padIndex(i, n, mode) {
  if (i >= 0 && i < n) return i;
  if (mode === "zeros") return -1;
  if (mode === "edge") return i < 0 ? 0 : n - 1;
  let k = i;  // reflect (no edge repeat), valid for pad < n
  while (k < 0 || k >= n) k = k < 0 ? -k : 2 * (n - 1) - k;
  return k;
}

let lastPad = { key: /** @type {any[]} */ ([]), padded: /** @type {any} */ (null) };

/** The input (C, H, W) padded by (ph, pw) with the pad mode: a Float32Array (C, H+2ph, W+2pw);
 *  the last one is kept (the lab pads the same input for its maps and for drawing). */
export function padInput(d, ph, pw, mode) {
  const key = [d.values, d.C, d.H, d.W, ph, pw, mode];
  if (key.every((k, i) => k === lastPad.key[i])) return lastPad.padded;
  const HP = d.H + 2 * ph, WP = d.W + 2 * pw;
  const out = new Float32Array(d.C * HP * WP);
  const cols = Array.from({ length: WP }, (_, q) => padIndex(q - pw, d.W, mode));
  const sides = [...Array(pw).keys()].flatMap((k) => [k, pw + d.W + k]);   // the padded columns
  for (let c = 0; c < d.C; c++) {
    for (let r = 0; r < HP; r++) {
      const sr = padIndex(r - ph, d.H, mode);
      if (sr < 0) continue;   // a zero row
      const src = (c * d.H + sr) * d.W, dst = (c * HP + r) * WP;
      if (d.values instanceof Float32Array) out.set(d.values.subarray(src, src + d.W), dst + pw);
      else for (let q = 0; q < d.W; q++) out[dst + pw + q] = d.values[src + q];
      for (const q of sides) {
        out[dst + q] = cols[q] < 0 ? 0 : d.values[src + cols[q]];
      }
    }
  }
  lastPad = { key, padded: { C: d.C, H: HP, W: WP, values: out } };
  return lastPad.padded;
}

function mapBox(fig, label, kept = null) {
  const box = el("div", { class: "map" });
  const inner = el("div", { class: "map-inner" });
  const canvas = kept ?? el("canvas", { class: "map-canvas" });
  const shade = el("canvas", { class: "map-shade" });
  const overlay = el("canvas", { class: "map-overlay" });
  shade.setAttribute("aria-hidden", "true");
  overlay.setAttribute("aria-hidden", "true");
  inner.append(canvas, shade, overlay);
  box.append(inner);
  if (label) box.append(el("span", { class: "channel-label" }, label));
  fig.querySelector(".maps").append(box);
  return { box, inner, canvas, shade, overlay };
}

/** Fit a map to a box: its canvas at the true aspect (lib/draw.js fitCanvas); the map's box and
 *  layers take that size (zoom.js scales them from there). */
function fit(m, H, W, box) {
  m.fitScale = fitCanvas(m.canvas, H, W, box, box);
  m.fw = parseFloat(m.canvas.style.width); m.fh = parseFloat(m.canvas.style.height);
  m.box.style.width = `${m.fw + 2}px`; m.box.style.height = `${m.fh + 2}px`;
  m.scale = m.fitScale;
}

/** The zoom buttons of a card: − 100% +, the label names the stage. */
function zoomButtons(stageName, t) {
  const wrap = el("span", { class: "zoom-buttons", role: "group", "aria-label": t("lab.view.zoomOf", { stage: t(`lab.stages.${stageName}`) }) });
  const b = (dir, text, key) => {
    const btn = el("button", { type: "button", class: "button small zoom-btn", "data-zoom-step": String(dir), "data-stage": stageName,
      "aria-label": t(key), title: t(key) }, text);
    return btn;
  };
  wrap.append(b(-1, "−", "lab.view.zoomOut"), el("span", { class: "zoom-level", "data-zoom-of": stageName }, "100%"),
    b(1, "+", "lab.view.zoomIn"));
  return wrap;
}

/** The per-stage look select: image / false colour (disabled when only one applies). */
function lookSelect(stageName, look, fixed, t) {
  const sel = el("select", { class: "look-select", id: `lab-look-${stageName}` });
  sel.dataset.stage = stageName;
  sel.setAttribute("aria-label", t("lab.maps.look", { stage: t(`lab.stages.${stageName}`) }));
  for (const k of LOOKS) sel.append(new Option(t(`lab.maps.looks.${k}`), k, false, k === look));
  sel.disabled = fixed;
  return sel;
}

function card(stageName, shape, look, fixed, t) {
  const fig = el("figure", { class: "stage" });
  fig.dataset.stage = stageName;
  fig.dataset.look = look;
  const cap = el("figcaption");
  const head = el("span", { class: "stage-head" }, el("span", { class: "stage-name" }, t(`lab.stages.${stageName}`)),
    lookSelect(stageName, look, fixed, t));
  cap.append(head, el("span", { class: "stage-sub" }, el("span", { class: "shape" }, `(${shape.join(", ")})`),
    zoomButtons(stageName, t)));
  fig.append(cap, el("div", { class: "maps" }));
  return fig;
}

/** The legend's words: which scale, over which range, and what its end numbers are. */
function caption(s, rgb, t) {
  const lo = fmt(s.scale.lo), hi = fmt(s.scale.hi);
  if (s.look === "image") return t(`lab.maps.caption.${rgb ? "rgb" : "image"}`, { lo, hi });
  return t(`lab.maps.caption.${s.scale.kind}`, { lo, hi, range: t(`lab.maps.scales.${s.range}`) });
}

function footer(fig, d, s, rgb, t) {
  const scale = s.scale;
  const stats = el("p", { class: "stats" });
  stats.append(el("span", { class: "min" }, `${t("lab.stats.min")} ${fmt(d.min)}`), el("span", { class: "max" }, `${t("lab.stats.max")} ${fmt(d.max)}`));
  const values = el("span", { class: "values" }, d.step ? t("lab.stats.step", { step: fmt(d.step) }) : t("lab.stats.exact"));
  values.dataset.step = String(d.step ?? 0);   // the values drawn: exact, or 8 bits at this step
  stats.append(values);
  const legend = el("div", { class: "legend" });
  const words = caption(s, rgb, t);
  legend.setAttribute("aria-label", words);
  legend.setAttribute("role", "img");
  drawLegend(legend, scale);
  legend.dataset.look = s.look;
  legend.dataset.range = s.range;
  if (rgb) legend.dataset.scale = "rgb";
  legend.append(el("span", { class: "legend-caption", title: words }, words));
  const dl = el("button", { class: "button small download" }, t("lab.actions.png"));
  fig.querySelector(".stage-sub")?.append(dl);
  dl.type = "button";
  dl.dataset.download = d.name;
  dl.setAttribute("aria-label", t("lab.actions.pngOf", { stage: t(`lab.stages.${d.name}`) }));
  fig.append(stats, legend);
}

/** The maps of each card on the page (the objects zoom.js and the inspector hold). */
const CARD_MAPS = new WeakMap();

/** Draw a stage's maps: creating its map boxes when the card is new (with the canvases of the
 *  card it replaces, by channel), else drawing again into the card's own. */
function drawMaps(fig, d, s, rgb, p, boxes, reused, setup) {
  /** @type {any[]} */
  const maps = CARD_MAPS.get(fig) ?? [];
  const one = d.name === "input" || rgb;
  const n = one ? 1 : d.C;
  for (let c = 0; c < n; c++) {
    const depthwise = setup.color === "rgb" && d.C === 3;   // one map per colour channel
    const label = one ? (d.name !== "input" ? "RGB" : "") : d.C === 1 ? "" : depthwise ? "RGB"[c] : `c${c}`;
    const m = maps[c] ?? mapBox(fig, label, reused[c]);
    m.channel = c;
    maps[c] = m;
    if (rgb) drawRgb(m.canvas, p.values, p.H, p.W, s.scale.lo, s.scale.hi);
    else drawMap(m.canvas, p.values, p.H, p.W, s.scale, one ? 0 : c * p.H * p.W);
    fit(m, p.H, p.W, one || d.C === 1 ? boxes.one : boxes.multi);
  }
  CARD_MAPS.set(fig, maps);
  return maps;
}

/**
 * Render the cards into container; returns {stages: {name: {data, maps: [{canvas, overlay}], fig}},
 * padded, layout: {mode, big, small}}.
 * view: {looks: {stage: "image" | "false"}, rowScale: "map" | "shared" | "robust", borders,
 * layout: "focus" | "row", focus: the large output stage, chrome: a card's height without its map}.
 * The padded input is drawn (gray, or RGB when C = 3); an image-look stage with 3 channels is one
 * RGB picture (its clicks inspect channel 0); otherwise one map per channel.
 * A card of the last render with the same make (channels, look, size class, language) is kept
 * and its maps drawn again in place; other cards are built anew, with the old card's canvases
 * (lib/draw.js keeps a canvas's bitmap and pixel buffer while its size stays).
 */
export function renderPipeline(container, stages, setup, t, view) {
  /** @type {Map<string, HTMLElement>} */
  const previous = new Map();
  for (const fig of container.querySelectorAll("figure.stage")) previous.set(fig.dataset.stage ?? "", fig);
  const out = {};
  const layout = view.layout ?? "row";
  const focus = stages.some((d) => d.name === view.focus) ? view.focus : stages[1]?.name;
  const area = container.parentElement ?? container;
  const sizes = boxSizes({ layout, n: stages.length, width: area.clientWidth || container.clientWidth,
    top: area.getBoundingClientRect().top + scrollY, chrome: view.chrome ?? 110, viewH: innerHeight });
  const input = stages.find((d) => d.name === "input");
  const padded = input && padInput(input, setup.pad, setup.pad, setup.padMode);
  const scales = scalesFor(stages, view.looks, view.rowScale, view.borders);
  /** @type {HTMLElement[]} */
  const figs = [];
  for (const d of stages) {
    const s = scales[d.name];
    const rgb = d.C === 3 && s.look === "image";
    const large = layout === "row" || d.name === "input" || d.name === focus;
    const BOX = large ? sizes.big : sizes.small;
    const BOX_MULTI = Math.floor((BOX - 4) / 2);   // two channels side by side per row: 2 boxes (+ 1 px borders) + a 4 px gap
    const oneLook = d.name === "input" && d.C === 3;   // an RGB input is always a picture
    const make = [d.C, rgb, s.look, oneLook, large, layout, setup.color, document.documentElement.lang].join("|");
    let fig = previous.get(d.name);
    const kept = fig?.dataset.make === make;
    /** @type {HTMLCanvasElement[]} */
    const reused = [];
    if (fig && kept) {
      for (const old of fig.querySelectorAll(".stats, .legend, .download")) old.remove();   // footer() again
      fig.querySelector(".shape").textContent = `(${[d.C, d.H, d.W].join(", ")})`;
    } else {
      fig?.querySelectorAll("canvas.map-canvas").forEach((c) => reused.push(/** @type {HTMLCanvasElement} */ (c)));
      fig?.remove();
      fig = card(d.name, [d.C, d.H, d.W], s.look, oneLook, t);
      fig.dataset.make = make;
    }
    previous.delete(d.name);
    fig.classList.toggle("large", large && layout === "focus");
    fig.classList.toggle("small", !large);
    fig.style.width = `${(d.C > 1 && !rgb && d.name !== "input" ? 2 * BOX_MULTI + 8 : BOX + 2) + CARD_PAD}px`;
    const maps = drawMaps(fig, d, s, rgb, d.name === "input" ? padded : d, { one: BOX, multi: BOX_MULTI }, reused, setup);
    if (d.name === "input") out.padded = padded;
    footer(fig, d, s, rgb, t);
    figs.push(fig);
    out[d.name] = { data: d, maps, fig, kept };
  }
  for (const fig of previous.values()) fig.remove();
  const now = [...container.querySelectorAll(":scope > figure.stage")];
  if (now.length !== figs.length || figs.some((f, k) => now[k] !== f)) container.append(...figs);   // in stage order
  container.dataset.layout = layout;
  container.dataset.mode = sizes.mode;
  container.dataset.focus = focus ?? "";
  out.layout = { ...sizes, layout, focus };
  const big = out[focus] ?? out.input;
  const mapsEl = big?.fig.querySelector(".maps");
  // a kept card keeps its height without the map: no layout to measure it again
  out.chrome = big?.kept && typeof view.chrome === "number" ? view.chrome
    : big && mapsEl ? big.fig.offsetHeight - mapsEl.offsetHeight : null;
  return out;
}
