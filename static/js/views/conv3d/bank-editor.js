// @ts-check
// The filter-bank editor of the 3-D convolution view: FN filters × C channels of FH×FW number grids,
// a bias per filter, a preset per filter (a catalogue kernel copied into every channel).

import { kernelWeights } from "../../lib/api.js";
import { clear, el } from "../../lib/dom.js";
import { localized, t } from "../../lib/i18n.js";
import { numGrid } from "../../lib/numgrid.js";

const CH = ["R", "G", "B"];

/** A zero (C, k, k) kernel. */
export function zeros(C, k) {
  return Array.from({ length: C }, () => Array.from({ length: k }, () => new Array(k).fill(0)));
}

/** The default bank: odd filters = Sobel x on every channel; even filters = Sobel y on the red channel only. */
export function defaultBank(fn, k) {
  const bank = [];
  for (let f = 0; f < fn; f++) {
    const w = zeros(3, k);
    const m = Math.floor((k - 1) / 2);
    if (f % 2 === 0 && k >= 3) {
      for (let c = 0; c < 3; c++) {
        for (let i = -1; i <= 1; i++) { w[c][m + i][m - 1] = -(2 - Math.abs(i)); w[c][m + i][m + 1] = 2 - Math.abs(i); }
      }
    } else if (k >= 3) {
      for (let j = -1; j <= 1; j++) { w[0][m - 1][m + j] = -(2 - Math.abs(j)); w[0][m + 1][m + j] = 2 - Math.abs(j); }
    } else {
      w[0][m][m] = 1;
    }
    bank.push({ w, b: f % 2 === 0 ? 0 : 0.1 });
  }
  return bank;
}

/** Copy a (k, k) catalogue kernel into every channel of a filter (refused if the size differs). */
function applyPreset(filter, weights) {
  for (const w of filter.w) for (let i = 0; i < w.length; i++) for (let j = 0; j < w.length; j++) w[i][j] = weights[i][j];
}

/**
 * Render the editor into `host` in the interface language. onChange() fires after any edit.
 * catalogue: /api/kernels entries (only those of size k are offered as presets).
 */
export function renderBank(host, bank, k, { catalogue, onChange }) {
  clear(host);
  const presets = (catalogue || []).filter((e) => {
    const w = kernelWeights(e);
    return w && w.length === k && w[0].length === k;
  });
  bank.forEach((filter, f) => {
    const select = el("select", { "aria-label": t("views.conv3d.presetFor", { f: f + 1 }) },
      el("option", { value: "" }, t("views.conv3d.presetPick")),
      ...presets.map((e) => el("option", { value: e.id }, localized(e, "name") || e.id)));
    select.addEventListener("change", () => {
      const entry = presets.find((e) => e.id === select.value);
      if (!entry) return;
      applyPreset(filter, kernelWeights(entry));
      renderBank(host, bank, k, { catalogue, onChange });
      onChange();
    });
    const bias = el("input", { type: "number", step: "0.05", value: filter.b, "data-role": `bias-${f}`,
      "aria-label": t("views.conv3d.biasFor", { f: f + 1 }) });
    bias.addEventListener("input", () => { filter.b = Number(bias.value) || 0; onChange(); });
    const grids = filter.w.map((w, c) => {
      // one keyboard grid per channel kernel: one Tab stop, arrows move, typing edits (lib/numgrid.js)
      const table = numGrid(w.flat(), k, k, {
        digits: 2, label: t("views.conv3d.kernelFor", { f: f + 1, ch: CH[c] }),
        cellLabel: (i, j, v) => `${t("views.conv3d.weightLabel", { f: f + 1, ch: CH[c], i, j })}: ${v}`,
        onChange: (values, i, j) => { w[i][j] = values[i * k + j]; onChange(); },
      });
      table.classList.add("vw-kernel", `vw-ch-${c}`);
      table.dataset.role = `w-${f}-${c}`;
      return el("div", { class: "vw-kch" }, el("div", { class: `vw-chname vw-ch-${c}` }, t(`views.common.channel${CH[c]}`)), table);
    });
    host.append(el("fieldset", { class: "vw-filter" },
      el("legend", {}, t("views.conv3d.filterN", { f: f + 1 })),
      el("div", { class: "vw-filter-top" }, select,
        el("label", {}, el("span", {}, t("views.common.bias")), bias)),
      el("div", { class: "vw-kchs" }, grids)));
  });
}

/** Resize the bank to fn filters of size k, keeping what fits. */
export function resizeBank(bank, fn, k) {
  const fresh = defaultBank(fn, k);
  return fresh.map((filter, f) => {
    const old = bank[f];
    if (!old || old.w[0].length !== k) return filter;
    return old;
  });
}
