// @ts-check
// "The backward pass, step by step" (section 7.4, issue 15.5) for one conv layer: the lab's
// filter (or a Sobel filter) on a small input, dout from a chosen loss, then dW = colᵀ·dout,
// db = Σ dout, dcol = dout·col_Wᵀ, dx = col2im(dcol), the coverage map, and the numerical check.
import { backwardSteps } from "../../lib/api.js";
import { app } from "../../lib/app.js";
import { clear, el } from "../../lib/dom.js";
import { fixed } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";

const X = [[0, 0, 1, 1, 0, 0], [0, 1, 2, 2, 1, 0], [1, 2, 3, 3, 2, 1], [1, 2, 3, 3, 2, 1],
  [0, 1, 2, 2, 1, 0], [0, 0, 1, 1, 0, 0]].map((r) => r.map((v) => v / 3));
const SOBEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]];

/** A numbers table (rows × cols) captioned by a name and its formula (as code).
 *  @param {number[][]} rows @param {string} caption @param {string} formula @param {string} role
 *  @param {number} [digits] */
function matrix(rows, caption, formula, role, digits = 2) {
  return el("table", { class: "bw-matrix", "data-role": role },
    el("caption", {}, caption, " ", el("code", { text: formula })),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((v) => el("td", { text: fixed(v, digits) }))))));
}

/** Build the panel in host; returns {relabel}. @param {HTMLElement} host */
export function mountBackward(host) {
  /** @type {{kernel: number[][], bias: number, last: any}} */
  const state = { kernel: SOBEL, bias: 0, last: null };
  const loss = el("select", { id: "bw-loss", "data-role": "bwLoss" },
    el("option", { value: "sum" }), el("option", { value: "square" }));
  const pad = el("select", { id: "bw-pad", "data-role": "bwPad" }, [0, 1, 2].map((p) => new Option(String(p), String(p))));
  const stride = el("select", { id: "bw-stride", "data-role": "bwStride" }, [1, 2].map((s) => new Option(String(s), String(s))));
  const useLab = el("button", { type: "button", "data-role": "bwLab" });
  const run = el("button", { type: "button", "data-role": "bwRun" });
  const out = el("div", { class: "bw-out", "data-role": "bwOut", "aria-live": "polite" });
  const labels = [el("label", { for: "bw-loss" }), el("label", { for: "bw-pad" }), el("label", { for: "bw-stride" })];
  const note = el("p", { class: "net-explain", "data-role": "bwKernel" });
  host.replaceChildren(note, el("div", { class: "xp-controls" }, labels[0], loss, labels[1], pad,
    labels[2], stride, useLab, run), out);

  function show(r) {
    state.last = r;
    const err = r.numerical.max_abs_error;
    const pairs = (a, b) => a.map((row, i) => row.map((v, j) => [v, b[i][j]]));
    const dW = r.dW[0][0], num = r.numerical.dW[0][0];
    clear(out).append(
      el("div", { class: "xp-row" },
        matrix(r.col, t("network.backprop.col"), `col = im2col(x) (${r.shape.col.join("×")})`, "bwCol"),
        matrix(r.dout, t("network.backprop.dout"), "dout", "bwDout"),
        matrix(dW, t("network.backprop.dW"), "dW = colᵀ·dout", "bwDW", 3),
        matrix(num, t("network.backprop.dWnum"), "dW ≈ ΔL/Δw", "bwDWnum", 3)),
      el("p", { "data-role": "bwDb" }, t("network.backprop.db"), " ",
        el("code", { text: `db = Σ dout = ${r.db.map((v) => fixed(v, 3)).join(", ")}` })),
      el("div", { class: "xp-row" },
        matrix(r.dcol, t("network.backprop.dcol"), "dcol = dout·col_Wᵀ", "bwDcol"),
        matrix(r.dx[0], t("network.backprop.dx"), "dx = col2im(dcol)", "bwDx", 3),
        matrix(r.coverage, t("network.backprop.coverage"), "", "bwCoverage", 0)),
      el("p", { "data-role": "bwCheck" }, t("network.backprop.check"), " ",
        el("code", { text: `dW ${err.dW.toExponential(1)}, db ${err.db.toExponential(1)}, dx ${err.dx.toExponential(1)}` }),
        pairs(dW, num).flat().every(([a, b]) => Math.abs(a - b) < 1e-2) ? " ✓" : " ✗"));
  }

  function label() {
    loss.options[0].text = t("network.backprop.loss.sum");
    loss.options[1].text = t("network.backprop.loss.square");
    labels[0].textContent = t("network.backprop.lossLabel");
    labels[1].textContent = t("network.backprop.pad");
    labels[2].textContent = t("network.backprop.stride");
    useLab.textContent = t("network.backprop.useLab");
    run.textContent = t("network.backprop.run");
    note.replaceChildren(t("network.backprop.kernel", { kh: state.kernel.length, kw: state.kernel[0].length, b: fixed(state.bias, 2) }),
      " ", el("code", { text: "dW = colᵀ·dout, db = Σ dout, dcol = dout·col_Wᵀ, dx = col2im(dcol)" }));
    if (state.last) show(state.last);
  }

  async function runNow() {
    host.dataset.state = "busy";
    try {
      show(await backwardSteps({ x: [X], W: [[state.kernel]], b: [state.bias], loss: loss.value,
        pad: Number(pad.value), stride: Number(stride.value) }));
    } catch (err) {
      clear(out).append(el("p", { class: "net-error", role: "alert", text: t("network.why.error", { message: err.message }) }));
    } finally {
      host.dataset.state = "idle";
    }
  }

  useLab.addEventListener("click", () => {
    const lab = app.lab;
    if (lab && lab.kh <= 5 && lab.kw <= 5) {
      state.kernel = Array.from({ length: lab.kh }, (_, i) => lab.values.slice(i * lab.kw, (i + 1) * lab.kw));
      state.bias = Number(lab.bias) || 0;
    }
    label();
    runNow();
  });
  run.addEventListener("click", runNow);
  label();
  return { relabel: label };
}
