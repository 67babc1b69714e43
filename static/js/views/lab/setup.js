// @ts-check
// The lab setup <-> query keys:
import { roundTo } from "../../lib/format.js";

// k kernel preset id | "custom"; kv "FHxFW:v,v,..."; b bias; p pad; pm pad mode; s stride;
// d dilation; act none|relu; pool none|max|avg; ps pool size; pst pool stride; c gray|rgb;
// img sample id; kp catalogue kernel parameters "name:value,name:value"; sum 1: RGB channels
// summed by one (1, 3, FH, FW) filter as in slide 11 (else filtered separately, depthwise).
export const DEFAULT_SETUP = Object.freeze({
  kernel: "sobel-x", kh: 3, kw: 3, values: [-1, 0, 1, -2, 0, 2, -1, 0, 1], bias: 0,
  pad: 1, padMode: "zeros", stride: 1, dilation: 1, activation: "relu",
  pool: "max", poolSize: 2, poolStride: 2, color: "gray", sample: "shapes", sum: false,
});

const num = (v, fallback) => {
  const n = Number(v);
  return v !== null && v !== "" && Number.isFinite(n) ? n : fallback;
};
const int = (v, fallback) => Math.trunc(num(v, fallback));
const oneOf = (v, allowed, fallback) => (allowed.includes(v) ? v : fallback);

function parseKernel(text) {
  const m = /^(\d+)x(\d+):(.*)$/.exec(text ?? "");
  if (!m) return null;
  const kh = Number(m[1]), kw = Number(m[2]);
  const values = m[3].split(",").map(Number);
  if (kh < 1 || kw < 1 || kh > 11 || kw > 11 || values.length !== kh * kw) return null;
  if (!values.every(Number.isFinite)) return null;
  return { kh, kw, values };
}

/** A number as the URL (and the bias field) writes it: 6 decimals at most, no -0.
 *  @param {number} v */
export const fmtNum = (v) => String(roundTo(v, 6));

/** The lab setup from the query string, defaults for anything absent or malformed. */
export function readSetup(params = new URLSearchParams(location.search)) {
  const d = DEFAULT_SETUP;
  const kernel = parseKernel(params.get("kv"));
  return {
    kernel: params.get("k") || d.kernel,
    ...(kernel ?? { kh: d.kh, kw: d.kw, values: [...d.values] }),
    bias: num(params.get("b"), d.bias),
    pad: int(params.get("p"), d.pad),
    padMode: oneOf(params.get("pm"), ["zeros", "edge", "reflect"], d.padMode),
    stride: int(params.get("s"), d.stride),
    dilation: int(params.get("d"), d.dilation),
    activation: oneOf(params.get("act"), ["none", "relu"], d.activation),
    pool: oneOf(params.get("pool"), ["none", "max", "avg"], d.pool),
    poolSize: int(params.get("ps"), d.poolSize),
    poolStride: int(params.get("pst"), d.poolStride),
    color: oneOf(params.get("c"), ["gray", "rgb"], d.color),
    sample: params.get("img") || d.sample,
    sum: params.get("sum") === "1",
    params: parseParams(params.get("kp")),
  };
}

function parseParams(text) {
  if (!text) return null;
  const entries = text.split(",").map((kv) => kv.split(":")).filter(([k, v]) => k && Number.isFinite(Number(v)));
  return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, Number(v)])) : null;
}

/** The query keys for a lab setup (sample null when the image is not a sample). */
export function setupToParams(s) {
  return {
    k: s.kernel, kv: `${s.kh}x${s.kw}:${s.values.map(fmtNum).join(",")}`, b: fmtNum(s.bias),
    p: s.pad, pm: s.padMode, s: s.stride, d: s.dilation, act: s.activation, pool: s.pool,
    ps: s.poolSize, pst: s.poolStride, c: s.color, img: s.sample ?? null, sum: s.sum ? 1 : null,
    kp: s.params ? Object.entries(s.params).map(([k, v]) => `${k}:${v}`).join(",") : null,
  };
}
