// @ts-check
// View "conv3d" (slides 11–13): an RGB image ⊛ a bank of FN filters (FN, 3, FH, FW) + bias (FN, 1, 1).
// Two API calls on the same image: the real bank (→ the output maps) and a bank of FN·3 one-channel
// filters (→ the per-channel partial maps). The page adds the partials and the bias and checks the sum
// against the API's output.

import { convolve, convolveArray, kernels, stage } from "../../lib/api.js";
import { clear, el, readInt } from "../../lib/dom.js";
import { fixed, shapeText } from "../../lib/format.js";
import { loadNamespace } from "../../lib/i18n.js";
import { plane } from "../../lib/images.js";
import { keepFocus } from "../../lib/numgrid.js";
import { onSceneApply } from "../../lib/scene.js";
import { getParam, setParams } from "../../lib/url.js";
import { openView } from "../../lib/view.js";
import { app, onConv3dBankRequest } from "../../lib/app.js";
import { cellAt } from "../../lib/draw.js";
import { block, mapFigure, op } from "../../lib/widgets.js";
import { defaultBank, renderBank, resizeBank } from "./bank-editor.js";
import { BANK_KEY, refValue, resolveBank, sayProblem } from "./bank-link.js";
import { bookExample, markAll, markable, renderBookNumbers } from "./textbook.js";

const MAX_SIDE = 128;
const CH = ["R", "G", "B"];

/** Split every filter into C one-channel filters: (FN, C, k, k) → (FN·C, C, k, k). */
function partialBank(weights) {
  const out = [];
  for (const filter of weights) {
    filter.forEach((_, c) => out.push(filter.map((w, c2) => (c2 === c ? w : w.map((r) => r.map(() => 0))))));
  }
  return out;
}

export async function mount(root) {
  try { await loadNamespace("textbook"); } catch (err) { console.warn("textbook locale", err); }
  const view = await openView(root, "conv3d", { compute, delay: 300 });
  const { $, t, track } = view;
  /** book: the textbook example's input (C, H, W) when textbook mode is on (./textbook.js). */
  const state = { fn: 2, k: 3, pad: 1, stride: 1, bank: defaultBank(2, 3), result: null, catalogue: [], book: null,
    /** @type {{reason: string, vars: object} | null} */ bankProblem: null };
  /** Set while loadBank puts a bank's shape in the controls (not the user changing them). */
  let loading = false;
  /** Counts bank loads and edits: a linked bank that arrives after a newer one (or an edit) is dropped. */
  let generation = 0;

  function readControls() {
    state.fn = readInt($("fn"), 1, 4, 2);
    state.k = readInt($("size"), 1, 5, 3);
    state.pad = readInt($("pad"), 0, 4, 1);
    state.stride = readInt($("stride"), 1, 4, 1);
    state.bank = resizeBank(state.bank, state.fn, state.k);
  }

  async function compute() {
    const weights = state.bank.map((f) => f.w);
    const geo = { stride: state.stride, pad: state.pad };
    const zero = new Array(weights.length * 3).fill(0);
    const bias = state.bank.map((f) => f.b);
    let full;
    let parts;
    if (state.book) {   // textbook mode: the numbers as JSON
      [full, parts] = await Promise.all([convolveArray(state.book.input, { ...geo, kernel: weights, bias }),
        convolveArray(state.book.input, { ...geo, kernel: partialBank(weights), bias: zero })]);
    } else {
      const blob = await view.image();
      const common = { ...geo, color: "rgb", max_side: MAX_SIDE };
      [full, parts] = await Promise.all([convolve([blob], { ...common, kernel: weights, bias }),
        convolve([blob], { ...common, kernel: partialBank(weights), bias: zero })]);
    }
    state.result = { input: stage(full, "input"), conv: stage(full, "conv"), parts: stage(parts, "conv"),
      bias: state.bank.map((f) => f.b), k: state.k, fn: state.fn };
    // Place the probe automatically for a new image or geometry only: editing a weight
    // must not move it, so the numbers before and after an edit are at one position.
    const where = [state.book ? "book" : track.image, state.stride, state.pad, state.k];
    if (!state.probed && where.some((v, i) => v !== state.probedFor?.[i])) {
      strongestPosition();
      state.probedFor = where;
    }
    render();
  }

  /** Put the probe where filter 1 answers most strongly (a position worth reading). */
  function strongestPosition() {
    const { conv } = state.result;
    const [, , OH, OW] = conv.shape;
    const out = plane(conv.values, conv.shape, 0, 0);
    const m = state.k;   // away from the border, where the zero padding makes its own edges
    let best = 0;
    out.forEach((v, i) => {
      const y = Math.floor(i / OW);
      const x = i % OW;
      const inside = y >= m && x >= m && y < OH - m && x < OW - m;
      if (inside && Math.abs(v) > Math.abs(out[best])) best = i;
    });
    $("py").value = Math.floor(best / OW);
    $("px").value = best % OW;
  }

  function renderBlocks() {
    const host = clear($("blocks"));
    const r = state.result;
    if (!r) return;
    const [, C, H, W] = r.input.shape;
    const [, FN, OH, OW] = r.conv.shape;
    host.append(
      block({ c: C, h: H, w: W, label: shapeText([C, H, W]), sub: t("views.conv3d.inputData"), hue: 200 }),
      op("⊛"),
      block({ c: C, h: r.k, w: r.k, label: shapeText([FN, C, r.k, r.k]), sub: t("views.conv3d.filters"), hue: 30, maxPx: 40 }),
      op("→"),
      block({ c: FN, h: OH, w: OW, label: shapeText([FN, OH, OW]), sub: t("views.conv3d.convOut"), hue: 120 }),
      op("+"),
      block({ c: FN, h: 1, w: 1, label: shapeText([FN, 1, 1]), sub: t("views.common.bias"), hue: 0, maxPx: 12 }),
      op("→"),
      block({ c: FN, h: OH, w: OW, label: shapeText([FN, OH, OW]), sub: t("views.conv3d.outputData"), hue: 120 }));
  }

  /** Per filter: R, G, B partial maps, their sum, + bias, and the API's output; returns max |diff|. */
  function renderRows() {
    const host = clear($("rows"));
    const inputs = clear($("inputs"));
    const r = state.result;
    if (!r) return;
    const [, C, H, W] = r.input.shape;
    for (let c = 0; c < C; c++) {
      const range = state.book ? {} : { lo: 0, hi: 1 };
      inputs.append(markable(mapFigure(plane(r.input.values, r.input.shape, 0, c), H, W,
        t("views.conv3d.inputChannel", { ch: t(`views.common.channel${CH[c]}`) }), { kind: "gray", ...range }), "in", H, W));
    }
    const [, FN, OH, OW] = r.conv.shape;
    for (let f = 0; f < FN; f++) {
      const partials = [0, 1, 2].map((c) => plane(r.parts.values, r.parts.shape, 0, f * 3 + c));
      const out = plane(r.conv.values, r.conv.shape, 0, f);
      const sum = new Float32Array(OH * OW);
      let diff = 0;
      for (let i = 0; i < sum.length; i++) {
        sum[i] = partials[0][i] + partials[1][i] + partials[2][i];
        diff = Math.max(diff, Math.abs(sum[i] + r.bias[f] - out[i]));
      }
      const figs = [];
      partials.forEach((p, c) => {
        if (c) figs.push(op("+"));
        figs.push(markable(mapFigure(p, OH, OW, t("views.conv3d.partial", { ch: t(`views.common.channel${CH[c]}`) })), "out", OH, OW));
      });
      figs.push(op("="), markable(mapFigure(sum, OH, OW, t("views.conv3d.sum")), "out", OH, OW),
        op("+"), el("div", { class: "vw-biasbox" }, el("span", {}, t("views.common.bias")), el("strong", {}, fixed(r.bias[f], 3))),
        op("="), markable(mapFigure(out, OH, OW, t("views.conv3d.output", { f: f + 1 })), "out", OH, OW));
      host.append(el("div", { class: "vw-row", "data-filter": f },
        el("h4", {}, t("views.conv3d.filterN", { f: f + 1 })),
        el("div", { class: "vw-row-maps" }, figs),
        el("p", { class: "vw-check", "data-role": `check-${f}`, "data-diff": diff },
          t("views.conv3d.check", { diff: diff.toExponential(1) }))));
    }
    root.querySelectorAll(".vw-mapwrap[data-mark=out] canvas").forEach((cv) => cv.addEventListener("click", (ev) => {
      [$("py").value, $("px").value] = cellAt(ev, cv, cv.height, cv.width);
      state.probed = true;
      renderProbe();
    }));
  }

  /** The numbers at one output position: partials, their sum, + bias, against the API's value. */
  function renderProbe() {
    const host = clear($("probeOut"));
    const r = state.result;
    if (!r) return;
    const [, FN, OH, OW] = r.conv.shape;
    const y = Math.min(OH - 1, readInt($("py"), 0, OH - 1, 0));
    const x = Math.min(OW - 1, readInt($("px"), 0, OW - 1, 0));
    const i = y * OW + x;
    markAll(root, y, x, { k: r.k, stride: state.stride, pad: state.pad });
    for (let f = 0; f < FN; f++) {
      const p = [0, 1, 2].map((c) => plane(r.parts.values, r.parts.shape, 0, f * 3 + c)[i]);
      const api = plane(r.conv.values, r.conv.shape, 0, f)[i];
      const total = p[0] + p[1] + p[2] + r.bias[f];
      host.append(el("p", { class: "vw-probe-line", "data-role": `probe-${f}`, "data-y": y, "data-x": x,
        "data-partials": p.join(","), "data-bias": r.bias[f], "data-total": total, "data-api": api },
        t("views.conv3d.probeLine", { f: f + 1, y, x, r: fixed(p[0], 4), g: fixed(p[1], 4), b: fixed(p[2], 4),
          bias: fixed(r.bias[f], 3), total: fixed(total, 4), api: fixed(api, 4) })));
    }
  }

  function renderEditor() {
    renderBank($("bank"), state.bank, state.k,
      { catalogue: state.catalogue, onChange: () => { leaveBank(); view.refresh(); } });
  }

  /** Textbook mode: the example's numbers (./textbook.js). */
  function renderBook() {
    $("book").hidden = !state.book;
    const host = $("book-numbers");
    if (!state.book || !state.result) { clear(host); return; }
    const onEdit = (c, rows) => { state.book.input[c] = rows; view.trigger(); };
    keepFocus(host, () => clear(host).append(...renderBookNumbers(state.book, state.result, t, onEdit)));
  }

  /** Load (on) or leave (off) the book's example of slides 11–13. @param {boolean} on */
  function setBook(on) {
    root.querySelector("[data-example]").setAttribute("aria-pressed", String(on));
    state.probed = false;
    if (!on) { state.book = null; renderBook(); view.trigger(); return; }
    leaveBank();
    const ex = bookExample();
    state.book = { input: ex.input };
    for (const [role, v] of [["fn", 2], ["size", 3], ["pad", 0], ["stride", 1]]) {
      $(role).value = String(v);
      $(role).dispatchEvent(new Event("change"));   // the URL follows
    }
    readControls();
    state.bank = ex.bank;
    renderEditor();
    view.trigger();
  }

  function render() {
    renderBook();
    renderBlocks();
    renderRows();
    renderProbe();
  }

  view.start(["fn", "size", "pad", "stride"]);
  readControls();
  root.querySelectorAll("[data-role=fn],[data-role=size],[data-role=pad],[data-role=stride]").forEach((input) =>
    ["input", "change"].forEach((type) => input.addEventListener(type, () => {
      const { role } = /** @type {HTMLElement} */ (input).dataset;
      if (!loading && (role === "fn" || role === "size")) leaveBank();   // another shape: not that bank
      readControls(); renderEditor(); view.refresh();
    })));
  root.querySelector("[data-example]").addEventListener("click", (ev) =>
    setBook(/** @type {HTMLElement} */ (ev.currentTarget).getAttribute("aria-pressed") !== "true"));
  ["py", "px"].forEach((role) => $(role).addEventListener("input", () => { state.probed = true; renderProbe(); }));
  view.onImage(view.trigger);
  view.onLanguage(() => { renderEditor(); render(); });
  kernels().then((cat) => { state.catalogue = cat; renderEditor(); }).catch(() => renderEditor());
  renderEditor();

  /** The editor no longer shows a learned bank as it came (a weight, FN or size changed): the URL
   *  and data-bank stop naming it, and a linked bank's problem is no longer the news. */
  function leaveBank() {
    generation += 1;
    delete root.dataset.bank;
    setParams({ [BANK_KEY]: null });
    if (state.bankProblem) showBankProblem(null);
  }

  /** Why a linked bank cannot be shown, or null: said in the view (./bank-link.js). */
  function showBankProblem(problem) { state.bankProblem = problem; sayProblem(root, $("bank-problem"), problem); }

  /** A bank sent from elsewhere (a colour model's learned conv1 filters, network view, or a
   *  linked one): its shape in the controls (the URL follows), its filters in the editor, its
   *  origin in the URL (BANK_KEY) and in data-bank; the padding keeps the size (keepPad: left as is). */
  function loadBank(req, { keepPad = false } = {}) {
    generation += 1;
    const k = req.weights[0][0].length;
    state.fn = req.weights.length;
    state.k = k;
    $("fn").value = String(state.fn);
    $("size").value = String(k);
    if (!keepPad) $("pad").value = String(Math.floor((k - 1) / 2));
    loading = true;
    try {
      for (const role of ["fn", "size", "pad"]) $(role).dispatchEvent(new Event("change"));
    } finally { loading = false; }
    state.bank = req.weights.map((w, f) => ({ w: w.map((ch) => ch.map((row) => [...row])), b: req.bias[f] }));
    root.dataset.bank = req.source;
    setParams({ [BANK_KEY]: req.ref ? refValue(req.ref) : null });
    showBankProblem(null);
    renderEditor();
    view.refresh();
  }

  /** The bank a URL value names (page load, a followed scene): loaded as if it had been sent,
   *  or the reason it cannot be, said in the view over the default bank. */
  async function loadLinked(value) {
    const mine = ++generation;
    let answer;
    try {
      answer = await resolveBank(value);
    } catch (err) {
      answer = { reason: "failed", vars: { message: String(err?.message ?? err) } };
    }
    if (mine !== generation) return;   // a newer bank or an edit came first
    // the URL's padding when it names one (the teacher's, or the link's), else the bank's own
    if ("bank" in answer) { loadBank(answer.bank, { keepPad: getParam("conv3d-pad") !== null }); return; }
    leaveBank();
    state.bank = defaultBank(state.fn, state.k);
    showBankProblem({ reason: answer.reason, vars: { value, ...answer.vars } });
    renderEditor();
    view.refresh();
  }

  onConv3dBankRequest(loadBank);
  onSceneApply({   // a followed teacher's bank: the same filters, fetched by reference
    owns: (key) => key === BANK_KEY,
    async apply(params) {
      const value = params.get(BANK_KEY);
      if (value) { await loadLinked(value); return; }
      leaveBank();   // the teacher's bank was edited: the filters stay, the claim goes
    },
  });
  view.onLanguage(() => showBankProblem(state.bankProblem));
  const linked = getParam(BANK_KEY);
  if (app.conv3dBank) loadBank(app.conv3dBank);
  else if (linked) loadLinked(linked);
}
