// @ts-check
// An image the server keeps, by its ref (the classroom's teacher's own image): the lab asks for
// its input stage only (POST /api/convolve with image_ref, a 1×1 identity filter, RGB, 8-bit
// values) and rebuilds the picture as a PNG, so a student never uploads nor downloads the file.
// Pixels are exact: u8 values span [min, max] ⊂ [0, 1] in 255 steps, off by < 1/510 (rounded).
import { convolveRef } from "../../lib/api.js";
import { decodeStage } from "../../lib/values.js";
import { refImage } from "./image-input.js";

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

/** The kept image `ref` as the lab's image (refImage: sent by ref afterwards). A 410 ApiError
 *  (image_ref_unknown) when the server no longer keeps it. @param {string} ref */
export async function imageByRef(ref) {
  const response = await convolveRef(ref, IDENTITY_SPEC);
  const st = response.stages.find((/** @type {any} */ s) => s.name === "input");
  const decoded = st && await decodeStage(st);
  if (!decoded) throw new Error("no input values");
  const [H, W] = st.shape.slice(-2);
  const canvas = new OffscreenCanvas(W, H);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.putImageData(new ImageData(rgbaOf(decoded.values, H, W), W, H), 0, 0);
  return refImage(await canvas.convertToBlob({ type: "image/png" }), ref);
}
