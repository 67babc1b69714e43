// @ts-check
// Client-side checks of the lab's controls, all at once, before any request (issue 11, point 7).
// Ranges come from the limits the API declares (GET /openapi.json: ConvSpec and PoolSpec
// minimum / maximum); the geometry checks use the input's size (H, W) of the last answer:
//   the kernel's span (FH − 1)·D + 1 must fit the padded input H + 2P (else OH ≤ 0), and the
//   pooling window k must fit the feature map OH.
// Each problem names the control's own label (from the page, so in the page's language).
import { getJson } from "../../lib/api.js";
import { axis } from "./formula.js";

/** Ranges used until /openapi.json answers (the API's defaults). */
export const FALLBACK_LIMITS = {
  stride: [1, 64], pad: [0, 64], dilation: [1, 16], bias: [-1e6, 1e6], poolSize: [1, 32], poolStride: [1, 32],
};

/** The [min, max] of an OpenAPI property: its integer / number branch. */
function range(prop, fallback) {
  const branch = (prop?.anyOf ?? [prop]).find((b) => b && (b.type === "integer" || b.type === "number"));
  return branch && Number.isFinite(branch.minimum) && Number.isFinite(branch.maximum)
    ? [branch.minimum, branch.maximum] : fallback;
}

/** The limits the API declares: {stride, pad, dilation, bias, poolSize, poolStride: [min, max]}. */
export async function loadLimits() {
  try {
    const schemas = (await getJson("/openapi.json")).components.schemas;
    const c = schemas.ConvSpec.properties, p = schemas.PoolSpec.properties;
    const f = FALLBACK_LIMITS;
    return { stride: range(c.stride, f.stride), pad: range(c.pad, f.pad), dilation: range(c.dilation, f.dilation),
      bias: range(c.bias, f.bias), poolSize: range(p.size, f.poolSize), poolStride: range(p.stride, f.poolStride) };
  } catch {
    return { ...FALLBACK_LIMITS };
  }
}

// setup key → [error group, control id, integer?]
const FIELDS = {
  bias: ["bias", "lab-bias", false], pad: ["pad", "lab-pad", true], stride: ["stride", "lab-stride", true],
  dilation: ["dilation", "lab-dilation", true], poolSize: ["pool", "lab-poolsize", true],
  poolStride: ["pool", "lab-poolstride", true],
};

/** A geometry like the API's GeometryOut for the setup on an H×W input (square params). */
export function geometryOf(s, H, W) {
  const pair = (v) => [Number(v), Number(v)];
  return { H, W, FH: s.kh, FW: s.kw, stride: pair(s.stride), pad: pair(s.pad), dilation: pair(s.dilation) };
}

/**
 * Every problem of setup s: [{group, control, key, vars}] where key is a lab.errors.* message
 * and vars its numbers (label: the control's label text). size: {H, W} of the input, or null.
 * @param {any} s @param {Record<string, number[]>} limits @param {{H: number, W: number} | null} size
 * @param {(id: string) => string} labelOf
 */
export function validate(s, limits, size, labelOf) {
  const out = [];
  for (const [key, [group, control, integer]] of Object.entries(FIELDS)) {
    if (key.startsWith("pool") && s.pool === "none") continue;
    const v = s[key];
    const [min, max] = limits[key];
    const bad = typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v));
    if (bad) out.push({ group, control, key: integer ? "lab.errors.int" : "lab.errors.number", vars: { label: labelOf(control), min, max } });
  }
  if (out.length || !size) return out;
  const g = geometryOf(s, size.H, size.W);
  for (const a of ["h", "w"]) {
    const ax = axis(g, a);
    if (ax.fe > ax.n + 2 * ax.p) {
      out.push({ group: "kernel", control: a === "h" ? "lab-kh" : "lab-kw", key: `lab.errors.kernelTooLarge${a === "h" ? "H" : "W"}`,
        vars: { f: ax.f, fe: ax.fe, n: ax.n, p: ax.p, np: ax.n + 2 * ax.p } });
    }
  }
  if (!out.length && s.pool !== "none") {
    const oh = axis(g, "h").out, ow = axis(g, "w").out;
    if (s.poolSize > Math.min(oh, ow)) {
      out.push({ group: "pool", control: "lab-poolsize", key: "lab.errors.poolTooLarge", vars: { k: s.poolSize, oh, ow } });
    }
  }
  return out;
}
