// @ts-check
// How each lab stage is drawn ("look") and over which range (row scale).
// Look: "image" (gray, or RGB for colour stages, clipped to the input's range as an image editor
// would) or "false" (false colour: diverging for signed maps, sequential otherwise). Decided per
// stage (autoLook), overridable by the user per stage. Row scale for the false-colour maps:
// "map" (each stage's own min / max, the server's PNG scale), "shared" (one range over every
// false-colour stage) or "robust" (percentiles ROBUST_P…1−ROBUST_P of each map, outside clipped;
// with zero padding the rows and columns that read the padding are left out of the percentiles).
import { scaleFor } from "../../lib/colorscale.js";
import { percentiles } from "../../lib/draw.js";

export const LOOKS = ["image", "false"];
export const ROW_SCALES = ["map", "shared", "robust"];
export const ROBUST_P = 0.01;                         // 1st and 99th percentile
const IMAGE_GROUPS = ["smoothing", "sharpening"];     // kernel catalogue categories drawn as images
const SUM_TOL = 0.05;                                 // |Σw − 1| for a custom kernel to count as one

/** The look a stage gets without the user's choice.
 *  input → image; conv → image when the kernel is a catalogue smoothing / sharpening filter, or
 *  its weights sum to ~1 (|Σw − 1| ≤ 0.05, |b| ≤ 0.05) and the output stays within the input's
 *  range widened by that range's width on both sides; ReLU and pooling follow the convolution.
 *  @param {{name: string, min: number, max: number}} d @param {{min: number, max: number}} input
 *  @param {{values: number[], bias: number}} setup @param {string | null} category
 *  @returns {"image" | "false"} */
export function autoLook(d, input, setup, category, convLook = "false") {
  if (d.name === "input") return "image";
  if (d.name !== "conv") return /** @type {"image" | "false"} */ (convLook);
  if (category && IMAGE_GROUPS.includes(category)) return "image";
  const sum = setup.values.reduce((a, b) => a + Number(b), 0);
  const w = input.max - input.min;
  const bias = Number(setup.bias) || 0;
  const inRange = d.min >= input.min - w && d.max <= input.max + w;
  return Math.abs(sum - 1) <= SUM_TOL && Math.abs(bias) <= SUM_TOL && inRange ? "image" : "false";
}

/** The input's range, as an image editor clips to it: [0, 1] for a normal image, else its extent.
 *  @param {{min: number, max: number}} input @returns {[number, number]} */
export function imageRange(input) {
  return input.min >= 0 && input.max <= 1 ? [0, 1] : [input.min, input.max];
}

/** Robust [lo, hi] of a map: its ROBUST_P and 1 − ROBUST_P percentiles; when those coincide (a
 *  mostly-zero map, e.g. after ReLU) the percentiles of its non-zero values; else its extent.
 *  @param {ArrayLike<number>} values @param {number} min @param {number} max */
export function robustRange(values, min, max) {
  let [lo, hi] = percentiles(values, ROBUST_P, 1 - ROBUST_P);
  if (!(hi > lo)) {
    const nz = Float32Array.from(Array.prototype.filter.call(values, (v) => v !== 0));
    if (nz.length > 1) [lo, hi] = percentiles(nz, ROBUST_P, 1 - ROBUST_P);
    if (nz.length > 1 && hi > lo) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  }
  return hi > lo ? [lo, hi] : [min, max];
}

/** [start, end]: how many output rows (or columns) at each end of one axis read zero padding.
 *  Output i reads input rows i·s − p … i·s − p + (f − 1)·d. */
function convBorder(n, f, s, p, d, out) {
  const first = Math.ceil(p / s), last = Math.floor((n - 1 + p - (f - 1) * d) / s);
  return [Math.min(out, first), Math.max(0, out - 1 - last)];
}

/** The same for a pooled axis: pooled r covers rows r·s … r·s + k − 1 of a map with `border`. */
function poolBorder([a, b], k, s, n, out) {
  const first = Math.ceil(a / s), last = Math.floor((n - 1 - b - (k - 1)) / s);
  return [Math.min(out, first), Math.max(0, out - 1 - last)];
}

/** {stage: [top, bottom, left, right]}: the rows and columns of each map that read zero padding
 *  (left out of the robust percentiles); none unless the pad mode is zeros.
 *  @param {any} g the response's geometry @param {any} pg its pool_geometry or null @param {string} padMode */
export function paddingBorders(g, pg, padMode) {
  /** @type {Record<string, number[]>} */
  const out = {};
  if (padMode !== "zeros" || !g || (g.pad[0] === 0 && g.pad[1] === 0)) return out;
  const rows = convBorder(g.H, g.FH, g.stride[0], g.pad[0], g.dilation[0], g.out_h);
  const cols = convBorder(g.W, g.FW, g.stride[1], g.pad[1], g.dilation[1], g.out_w);
  out.conv = out.relu = [...rows, ...cols];
  if (pg) {
    out.pool = [...poolBorder(rows, pg.FH, pg.stride[0], pg.H, pg.out_h),
      ...poolBorder(cols, pg.FW, pg.stride[1], pg.W, pg.out_w)];
  }
  return out;
}

/** The values of a (C, H, W) map without `border` [top, bottom, left, right] rows / columns; all
 *  of them when nothing would remain.
 *  @param {{C: number, H: number, W: number, values: ArrayLike<number>}} d @param {number[]} [border] */
export function innerValues(d, border) {
  if (!border) return d.values;
  const [t, b, l, r] = border;
  const h = d.H - t - b, w = d.W - l - r;
  if (h <= 0 || w <= 0) return d.values;
  const out = new Float32Array(d.C * h * w);
  let k = 0;
  for (let c = 0; c < d.C; c++) {
    for (let i = t; i < d.H - b; i++) {
      for (let j = l; j < d.W - r; j++) out[k++] = d.values[(c * d.H + i) * d.W + j];
    }
  }
  return out;
}

/**
 * The colour scale of every stage: {name: {look, scale, range}} where range is "input" (image),
 * or the row scale "map" / "shared" / "robust". `values` are the drawn values (the padded input).
 * Robust ranges leave out the rows / columns in `borders` (paddingBorders) before the percentiles.
 * @param {{name: string, C: number, H: number, W: number, min: number, max: number, values: ArrayLike<number>}[]} stages
 * @param {Record<string, string>} looks @param {string} rowScale @param {Record<string, number[]>} [borders]
 */
export function scalesFor(stages, looks, rowScale, borders = {}) {
  const input = stages.find((d) => d.name === "input") ?? stages[0];
  const [ilo, ihi] = imageRange(input);
  const falseStages = stages.filter((d) => looks[d.name] === "false");
  const gmin = Math.min(...falseStages.map((d) => d.min)), gmax = Math.max(...falseStages.map((d) => d.max));
  /** @type {Record<string, {look: string, range: string, scale: ReturnType<typeof scaleFor>}>} */
  const out = {};
  for (const d of stages) {
    if (looks[d.name] === "image") {
      out[d.name] = { look: "image", range: "input", scale: scaleFor(ilo, ihi, "gray") };
      continue;
    }
    const seqOrDiv = d.name === "input" ? "sequential" : null;
    let scale;
    if (rowScale === "shared") scale = scaleFor(gmin, gmax, d.name === "input" && gmin >= 0 ? "sequential" : null);
    else if (rowScale === "robust") {
      const [lo, hi] = robustRange(innerValues(d, borders[d.name]), d.min, d.max);
      scale = scaleFor(lo, hi, d.min < 0 ? "diverging" : seqOrDiv);
    } else scale = scaleFor(d.min, d.max, seqOrDiv);
    out[d.name] = { look: "false", range: rowScale, scale };
  }
  return out;
}

/** Every stage's look: the user's override where given, else autoLook; an RGB input is always an
 *  image (its channels are the picture).
 *  @param {{name: string, C: number, min: number, max: number}[]} stages
 *  @param {{values: number[], bias: number}} setup @param {string | null} category
 *  @param {Record<string, string>} overrides @returns {{looks: Record<string, string>, auto: Record<string, string>}} */
export function looksFor(stages, setup, category, overrides) {
  const input = stages.find((d) => d.name === "input") ?? stages[0];
  /** @type {Record<string, string>} */
  const auto = {}, looks = {};
  for (const d of stages) {
    auto[d.name] = autoLook(d, input, setup, category, auto.conv);
    looks[d.name] = d.name === "input" && d.C === 3 ? "image"
      : LOOKS.includes(overrides[d.name]) ? overrides[d.name] : auto[d.name];
  }
  return { looks, auto };
}
