// @ts-check
// Numbers and shapes as text: every number the page prints goes through one of these.
import { getLanguage } from "./i18n.js";

/** Fixed digits, "−" as the minus sign, no "-0" (the teaching views' tables and captions).
 *  @param {number} v @param {number} [digits] */
export function fixed(v, digits = 2) {
  if (!Number.isFinite(v)) return String(v);
  const s = v.toFixed(digits);
  const zero = /^-0\.?0*$/.test(s);
  return zero ? s.slice(1) : s.replace("-", "−");
}

/**
 * At most `digits` decimals without trailing zeros; exponential (expDigits) when |v| ≥ big or
 * 0 < |v| < small. compact(0.5, 2) = "0.5", compact(12345, 2, {big: 1000}) = "1.2e+4".
 * @param {number} v @param {number} digits
 * @param {{big?: number, small?: number, expDigits?: number}} [opts]
 */
export function compact(v, digits, { big = Infinity, small = 0, expDigits = 2 } = {}) {
  const a = Math.abs(v);
  return a >= big || (a < small && v !== 0) ? v.toExponential(expDigits) : String(+v.toFixed(digits));
}

/** v rounded to `digits` decimals as a number (Math.round: halves go up); -0 → 0.
 *  @param {number} v @param {number} digits */
export function roundTo(v, digits) {
  const k = 10 ** digits;
  return Math.round(v * k) / k || 0;
}

/** Two significant figures below 1, two decimals below 100, none above (layer statistics).
 *  @param {number} v */
export function short(v) {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

/** An integer with the interface language's digit grouping (433,890), not the browser's.
 *  @param {number} n */
export const int = (n) => n.toLocaleString(getLanguage());

/** "(3, 28, 28)" from a shape array; a 1-tuple as "(784,)". @param {number[]} shape */
export function shapeText(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Bytes as "12.3 MB" style text (decimal units). @param {number} n */
export function bytesText(n) {
  const units = ["B", "kB", "MB", "GB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u += 1; }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}
