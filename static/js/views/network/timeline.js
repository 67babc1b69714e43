// @ts-check
// The training timeline of the network view (issue 15, point 1): a scrubber (and play) over the
// checkpoints a model's own training took (GET /api/models/{id}/checkpoints). At the chosen step:
// conv1's filters, the current input's conv1 feature maps, the loss/accuracy curves with the
// current point, and the prediction — all from ?step= on /filters and /predict (deterministic).
import { getJson, request } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getParam, setParams } from "../../lib/url.js";
import { drawKernel } from "./filter-tiles.js";

const PLAY_MS = 600;  // one checkpoint per this while playing (after the step's answers arrived)

/** Loss (batch, smoothed; left axis) and held-out accuracy (right axis) against the step, and a
 *  vertical line at the current step. */
function drawCurves(canvas, data, index, t) {
  const g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, L = 38, R = 38, T = 10, B = 22;
  g.clearRect(0, 0, W, H);
  g.fillStyle = "#fff";
  g.fillRect(0, 0, W, H);
  const last = data.steps[data.steps.length - 1] || 1;
  const xs = (s) => L + (W - L - R) * (s / last);
  const maxLoss = Math.max(...data.val_loss, ...data.curve.loss.slice(0, 50), 0.1);
  const yl = (v) => T + (H - T - B) * (1 - Math.min(v, maxLoss) / maxLoss);
  const ya = (v) => T + (H - T - B) * (1 - v);
  g.strokeStyle = "#bbb";
  g.strokeRect(L, T, W - L - R, H - T - B);
  // batch loss, smoothed over 20 batches
  g.strokeStyle = "#e69f00";
  g.beginPath();
  let acc = 0;
  data.curve.loss.forEach((v, i) => {
    acc = i ? acc * 0.95 + v * 0.05 : v;
    const x = xs(data.curve.step[i]), y = yl(acc);
    if (i) g.lineTo(x, y); else g.moveTo(x, y);
  });
  g.stroke();
  // held-out accuracy at the checkpoints
  g.strokeStyle = "#0072b2";
  g.fillStyle = "#0072b2";
  g.beginPath();
  data.steps.forEach((s, i) => { if (i) g.lineTo(xs(s), ya(data.val_accuracy[i])); else g.moveTo(xs(s), ya(data.val_accuracy[i])); });
  g.stroke();
  data.steps.forEach((s, i) => { g.beginPath(); g.arc(xs(s), ya(data.val_accuracy[i]), i === index ? 5 : 2, 0, 7); g.fill(); });
  // the current step
  const cx = xs(data.steps[index]);
  g.strokeStyle = "#d55e00";
  g.lineWidth = 2;
  g.beginPath(); g.moveTo(cx, T); g.lineTo(cx, H - B); g.stroke();
  g.lineWidth = 1;
  g.fillStyle = "#333";
  g.font = "11px sans-serif";
  g.fillText("0", L - 10, H - B + 14);
  g.fillText(String(last), W - R - 20, H - B + 14);
  g.fillText(maxLoss.toFixed(1), 2, T + 8);
  g.fillText("100%", W - R + 4, T + 8);
  g.fillText(t("network.timeline.step"), (W - 30) / 2, H - 6);
}

/**
 * @param {HTMLElement} anchor  the panel is inserted after this element
 * @param {{t: Function, input: () => Promise<Blob | null>}} deps  t: i18n; input: the current image
 */
export function createTimeline(anchor, { t, input }) {
  const slider = el("input", { type: "range", min: "0", max: "0", value: "0", class: "net-tl-range" });
  const play = el("button", { type: "button", class: "net-tl-play" });
  const status = el("p", { class: "net-tl-status", "aria-live": "polite" });
  const curves = el("canvas", { class: "net-tl-curves", width: "480", height: "200", role: "img" });
  const filters = el("div", { class: "net-tl-filters", role: "list" });
  const maps = el("div", { class: "net-tl-maps" });
  const label = el("div", { class: "net-tl-label" });
  const title = el("h3", {});
  const explain = el("p", { class: "net-explain" });
  const hFilters = el("h4", {}), hMaps = el("h4", {}), hPred = el("h4", {});
  const panel = el("section", { class: "net-timeline", "data-role": "timeline", hidden: "" },
    title, explain,
    el("div", { class: "net-tl-controls" }, play, slider, status),
    el("div", { class: "net-tl-body" },
      curves,
      el("div", { class: "net-tl-col" }, hFilters, filters),
      el("div", { class: "net-tl-col" }, hMaps, maps),
      el("div", { class: "net-tl-col" }, hPred, label)));
  anchor.after(panel);
  const state = { model: null, data: null, index: 0, playing: false, busy: false, again: false, last: null,
    classes: null, classesJa: null };

  function labels() {
    title.textContent = t("network.timeline.title");
    explain.textContent = t("network.timeline.explain") +
      (state.data?.note?.includes("re-run") ? ` ${t("network.timeline.rerun")}` : "");
    hFilters.textContent = t("network.timeline.filters");
    hMaps.textContent = t("network.timeline.maps");
    hPred.textContent = t("network.timeline.prediction");
    play.textContent = state.playing ? t("network.timeline.pause") : t("network.timeline.play");
    slider.setAttribute("aria-label", t("network.timeline.slider"));
    curves.setAttribute("aria-label", t("network.timeline.curves"));
    if (state.data) showStatus();
    if (state.last) showPrediction(state.last);
  }

  function showStatus() {
    const d = state.data, i = state.index, step = d.steps[i];
    const epoch = d.steps_per_epoch ? (step / d.steps_per_epoch).toFixed(2) : "–";
    status.textContent = t("network.timeline.status", { step, total: d.steps[d.steps.length - 1],
      epoch, acc: (d.val_accuracy[i] * 100).toFixed(1), loss: d.val_loss[i].toFixed(3) });
    slider.setAttribute("aria-valuetext", status.textContent);
  }

  function showFilters(f) {
    filters.replaceChildren(...f.weights.map((w, i) => {
      const c = el("canvas", { class: "net-pixelated net-tl-tile", title: `#${i}`, role: "listitem" });
      drawKernel(c, w);
      return c;
    }));
  }

  function showPrediction(p) {
    const conv = p.stages.find((s) => s.kind === "conv");
    maps.replaceChildren(...(conv?.previews ?? []).slice(0, 16).map((src, i) => el("img", {
      src, class: "net-pixelated net-tl-map", alt: `${conv.name}[${i}]`, width: "48", height: "48" })));
    const pct = (p.probabilities[p.label] * 100).toFixed(1);
    const names = document.documentElement.lang === "ja" ? state.classesJa ?? state.classes : state.classes;
    const name = names ? names[p.label] : String(p.label);
    label.textContent = t("network.timeline.says", { label: name, p: pct });
  }

  /** Fetch and draw everything at the current index; one at a time, the latest wins. */
  async function show() {
    if (!state.data) return;
    if (state.busy) { state.again = true; return; }
    state.busy = true;
    panel.dataset.state = "busy";
    const { model, index } = state;
    const step = state.data.steps[index];
    showStatus();
    drawCurves(curves, state.data, index, t);
    try {
      const blob = await input();
      const f = await getJson(`/api/models/${encodeURIComponent(model)}/filters?layer=conv1&step=${step}`);
      if (model === state.model) showFilters(f);
      if (blob) {
        const form = new FormData();
        form.append("image", blob, "input.png");
        const r = await request(`/api/models/${encodeURIComponent(model)}/predict?step=${step}`, { method: "POST", body: form });
        const p = await r.json();
        if (model === state.model) { state.last = p; showPrediction(p); }
      }
      panel.dataset.step = String(step);
      panel.dataset.model = model;   // tests wait for the step of this model
    } catch (err) {
      label.textContent = t("network.error", { message: err.message });
    } finally {
      state.busy = false;
      if (state.again) { state.again = false; show(); } else {
        panel.dataset.state = "idle";  // tests wait for this
        if (state.playing) setTimeout(advance, PLAY_MS);
      }
    }
  }

  function advance() {
    if (!state.playing || !state.data) return;
    if (state.index >= state.data.steps.length - 1) { state.playing = false; labels(); return; }
    state.index += 1;
    slider.value = String(state.index);
    show();
  }

  /** The chosen step in the URL (network-step; absent: the last checkpoint). */
  const saveStep = () => {
    const last = state.index >= state.data.steps.length - 1;
    setParams({ "network-step": last ? null : state.data.steps[state.index] });
  };
  /** The index of checkpoint `step` (a URL value), else the last. @param {string | null} step */
  const indexOf = (step) => {
    const i = step === null ? -1 : state.data.steps.indexOf(Number(step));
    return i >= 0 ? i : state.data.steps.length - 1;
  };
  slider.addEventListener("input", () => {
    if (!state.data) return;
    state.index = Number(slider.value);
    saveStep();
    show();
  });
  play.addEventListener("click", () => {
    state.playing = !state.playing;
    if (state.playing && state.data && state.index >= state.data.steps.length - 1) {
      state.index = 0;
      slider.value = "0";
    }
    labels();
    if (state.playing) show();
  });

  return {
    /** Switch to a model (hidden when it has no checkpoints). */
    async select(id, detail) {
      state.model = id;
      state.playing = false;
      state.data = null;   // until this model's checkpoints arrive: no show() with another's steps
      if (String(detail?.source).startsWith("onnx")) {  // an imported model has no checkpoints of its training
        state.data = null;
        panel.hidden = true;
        return;
      }
      state.classes = detail?.card?.data?.classes ?? null;
      state.classesJa = detail?.card?.data?.classes_ja ?? null;
      try {
        state.data = await getJson(`/api/models/${encodeURIComponent(id)}/checkpoints`);
      } catch {
        state.data = null;
      }
      if (id !== state.model) return;
      panel.hidden = !state.data;
      if (!state.data) return;
      labels();
      slider.max = String(state.data.steps.length - 1);
      state.index = indexOf(getParam("network-step"));
      slider.value = String(state.index);
      labels();
      show();
    },
    /** A followed scene's step (network-step; null: the last): shown once the model's
     *  checkpoints are here (select() reads the URL, which already holds it). @param {string | null} step */
    setStep(step) {
      if (!state.data || panel.hidden) return;
      const i = indexOf(step);
      if (i === state.index) return;
      state.index = i;
      state.playing = false;
      labels();
      slider.value = String(i);
      show();
    },
    /** The input changed: redraw the maps and the prediction at the current step. */
    refresh() { if (state.data && !panel.hidden) show(); },
    relabel: labels,
  };
}
