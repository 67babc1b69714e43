// @ts-check
// View "sliding" (slides 6–10): the filter moving over the padded input with the chosen stride while
// the output fills in, one position per step (play / pause / step back and forward / speed), the
// step's multiply-accumulate written out in an aria-live region. The input is the book's example
// (textbook mode: slides 7, 8, 9 in one click) or an n×n crop of the current image as 0–255 values;
// input and filter cells are editable (lib/numgrid.js) and every output value shown is the API's.

import { convolveArray, kernels, kernelWeights, stage } from "../../lib/api.js";
import { clear, el, readInt } from "../../lib/dom.js";
import { loadNamespace, localized } from "../../lib/i18n.js";
import { busiestWindow, imageValues, toRows, window2d } from "../../lib/images.js";
import { keepFocus, numGrid } from "../../lib/numgrid.js";
import { BOOK_FILTER, BOOK_INPUT4, BOOK_INPUT7, SLIDING, copyRows } from "../../lib/textbook.js";
import { getParam } from "../../lib/url.js";
import { openView } from "../../lib/view.js";
import { windowSum } from "./calc.js";

const BOOK_INPUTS = { book4: BOOK_INPUT4, book7: BOOK_INPUT7 };

export async function mount(root) {
  try { await loadNamespace("textbook"); } catch (err) { console.warn("textbook locale", err); }
  const view = await openView(root, "sliding", { compute, onError: () => { st.run = null; render(); } });
  const { $, t, track } = view;
  /** edit: the input as edited (rows) for the source it was edited from; kernel: an edited filter. */
  const st = { img: null, run: null, k: 0, timer: null, playing: false, catalogue: [],
    edit: null, kernel: null };

  function weights() {
    if (st.kernel) return st.kernel;
    const id = $("kernel").value;
    if (!id || id === "book") return BOOK_FILTER;
    const entry = st.catalogue.find((e) => e.id === id);
    return entry ? kernelWeights(entry) : BOOK_FILTER;
  }

  /** The unpadded input: the edited one, the book's, or the busiest n×n crop of the image. */
  async function source() {
    const src = $("crop").value;
    if (st.edit?.src === src) return { src, rows: st.edit.rows, at: null };
    if (BOOK_INPUTS[src]) return { src, rows: copyRows(BOOK_INPUTS[src]), at: null };
    if (!st.img) st.img = await imageValues({ color: "gray", maxSide: 96, track });
    const n = readInt($("crop"), 5, 8, 7);
    const { values, H, W } = st.img;
    const [y, x] = busiestWindow(values, H, W, n);
    const crop = window2d(values, W, y, x, n, n).map((v) => Math.round(v * 255));
    return { src, rows: toRows(crop, n, n), at: [y, x] };
  }

  async function compute() {
    const { src, rows, at } = await source();
    const n = rows.length;
    const w = weights();
    const spec = { kernel: w, bias: Number($("bias").value) || 0,
      pad: readInt($("pad"), 0, 2, 1), stride: readInt($("stride"), 1, 3, 1) };
    const key = JSON.stringify([src, at, rows, spec]);
    if (st.run?.key === key) return;   // nothing changed: keep the animation where it is
    const resp = await convolveArray(rows, spec);
    const conv = stage(resp, "conv");
    clearInterval(st.timer);
    st.run = { key, src, rows, crop: rows.flat(), n, w, spec, out: conv.values, oh: conv.shape[2],
      ow: conv.shape[3], geo: resp.geometry };
    st.k = 0;
    render();
    if (st.playing) play();   // Play pressed while this run was on its way: animate the new numbers
  }

  /** The padded input, the filter and the output grids; the window of step k − 1 highlighted. */
  function renderGrids() {
    const host = $("grids");
    const r = st.run;
    if (!r) { clear(host); return; }
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
    const cellLabel = (name) => (y, x, v) => t("textbook.cell", { grid: name, r: y + 1, c: x + 1, v });
    const input = numGrid(padded, N, N, { label: t("views.sliding.inputLabel"),
      cellLabel: cellLabel(t("views.sliding.inputLabel")), editable: (y, x) => !isPad(y, x),
      cellClass: (y, x) => [isPad(y, x) ? "vw-padcell" : "", inWin(y, x) ? "vw-hl" : ""].join(" ").trim() || null,
      onChange: (vals) => {
        const rows = Array.from({ length: r.n }, (_, y) => Array.from({ length: r.n }, (__, x) => vals[(y + P) * N + x + P]));
        st.edit = { src: r.src, rows };
        view.trigger();
      } });
    input.querySelectorAll("td").forEach((td) => {
      if (isPad(Number(td.dataset.r), Number(td.dataset.c))) td.dataset.pad = "1";
    });
    const kernel = numGrid(r.w.flat(), fh, fw, { label: t("views.sliding.kernelLabel"),
      cellLabel: cellLabel(t("views.sliding.kernelLabel")),
      onChange: (vals) => { st.kernel = Array.from({ length: fh }, (_, y) => vals.slice(y * fw, y * fw + fw)); view.trigger(); } });
    const output = numGrid(r.out, r.oh, r.ow, { label: t("views.sliding.outputLabel"),
      cellLabel: cellLabel(t("views.sliding.outputLabel")),
      cellClass: (y, x) => (y * r.ow + x === cur ? "vw-hl" : y * r.ow + x > cur ? "vw-empty" : null) });
    output.querySelectorAll("td.vw-empty").forEach((td) => {
      td.textContent = "·";
      td.setAttribute("aria-label", t("textbook.cellEmpty", { grid: t("views.sliding.outputLabel"),
        r: Number(td.dataset.r) + 1, c: Number(td.dataset.c) + 1 }));
    });
    keepFocus(host, () => {
      clear(host).append(
        el("div", { class: "vw-labelled", "data-role": "input-grid" }, el("h4", {}, t("views.sliding.inputTitle", { n: r.n, p: P, N })), input),
        el("div", { class: "vw-labelled", "data-role": "kernel-grid" }, el("h4", {}, t("views.sliding.kernelTitle", { fh, fw })), kernel),
        el("div", { class: "vw-labelled", "data-role": "output-grid" }, el("h4", {}, t("views.sliding.outputTitle", { oh: r.oh, ow: r.ow })), output));
    });
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
    const s = windowSum(r.crop, r.n, r.w, r.spec.bias, r.spec.pad, r.spec.stride, r.ow, cur);
    calc.dataset.api = r.out[cur];
    calc.dataset.sum = s.total;
    calc.textContent = t("views.sliding.calc", { ...s.text,
      pos: `(${Math.floor(cur / r.ow)}, ${cur % r.ow})` });
  }

  function render() {
    renderGrids();
    renderText();
  }

  /** Move by d steps (±1) within [0, OH·OW]; stops playing at the end. @param {number} d */
  function step(d = 1) {
    if (!st.run) return;
    const total = st.run.oh * st.run.ow;
    if (d > 0 && st.k >= total) { stop(); return; }
    st.k = Math.min(total, Math.max(0, st.k + d));
    render();
    if (st.k >= total && st.playing) stop();
  }

  function stop() {
    clearInterval(st.timer);
    st.timer = null;
    st.playing = false;
  }

  function play() {
    clearInterval(st.timer);
    st.playing = true;
    if (st.run && st.k >= st.run.oh * st.run.ow) { st.k = 0; render(); }
    const speed = Number($("speed").value) || 2;
    st.timer = setInterval(() => step(1), 1000 / speed);
  }

  /** Textbook mode: the slide's input, filter, bias, padding and stride, edits dropped.
   *  @param {string} id one of SLIDING's keys */
  function loadExample(id) {
    const ex = SLIDING[id];
    stop();
    st.edit = null;
    st.kernel = null;
    $("kernel").value = "book";
    $("crop").value = ex.input.length === 4 ? "book4" : "book7";
    $("bias").value = String(ex.bias);
    $("pad").value = String(ex.pad);
    $("stride").value = String(ex.stride);
    for (const role of ["kernel", "crop", "bias", "pad", "stride"]) $(role).dispatchEvent(new Event("change"));
    view.trigger();   // the URL follows the change events; the run starts at once
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
  for (const role of ["kernel", "crop"]) {
    $(role).addEventListener("change", () => { st.kernel = role === "kernel" ? null : st.kernel; view.refresh(); });
  }
  for (const role of ["pad", "stride", "bias"]) {   // applied as typed (debounced), not only on blur
    $(role).addEventListener("input", view.refresh);
    $(role).addEventListener("change", view.refresh);
  }
  root.querySelectorAll("[data-example]").forEach((b) => b.addEventListener("click", () => loadExample(b.dataset.example)));
  $("play").addEventListener("click", play);
  $("pause").addEventListener("click", stop);
  $("step").addEventListener("click", () => { stop(); step(1); });
  $("back").addEventListener("click", () => { stop(); step(-1); });
  $("reset").addEventListener("click", () => { stop(); st.k = 0; render(); });
  $("speed").addEventListener("input", () => {
    $("speed-out").textContent = $("speed").value;
    if (st.playing) play();
  });
  view.onImage(() => { st.img = null; if (!BOOK_INPUTS[$("crop").value]) { st.edit = null; view.trigger(); } });
  view.onLanguage(() => { fillKernels(); render(); });
}
