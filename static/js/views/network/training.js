// @ts-check
// "Train one yourself" panel of the network view (issue 15, point 2): start a small run
// (POST /api/training), follow it by Server-Sent Events (/api/training/{id}/events) and watch
// conv1's filters form and a probe image's maps change; pause, resume, stop (with the starter's
// token), download (.npz or .onnx), keep as an imported model and open it in the network view.
import { getJson, request } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getLanguage } from "../../lib/i18n.js";
import { getParam, setParams } from "../../lib/url.js";
import { drawChannel, drawKernel } from "./filter-tiles.js";
import { createComposer } from "./stack-composer.js";

const FINAL = ["finished", "stopped", "failed"];
const TOKEN_KEY = "convscope-training-token:";  // sessionStorage: the starter keeps control on reload

function grayMap(canvas, rows) {
  const h = rows.length, w = rows[0].length;
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext("2d");
  const img = g.createImageData(w, h);
  rows.flat().forEach((v, i) => img.data.set([v, v, v, 255], i * 4));
  g.putImageData(img, 0, 0);
}

/** @param {HTMLElement} anchor the panel goes after it @param {{t: Function}} deps */
export function createTraining(anchor, { t }) {
  const model = el("select", { "data-role": "train-model" },
    ...["color-vgg", "simple-convnet", "slide4-cnn"].map((m) => el("option", { value: m }, m)),
    el("option", { value: "stack" }));
  const composer = createComposer({ t });
  const dataset = el("select", { "data-role": "train-dataset" });
  /** @type {Array<{name: string, input_shape: number[], source: string}>} */
  let datasets = [{ name: "synthetic", input_shape: [3, 32, 32], source: "generated" }];
  const datasetText = (d) => (d.name === "synthetic"
    ? t("network.training.datasets.synthetic", { shape: d.input_shape.join("×") })
    : t("network.training.datasets.idx", { name: d.name, shape: d.input_shape.join("×") }));
  function fillDatasets() {
    const chosen = dataset.value || "synthetic";
    dataset.replaceChildren(...datasets.map((d) => el("option", { value: d.name }, datasetText(d))));
    dataset.value = datasets.some((d) => d.name === chosen) ? chosen : "synthetic";
  }
  dataset.addEventListener("change", () => {
    composer.setInput(datasets.find((d) => d.name === dataset.value)?.input_shape ?? [3, 32, 32]);
  });
  getJson("/api/training/datasets").then((r) => {  // IDX pairs in the data directory, Fashion-MNIST in the image
    datasets = r.datasets;
    fillDatasets();
    panel.dataset.datasets = String(datasets.length);  // tests wait for this
  }).catch(() => { panel.dataset.datasets = "1"; });
  model.addEventListener("change", () => { composer.root.hidden = model.value !== "stack"; });
  const steps = el("input", { type: "number", min: "1", max: "3000", value: "300", "data-role": "train-steps" });
  const epochs = el("input", { type: "number", min: "1", max: "50", value: "50", "data-role": "train-epochs" });
  const lr = el("input", { type: "number", min: "0.0001", max: "1", step: "0.0005", value: "0.003", "data-role": "train-lr" });
  const batch = el("input", { type: "number", min: "1", max: "256", value: "16", "data-role": "train-batch" });
  const augment = el("input", { type: "checkbox", "data-role": "train-augment" });
  const start = el("button", { type: "button", "data-role": "train-start" });
  const pause = el("button", { type: "button", "data-role": "train-pause", disabled: true });
  const stop = el("button", { type: "button", "data-role": "train-stop", disabled: true });
  const status = el("p", { class: "net-tl-status", "aria-live": "polite", "data-role": "train-status" });
  const filters = el("div", { class: "net-tl-filters", "data-role": "train-filters" });
  const probe = el("div", { class: "net-tl-maps", "data-role": "train-probe" });
  const download = el("a", { hidden: true, "data-role": "train-download" });
  const onnx = el("a", { hidden: true, "data-role": "train-onnx" });
  const keep = el("button", { type: "button", hidden: true, "data-role": "train-keep" });
  const kept = el("a", { hidden: true, "data-role": "train-kept" });
  const labels = {};
  const lab = (key, control) => { labels[key] = el("span", {}); return el("label", { class: "net-train-field" }, labels[key], control); };
  const title = el("h3", {}), explain = el("p", { class: "net-explain" });
  const hF = el("h4", {}), hP = el("h4", {});
  const panel = el("section", { class: "net-timeline net-train", "data-role": "training" },
    title, explain,
    el("div", { class: "net-tl-controls" }, lab("dataset", dataset), lab("model", model), lab("epochs", epochs), lab("steps", steps), lab("lr", lr),
      lab("batch", batch), lab("augment", augment), start, pause, stop),
    composer.root,
    status, el("div", { class: "net-tl-controls" }, download, onnx, keep, kept),
    el("div", { class: "net-tl-body" }, el("div", { class: "net-tl-col" }, hF, filters),
      el("div", { class: "net-tl-col" }, hP, probe)));
  anchor.after(panel);
  const state = { id: null, token: "", source: null, paused: false, last: null, kept: null };
  const control = (command) => request(`/api/training/${state.id}/${command}`,
    { method: "POST", headers: { "X-Training-Token": state.token } });

  function relabel() {
    title.textContent = t("network.training.title");
    explain.textContent = t("network.training.explain");
    for (const k of Object.keys(labels)) labels[k].textContent = t(`network.training.${k}`);
    start.textContent = t("network.training.start");
    model.querySelector('option[value="stack"]').textContent = t("network.stack.option");
    fillDatasets();
    composer.relabel();
    pause.textContent = state.paused ? t("network.training.resume") : t("network.training.pause");
    stop.textContent = t("network.training.stop");
    download.textContent = t("network.training.download");
    onnx.textContent = t("network.training.onnx");
    keep.textContent = t("network.training.keep");
    const keptName = state.kept && (getLanguage() === "ja" ? state.kept.name_ja : state.kept.name);
    kept.textContent = t("network.training.open", { name: keptName ?? "" });
    hF.textContent = t("network.training.filters");
    hP.textContent = t("network.training.probe");
    if (state.last) showStatus(state.last);
  }

  function showStatus(e) {
    state.last = e;
    const acc = e.val_accuracy === undefined ? "–" : (e.val_accuracy * 100).toFixed(1);
    const key = e.type === "queued" ? (e.position ? "queued" : "starting") : e.type === "failed" ? "failed" : "status";
    status.textContent = t(`network.training.${key}`, { position: e.position, step: e.step ?? 0, total: e.total ?? "?",
      loss: e.loss === undefined ? "–" : e.loss.toFixed(3), acc, state: t(`network.training.state.${e.type}`),
      reason: e.reason ?? "" });
  }

  function show(e) {
    showStatus(e);
    if (e.filters) {
      filters.replaceChildren(...e.filters.map((w) => {
        const c = el("canvas", { class: "net-pixelated net-tl-tile" });
        if (w.length === 3) drawKernel(c, w); else drawChannel(c, w[0]);
        return c;
      }));
    }
    if (e.probe) {
      probe.replaceChildren(...e.probe.map((m) => {
        const c = el("canvas", { class: "net-pixelated net-tl-map" });
        grayMap(c, m);
        return c;
      }));
    }
    if (e.step !== undefined) panel.dataset.step = String(e.step);
    panel.dataset.state = e.type;
  }

  function end() {
    state.source?.close();
    state.source = null;
    pause.disabled = stop.disabled = true;
    start.disabled = false;
  }

  start.addEventListener("click", async () => {
    end();
    start.disabled = true;
    download.hidden = onnx.hidden = keep.hidden = kept.hidden = true;
    state.paused = false;
    const body = { model: model.value === "stack" ? composer.value() : model.value, dataset: dataset.value || "synthetic", max_steps: Number(steps.value),
      epochs: Math.min(50, Math.max(1, Number(epochs.value) || 1)),
      lr: Number(lr.value), batch_size: Number(batch.value), augment: augment.checked, examples: 2000 };
    try {
      const res = await request("/api/training", { method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json" } });
      const run = await res.json();
      sessionStorage.setItem(TOKEN_KEY + run.id, run.token);
      setParams({ "train-run": run.id });  // "send my view" in a class shows this run to everyone
      follow(run.id);
    } catch (err) {
      status.textContent = t("network.error", { message: err.message });
      start.disabled = false;
    }
  });

  /** Follow run `id` over SSE; read-only (no pause, stop, keep) without its starter's token. */
  function follow(id) {
    const run = { id, events: `/api/training/${id}/events` };
    state.id = id;
    state.token = sessionStorage.getItem(TOKEN_KEY + id) ?? "";
    panel.dataset.run = id;
    panel.dataset.readonly = String(!state.token);
    pause.disabled = stop.disabled = !state.token;
    {
      const source = new EventSource(run.events);
      state.source = source;
      const on = (e) => {
        const data = JSON.parse(e.data);
        show(data);
        if (FINAL.includes(data.type)) {
          end();
          if (data.type !== "failed") {
            keep.hidden = !state.token;
            download.href = `/api/training/${run.id}/model.npz`;
            download.setAttribute("download", `${run.id}.npz`);
            onnx.href = `/api/training/${run.id}/model.onnx`;
            onnx.setAttribute("download", `${run.id}.onnx`);
            download.hidden = onnx.hidden = false;
            keep.disabled = false;
          }
        }
      };
      for (const type of ["queued", "started", "progress", ...FINAL]) source.addEventListener(type, on);
      source.addEventListener("error", () => { if (source.readyState === EventSource.CLOSED) end(); });
    }
  }
  pause.addEventListener("click", async () => {
    if (!state.id) return;
    state.paused = !state.paused;
    await control(state.paused ? "pause" : "resume");
    relabel();
  });
  stop.addEventListener("click", async () => {
    if (state.id) await control("stop");
  });
  keep.addEventListener("click", async () => {
    if (!state.id) return;
    keep.disabled = true;
    try {
      const saved = await (await control("keep")).json();
      state.kept = saved;  // {name, name_ja, …}: the link says it in the interface language
      kept.href = saved.url;
      kept.hidden = false;
      relabel();
    } catch (err) {
      status.textContent = t("network.error", { message: err.message });
      keep.disabled = false;
    }
  });
  relabel();
  const shared = getParam("train-run");
  if (shared && /^[A-Za-z0-9_-]{1,64}$/.test(shared)) follow(shared);
  return { relabel };
}
