// @ts-check
// Counting changed values between two maps at the same positions (the shift experiment).

/** Two values differ when |a − b| > 1e-6 · max(1, |a|, |b|) (float32 rounding is not a change). */
export function differs(a, b) {
  return Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** {changed, total} over two equally long arrays. */
export function countChanged(a, b) {
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (differs(a[i], b[i])) changed += 1;
  return { changed, total: a.length };
}

/** For each pooled cell (size×size windows, stride = size) of an (H, W) map: the argmax offset [dy, dx]. */
export function argmaxWindows(map, H, W, size) {
  const oh = Math.floor((H - size) / size) + 1;
  const ow = Math.floor((W - size) / size) + 1;
  const out = [];
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      let best = -Infinity;
      let at = [0, 0];
      for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) {
        const v = map[(py * size + dy) * W + px * size + dx];
        if (v > best) { best = v; at = [py * size + dy, px * size + dx]; }
      }
      out.push({ value: best, at });
    }
  }
  return { oh, ow, cells: out };
}
