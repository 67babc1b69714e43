// @ts-check
// The arithmetic of one window position written out, as on slide 7: "1·2 + 2·0 + … = 15, + 3 = 18".
import { fixed } from "../../lib/format.js";

/** Digits to print: 0 for whole numbers, else 2 (3 for filter weights). @param {number} v @param {number} [d] */
const digits = (v, d = 2) => (Number.isInteger(v) ? 0 : d);

/**
 * The multiply-accumulate of output step `cur` (0-based, row-major over OH × OW) for an (n, n) input
 * (row-major), a (FH, FW) filter, bias b, padding P (zeros) and stride S.
 * → {terms: ["1·2", …], sum, total = sum + b, text: {terms, sum, b, total}} (numbers as printed).
 * @param {ArrayLike<number>} x @param {number} n @param {number[][]} w @param {number} bias
 * @param {number} pad @param {number} stride @param {number} ow @param {number} cur
 */
export function windowSum(x, n, w, bias, pad, stride, ow, cur) {
  const y0 = Math.floor(cur / ow) * stride - pad;
  const x0 = (cur % ow) * stride - pad;
  const terms = [];
  let sum = 0;
  w.forEach((row, i) => row.forEach((wv, j) => {
    const y = y0 + i;
    const xx = x0 + j;
    const xv = y >= 0 && xx >= 0 && y < n && xx < n ? x[y * n + xx] : 0;
    sum += xv * wv;
    terms.push(`${fixed(xv, digits(xv))}·${fixed(wv, digits(wv, 3))}`);
  }));
  const total = sum + bias;
  return { terms, sum, total,
    text: { terms: terms.join(" + "), sum: fixed(sum, digits(sum)), b: fixed(bias, digits(bias)),
      total: fixed(total, digits(total)) } };
}
