// Image helpers for the views: scale a Blob to a fixed square PNG (so images stack into one batch),
// list the sample images.

import { getJson } from "./api.js";

/** Scale an image Blob to side×side (the whole image, stretched) and return a PNG Blob. */
export async function squarePng(blob, side) {
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, side, side);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

/** The samples served by GET /api/samples: [{id, name_en, name_ja, ...}]. */
export async function sampleList() {
  const body = await getJson("/api/samples");
  const list = Array.isArray(body) ? body : body.samples || [];
  return list.map((s) => (typeof s === "string" ? { id: s } : s));
}

/** A sample image as a Blob. */
export async function sampleBlob(id) {
  const res = await fetch(`/api/samples/${encodeURIComponent(id)}.png`);
  if (!res.ok) throw new Error(`sample ${id}: HTTP ${res.status}`);
  return res.blob();
}
