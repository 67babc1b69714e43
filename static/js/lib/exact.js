// @ts-check
// Exact conv values in the page, for the inspector's numbers when the maps arrived as 8 bits:
// the engine's formula on the padded input (float64 sums, rounded to float32 as the server's):
//   out[f, i, j] = Σ_c Σ_u Σ_v xpad[c, i·S + u·D, j·S + v·D] · K[f, c, u, v] + b[f]
// A 2-D kernel (FH, FW) is one filter summed over channels, or with depthwise one per channel.

/**
 * @param {{C: number, H: number, W: number, values: ArrayLike<number>}} padded (C, HP, WP)
 * @param {{values: any[]}} kernel the response's kernel: (FH, FW) or (FN, C, FH, FW)
 * @param {number[]} bias one per output channel
 * @param {{FH: number, FW: number, out_h: number, out_w: number, stride: number[],
 *   dilation: number[]}} g the response's geometry
 * @param {boolean} depthwise
 * @returns {Float32Array} (FN, OH, OW)
 */
export function exactConv(padded, kernel, bias, g, depthwise) {
  const { FH, FW, out_h: OH, out_w: OW } = g;
  const [sh, sw] = g.stride, [dh, dw] = g.dilation;
  const flat = !Array.isArray(kernel.values[0][0]);
  const FN = depthwise ? padded.C : flat ? 1 : kernel.values.length;
  const k2 = flat ? kernel.values.flat() : null;
  const out = new Float32Array(FN * OH * OW);
  for (let f = 0; f < FN; f++) {
    const channels = depthwise ? [f] : [...Array(padded.C).keys()];
    const b = bias[Math.min(f, bias.length - 1)] ?? 0;
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        let s = 0;
        for (const c of channels) {
          const k = k2 ?? kernel.values[f][c].flat();
          const base = c * padded.H;
          for (let u = 0; u < FH; u++) {
            const row = (base + i * sh + u * dh) * padded.W + j * sw;
            for (let v = 0; v < FW; v++) s += padded.values[row + v * dw] * k[u * FW + v];
          }
        }
        out[(f * OH + i) * OW + j] = s + b;
      }
    }
  }
  return out;
}
