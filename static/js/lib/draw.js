// @ts-check
// Maps to canvases: one channel through a colour scale (lib/colorscale.js, the server's scales),
// or three channels as an RGB image; sizing a canvas to fit a box.
import { scaleFor } from "./colorscale.js";

/** @typedef {ReturnType<typeof scaleFor>} Scale */
/** @typedef {ArrayLike<number>} Values */

/** min and max of values[offset .. offset + n). @param {Values} values */
export function extent(values, offset = 0, n = values.length - offset) {
  let lo = Infinity, hi = -Infinity;
  for (let i = offset; i < offset + n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * The scale for a whole map: over [lo ?? min, hi ?? max]; kind given, else diverging when the map
 * has negatives or is constant (drawn white), sequential otherwise.
 * @param {Values} values @param {{kind?: string, lo?: number, hi?: number}} [opts] @returns {Scale}
 */
export function mapScale(values, { kind, lo, hi } = {}) {
  const [mn, mx] = extent(values);
  const l = lo ?? mn, u = hi ?? mx;
  return scaleFor(l, u, kind || (l < 0 || l === u ? "diverging" : "sequential"));
}

/** Size a canvas's CSS box to fit maxW×maxH at the map's true aspect; pixelated when enlarged.
 *  @param {HTMLCanvasElement} canvas @param {number} h @param {number} w @param {number} maxW
 *  @param {number} maxH */
export function fitCanvas(canvas, h, w, maxW, maxH) {
  const k = Math.min(maxW / w, maxH / h);
  canvas.style.width = `${Math.max(1, Math.round(w * k))}px`;
  canvas.style.height = `${Math.max(1, Math.round(h * k))}px`;
  canvas.classList.toggle("pixelated", k >= 1);
  return k;
}

/** @type {WeakMap<object, Uint32Array>} */
const WORDS = new WeakMap();

/** A LUT's n colours as RGBA words (little-endian, as every browser's canvas), made once per LUT.
 *  @param {ArrayLike<number>} lut @param {number} n */
function rgbaWords(lut, n) {
  let words = WORDS.get(lut);
  if (!words || words.length !== n) {
    words = new Uint32Array(n);
    for (let i = 0; i < n; i++) words[i] = (0xff000000 | (lut[i * 3 + 2] << 16) | (lut[i * 3 + 1] << 8) | lut[i * 3]) >>> 0;
    WORDS.set(lut, words);
  }
  return words;
}

/** @type {WeakMap<HTMLCanvasElement, ImageData>} */
const IMAGES = new WeakMap();

/** A canvas of h×w pixels (resized, which clears it, only when its size differs: a canvas kept
 *  between redraws keeps its bitmap) and an ImageData of that size to fill, kept per canvas; every
 *  pixel of it is written before putImageData.
 *  @param {HTMLCanvasElement} canvas @param {number} h @param {number} w
 *  @returns {[CanvasRenderingContext2D, ImageData]} */
function pixels(canvas, h, w) {
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  let img = IMAGES.get(canvas);
  if (!img || img.width !== w || img.height !== h) { img = g.createImageData(w, h); IMAGES.set(canvas, img); }
  return [g, img];
}

/** Draw values[offset .. offset + h·w) (row-major) on canvas (h×w pixels) through scale;
 *  canvas.dataset.scale names the scale's kind.
 *  @param {HTMLCanvasElement} canvas @param {Values} values @param {number} h @param {number} w
 *  @param {Scale} [scale] @param {number} [offset] */
export function drawMap(canvas, values, h, w, scale = mapScale(values), offset = 0) {
  const [g, img] = pixels(canvas, h, w);
  scale.paint(values, offset, new Uint32Array(img.data.buffer, 0, h * w), rgbaWords(scale.lut, scale.n));
  g.putImageData(img, 0, 0);
  canvas.dataset.scale = scale.kind;
  return canvas;
}

/** Draw a (3, h, w) array as an RGB image: byte = round((v − lo)·255/(hi − lo)), values outside
 *  [lo, hi] (default [0, 1]) clipped as an image editor does; canvas.dataset.scale = "rgb".
 *  @param {HTMLCanvasElement} canvas @param {Values} values @param {number} h @param {number} w
 *  @param {number} [lo] @param {number} [hi] */
export function drawRgb(canvas, values, h, w, lo = 0, hi = 1) {
  const [g, img] = pixels(canvas, h, w);
  const n = h * w, k = hi > lo ? 255 / (hi - lo) : 0, data = img.data;
  for (let c = 0; c < 3; c++) {   // plane by plane: one linear read per channel (clamped on store)
    for (let i = 0, j = c, o = c * n; i < n; i++, j += 4) data[j] = Math.round((values[o + i] - lo) * k);
  }
  for (let j = 3; j < 4 * n; j += 4) data[j] = 255;
  g.putImageData(img, 0, 0);
  canvas.dataset.scale = "rgb";
  return canvas;
}

/** The p-quantiles (0 ≤ p ≤ 1, nearest rank on the sorted finite values) of values,
 *  e.g. percentiles(v, 0.01, 0.99) → [1st, 99th percentile]; NaN when empty.
 *  @param {Values} values @param {...number} ps @returns {number[]} */
export function percentiles(values, ...ps) {
  const sorted = Float32Array.from(values).filter(Number.isFinite).sort();
  const last = sorted.length - 1;
  return ps.map((p) => (last < 0 ? NaN : sorted[Math.min(last, Math.max(0, Math.round(p * last)))]));
}

/** The [row, col] of a rows×cols map drawn in element `target` under a pointer event, clamped to
 *  the map. @param {MouseEvent} ev @param {Element} target @param {number} rows @param {number} cols */
export function cellAt(ev, target, rows, cols) {
  const rect = target.getBoundingClientRect();
  const r = Math.floor(((ev.clientY - rect.top) / rect.height) * rows);
  const c = Math.floor(((ev.clientX - rect.left) / rect.width) * cols);
  return [Math.min(rows - 1, Math.max(0, r)), Math.min(cols - 1, Math.max(0, c))];
}
