// @ts-check
// Images for the views: the current image as the API decodes it, a Blob scaled to a square PNG
// (so images stack into one batch), windows of a (H, W) plane.
import { convolve, stage } from "./api.js";
import { currentImageBlob } from "./app.js";

/** Scale an image Blob to side×side (the whole image, stretched) and return a PNG Blob.
 *  @param {Blob} blob @param {number} side @returns {Promise<Blob>} */
export async function squarePng(blob, side) {
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, side, side);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((b) => resolve(/** @type {Blob} */ (b)), "image/png"));
}

/**
 * The current image as the API decodes it: (C, H, W) float32 in [0, 1] from the "input" stage of
 * POST /api/convolve (identity 1×1 kernel), so every number the views show starts from the API.
 * → {values: Float32Array (C·H·W), C, H, W, full: [h, w] of the original}.
 * @param {{color?: string, maxSide?: number, track?: object}} [opts]
 */
export async function imageValues({ color = "gray", maxSide = 96, track = {} } = {}) {
  const blob = await currentImageBlob(track);
  const resp = await convolve([blob], { color, kernel: [[1]], max_side: maxSide });
  const input = stage(resp, "input");
  const [, C, H, W] = input.shape;
  const full = resp.resized?.[0]?.original || [H, W];
  return { values: input.values, C, H, W, full };
}

/** One 2-D plane [n, c] of an (N, C, H, W) array as a Float32Array view.
 *  @param {Float32Array} values @param {number[]} shape @param {number} n @param {number} c */
export function plane(values, shape, n, c) {
  const [, C, H, W] = shape;
  const start = (n * C + c) * H * W;
  return values.subarray(start, start + H * W);
}

/** Nested lists (h rows of w) from a flat plane (a JSON input).
 *  @param {Float32Array} flat @param {number} h @param {number} w */
export function toRows(flat, h, w) {
  const rows = [];
  for (let y = 0; y < h; y++) rows.push(Array.from(flat.subarray(y * w, (y + 1) * w)));
  return rows;
}

/** Columns [x0, x0 + w) of an (H, W) plane as nested rows (for a JSON input).
 *  @param {Float32Array} values @param {number} H @param {number} W @param {number} x0 @param {number} w */
export function columns(values, H, W, x0, w) {
  const rows = [];
  for (let y = 0; y < H; y++) rows.push(Array.from(values.subarray(y * W + x0, y * W + x0 + w)));
  return rows;
}

/** An (h, w) window at (y0, x0) of an (H, W) plane, flat.
 *  @param {ArrayLike<number>} values @param {number} W @param {number} y0 @param {number} x0
 *  @param {number} h @param {number} w */
export function window2d(values, W, y0, x0, h, w) {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = values[(y0 + y) * W + x0 + x];
  return out;
}

/** Top-left [y, x] of the n×n window (on a `step` grid) with the largest variance: the most to see.
 *  @param {ArrayLike<number>} values @param {number} H @param {number} W @param {number} n */
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
