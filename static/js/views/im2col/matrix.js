// @ts-check
// im2col on the client, for a small crop only (the numbers shown in the im2col view; the API's
// convolution of the same crop is the check). Layout as in the book: rows = output positions
// (OH·OW, row-major), columns = C·FH·FW (channel, then kernel row, then kernel column).

/** crop (C, H, W) flat → {data: (OH·OW, C·k·k) flat, rows, cols, oh, ow, origin: [y0, x0] per row}. */
export function im2col(crop, C, H, W, k, stride, pad) {
  const oh = Math.floor((H + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((W + 2 * pad - k) / stride) + 1;
  const cols = C * k * k;
  const data = new Float32Array(oh * ow * cols);
  const origin = [];
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const r = oy * ow + ox;
      const y0 = oy * stride - pad;
      const x0 = ox * stride - pad;
      origin.push([y0, x0]);
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const y = y0 + i;
            const x = x0 + j;
            const inside = y >= 0 && y < H && x >= 0 && x < W;
            data[r * cols + (c * k + i) * k + j] = inside ? crop[(c * H + y) * W + x] : 0;
          }
        }
      }
    }
  }
  return { data, rows: oh * ow, cols, oh, ow, origin };
}

/** Filter bank (FN, C, k, k) nested lists → (C·k·k, FN) flat: each filter one column. */
export function filterMatrix(bank) {
  const FN = bank.length;
  const flat = bank.map((f) => f.flat(2));
  const rows = flat[0].length;
  const data = new Float32Array(rows * FN);
  for (let r = 0; r < rows; r++) for (let f = 0; f < FN; f++) data[r * FN + f] = flat[f][r];
  return { data, rows, cols: FN };
}

/** (m, n) · (n, p) → (m, p), accumulated in float64. */
export function matmul(a, m, n, b, p) {
  const out = new Float32Array(m * p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += a[i * n + q] * b[q * p + j];
      out[i * p + j] = s;
    }
  }
  return out;
}

/** Column f of an (m, p) matrix as a Float32Array (the output map of filter f, flattened). */
export function column(mat, m, p, f) {
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) out[i] = mat[i * p + f];
  return out;
}
