// @ts-check
// The browser decodes and shrinks an image before it is uploaded: a 48 MP phone photo becomes a
// working-size PNG of a few hundred KB. createImageBitmap applies the EXIF orientation as the
// browser shows the photo; an animated image gives its first frame. A file the browser cannot
// decode (HEIC on most browsers) is a DecodeError with code "heic" or "undecodable".

export class DecodeError extends Error {
  /** @param {"heic" | "undecodable"} code @param {string} detail */
  constructor(code, detail) {
    super(detail);
    this.code = code;
  }
}

/** HEIC/HEIF by media type or name (phones save photos so). @param {Blob & {name?: string}} blob */
export const isHeic = (blob) => /image\/hei[cf]/i.test(blob.type) || /\.hei[cf]$/i.test(blob.name ?? "");

/**
 * The image fitted into side×side (long side = side), as a PNG Blob, when it is larger; else the
 * file itself (the server then says what it converted). → {blob, width, height, from: [W, H] |
 * null} with sizes as W×H (from: the size before the browser shrank it).
 * @param {Blob & {name?: string}} blob @param {number} side
 */
export async function shrinkImage(blob, side) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
  } catch (err) {
    throw new DecodeError(isHeic(blob) ? "heic" : "undecodable", String(/** @type {Error} */ (err).message ?? err));
  }
  const W = bitmap.width, H = bitmap.height;
  if (Math.max(W, H) <= side) {
    bitmap.close();
    return { blob, width: W, height: H, from: null };
  }
  const k = side / Math.max(W, H);
  const w = Math.max(1, Math.round(W * k)), h = Math.max(1, Math.round(H * k));
  const canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = h;
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = "high";
  g.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  canvas.width = 0; canvas.height = 0;   // free the pixels at once
  return { blob: /** @type {Blob} */ (png), width: w, height: h, from: [W, H] };
}
