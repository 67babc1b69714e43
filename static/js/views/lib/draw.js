// Drawing for the teaching views: a 2-D map on a canvas (diverging or sequential scale),
// number grids as tables, and shape blocks (cuboids) as SVG.

import { scaleFor } from "../../colorscale.js";
import { el, fmt } from "./dom.js";

/** RGB for v under a scale ("diverging" | "sequential") over a map whose range is [lo, hi]:
 * the contract's colour scales (static/js/colorscale.js), so the views match the server's PNGs. */
export function colour(v, scale, lo, hi) {
  const sc = scaleFor(lo, hi, scale);
  const i = sc.toIndex(v) * 3;
  return [sc.lut[i], sc.lut[i + 1], sc.lut[i + 2]];
}

/** Range of a Float32Array: [min, max]. */
export function range(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/** Draw an (h, w) map onto a canvas; diverging when it has negatives unless a scale is given. */
export function drawMap(canvas, values, h, w, { scale, lo, hi } = {}) {
  const [mn, mx] = range(values);
  const l = lo ?? mn;
  const u = hi ?? mx;
  const sc = scale || (l < 0 || l === u ? "diverging" : "sequential");   // a constant map: white
  canvas.width = w;
  canvas.height = h;
  const ctx2d = canvas.getContext("2d");
  const img = ctx2d.createImageData(w, h);
  const cs = scaleFor(l, u, sc);
  for (let i = 0; i < h * w; i++) {
    const j = cs.toIndex(values[i]) * 3;
    img.data.set([cs.lut[j], cs.lut[j + 1], cs.lut[j + 2], 255], i * 4);
  }
  ctx2d.putImageData(img, 0, 0);
  canvas.dataset.scale = sc;
  return canvas;
}

/** Draw an RGB (3, h, w) array in [0, 1] onto a canvas. */
export function drawRgb(canvas, values, h, w) {
  canvas.width = w;
  canvas.height = h;
  const ctx2d = canvas.getContext("2d");
  const img = ctx2d.createImageData(w, h);
  const hw = h * w;
  for (let i = 0; i < hw; i++) {
    for (let c = 0; c < 3; c++) img.data[i * 4 + c] = Math.round(255 * Math.max(0, Math.min(1, values[c * hw + i])));
    img.data[i * 4 + 3] = 255;
  }
  ctx2d.putImageData(img, 0, 0);
  return canvas;
}

/** A figure: canvas of a map with a caption and its min/max. */
export function mapFigure(values, h, w, caption, opts = {}) {
  const canvas = drawMap(el("canvas", { class: "vw-map", role: "img", "aria-label": caption }), values, h, w, opts);
  const [lo, hi] = range(values);
  return el("figure", { class: "vw-fig" }, canvas,
    el("figcaption", {}, el("span", { class: "vw-cap" }, caption),
      el("span", { class: "vw-range" }, `${fmt(lo, 3)} … ${fmt(hi, 3)}`)));
}

/** A table of numbers (h × w); cellClass(y, x) adds classes; data-r / data-c on every cell. */
export function numberGrid(values, h, w, { digits = 2, cellClass, label, tint = true } = {}) {
  const [lo, hi] = range(values);
  const scale = lo < 0 ? "diverging" : "sequential";
  const table = el("table", { class: "vw-grid", "aria-label": label });
  const body = el("tbody");
  for (let y = 0; y < h; y++) {
    const tr = el("tr");
    for (let x = 0; x < w; x++) {
      const v = values[y * w + x];
      const td = el("td", { "data-r": y, "data-c": x, "data-v": v, class: cellClass ? cellClass(y, x) : null },
        fmt(v, digits));
      if (tint) {
        const [r, g, b] = colour(v, scale, lo, hi);
        td.style.background = `rgba(${r},${g},${b},${scale === "sequential" ? 0.35 : 0.55})`;
      }
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(body);
  return table;
}

/** An SVG cuboid for a (C, H, W) block: depth drawn from C, face from H and W, label under it. */
export function block({ c = 1, h, w, label, sub, hue = 210, maxPx = 90 }) {
  const s = maxPx / Math.max(h, w, 1);
  const fw = Math.max(8, w * s);
  const fh = Math.max(8, h * s);
  const d = Math.min(40, 6 + 4 * Math.log2(Math.max(1, c)));
  const W = fw + d + 4;
  const H = fh + d + 4;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  svg.setAttribute("aria-hidden", "true");
  const poly = (pts, fill) => {
    const p = document.createElementNS(ns, "polygon");
    p.setAttribute("points", pts.map((q) => q.join(",")).join(" "));
    p.setAttribute("fill", fill);
    p.setAttribute("stroke", "var(--vw-ink, #223)");
    p.setAttribute("stroke-width", "1");
    svg.append(p);
  };
  const x0 = 2;
  const y0 = d + 2;
  poly([[x0, y0], [x0 + d, y0 - d], [x0 + d + fw, y0 - d], [x0 + fw, y0]], `hsl(${hue} 60% 80%)`);
  poly([[x0 + fw, y0], [x0 + fw + d, y0 - d], [x0 + fw + d, y0 - d + fh], [x0 + fw, y0 + fh]], `hsl(${hue} 50% 62%)`);
  poly([[x0, y0], [x0 + fw, y0], [x0 + fw, y0 + fh], [x0, y0 + fh]], `hsl(${hue} 65% 72%)`);
  return el("figure", { class: "vw-block" }, svg,
    el("figcaption", {}, el("span", { class: "vw-shape" }, label), sub ? el("span", { class: "vw-sub" }, sub) : null));
}

/** An operator between blocks (⊛, →, +). */
export function op(symbol) {
  return el("span", { class: "vw-op", "aria-hidden": "true" }, symbol);
}
