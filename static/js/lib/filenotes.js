// @ts-check
// What a file holds that the browser's own shrinking (lib/decode.js) loses without a word: the
// frames of an animated GIF or PNG, transparency, 16 bits per channel. Read from the file's
// header and blocks (no pixel is decoded): PNG IHDR (bit depth, colour type), tRNS and acTL
// chunks; GIF image descriptors counted by skipping their data sub-blocks.

/** @typedef {{code: "first_frame_only" | "alpha_on_white" | "high_bit_depth", n?: number}} FileNote */

const PNG_SIG = [137, 80, 78, 71, 13, 10, 26, 10];

/** PNG chunks up to IDAT → notes. @param {Uint8Array} b @param {DataView} v @returns {FileNote[]} */
function pngNotes(b, v) {
  const notes = [];
  if (b.length < 33) return notes;
  const depth = b[24], colourType = b[25];
  let alpha = colourType === 4 || colourType === 6, frames = 1;
  for (let p = 8; p + 12 <= b.length;) {
    const len = v.getUint32(p), type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    if (type === "IDAT" || type === "IEND") break;
    if (type === "tRNS") alpha = true;
    if (type === "acTL" && p + 12 <= b.length) frames = v.getUint32(p + 8);
    p += 12 + len;
  }
  if (frames > 1) notes.push({ code: "first_frame_only", n: frames });
  if (alpha) notes.push({ code: "alpha_on_white" });
  if (depth === 16) notes.push({ code: "high_bit_depth" });
  return notes;
}

/** Skip GIF data sub-blocks from p (length byte, data … 0) → the position after them.
 *  @param {Uint8Array} b @param {number} p */
function skipBlocks(b, p) {
  while (p < b.length && b[p] !== 0) p += b[p] + 1;
  return p + 1;
}

/** GIF blocks → notes (frame count; transparency from the graphic control extensions).
 *  @param {Uint8Array} b @returns {FileNote[]} */
function gifNotes(b) {
  let p = 13, frames = 0, alpha = false;
  if (b[10] & 0x80) p += 3 * 2 ** ((b[10] & 7) + 1);   // global colour table
  while (p < b.length) {
    const tag = b[p];
    if (tag === 0x2c) {   // image descriptor: 9 bytes, local table, LZW code size, data
      frames++;
      const packed = b[p + 9];
      p += 10 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0) + 1;
      p = skipBlocks(b, p);
    } else if (tag === 0x21) {   // extension: label, sub-blocks
      if (b[p + 1] === 0xf9 && b[p + 3] & 1) alpha = true;   // graphic control: transparent index
      p = skipBlocks(b, p + 2);
    } else break;   // 0x3b trailer (or damage)
  }
  const notes = [];
  if (frames > 1) notes.push(/** @type {FileNote} */ ({ code: "first_frame_only", n: frames }));
  if (alpha) notes.push(/** @type {FileNote} */ ({ code: "alpha_on_white" }));
  return notes;
}

/** The notes a file's own format carries (PNG, APNG, GIF; [] for anything else).
 *  @param {Blob} blob @returns {Promise<FileNote[]>} */
export async function fileNotes(blob) {
  const head = new Uint8Array(await blob.slice(0, 8).arrayBuffer());
  const isPng = PNG_SIG.every((x, i) => head[i] === x);
  const isGif = String.fromCharCode(...head.slice(0, 4)) === "GIF8";
  if (!isPng && !isGif) return [];
  const b = new Uint8Array(await blob.arrayBuffer());
  return isPng ? pngNotes(b, new DataView(b.buffer)) : gifNotes(b);
}
