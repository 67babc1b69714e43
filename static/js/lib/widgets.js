// @ts-check
// Widgets of the teaching views: a map as a captioned figure, number grids as tables tinted with
// the colour scales, shape blocks (cuboids) as SVG, operators between them.
import { scaleFor } from "./colorscale.js";
import { el } from "./dom.js";
import { drawMap, extent, mapScale } from "./draw.js";
import { fixed } from "./format.js";

/** RGB for v under a scale ("diverging" | "sequential") over a map whose range is [lo, hi]:
 * the contract's colour scales (lib/colorscale.js), so the views match the server's PNGs.
 * @param {number} v @param {string} scale @param {number} lo @param {number} hi */
function colour(v, scale, lo, hi) {
  const sc = scaleFor(lo, hi, scale);
  const i = sc.toIndex(v) * 3;
  return [sc.lut[i], sc.lut[i + 1], sc.lut[i + 2]];
}

/** A figure: canvas of a map with a caption and its min/max; opts as lib/draw.js mapScale.
 *  @param {ArrayLike<number>} values @param {number} h @param {number} w @param {string} caption
 *  @param {{kind?: string, lo?: number, hi?: number}} [opts] */
export function mapFigure(values, h, w, caption, opts = {}) {
  const canvas = drawMap(el("canvas", { class: "vw-map", role: "img", "aria-label": caption }), values, h, w,
    mapScale(values, opts));
  const [lo, hi] = extent(values);
  return el("figure", { class: "vw-fig" }, canvas,
    el("figcaption", {}, el("span", { class: "vw-cap" }, caption),
      el("span", { class: "vw-range" }, `${fixed(lo, 3)} … ${fixed(hi, 3)}`)));
}

/** A table of numbers (h × w); cellClass(y, x) adds classes; data-r / data-c on every cell.
 *  @param {ArrayLike<number>} values @param {number} h @param {number} w
 *  @param {{digits?: number, cellClass?: (y: number, x: number) => string | null, label?: string,
 *    tint?: boolean}} [opts] */
export function numberGrid(values, h, w, { digits = 2, cellClass, label, tint = true } = {}) {
  const [lo, hi] = extent(values);
  const scale = lo < 0 ? "diverging" : "sequential";
  const table = el("table", { class: "vw-grid", "aria-label": label });
  const body = el("tbody");
  for (let y = 0; y < h; y++) {
    const tr = el("tr");
    for (let x = 0; x < w; x++) {
      const v = values[y * w + x];
      const td = el("td", { "data-r": y, "data-c": x, "data-v": v, class: cellClass ? cellClass(y, x) : null },
        fixed(v, digits));
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

/** An SVG cuboid for a (C, H, W) block: depth drawn from C, face from H and W, label under it.
 *  @param {{c?: number, h: number, w: number, label: string, sub?: string, hue?: number,
 *    maxPx?: number}} block */
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
  svg.setAttribute("width", String(W));
  svg.setAttribute("height", String(H));
  svg.setAttribute("aria-hidden", "true");
  /** @param {number[][]} pts @param {string} fill */
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

/** An operator between blocks (⊛, →, +). @param {string} symbol */
export function op(symbol) {
  return el("span", { class: "vw-op", "aria-hidden": "true" }, symbol);
}
