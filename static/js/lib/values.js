// @ts-check
// Stage values as the API sends them (spec.values_format, app/services/values.py):
//   f32: little-endian float32, base64 (exact)
//   u8 / u16: zlib(up-delta(q)), base64; each (H, W) plane's first row stored as q[0, j] − q[0, j−1],
//     later rows as q[i, j] − q[i−1, j], mod 2^b; x = values_lo + q · values_step, off by at most
//     values_step / 2 (0 is a code, so zeros stay zeros); the step is kept on the result.
import { decodeValues } from "./api.js";

const TOPS = { u8: 255, u16: 65535 };

/** base64 → bytes. @param {string} b64 */
function bytesOf(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** zlib-inflate bytes with the browser's own DecompressionStream. @param {Uint8Array} bytes */
async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A stage's values (C·H·W, N = 1) as a Float32Array with its quantisation step (0 when exact),
 * or null when the stage carries none.
 * @param {{shape: number[], min: number, max: number, values_b64?: string | null,
 *   values_format?: string | null, values_lo?: number | null, values_step?: number | null}} stage
 * @returns {Promise<{values: Float32Array, step: number} | null>}
 */
export async function decodeStage(stage) {
  if (!stage.values_b64) return null;
  const fmt = stage.values_format ?? "f32";
  if (fmt === "f32") return { values: decodeValues(stage.values_b64), step: 0 };
  const top = TOPS[/** @type {"u8" | "u16"} */ (fmt)];
  const raw = await inflate(bytesOf(stage.values_b64));
  const q = fmt === "u8" ? raw : new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const W = stage.shape[stage.shape.length - 1], HW = W * (stage.shape[stage.shape.length - 2] ?? 1);
  const lo = stage.values_lo ?? stage.min, step = stage.values_step ?? 0;
  const codes = new Uint32Array(q.length);
  for (let p = 0; p < q.length; p += HW) {   // each (H, W) plane: first row from the left, then up
    let acc = 0;
    for (let j = p; j < p + W; j++) { acc = (acc + q[j]) & top; codes[j] = acc; }
    for (let j = p + W; j < p + HW; j++) codes[j] = (q[j] + codes[j - W]) & top;
  }
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = lo + codes[i] * step;
  return { values: out, step };
}

/** ReLU of a stage's values, max(0, x), for a relu stage the server sent without values.
 *  @param {Float32Array} values */
export function reluOf(values) {
  const n = values.length, out = new Float32Array(n);
  for (let i = 0; i < n; i++) { const v = values[i]; if (v > 0) out[i] = v; }   // else stays 0
  return out;
}
