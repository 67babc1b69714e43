// Maps to canvases: one channel through a colour scale, or three channels as an RGB image.
export { scaleFor } from "./colorscale.js";

/** Size a canvas's CSS box to fit maxW×maxH at the map's true aspect; pixelated when enlarged. */
export function fitCanvas(canvas, h, w, maxW, maxH) {
  const k = Math.min(maxW / w, maxH / h);
  canvas.style.width = `${Math.max(1, Math.round(w * k))}px`;
  canvas.style.height = `${Math.max(1, Math.round(h * k))}px`;
  canvas.classList.toggle("pixelated", k >= 1);
  return k;
}

/** Draw values[offset .. offset + h·w) (row-major) on canvas (h×w pixels) through scale. */
export function drawMap(canvas, values, h, w, scale, offset = 0) {
  canvas.width = w; canvas.height = h;
  const g = canvas.getContext("2d");
  const img = g.createImageData(w, h);
  const px = img.data;
  for (let i = 0, n = h * w; i < n; i++) {
    const li = scale.toIndex(values[offset + i]) * 3;
    px[i * 4] = scale.lut[li]; px[i * 4 + 1] = scale.lut[li + 1]; px[i * 4 + 2] = scale.lut[li + 2];
    px[i * 4 + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}

/** Draw a (3, h, w) array of values in [0, 1] as an RGB image. */
export function drawRgb(canvas, values, h, w) {
  canvas.width = w; canvas.height = h;
  const g = canvas.getContext("2d");
  const img = g.createImageData(w, h);
  const n = h * w;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) img.data[i * 4 + c] = Math.round(values[c * n + i] * 255);
    img.data[i * 4 + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}

/** min and max of values[offset .. offset + n). */
export function extent(values, offset = 0, n = values.length - offset) {
  let lo = Infinity, hi = -Infinity;
  for (let i = offset; i < offset + n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
