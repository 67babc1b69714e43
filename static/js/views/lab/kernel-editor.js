// @ts-check
// The filter catalogue (presets grouped by category) and the kernel grid editor (1×1 … 11×11).
import { roundTo } from "../../lib/format.js";
import { localized, t } from "../../lib/i18n.js";

export const MAX_SIDE = 11;
export const CATEGORIES = ["smoothing", "sharpening", "edge", "other"];


/**
 * els: {select, kh, kw, grid, desc, params}; onChange() after any user edit.
 * Returns {get(): {kernel, kh, kw, values, params}, set(k), setServerValues(rows),
 * setCatalogue(list), relabel()}. `params` ({name: value}) is set for catalogue kernels with
 * parameters (gaussian size and sigma, …): the API builds those and the grid shows its weights.
 */
export function createKernelEditor(els, onChange) {
  let catalogue = [];
  let state = { kernel: "custom", kh: 3, kw: 3, values: new Array(9).fill(0), params: null };

  for (const sel of [els.kh, els.kw]) {
    for (let n = 1; n <= MAX_SIDE; n++) sel.add(new Option(String(n), String(n)));
  }

  const presetById = (id) => catalogue.find((k) => k.id === id);

  function fillSelect() {
    const keep = state.kernel;
    els.select.replaceChildren();
    for (const cat of CATEGORIES) {
      const group = document.createElement("optgroup");
      group.label = t(`lab.filter.categories.${cat}`);
      for (const k of catalogue.filter((x) => x.category === cat)) {
        group.append(new Option(localized(k, "name"), k.id));
      }
      if (group.children.length) els.select.append(group);
    }
    els.select.append(new Option(t("lab.filter.custom"), "custom"));
    els.select.value = presetById(keep) ? keep : "custom";
  }

  function describe() {
    const k = presetById(state.kernel);
    els.desc.textContent = k ? localized(k, "description") : t("lab.filter.customHint");
  }

  function drawGrid() {
    els.grid.replaceChildren();
    els.grid.style.gridTemplateColumns = `repeat(${state.kw}, minmax(3rem, 1fr))`;
    els.grid.style.maxWidth = `${state.kw * 5}rem`;
    els.grid.classList.toggle("dense", state.kw >= 5);  // smaller digits so 5+ columns fit
    state.values.forEach((v, idx) => {
      const input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.value = String(roundTo(v, 3));
      input.title = String(v);
      input.className = "kernel-cell";
      input.dataset.index = String(idx);
      const r = Math.floor(idx / state.kw), c = idx % state.kw;
      input.setAttribute("aria-label", t("lab.filter.cell", { r: r + 1, c: c + 1 }));
      els.grid.append(input);
    });
  }

  const defaults = (k) => Object.fromEntries(k.params.map((p) => [p.name, p.default]));

  function drawParams() {
    els.params.replaceChildren();
    const k = presetById(state.kernel);
    if (!k || !state.params) return;
    for (const p of k.params) {
      const id = `lab-kparam-${p.name}`;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = localized(p, "label");
      const input = document.createElement("input");
      Object.assign(input, { type: "number", id, min: String(p.min), step: String(p.step) });
      // Sizes (odd/even integer steps) stop at the grid's 11 so the result stays editable.
      input.max = String(p.kind === "int" && p.step === 2 ? Math.min(p.max, MAX_SIDE) : p.max);
      input.value = String(state.params[p.name] ?? p.default);
      input.dataset.param = p.name;
      const pair = document.createElement("span");
      pair.className = "param";
      pair.append(label, input);
      els.params.append(pair);
    }
  }

  function render() {
    drawParams();
    els.kh.value = String(state.kh);
    els.kw.value = String(state.kw);
    els.select.value = presetById(state.kernel) ? state.kernel : "custom";
    drawGrid();
    describe();
  }

  function matchPreset() {
    const k = presetById(state.kernel);
    if (k && state.params && k.params.some((p) => state.params[p.name] !== p.default)) return;
    const same = k && k.weights.length === state.kh && k.weights[0].length === state.kw
      && k.weights.flat().every((v, i) => Math.abs(v - state.values[i]) < 1e-6);
    if (!same) state.kernel = "custom";
  }

  els.select.addEventListener("change", () => {
    const k = presetById(els.select.value);
    if (k) {
      state = { kernel: k.id, kh: k.weights.length, kw: k.weights[0].length, values: k.weights.flat(),
        params: k.params.length ? defaults(k) : null };
    } else {
      state.kernel = "custom";
      state.params = null;
    }
    render();
    onChange();
  });

  const resize = () => {
    const kh = Number(els.kh.value), kw = Number(els.kw.value);
    const values = new Array(kh * kw).fill(0);
    // Keep the old values centred in the new grid.
    const dr = Math.floor((kh - state.kh) / 2), dc = Math.floor((kw - state.kw) / 2);
    for (let r = 0; r < state.kh; r++) {
      for (let c = 0; c < state.kw; c++) {
        const nr = r + dr, nc = c + dc;
        if (nr >= 0 && nr < kh && nc >= 0 && nc < kw) values[nr * kw + nc] = state.values[r * state.kw + c];
      }
    }
    state = { kernel: "custom", kh, kw, values, params: null };
    render();
    onChange();
  };
  els.kh.addEventListener("change", resize);
  els.kw.addEventListener("change", resize);

  els.grid.addEventListener("input", (e) => {
    const idx = Number(e.target.dataset.index);
    const v = Number(e.target.value);
    if (e.target.value === "" || !Number.isFinite(v)) return;
    state.values[idx] = v;
    const before = state.kernel;
    state.params = null;   // the grid no longer comes from the parameters
    matchPreset();
    if (before !== state.kernel) { els.select.value = "custom"; describe(); }
    drawParams();
    onChange();
  });

  els.params.addEventListener("input", (e) => {
    const name = e.target.dataset.param;
    if (!name || !state.params) return;
    state.params[name] = e.target.valueAsNumber;   // NaN → null in JSON → the API names it
    onChange();
  });

  return {
    get: () => ({ ...state, values: [...state.values], params: state.params && { ...state.params } }),
    set(k) {
      const preset = presetById(k.kernel);
      const params = preset?.params.length ? { ...defaults(preset), ...(k.params ?? {}) } : null;
      state = { kernel: k.kernel, kh: k.kh, kw: k.kw, values: [...k.values], params };
      matchPreset();
      if (state.kernel === "custom") state.params = null;
      render();
    },
    /** The weights the API built from the parameters, (FH, FW) rows. */
    setServerValues(rows) {
      state.kh = rows.length; state.kw = rows[0].length; state.values = rows.flat();
      els.kh.value = String(state.kh); els.kw.value = String(state.kw);
      drawGrid();
    },
    setCatalogue(list) { catalogue = list; fillSelect(); matchPreset(); render(); },
    relabel() { fillSelect(); render(); },
    catalogue: () => catalogue,
  };
}
