// @ts-check
// View "sliding" (slides 6–10): the filter moving over the padded input with the chosen stride while
// the output fills in, one position per step (play / pause / step / speed). The input is an n×n crop
// of the current image as 0–255 pixel values; every output value shown is the API's.

import { convolveArray, kernels, kernelWeights, stage } from "../../lib/api.js";
import { clear, el, readInt } from "../../lib/dom.js";
import { fixed } from "../../lib/format.js";
import { localized } from "../../lib/i18n.js";
import { busiestWindow, imageValues, toRows, window2d } from "../../lib/images.js";
import { getParam } from "../../lib/url.js";
import { openView } from "../../lib/view.js";
import { numberGrid } from "../../lib/widgets.js";

const BOOK = [[2, 0, 1], [0, 1, 2], [1, 0, 2]];   // the filter of slides 7–9

export async function mount(root) {
  const view = await openView(root, "sliding", { compute, onError: () => { st.run = null; render(); } });
  const { $, t, track } = view;
  const st = { img: null, run: null, k: 0, timer: null, catalogue: [] };

  function weights() {
    const id = $("kernel").value;
    if (!id || id === "book") return BOOK;
    const entry = st.catalogue.find((e) => e.id === id);
    return entry ? kernelWeights(entry) : BOOK;
  }

  async function compute() {
    if (!st.img) st.img = await imageValues({ color: "gray", maxSide: 96, track });
    const n = readInt($("crop"), 5, 8, 7);
    const { values, H, W } = st.img;
    const [y, x] = busiestWindow(values, H, W, n);
    const crop = window2d(values, W, y, x, n, n).map((v) => Math.round(v * 255));
    const w = weights();
    const spec = { kernel: w, bias: Number($("bias").value) || 0,
      pad: readInt($("pad"), 0, 2, 1), stride: readInt($("stride"), 1, 3, 1) };
    const key = JSON.stringify([n, y, x, w, spec, Array.from(crop)]);
    if (st.run?.key === key) return;   // nothing changed: keep the animation where it is
    const resp = await convolveArray(toRows(crop, n, n), spec);
    const conv = stage(resp, "conv");
    stop();
    st.run = { key, crop, n, w, spec, out: conv.values, oh: conv.shape[2], ow: conv.shape[3], geo: resp.geometry, at: [y, x] };
    st.k = 0;
    render();
  }

  /** The padded input, the kernel and the output grids; the window of step k − 1 highlighted. */
  function renderGrids() {
    const host = clear($("grids"));
    const r = st.run;
    if (!r) return;
    const P = r.spec.pad;
    const S = r.spec.stride;
    const N = r.n + 2 * P;
    const padded = new Float32Array(N * N);
    for (let y = 0; y < r.n; y++) for (let x = 0; x < r.n; x++) padded[(y + P) * N + x + P] = r.crop[y * r.n + x];
    const fh = r.w.length;
    const fw = r.w[0].length;
    const cur = st.k - 1;
    const oy = cur >= 0 ? Math.floor(cur / r.ow) * S : -99;
    const ox = cur >= 0 ? (cur % r.ow) * S : -99;
    const inWin = (y, x) => y >= oy && y < oy + fh && x >= ox && x < ox + fw;
    const isPad = (y, x) => y < P || x < P || y >= P + r.n || x >= P + r.n;
    const input = numberGrid(padded, N, N, { digits: 0, tint: false, label: t("views.sliding.inputLabel"),
      cellClass: (y, x) => [isPad(y, x) ? "vw-padcell" : "", inWin(y, x) ? "vw-hl" : ""].join(" ").trim() || null });
    input.querySelectorAll("td").forEach((td) => {
      if (isPad(Number(td.dataset.r), Number(td.dataset.c))) td.dataset.pad = "1";
    });
    const kernel = numberGrid(new Float32Array(r.w.flat()), fh, fw, { digits: r.w.flat().every(Number.isInteger) ? 0 : 3, label: t("views.sliding.kernelLabel") });
    const whole = r.w.flat().every(Number.isInteger) && Number.isInteger(r.spec.bias);
    const output = numberGrid(r.out, r.oh, r.ow, { digits: whole ? 0 : 2, tint: false, label: t("views.sliding.outputLabel"),
      cellClass: (y, x) => (y * r.ow + x === cur ? "vw-hl" : y * r.ow + x > cur ? "vw-empty" : null) });
    output.querySelectorAll("td.vw-empty").forEach((td) => { td.textContent = "·"; });
    host.append(
      el("div", { class: "vw-labelled", "data-role": "input-grid" }, el("h4", {}, t("views.sliding.inputTitle", { n: r.n, p: P, N })), input),
      el("div", { class: "vw-labelled" }, el("h4", {}, t("views.sliding.kernelTitle", { fh, fw })), kernel),
      el("div", { class: "vw-labelled", "data-role": "output-grid" }, el("h4", {}, t("views.sliding.outputTitle", { oh: r.oh, ow: r.ow })), output));
  }

  function renderText() {
    const r = st.run;
    const total = r ? r.oh * r.ow : 0;
    $("status").textContent = r ? t("views.sliding.status", { k: st.k, total }) : "";
    $("status").dataset.k = st.k;
    $("formula").textContent = r ? t("views.sliding.formula", { fh: r.geo.formula_h, fw: r.geo.formula_w }) : "";
    const calc = $("calc");
    if (!r || st.k === 0) { calc.textContent = r ? t("views.sliding.calcHint") : ""; return; }
    const cur = st.k - 1;
    const y0 = Math.floor(cur / r.ow) * r.spec.stride - r.spec.pad;
    const x0 = (cur % r.ow) * r.spec.stride - r.spec.pad;
    const terms = [];
    let sum = 0;
    r.w.forEach((row, i) => row.forEach((wv, j) => {
      const y = y0 + i;
      const x = x0 + j;
      const xv = y >= 0 && x >= 0 && y < r.n && x < r.n ? r.crop[y * r.n + x] : 0;
      sum += xv * wv;
      terms.push(`${fixed(xv, 0)}·${fixed(wv, Number.isInteger(wv) ? 0 : 3)}`);
    }));
    const api = r.out[cur];
    calc.dataset.api = api;
    calc.dataset.sum = sum + r.spec.bias;
    calc.textContent = t("views.sliding.calc", { terms: terms.join(" + "), sum: fixed(sum, 2),
      bias: fixed(r.spec.bias, 2), total: fixed(sum + r.spec.bias, 2), api: fixed(api, 2) });
  }

  function render() {
    renderGrids();
    renderText();
  }

  function step() {
    if (!st.run) return;
    if (st.k >= st.run.oh * st.run.ow) { stop(); return; }
    st.k += 1;
    render();
  }

  function stop() {
    clearInterval(st.timer);
    st.timer = null;
  }

  function play() {
    stop();
    if (st.run && st.k >= st.run.oh * st.run.ow) { st.k = 0; render(); }
    const speed = Number($("speed").value) || 2;
    st.timer = setInterval(step, 1000 / speed);
  }

  function fillKernels() {
    const select = $("kernel");
    const current = select.value || getParam("sliding-kernel") || "book";
    clear(select);
    select.append(el("option", { value: "book", selected: current === "book" }, t("views.sliding.bookFilter")));
    for (const e of st.catalogue.filter((c) => kernelWeights(c).length <= 5)) {
      select.append(el("option", { value: e.id, selected: e.id === current }, localized(e, "name")));
    }
  }

  try { st.catalogue = await kernels(); } catch { st.catalogue = []; }
  fillKernels();   // the catalogue first, so a kernel chosen in the URL exists before the first run
  view.start(["kernel", "crop", "pad", "stride", "bias"]);
  root.querySelectorAll(".vw-controls:not(.vw-player) select, .vw-controls:not(.vw-player) input").forEach((i) => i.addEventListener("change", view.refresh));
  $("play").addEventListener("click", play);
  $("pause").addEventListener("click", stop);
  $("step").addEventListener("click", () => { stop(); step(); });
  $("reset").addEventListener("click", () => { stop(); st.k = 0; render(); });
  $("speed").addEventListener("input", () => {
    $("speed-out").textContent = $("speed").value;
    if (st.timer) play();
  });
  view.onImage(() => { st.img = null; view.trigger(); });
  view.onLanguage(() => { fillKernels(); render(); });
}
