// @ts-check
// The inspector: for output pixel (c, i, j) of the conv (or ReLU) map, its receptive field on the
// padded input, the patch, the kernel, their products, Σ + bias, checked against the server.
//   out[c, i, j] = Σ_u Σ_v xpad[c', i·S + u·D, j·S + v·D] · K[u, v] + b[c]
import { compact } from "../../lib/format.js";

const TOL = 1e-4;

/** The kernel applied to output channel c as a flat (FH·FW) array, from the response's kernel. */
function kernelFor(kernel, c) {
  const v = kernel.values;
  if (!Array.isArray(v[0][0])) return v.flat();            // (FH, FW)
  const bank = v[Math.min(c, v.length - 1)];                 // (FN, C, FH, FW)
  return bank[0].flat();
}

/** Everything the panel shows for output (c, i, j); `data` is what lab.js keeps per response. */
export function inspect(data, stage, c, i, j) {
  const g = data.geometry;
  const { padded, conv, kernel } = data;
  const [sh, sw] = g.stride, [dh, dw] = g.dilation;
  const FH = g.FH, FW = g.FW;
  const inC = padded.C === 1 ? 0 : Math.min(c, padded.C - 1);
  const k = kernelFor(kernel, c);
  const patch = [], products = [], taps = [];
  let sum = 0;
  for (let u = 0; u < FH; u++) {
    for (let v = 0; v < FW; v++) {
      const r = i * sh + u * dh, q = j * sw + v * dw;
      const x = padded.values[(inC * padded.H + r) * padded.W + q];
      const w = k[u * FW + v];
      patch.push(x); products.push(x * w); taps.push([r, q]);
      sum += x * w;
    }
  }
  const bias = data.bias[Math.min(c, data.bias.length - 1)] ?? 0;
  const value = sum + bias;
  const server = conv.values[(c * conv.H + i) * conv.W + j];
  const relu = stage === "relu" ? Math.max(0, value) : null;
  // 8-bit maps (docs/wire-values.md): the server's value is off by at most half its step, and
  // each input value by half the input's step, weighted by |w|
  const slack = (conv.step ?? 0) * 0.501 + (data.inputStep ?? 0) * 0.501 * k.reduce((a, w) => a + Math.abs(w), 0);
  const match = Math.abs(value - server) <= Math.max(TOL * Math.max(1, Math.abs(server)), slack);
  const box = { top: taps[0][0], left: taps[0][1], h: (FH - 1) * dh + 1, w: (FW - 1) * dw + 1 };
  return { stage, c, i, j, FH, FW, patch, kernel: k, products, sum, bias, value, server, relu, match, taps, box, inC };
}

/** A number in the inspector: up to 4 decimals, exponential from 1000. @param {number} v */
export const fmt = (v) => compact(v, 4, { big: 1000 });

export function table(title, values, FH, FW, cls) {
  const wrap = document.createElement("div");
  wrap.className = `matrix ${cls}`;
  const h = document.createElement("h3");
  h.textContent = title;
  const tbl = document.createElement("table");
  for (let u = 0; u < FH; u++) {
    const tr = tbl.insertRow();
    for (let v = 0; v < FW; v++) tr.insertCell().textContent = fmt(values[u * FW + v]);
  }
  wrap.append(h, tbl);
  return wrap;
}

/** Fill the inspector panel body with the three matrices and the equation. */
export function renderInspector(body, r, t) {
  body.replaceChildren();
  const head = document.createElement("p");
  head.className = "inspector-head";
  head.textContent = t("lab.inspector.pixel", { stage: t(`lab.stages.${r.stage}`), c: r.c, y: r.i, x: r.j });
  const mats = document.createElement("div");
  mats.className = "matrices";
  mats.append(
    table(t("lab.inspector.patch"), r.patch, r.FH, r.FW, "patch"),
    table(t("lab.inspector.kernel"), r.kernel, r.FH, r.FW, "kernel"),
    table(t("lab.inspector.products"), r.products, r.FH, r.FW, "products"));
  const eq = document.createElement("p");
  eq.className = "equation";
  const parts = [
    ["sum", `${t("lab.inspector.sum")} = ${fmt(r.sum)}`],
    ["bias", `+ ${t("lab.inspector.bias")} ${fmt(r.bias)}`],
    ["value", `= ${fmt(r.value)}`],
  ];
  if (r.relu !== null) parts.push(["relu", `→ ReLU = ${fmt(r.relu)}`]);
  for (const [cls, text] of parts) {
    const s = document.createElement("span");
    s.className = `eq-${cls}`;
    s.textContent = text;
    eq.append(s, " ");
  }
  const check = document.createElement("p");
  check.className = `server-check ${r.match ? "ok" : "bad"}`;
  check.dataset.server = String(r.server);
  check.textContent = t(r.match ? "lab.inspector.match" : "lab.inspector.mismatch", { server: fmt(r.server) });
  body.append(head, mats, eq, check);
  Object.assign(body.dataset, { sum: String(r.sum), bias: String(r.bias), value: String(r.value), server: String(r.server) });
  body.hidden = false;
}

function clear(overlay) {
  const g = overlay.getContext("2d");
  g.clearRect(0, 0, overlay.width, overlay.height);
  return g;
}

/** Input overlay: padding ring and (when r) the receptive field (never-covered rows: shade.js). */
export function drawInputOverlay(overlay, padded, geometry, r) {
  const g = clear(overlay);
  const k = overlay.width / padded.W;
  const [ph, pw] = geometry.pad;
  if (ph || pw) {
    g.fillStyle = "rgba(255, 255, 255, 0.45)";
    g.fillRect(0, 0, overlay.width, ph * k);
    g.fillRect(0, (padded.H - ph) * k, overlay.width, ph * k);
    g.fillRect(0, ph * k, pw * k, (padded.H - 2 * ph) * k);
    g.fillRect((padded.W - pw) * k, ph * k, pw * k, (padded.H - 2 * ph) * k);
    g.setLineDash([4, 3]);
    g.strokeStyle = "#1d3557";
    g.lineWidth = 1.5;
    g.strokeRect(pw * k, ph * k, (padded.W - 2 * pw) * k, (padded.H - 2 * ph) * k);
    g.setLineDash([]);
  }
  if (!r) return;
  const [dh, dw] = geometry.dilation;
  const { top, left, h: hgt, w: wid } = r.box;
  if ((dh > 1 || dw > 1) && r.taps) {
    g.fillStyle = "rgba(255, 209, 102, 0.8)";
    for (const [y, x] of r.taps) g.fillRect(x * k, y * k, Math.max(1, k), Math.max(1, k));
  }
  const lw = Math.max(2, overlay.width / 100);
  g.lineWidth = lw + 2;
  g.strokeStyle = "#000";
  g.strokeRect(left * k, top * k, wid * k, hgt * k);
  g.lineWidth = lw;
  g.strokeStyle = "#ffd166";
  g.strokeRect(left * k, top * k, wid * k, hgt * k);
}

/** Output overlay: a box around pixels [i, i + nh) × [j, j + nw) of an (H, W) map. */
export function drawPixelMarker(overlay, H, W, i, j, nh = 1, nw = 1) {
  const g = clear(overlay);
  if (i === null) return;
  const kx = overlay.width / W, ky = overlay.height / H;
  const lw = Math.max(2, overlay.width / 100);
  const [x, y, w, h] = [j * kx, i * ky, Math.max(nw * kx, 3), Math.max(nh * ky, 3)];
  g.lineWidth = lw + 2;
  g.strokeStyle = "#000";
  g.strokeRect(x, y, w, h);
  g.lineWidth = lw;
  g.strokeStyle = "#ffd166";
  g.strokeRect(x, y, w, h);
}
