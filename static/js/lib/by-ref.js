// @ts-check
// A picture the server keeps, by its ref (the classroom's teacher's own image, in the lab or on
// the network view's pad): keepPicture() uploads it once and returns the ref (POST /api/convolve,
// a 1×1 identity filter, nothing computed back); pictureByRef() asks for the input stage only
// (image_ref, RGB, 8-bit values) and rebuilds the picture as a PNG, so a student never uploads
// nor downloads the file. Pixels are exact: u8 values span [min, max] ⊂ [0, 1] in 255 steps, off
// by < 1/510 (rounded).
import { convolve, convolveRef } from "./api.js";
import { decodeStage } from "./values.js";

/** The spec that returns the kept image's pixels unchanged: (1, 3, H, W) in [0, 1]. */
export const IDENTITY_SPEC = Object.freeze({
  kernel: [[1]], bias: 0, stride: 1, pad: 0, pad_mode: "zeros", dilation: 1, depthwise: true,
  color: "rgb", activation: "none", max_side: 1024, include_values: true, previews: false,
  values_format: "u8", value_stages: ["input"], include_output: false, pool: null,
});

/** (3·H·W) values in [0, 1], channel-major → RGBA bytes (H·W·4). @param {Float32Array} v
 *  @param {number} H @param {number} W */
export function rgbaOf(v, H, W) {
  const n = H * W, out = new Uint8ClampedArray(n * 4);
  for (let k = 0; k < n; k++) {
    out[4 * k] = Math.round(v[k] * 255);
    out[4 * k + 1] = Math.round(v[n + k] * 255);
    out[4 * k + 2] = Math.round(v[2 * n + k] * 255);
    out[4 * k + 3] = 255;
  }
  return out;
}

/** Upload `blob` once so the server keeps it → its image_ref (null when the server kept none).
 *  The answer carries no values nor previews: only the ref is wanted. @param {Blob} blob
 *  @param {{signal?: AbortSignal}} [opts] @returns {Promise<string | null>} */
export async function keepPicture(blob, opts) {
  const response = await convolve([blob], { ...IDENTITY_SPEC, include_values: false, value_stages: [] }, opts);
  return typeof response.image_ref === "string" ? response.image_ref : null;
}

/** The kept picture `ref` as a PNG Blob. A 410 ApiError (image_ref_unknown) when the server no
 *  longer keeps it. @param {string} ref @param {{signal?: AbortSignal}} [opts] */
export async function pictureByRef(ref, opts) {
  const response = await convolveRef(ref, IDENTITY_SPEC, opts);
  const st = response.stages.find((/** @type {any} */ s) => s.name === "input");
  const decoded = st && await decodeStage(st);
  if (!decoded) throw new Error("no input values");
  const [H, W] = st.shape.slice(-2);
  const canvas = new OffscreenCanvas(W, H);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.putImageData(new ImageData(rgbaOf(decoded.values, H, W), W, H), 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}
