// The current image as the API decodes it: (C, H, W) float32 in [0, 1] from the "input" stage of
// POST /api/convolve (identity 1×1 kernel), so every number the views show starts from the API.

import { convolveImages, stage, toRows } from "./api.js";
import { imageBlob } from "./ctxutil.js";

/** {values: Float32Array (C·H·W), C, H, W, full: [h, w] of the original} for the current image. */
export async function imageValues(ctx, { color = "gray", maxSide = 96, track = {} } = {}) {
  const blob = await imageBlob(ctx, track);
  const resp = await convolveImages([blob], { color, kernel: [[1]], max_side: maxSide });
  const input = stage(resp, "input");
  const [, C, H, W] = input.shape;
  const full = resp.resized?.[0]?.original || [H, W];
  return { values: input.values, C, H, W, full };
}

/** Columns [x0, x0 + w) of an (H, W) plane as nested rows (for a JSON input). */
export function columns(values, H, W, x0, w) {
  const rows = [];
  for (let y = 0; y < H; y++) rows.push(Array.from(values.subarray(y * W + x0, y * W + x0 + w)));
  return rows;
}

/** An (h, w) window at (y0, x0) of an (H, W) plane, flat. */
export function window2d(values, W, y0, x0, h, w) {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = values[(y0 + y) * W + x0 + x];
  return out;
}

/** Top-left [y, x] of the n×n window (on a `step` grid) with the largest variance: the most to see. */
export function busiestWindow(values, H, W, n, step = 2) {
  let best = [0, 0];
  let bestVar = -1;
  for (let y = 0; y + n <= H; y += step) for (let x = 0; x + n <= W; x += step) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const v = values[(y + i) * W + x + j];
      s += v;
      s2 += v * v;
    }
    const variance = s2 / (n * n) - (s / (n * n)) ** 2;
    if (variance > bestVar + 1e-12) { bestVar = variance; best = [y, x]; }
  }
  return best;
}

export { toRows };
