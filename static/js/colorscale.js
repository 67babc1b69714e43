// Colour scales for feature maps: diverging (RdBu, zero in the middle) for signed maps,
// sequential (viridis) for non-negative maps, gray for input images. Vendored d3 interpolators.
import { interpolateRdBu, interpolateViridis } from "../vendor/d3-scale-chromatic/src/index.js";
import { rgb } from "../vendor/d3-color/src/index.js";

const LUT_SIZE = 256;

function buildLut(interp) {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const c = rgb(interp(i / (LUT_SIZE - 1)));
    lut.set([c.r, c.g, c.b], i * 3);
  }
  return lut;
}

// Negative → blue, positive → red: RdBu runs red→blue, so it is read backwards.
const LUTS = {
  diverging: buildLut((t) => interpolateRdBu(1 - t)),
  sequential: buildLut(interpolateViridis),
  // Linear, so an 8-bit image is drawn with exactly its own values (the server's gray too).
  gray: buildLut((t) => { const v = Math.round(t * 255); return `rgb(${v}, ${v}, ${v})`; }),
};

/**
 * The scale for a map with the given min and max: {kind, lo, hi, lut, toIndex(v)}.
 * Signed maps: diverging on [-m, m] with m = max(|min|, |max|), so 0 is the middle colour.
 * Non-negative maps: sequential on [min, max]; kind "gray" forces a gray scale on [lo, hi].
 */
export function scaleFor(min, max, kind = null) {
  let lo = min, hi = max;
  if (!kind) kind = min < 0 ? "diverging" : "sequential";
  if (kind === "diverging") {
    const m = Math.max(Math.abs(min), Math.abs(max)) || 1;
    lo = -m; hi = m;
  }
  if (!(hi > lo)) { hi = lo + 1; }
  const span = hi - lo;
  return {
    kind, lo, hi, lut: LUTS[kind],
    toIndex(v) {
      const i = Math.round(((v - lo) / span) * (LUT_SIZE - 1));
      return i < 0 ? 0 : i > LUT_SIZE - 1 ? LUT_SIZE - 1 : i;
    },
    css(v) {
      const i = this.toIndex(v) * 3;
      return `rgb(${this.lut[i]}, ${this.lut[i + 1]}, ${this.lut[i + 2]})`;
    },
  };
}

const fmt = (v) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(+v.toFixed(2)));

/** Fill `container` with a legend: a gradient strip and its lo / (0) / hi labels. */
export function drawLegend(container, scale) {
  container.replaceChildren();
  container.classList.add("legend");
  const strip = document.createElement("canvas");
  strip.width = LUT_SIZE; strip.height = 1;
  strip.className = "legend-strip";
  const g = strip.getContext("2d");
  const img = g.createImageData(LUT_SIZE, 1);
  for (let i = 0; i < LUT_SIZE; i++) {
    img.data.set([scale.lut[i * 3], scale.lut[i * 3 + 1], scale.lut[i * 3 + 2], 255], i * 4);
  }
  g.putImageData(img, 0, 0);
  const labels = document.createElement("div");
  labels.className = "legend-labels";
  const ticks = scale.kind === "diverging" ? [scale.lo, 0, scale.hi] : [scale.lo, scale.hi];
  for (const v of ticks) {
    const s = document.createElement("span");
    s.textContent = fmt(v);
    labels.append(s);
  }
  container.append(strip, labels);
}
