// @ts-check
// The lab's maps computed in the page from the exact input it keeps (docs/wire-values.md): after a
// control change the server sends the geometry, the kernel, min / max and the checks but no map
// values, and the page runs the engine's formulas itself (float64 sums rounded to float32):
//   conv  out[f, i, j] = Σ_c Σ_u Σ_v xpad[c, i·S + u·D, j·S + v·D] · K[f, c, u, v] + b[f]
//   relu  max(0, x)
//   pool  max (padding −∞) or mean (padding 0, counted) over each window, (C, OH, OW)
// Only when the work is small (PAGE_MACS multiply-adds); larger setups get 8-bit maps as before.

/** Multiply-adds the page computes itself at most (~30–80 ms in Chromium on a 2-core laptop). */
export const PAGE_MACS = 24e6;

/** An upper bound of a setup's conv multiply-adds: C_in · side² · FH · FW (side = working size).
 *  @param {{color: string, size?: number, kh: number, kw: number, params?: any}} s @param {number} side */
export function macsOf(s, side) {
  const kh = Number(s.params?.size ?? s.kh) || 11, kw = Number(s.params?.size ?? s.kw) || 11;
  return (s.color === "rgb" ? 3 : 1) * side * side * kh * kw;
}

/** The kernel as one Float64Array per output map and its input channels: (FN, C, FH·FW).
 *  @param {{values: any[], depthwise?: boolean}} kernel @param {number} C @param {boolean} depthwise */
function taps(kernel, C, depthwise) {
  const flat = !Array.isArray(kernel.values[0][0]);
  if (flat) {
    const k = Float64Array.from(kernel.values.flat());
    return depthwise ? Array.from({ length: C }, (_, c) => [{ c, k }])
      : [Array.from({ length: C }, (_, c) => ({ c, k }))];
  }
  return kernel.values.map((per, f) => (depthwise ? [{ c: f, k: Float64Array.from(per[0].flat()) }]
    : per.map((/** @type {any[]} */ rows, /** @type {number} */ c) => ({ c, k: Float64Array.from(rows.flat()) }))));
}

/**
 * The conv map of the padded input, as the engine computes it (each output row: its nonzero taps
 * summed in float64, three at a time, rounded to float32 once).
 * @param {{C: number, H: number, W: number, values: ArrayLike<number>}} padded (C, HP, WP)
 * @param {{values: any[]}} kernel (FH, FW), or (FN, C, FH, FW)
 * @param {number[]} bias one per output map (or one for all)
 * @param {{FH: number, FW: number, out_h: number, out_w: number, stride: number[], dilation: number[]}} g
 * @param {boolean} depthwise
 * @returns {Float32Array} (FN, OH, OW)
 */
export function convMap(padded, kernel, bias, g, depthwise) {
  const { FH, FW, out_h: OH, out_w: OW } = g;
  const [sh, sw] = g.stride, [dh, dw] = g.dilation;
  const HP = padded.H, WP = padded.W, x = padded.values;
  const filters = taps(kernel, padded.C, depthwise);
  const out = new Float32Array(filters.length * OH * OW);
  const acc = new Float64Array(OW);
  filters.forEach((inputs, f) => {
    // the nonzero taps: offset in x from a window's top-left, and weight; summed three at a time
    /** @type {number[]} */ const off = [];
    /** @type {number[]} */ const wt = [];
    for (const { c, k } of inputs) {
      for (let u = 0; u < FH; u++) {
        for (let v = 0; v < FW; v++) {
          if (k[u * FW + v] !== 0) { off.push((c * HP + u * dh) * WP + v * dw); wt.push(k[u * FW + v]); }
        }
      }
    }
    const b = bias[Math.min(f, bias.length - 1)] ?? 0, T = off.length;
    for (let i = 0; i < OH; i++) {
      acc.fill(0);
      const row = i * sh * WP;
      let t = 0;
      for (; t + 3 <= T; t += 3) {
        const p0 = row + off[t], p1 = row + off[t + 1], p2 = row + off[t + 2];
        const w0 = wt[t], w1 = wt[t + 1], w2 = wt[t + 2];
        for (let j = 0, p = 0; j < OW; j++, p += sw) acc[j] += x[p0 + p] * w0 + x[p1 + p] * w1 + x[p2 + p] * w2;
      }
      for (; t < T; t++) {
        const p0 = row + off[t], w0 = wt[t];
        for (let j = 0, p = 0; j < OW; j++, p += sw) acc[j] += x[p0 + p] * w0;
      }
      const o = (f * OH + i) * OW;
      for (let j = 0; j < OW; j++) out[o + j] = acc[j] + b;
    }
  });
  return out;
}

/**
 * Pooling of (C, H, W) values over the pool geometry's windows.
 * @param {ArrayLike<number>} x @param {number} C @param {number} H @param {number} W
 * @param {{FH: number, FW: number, out_h: number, out_w: number, stride: number[], pad: number[]}} pg
 * @param {string} type "max" | "avg"
 * @returns {Float32Array} (C, OH, OW)
 */
export function poolMap(x, C, H, W, pg, type) {
  const { FH, FW, out_h: OH, out_w: OW } = pg;
  const [sh, sw] = pg.stride, [ph, pw] = pg.pad ?? [0, 0];
  const max = type === "max", n = FH * FW;
  const out = new Float32Array(C * OH * OW);
  // each window's columns inside the map, [q0, q1): no bounds test in the inner loops
  const q0 = new Int32Array(OW), q1 = new Int32Array(OW);
  for (let j = 0; j < OW; j++) { q0[j] = Math.max(0, j * sw - pw); q1[j] = Math.min(W, j * sw - pw + FW); }
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < OH; i++) {
      const r0 = Math.max(0, i * sh - ph), r1 = Math.min(H, i * sh - ph + FH);
      const o = (c * OH + i) * OW;
      for (let j = 0; j < OW; j++) {
        let s = max ? -Infinity : 0;
        for (let r = r0; r < r1; r++) {
          const row = (c * H + r) * W;
          for (let q = row + q0[j], e = row + q1[j]; q < e; q++) {
            const val = x[q];
            if (max) { if (val > s) s = val; } else s += val;
          }
        }
        out[o + j] = max ? s : s / n;
      }
    }
  }
  return out;
}
