// @ts-check
// The lab's answers: the request (by image ref, uploaded again once when the server forgot it)
// and the stages with values. The input's values are kept between answers (they change only
// with the image, the colour mode or the working size); small setups have their conv, ReLU and
// pool maps computed in the page from that exact input (lib/maps.js), even while the request is
// out ("early": conv, ReLU and pool, used only if the answer has the same kernel, geometry and
// pool windows).
import { convolve, convolveRef } from "../../lib/api.js";
import { app } from "../../lib/app.js";
import { convMap, poolMap } from "../../lib/maps.js";
import { decodeStage, reluOf } from "../../lib/values.js";
import { padInput, stageData } from "./pipeline.js";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
/** @param {HTMLElement} el @param {string} key */
const count = (el, key) => { el.dataset[key] = String(Number(el.dataset[key] ?? 0) + 1); };   // read by tests

/** The cache key of an image's input values for a spec (colour mode, working size). */
export const inputKey = (img, spec) => img && [img.key, spec.color, spec.max_side].join("|");

/** Does the early conv map fit the answer (same kernel, bias, geometry and pad mode)? */
function sameConv(early, response, setup) {
  const g = response.geometry;
  return early.padMode === setup.padMode && early.depthwise === Boolean(response.kernel.depthwise)
    && ["FH", "FW", "out_h", "out_w"].every((k) => early.g[k] === g[k])
    && ["stride", "dilation", "pad"].every((k) => same(early.g[k], g[k]))
    && same(early.kernel.values, response.kernel.values) && same(early.bias, response.bias);
}

/** @param {HTMLElement} pipelineEl counters for tests: data-reuploads, data-early-conv, data-early-pool */
export function createCompute(pipelineEl) {
  /** @type {{key: string | null, values: Float32Array | null, exact: boolean}} */
  let input = { key: null, values: null, exact: false };

  /** The conv, ReLU and pool maps computed in the page from the exact input. */
  function pageMaps(response, setup, early) {
    const st = Object.fromEntries(response.stages.map((s) => [s.name, s]));
    const g = response.geometry;
    const padded = padInput(stageData(st.input, input.values), g.pad[0], g.pad[1], setup.padMode);
    const reuse = Boolean(early) && sameConv(early, response, setup);
    if (reuse) count(pipelineEl, "earlyConv");
    const conv = reuse ? early.conv
      : convMap(padded, response.kernel, response.bias, g, Boolean(response.kernel.depthwise));
    const after = reuse && early.relu !== null === Boolean(st.relu);   // ReLU and pool as early
    const relu = !st.relu ? null : after ? early.relu : reluOf(conv);
    /** @type {Record<string, {values: Float32Array, step: number}>} */
    const out = { conv: { values: conv, step: 0 }, ...(relu ? { relu: { values: relu, step: 0 } } : {}) };
    if (st.pool) {
      const [C, H, W] = st.conv.shape.slice(-3);
      const kept = after && early.pool && same(early.pg, response.pool_geometry);
      if (kept) count(pipelineEl, "earlyPool");
      const pooled = kept ? early.pool : poolMap(relu ?? conv, C, H, W, response.pool_geometry, setup.pool);
      out.pool = { values: pooled, step: 0 };
    }
    return out;
  }

  return {
    get input() { return input; },

    /** POST /api/convolve by ref when the server keeps the image; uploaded (again, once) when not. */
    async post(img, spec, signal) {
      if (img.ref) {
        try { return await convolveRef(img.ref, spec, { signal }); } catch (err) {
          if (err.code !== "image_ref_unknown") throw err;
          img.ref = null;
          count(pipelineEl, "reuploads");
        }
      }
      const response = await convolve([img.blob], spec, { signal });
      if (app.image === img) img.ref = response.image_ref ?? null;
      return response;
    },

    /** The conv map computed while the request is out, from the previous answer's kernel and
     *  the geometry the setup gives (out = ⌊(n + 2P − D(F − 1) − 1) / S⌋ + 1); null when it
     *  cannot be. */
    early(setup, prev) {
      const st = prev.stages.find((x) => x.name === "input");
      if (!st || !input.values || !prev.kernel) return null;
      const d = stageData(st, input.values);
      const pair = (v) => [Number(v), Number(v)];
      const { FH, FW } = prev.geometry;
      const stride = pair(setup.stride), dilation = pair(setup.dilation), pad = pair(setup.pad);
      const side = (n, a, f) =>
        Math.floor((n + 2 * pad[a] - dilation[a] * (f - 1) - 1) / stride[a]) + 1;
      const g = { FH, FW, stride, dilation, pad, out_h: side(d.H, 0, FH), out_w: side(d.W, 1, FW) };
      if (!(g.out_h >= 1 && g.out_w >= 1)) return null;
      const depthwise = Boolean(prev.kernel.depthwise);
      const conv = convMap(padInput(d, pad[0], pad[1], setup.padMode), prev.kernel, prev.bias, g, depthwise);
      // ReLU and pooling as the previous answer had them, when its pool windows fit this map
      const relu = prev.stages.some((x) => x.name === "relu") ? reluOf(conv) : null;
      const pg = prev.pool_geometry, shape = prev.stages.find((x) => x.name === "conv")?.shape.slice(-2);
      const fits = pg && setup.pool !== "none" && same(shape, [g.out_h, g.out_w]);
      const C = conv.length / (g.out_h * g.out_w);
      const pool = fits ? poolMap(relu ?? conv, C, g.out_h, g.out_w, pg, setup.pool) : null;
      return { g, kernel: prev.kernel, bias: prev.bias, depthwise, padMode: setup.padMode, conv, relu, pg, pool };
    },

    /** The stages with values: the input from the cache, ReLU from the conv when not sent; with
     *  `setup` (the page computes the maps) conv, ReLU and pool from the exact input. */
    async decode(response, key, setup = null,
      early = null) {
      const decoded = await Promise.all(response.stages.map(decodeStage));
      /** @type {Record<string, any>} */
      const byName = Object.fromEntries(response.stages.map((st, k) => [st.name, decoded[k]]));
      const st0 = response.stages.find((st) => st.name === "input");
      if (byName.input && st0.values_lo === 0 && st0.values_step === 1 / 255) byName.input.step = 0;   // an image's bytes / 255: exact
      if (byName.input) input = { key, values: byName.input.values, exact: !byName.input.step };
      if (setup) Object.assign(byName, pageMaps(response, setup, early));
      return response.stages.map((st) => {
        let d = byName[st.name];
        if (!d && st.name === "input") d = { values: input.values, step: 0 };
        if (!d && st.name === "relu" && byName.conv) d = { values: reluOf(byName.conv.values), step: byName.conv.step };
        const values = d?.values ?? new Float32Array(st.shape.reduce((a, b) => a * b, 1));
        return Object.assign(stageData(st, values), { step: d?.step ?? 0 });
      });
    },
  };
}
