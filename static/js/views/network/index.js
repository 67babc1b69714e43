// @ts-check
// View "network" (slide 4, section 7.6): draw a digit, see every layer of a trained CNN, the
// softmax bars and the predicted digit; a gallery of the learned conv1 filters that sends one
// to the filter lab (lib/app.js requestLabSetup).
import { getFilters, getModel, listModels, predictImage } from "../../lib/api.js";
import { notify, requestConv3dBank, requestLabSetup } from "../../lib/app.js";
import { byRole } from "../../lib/dom.js";
import { int } from "../../lib/format.js";
import { loadNamespace, onLanguageChange, t } from "../../lib/i18n.js";
import { getParam, setParams } from "../../lib/url.js";
import { mountBackward } from "./backward.js";
import { colourExample } from "./colour-examples.js";
import { EXAMPLES } from "./examples.js";
import { mountExplain } from "./explain.js";
import { labelFilters, renderFilters } from "./filters.js";
import { mountImport } from "./import.js";
import { createPad } from "./pad.js";
import { buildStages, renderCard, renderChain, updateBars, updateStages } from "./render.js";
import { createTimeline } from "./timeline.js";
import { createTraining } from "./training.js";

const THROTTLE_MS = 150;  // at most one prediction per this while drawing
const BUSY_AFTER_MS = 200;

/** Apply one learned filter in the lab and show it: channel 0 of filter `index` and its bias. */
function sendToLab({ model, layer, index, values, bias }) {
  const kh = values.length, kw = values[0].length;
  requestLabSetup({ kernel: "custom", kh, kw, values: values.flat(), bias: bias ?? 0,
    learned: { model, layer, index } });
}

export async function mount(root) {
  const $ = byRole(root);
  await loadNamespace("network");
  const state = { model: null, detail: null, source: null, inFlight: false, pending: false, last: null,
    models: [], error: null };  // error: [key, vars] of the shown message, redrawn on a switch
  let timer = 0;
  const explain = mountExplain($("explain"));  // issue 15.4: why this answer
  const backward = mountBackward($("backward"));  // issue 15.5: 7.4 step by step

  /** A model's name in the interface language: network.models.<id>, else the API's name. */
  const modelName = (m) => {
    const key = `network.models.${m.id}`;
    const name = t(key);
    return name === key ? m.name || m.id : name;
  };
  const optionText = (m) => `${modelName(m)}${m.accuracy === null ? "" : ` — ${(m.accuracy * 100).toFixed(1)}%`}`;

  function showError(key = null, vars = {}) {
    state.error = key ? [key, vars] : null;
    $("error").textContent = key ? t(key, vars) : "";
  }

  function showModelInfo() {
    const d = state.detail;
    if (!d) return;
    $("modelInfo").textContent = d.accuracy === null
      ? t("network.modelInfoNoAccuracy", { params: int(d.params) })
      : t("network.modelInfo", { acc: (d.accuracy * 100).toFixed(2), params: int(d.params) });
  }

  const pad = createPad($("pad"), {
    onStart: () => {  // drawing over an uploaded picture starts a fresh drawing
      if (state.source !== "pad") pad.clear();
      state.source = "pad";
      $("example").value = "";  // the pad no longer shows the chosen example
    },
    onStroke: () => schedule(),
    onEnd: () => schedule(true),
  });

  const timeline = createTimeline(root.querySelector(".net-top"), { t,
    input: async () => (state.source === "pad" ? pad.toBlob() : state.source) });
  const training = createTraining(root.querySelector("[data-role=filters]"), { t });

  function showPrepared(input) {
    $("prepared").src = input.preview;
    $("prepared").alt = t("network.prepared.alt");
    const p = input.preparation;
    const notes = [];
    if (p.empty) notes.push(t("network.prepared.empty"));
    if (p.inverted) notes.push(t("network.prepared.inverted"));
    if (!p.empty) notes.push(t("network.prepared.fitted", { scale: p.scale.toFixed(2), row: p.offset[0], col: p.offset[1] }));
    $("prepNote").textContent = notes.join(" ");
  }

  function render(result) {
    state.last = result;
    showPrepared(result.input);
    explain.setInput(result.input.values);
    updateBars($("bars"), $("label"), $("labelCaption"), result.probabilities, result.label, t);
    updateStages($("stages"), result.stages, t);
    root.dataset.label = String(result.label);
    root.dataset.predictions = String(Number(root.dataset.predictions ?? 0) + 1);
    timeline.refresh();
  }

  async function predictNow() {
    const blob = state.source === "pad" ? await pad.toBlob() : state.source;
    if (!blob || !state.model) { root.dataset.state = "idle"; return; }
    state.inFlight = true;
    const busy = setTimeout(() => { $("busy").hidden = false; }, BUSY_AFTER_MS);
    try {
      render(await predictImage(state.model, blob));
      showError();
    } catch (err) {
      showError("network.error", { message: err.message });
    } finally {
      clearTimeout(busy);
      $("busy").hidden = true;
      state.inFlight = false;
      if (state.pending) { state.pending = false; schedule(true); }
      else if (!timer) root.dataset.state = "idle";  // tests wait for this
    }
  }

  /** Throttled: one request at a time; the latest drawing is always sent last. */
  function schedule(now = false) {
    root.dataset.state = "busy";
    if (state.inFlight) { state.pending = true; return; }
    if (timer && !now) return;
    clearTimeout(timer);
    timer = setTimeout(() => { timer = 0; predictNow(); }, now ? 0 : THROTTLE_MS);
  }

  async function selectModel(id) {
    state.model = id;
    try {
      state.detail = await getModel(id);
      const d = state.detail;
      showModelInfo();
      explain.setModel(d);
      renderChain($("chain"), d.layers, t);
      buildStages($("stages"), d.layers, t);
      renderCard($("cardFacts"), $("curve"), d, t, modelName(d));
      if (d.card?.data?.classes) {  // a colour model: start from one of its class pictures
        pad.drawImage(colourExample(d.card.data.classes[1]));
        state.source = "pad";
      }
      const layer = d.conv_layers[0];
      const filters = await getFilters(id, layer);
      timeline.select(id, d);
      renderFilters($("filters"), filters, t, (pick) => {
        if (pick.filter.length === 3) {  // a colour filter: a true (FN, 3, FH, FW) bank, 4 from it
          const from = Math.min(pick.index, Math.max(0, filters.weights.length - 4));
          requestConv3dBank({ weights: filters.weights.slice(from, from + 4),
            bias: filters.bias.slice(from, from + 4), source: `${id}/${layer}[${from}:${from + 4}]` });
          notify(t("network.filters.appliedRgb", { layer, from, to: Math.min(from + 4, filters.weights.length) - 1 }));
          return;
        }
        sendToLab({ model: id, layer, ...pick });
        window.scrollTo({ top: 0 });
        notify(t("network.filters.applied", { layer, index: pick.index }));
      });
      schedule(true);
    } catch (err) {
      showError("network.error", { message: err.message });
    }
  }

  $("clear").addEventListener("click", () => {
    pad.clear();
    $("example").value = "";
    state.source = "pad";
    schedule(true);
  });
  $("example").addEventListener("change", (e) => {  // keyboard-reachable input: no pointer needed
    if (e.target.value === "") return;
    const classes = state.detail?.card?.data?.classes;  // a colour model: its class pictures
    if (classes) pad.drawImage(colourExample(classes[Number(e.target.value)]));
    else pad.drawStrokes(EXAMPLES[e.target.value]);
    state.source = "pad";
    schedule(true);
  });
  $("upload").addEventListener("change", async (e) => {
    const file = e.target.files?.[0];
    e.target.value = "";  // choosing the same file again still fires change
    if (!file) return;
    state.source = file;
    $("example").value = "";
    try { pad.drawImage(await createImageBitmap(file)); } catch { pad.clear(); }
    schedule(true);
  });
  $("model").addEventListener("change", (e) => {
    setParams({ "network-model": e.target.value });
    selectModel(e.target.value);
  });
  onLanguageChange(() => {  // every string set from code, redrawn in the new language
    [...$("model").options].forEach((o, i) => { o.text = optionText(state.models[i]); });
    if (state.detail) {
      showModelInfo();
      renderChain($("chain"), state.detail.layers, t);
      buildStages($("stages"), state.detail.layers, t);
      renderCard($("cardFacts"), $("curve"), state.detail, t, modelName(state.detail));
    }
    labelFilters($("filters"), t);
    explain.relabel();
    backward.relabel();
    timeline.relabel();
    training.relabel();
    if (state.last) render(state.last);
    if (state.error) showError(...state.error);
  });

  mountImport(root, $);  // bring your own CNN (ONNX): import.js
  const { models } = await listModels();
  state.models = models;
  if (!models.length) {
    showError("network.noModels");
    return;
  }
  $("model").replaceChildren(...models.map((m) => new Option(optionText(m), m.id)));
  const wanted = getParam("network-model");
  const digit = models.find((m) => m.input_shape[0] === 1) ?? models[0];  // the digit pad first
  const first = models.some((m) => m.id === wanted) ? wanted : digit.id;
  $("model").value = first;
  pad.drawStrokes(EXAMPLES[7]);  // never an empty view
  state.source = "pad";
  await selectModel(first);
}
