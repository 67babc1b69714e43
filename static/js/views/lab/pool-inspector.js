// @ts-check
// The inspector for a pooled pixel: its window on the map before pooling (ReLU or conv), the
// values in it, max or mean = the server's pooled value, and the receptive field on the input
// (the union of the conv windows under the pooling window).
//   PH = (OH − k) / s + 1;  pool[c, i, j] = max|mean of x[c, i·s .. i·s + k − 1, j·s .. j·s + k − 1]
import { fmt, table } from "./inspector.js";

const TOL = 1e-4;

/** {stage: "pool", c, i, j, source, window {top, left, h, w}, values, value, server, box, match}. */
export function inspectPool(data, c, i, j) {
  const pg = data.poolGeometry, g = data.geometry;
  const src = data.beforePool;                       // (C, OH, OW) ReLU or conv map
  const [sh, sw] = pg.stride;
  const top = i * sh, left = j * sw, h = pg.FH, w = pg.FW;
  const values = [];
  for (let r = top; r < top + h; r++) {
    for (let q = left; q < left + w; q++) values.push(src.values[(c * src.H + r) * src.W + q]);
  }
  const value = data.poolType === "avg" ? values.reduce((a, b) => a + b, 0) / values.length : Math.max(...values);
  const server = data.pool.values[(c * data.pool.H + i) * data.pool.W + j];
  const match = Math.abs(value - server) <= Math.max(TOL * Math.max(1, Math.abs(server)), (data.pool.step ?? 0) * 0.501);   // 8-bit maps: half a step
  // Receptive field on the padded input: conv rows top .. top + h − 1 → input rows.
  const span = (n, s, f, d) => (n - 1) * s + (f - 1) * d + 1;
  const box = {
    top: top * g.stride[0], left: left * g.stride[1],
    h: span(h, g.stride[0], g.FH, g.dilation[0]), w: span(w, g.stride[1], g.FW, g.dilation[1]),
  };
  return { stage: "pool", c, i, j, source: src.name, window: { top, left, h, w }, values, value,
    server, match, box, type: data.poolType };
}

/** The panel for a pooled pixel. */
export function renderPoolInspector(body, r, t) {
  body.replaceChildren();
  const head = document.createElement("p");
  head.className = "inspector-head";
  head.textContent = t("lab.inspector.pixel", { stage: t("lab.stages.pool"), c: r.c, y: r.i, x: r.j });
  const mats = document.createElement("div");
  mats.className = "matrices";
  mats.append(table(t("lab.inspector.window", { stage: t(`lab.stages.${r.source}`) }), r.values,
    r.window.h, r.window.w, "patch"));
  const eq = document.createElement("p");
  eq.className = "equation";
  eq.textContent = `${t(r.type === "avg" ? "lab.inspector.mean" : "lab.inspector.max")} = ${fmt(r.value)}`;
  const check = document.createElement("p");
  check.className = `server-check ${r.match ? "ok" : "bad"}`;
  check.textContent = t(r.match ? "lab.inspector.match" : "lab.inspector.mismatch", { server: fmt(r.server) });
  body.append(head, mats, eq, check);
  body.hidden = false;
  Object.assign(body.dataset, { value: String(r.value), server: String(r.server), sum: "", bias: "" });
}
