// @ts-check
// Colour scales for feature maps, exactly as the server draws its PNGs (docs/contracts.md,
// "Colour scales"; app/colormap.py): diverging (RdBu-11 reversed, zero in the middle) for signed
// maps, sequential (viridis, 11 stops) for non-negative maps, gray for input images.
import { rgb } from "../../vendor/d3-color/src/index.js";
import { compact } from "./format.js";

/** @type {Record<string, string[]>} */
const STOPS = {
  diverging: ["#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
    "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f"],
  sequential: ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
    "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"],
  gray: ["#000000", "#ffffff"],
};
// n = 255 for diverging so that zero has an exact middle entry (127); 256 otherwise.
/** @type {Record<string, number>} */
const SIZES = { diverging: 255, sequential: 256, gray: 256 };

/** LUT (n·3 bytes): entry i = stops linearly interpolated in sRGB at t = i/(n−1), rounded half up.
 *  @param {string[]} stops @param {number} n */
function buildLut(stops, n) {
  const s = stops.map((hex) => { const c = rgb(hex); return [c.r, c.g, c.b]; });
  const S = s.length;
  const lut = new Uint8ClampedArray(n * 3);
  for (let i = 0; i < n; i++) {
    const x = (i / (n - 1)) * (S - 1);
    const k = Math.min(Math.floor(x), S - 2);
    const f = x - k;
    for (let ch = 0; ch < 3; ch++) {
      const a = s[k][ch], b = s[k + 1][ch];
      lut[i * 3 + ch] = Math.floor(a + (b - a) * f + 0.5);
    }
  }
  return lut;
}

export const LUTS = Object.fromEntries(
  Object.keys(STOPS).map((k) => [k, buildLut(STOPS[k], SIZES[k])]));

/** The contract's value range for a map with this min and max under a scale kind.
 *  @param {string} kind @param {number} min @param {number} max @returns {[number, number]} */
function rangeFor(kind, min, max) {
  if (kind === "diverging") { const m = Math.max(Math.abs(min), Math.abs(max)); return [-m, m]; }
  if (kind === "sequential") return [Math.min(0, min), max];
  return min >= 0 && max <= 1 ? [0, 1] : [min, max];
}

/**
 * The scale for a map with the given (finite) min and max: {kind, lo, hi, lut, n, toIndex(v), css(v)}.
 * kind: "diverging" when min < 0, else "sequential" (or forced: "gray", …). Ranges and indices follow
 * the contract: diverging (−m, m), index 127 + sign(v)·floor(|v|·127/m + 0.5); sequential
 * (min(0, min), max) and gray, index floor((v − lo)·(n−1)/(hi − lo) + 0.5); NaN counts as 0.
 * @param {number} min @param {number} max @param {string | null} [kind]
 */
export function scaleFor(min, max, kind = null) {
  const k = kind || (min < 0 ? "diverging" : "sequential");
  const [lo, hi] = rangeFor(k, min, max);
  const n = SIZES[k], lut = LUTS[k];
  const flat = !(hi > lo);
  const c = (lo + hi) / 2, r = (hi - lo) / 2, half = (n - 1) >> 1;   // diverging: n odd, an integer index
  return {
    kind: k, lo, hi, lut, n,
    /** @param {number} v */
    toIndex(v) {
      if (flat) return k === "diverging" ? half : 0;
      if (Number.isNaN(v)) v = 0;
      v = v < lo ? lo : v > hi ? hi : v;
      if (k === "diverging") {
        const d = v - c;
        return half + Math.sign(d) * Math.floor(Math.abs(d) * (half / r) + 0.5);
      }
      return Math.floor((v - lo) * ((n - 1) / (hi - lo)) + 0.5);
    },
    /** words[toIndex(v)] of values[offset …] into each entry of out, in one loop (the same
     *  indices; words: e.g. the LUT's RGBA words, so a map is painted in one pass).
     *  @param {ArrayLike<number>} values @param {number} offset @param {Uint32Array} out
     *  @param {Uint32Array} words */
    paint(values, offset, out, words) {
      if (flat) return out.fill(words[k === "diverging" ? half : 0]);
      const m = out.length;
      if (k === "diverging") {   // Math.min / max keep NaN, and NaN → d ≥ 0 false → half (as 0)
        const kd = half / r;
        for (let i = 0; i < m; i++) {
          const d = (Math.min(hi, Math.max(lo, values[offset + i])) - c) * kd;
          out[i] = words[d >= 0 ? half + ((d + 0.5) | 0) : half - ((0.5 - d) | 0)];
        }
        return out;
      }
      const ks = (n - 1) / (hi - lo), z = ((Math.min(hi, Math.max(lo, 0)) - lo) * ks + 0.5) | 0;   // NaN → 0
      for (let i = 0; i < m; i++) {
        const v = values[offset + i];
        out[i] = v === v ? words[((Math.min(hi, Math.max(lo, v)) - lo) * ks + 0.5) | 0] : words[z];
      }
      return out;
    },
    /** @param {number} v */
    css(v) {
      const i = this.toIndex(v) * 3;
      return `rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]})`;
    },
  };
}

/** A legend label: two decimals, exponential from 1000 and below 0.01. @param {number} v */
const label = (v) => compact(v, 2, { big: 1000, small: 0.01, expDigits: 1 });

/** Fill `container` with a legend: a gradient strip and its lo / (0) / hi labels.
 *  @param {HTMLElement} container @param {ReturnType<typeof scaleFor>} scale */
export function drawLegend(container, scale) {
  container.replaceChildren();
  container.classList.add("legend");
  container.dataset.scale = scale.kind;
  const strip = document.createElement("canvas");
  strip.width = scale.n; strip.height = 1;
  strip.className = "legend-strip";
  const g = /** @type {CanvasRenderingContext2D} */ (strip.getContext("2d"));
  const img = g.createImageData(scale.n, 1);
  for (let i = 0; i < scale.n; i++) {
    img.data.set([scale.lut[i * 3], scale.lut[i * 3 + 1], scale.lut[i * 3 + 2], 255], i * 4);
  }
  g.putImageData(img, 0, 0);
  const labels = document.createElement("div");
  labels.className = "legend-labels";
  const ticks = scale.kind === "diverging" ? [scale.lo, 0, scale.hi] : [scale.lo, scale.hi];
  for (const v of ticks) {
    const s = document.createElement("span");
    s.textContent = label(v);
    labels.append(s);
  }
  container.append(strip, labels);
}
