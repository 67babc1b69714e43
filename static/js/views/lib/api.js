// The API calls the teaching views make (contract: docs/contracts.md, issue 3).
// Thin wrappers over the page's API client (static/js/api.js): values always included, stages decoded.

import * as api from "../../api.js";

/** POST /api/convolve with a JSON array input (H, W), (C, H, W) or (N, C, H, W); values included. */
export function convolveArray(input, spec, opts) {
  return api.convolveArray(input, { include_values: true, ...spec }, opts);
}

/** POST /api/convolve, multipart: one `image` part per blob (several make a batch N); values included. */
export function convolveImages(blobs, spec, opts) {
  return api.convolve(blobs, { include_values: true, ...spec }, opts);
}

/** GET a JSON resource (models, samples, kernels, geometry). */
export const getJson = (url, opts) => api.getJson(url, opts);

/** values_b64 (little-endian float32, C order) → Float32Array. */
export const decodeValues = (b64) => api.decodeValues(b64);

/** The named stage of a convolve response with its decoded values: {shape, values, min, max}. */
export function stage(resp, name) {
  const s = (resp.stages || []).find((st) => st.name === name);
  if (!s) return null;
  return { ...s, values: s.values_b64 ? decodeValues(s.values_b64) : null };
}

/** One 2-D plane [n, c] of an (N, C, H, W) array as a Float32Array view. */
export function plane(values, shape, n, c) {
  const [, C, H, W] = shape;
  const start = (n * C + c) * H * W;
  return values.subarray(start, start + H * W);
}

/** Nested lists (H rows of W) from a flat plane. */
export function toRows(flat, h, w) {
  const rows = [];
  for (let y = 0; y < h; y++) rows.push(Array.from(flat.subarray(y * w, (y + 1) * w)));
  return rows;
}

/** The kernel catalogue, fetched once. */
let catalogue = null;
export async function kernels() {
  if (!catalogue) {
    catalogue = api.getKernels().then((body) => (Array.isArray(body) ? body : body.kernels || []));
    catalogue.catch(() => { catalogue = null; });
  }
  return catalogue;
}

/** The weights of a catalogue entry (FH, FW) as nested lists, whatever the field is called. */
export function kernelWeights(entry) {
  return entry.weights || entry.default_weights || entry.kernel || entry.values || null;
}
