// @ts-check
// A hand-drawn digit in the URL (network-strokes), so a link or the classroom's follow replays the
// same drawing: per point x.y (pad units × 1000, rounded: 0.28 px on the 280 px pad) and .p (pen
// pressure × 100) when not a mouse's 0.5; points joined by "_", strokes by "*" (characters a
// query string keeps as they are). At most MAX_POINTS points: a longer drawing keeps every k-th.

export const MAX_POINTS = 600;
const MAX_STROKES = 60;
const clamp = (/** @type {number} */ v, /** @type {number} */ lo, /** @type {number} */ hi) => Math.min(hi, Math.max(lo, v));

/** [[x, y, pressure], …] per stroke → the URL text, or null for no strokes.
 *  @param {number[][][] | null} strokes */
export function encodeStrokes(strokes) {
  const kept = (strokes ?? []).filter((s) => s.length).slice(0, MAX_STROKES);
  const total = kept.reduce((n, s) => n + s.length, 0);
  if (!total) return null;
  const k = Math.ceil(total / MAX_POINTS);
  const thin = (/** @type {number[][]} */ s) => (k === 1 ? s : s.filter((_, i) => i % k === 0 || i === s.length - 1));
  const num = (/** @type {number} */ v) => String(Math.round(clamp(v, -0.5, 1.5) * 1000));
  return kept.map((s) => thin(s).map(([x, y, p = 0.5]) => {
    const xy = `${num(x)}.${num(y)}`;
    return p === 0.5 ? xy : `${xy}.${Math.round(clamp(p, 0, 1) * 100)}`;
  }).join("_")).join("*");
}

/** The URL text → strokes ([[x, y, pressure], …] in pad units), or null when absent or not valid.
 *  @param {string | null} text */
export function decodeStrokes(text) {
  if (!text || !/^[-0-9._*]+$/.test(text)) return null;
  const strokes = text.split("*").slice(0, MAX_STROKES).map((s) => s.split("_").map((pt) => {
    const [x, y, p] = pt.split(".").map(Number);
    return [x / 1000, y / 1000, p === undefined ? 0.5 : p / 100];
  }));
  const points = strokes.flat();
  if (points.length > 2 * MAX_POINTS) return null;
  const ok = points.every(([x, y, p]) => Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(p)
    && Math.abs(x - 0.5) <= 1 && Math.abs(y - 0.5) <= 1 && p >= 0 && p <= 1);
  return ok && points.length ? strokes : null;
}
