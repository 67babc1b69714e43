// @ts-check
// View "network" (slide 4, section 7.6): draw a digit, see every layer of a trained CNN, the
// softmax bars and the predicted digit; a gallery of the learned conv1 filters that sends one
// to the filter lab (lib/app.js requestLabSetup).
import { getFilters, getModel, listModels, predictImage } from "../../lib/api.js";
import { bankSource, notify, requestConv3dBank, requestLabSetup } from "../../lib/app.js";
import { byRole, el } from "../../lib/dom.js";
import { int } from "../../lib/format.js";
import { getLanguage, loadNamespace, onLanguageChange, t } from "../../lib/i18n.js";
import { getParam, setParams } from "../../lib/url.js";
import { mountBackward } from "./backward.js";
import { colourExample } from "./colour-examples.js";
import { EXAMPLES } from "./examples.js";
import { digitOf, followScenes } from "./follow.js";
import { decodeStrokes, encodeStrokes } from "./strokes.js";
import { mountExplain } from "./explain.js";
import { labelFilters, renderFilters } from "./filters.js";
import { heldModels, isImported, linkedModel, mountImport } from "./import.js";
import { createPad } from "./pad.js";
import { IMG_KEY, createPicture } from "./picture.js";
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
  const state = { model: null, detail: null, source: null, sent: null, inFlight: false, pending: false, last: null,
    models: [], error: null };  // error: [key, vars] of the shown message, redrawn on a switch
  let timer = 0;
  const explain = mountExplain($("explain"));  // issue 15.4: why this answer
  const backward = mountBackward($("backward"));  // issue 15.5: 7.4 step by step

  /** A model's name in the interface language: network.models.<id>, else the API's name. */
  const modelName = (m) => {
    const key = `network.models.${m.id}`;
    const name = t(key);
    if (name !== key) return name;
    return (getLanguage() === "ja" && m.name_ja) || m.name || m.id;  // a kept run has both
  };
  const optionText = (m) => `${modelName(m)}${m.accuracy === null ? "" : ` — ${(m.accuracy * 100).toFixed(1)}%`}`;

  function showError(key = null, vars = {}) {
    state.error = key ? [key, vars] : null;
    $("error").textContent = key ? t(key, vars) : "";
  }

  function showModelInfo() {
    const d = state.detail;
    if (!d) return;
    $("modelInfo").textContent = isImported(d.id)
      ? t("network.modelInfoImported", { params: int(d.params) })
      : d.accuracy === null || d.accuracy === undefined
        ? t("network.modelInfoNoAccuracy", { params: int(d.params) })
        : t("network.modelInfo", { acc: (d.accuracy * 100).toFixed(2), params: int(d.params) });
    const imported = isImported(d.id);
    setKey($("intro"), imported ? "network.explainImported" : d.card?.data?.classes ? "network.explainColour" : "network.explain");
    setKey($("padHint"), imported && d.normalisation !== "mnist" ? "network.pad.hintImported" : "network.pad.hint");
    const [c, h, w] = d.input_shape;
    $("preparedTitle").textContent = t("network.prepared.titleShape", { shape: c === 1 ? `${h}×${w}` : `${c}×${h}×${w}` });
  }

  /** Text that follows the language: the element's data-i18n key, and its text now. */
  function setKey(node, key) {
    node.dataset.i18n = key;
    node.textContent = t(key);
  }

  /** The model list: ConvScope's own models, then the imported ones in their own group. */
  function fillModels() {
    const chosen = $("model").value;
    const options = (list) => list.map((m) => new Option(optionText(m), m.id));
    const mine = state.models.filter((m) => isImported(m.id));
    $("model").replaceChildren(...options(state.models.filter((m) => !isImported(m.id))),
      ...(mine.length ? [el("optgroup", { label: t("network.importedGroup") }, ...options(mine))] : []));
    if (chosen) $("model").value = chosen;
  }

  /** An ONNX model was imported below: it joins the list and the whole view shows it. */
  function openImported(d) {
    if (!state.models.some((m) => m.id === d.id)) {
      state.models.push({ id: d.id, name: d.name, name_ja: d.name_ja, input_shape: d.input_shape, accuracy: null,
        params: d.params, conv_layers: d.conv_layers });
    }
    fillModels();
    $("model").value = d.id;
    setParams({ "network-model": d.id });
    selectModel(d.id);
  }

  const picture = createPicture({ root, note: $("padNote"), t });  // an upload, shared by ref
  const pad = createPad($("pad"), {
    onStart: () => {  // drawing over an uploaded picture starts a fresh drawing
      if (state.source !== "pad") pad.clear();
      state.source = "pad";
      $("example").value = "";  // the pad no longer shows the chosen example
      setParams({ "network-digit": null });
      picture.forget();
    },
    onStroke: () => schedule(),
    onEnd: () => {   // the drawing in the URL: a link or the class's follow replays it
      setParams({ "network-strokes": encodeStrokes(pad.strokes()) });
      schedule(true);
    },
  });

  const timeline = createTimeline(root.querySelector(".net-top"), { t,
    input: async () => (state.source === "pad" ? pad.toBlob() : state.source) });
  const training = createTraining(root.querySelector("[data-role=filters]"), { t });

  /** An imported model's input: the server's preview and what was done to the image. */
  function showImportedInput(result) {
    $("prepared").src = result.preview ?? "";
    $("prepared").alt = t("network.prepared.altImported");
    const p = result.preparation ?? {}, notes = [];
    if (p.empty) notes.push(t("network.prepared.empty"));
    if (p.inverted) notes.push(t("network.prepared.inverted"));
    if (p.decoded && p.resized_to) {
      notes.push(t("network.prepared.resized", { from: `${p.decoded[2]}×${p.decoded[1]}`,
        to: `${p.resized_to[1]}×${p.resized_to[0]}`, colour: t(`network.prepared.colour.${p.color}`) }));
    }
    const kind = p.normalisation?.kind;
    if (kind) notes.push(t(`network.prepared.norm.${kind}`, p.normalisation));
    $("prepNote").textContent = notes.join(" ");
  }

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
    if (result.input) {
      showPrepared(result.input);
      explain.setInput(result.input.values);
    } else {
      showImportedInput(result);
      const { model } = result, blob = state.sent;  // its prepared input, fetched on Explain
      explain.setInput(async () => (await predictImage(model, blob, { inputValues: true })).input_values);
    }
    const names = isImported(result.model) ? state.detail?.labels : null;
    updateBars($("bars"), $("label"), $("labelCaption"), result.probabilities, result.label, t, names);
    updateStages($("stages"), result.stages, t);
    root.dataset.label = String(result.label);
    root.dataset.predictions = String(Number(root.dataset.predictions ?? 0) + 1);
    timeline.refresh();
  }

  async function predictNow() {
    state.inFlight = true;   // before the first await: a second call waits (pending), not races
    const busy = setTimeout(() => { $("busy").hidden = false; }, BUSY_AFTER_MS);
    try {
      const blob = state.source === "pad" ? await pad.toBlob() : state.source;
      if (!blob || !state.model) return;
      state.sent = blob;
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
      $("card").hidden = isImported(id);  // an imported model has no training card
      explain.setModel(d);
      renderChain($("chain"), d.layers, t);
      buildStages($("stages"), d.layers, t);
      renderCard($("cardFacts"), $("curve"), d, t, modelName(d));
      if (d.card?.data?.classes) {  // a colour model: start from one of its class pictures
        picture.forget();   // the pad no longer shows an uploaded picture: its key leaves the URL
        pad.drawImage(colourExample(d.card.data.classes[1]));
        state.source = "pad";
      }
      $("filterLayer").replaceChildren(...d.conv_layers.map((n) => new Option(n, n)));
      await showFilters(id, d.conv_layers[0]);
      timeline.select(id, d);
      schedule(true);
    } catch (err) {
      showError("network.error", { message: err.message });
    }
  }

  /** The gallery of one conv layer's filters; a pick goes to the lab (channel 0) or, for a
   *  colour filter, to the 3-D view as a bank of 4. */
  async function showFilters(id, layer) {
    const filters = await getFilters(id, layer);
    if (id !== state.model) return;
    $("filterLayer").value = layer;
    {
      renderFilters($("filters"), filters, t, (pick) => {
        if (pick.filter.length === 3) {  // a colour filter: a true (FN, 3, FH, FW) bank, 4 from it
          const from = Math.min(pick.index, Math.max(0, filters.weights.length - 4));
          const ref = { model: id, layer, from };
          requestConv3dBank({ weights: filters.weights.slice(from, from + 4),
            bias: filters.bias.slice(from, from + 4), source: bankSource(ref), ref });
          notify(t("network.filters.appliedRgb", { layer, from, to: Math.min(from + 4, filters.weights.length) - 1 }));
          return;
        }
        sendToLab({ model: id, layer, ...pick });
        window.scrollTo({ top: 0 });
        notify(t("network.filters.applied", { layer, index: pick.index }));
      });
    }
  }
  $("filterLayer").addEventListener("change", (e) => {
    showFilters(state.model, e.target.value).catch((err) => showError("network.error", { message: err.message }));
  });

  $("clear").addEventListener("click", () => {
    pad.clear();
    picture.forget();
    $("example").value = "";
    setParams({ "network-digit": null, "network-strokes": null });
    state.source = "pad";
    schedule(true);
  });
  $("example").addEventListener("change", (e) => {  // keyboard-reachable input: no pointer needed
    if (e.target.value === "") return;
    drawExample(Number(e.target.value));
    schedule(true);
  });
  /** Example digit d on the pad (a colour model: its class picture d), kept in the URL. */
  function drawExample(d) {
    const classes = state.detail?.card?.data?.classes;  // a colour model: its class pictures
    if (classes) pad.drawImage(colourExample(classes[d]));
    else pad.drawStrokes(EXAMPLES[d]);
    $("example").value = String(d);
    state.source = "pad";
    setParams({ "network-digit": d, "network-strokes": null });
    picture.forget();
  }
  $("upload").addEventListener("change", async (e) => {
    const file = e.target.files?.[0];
    e.target.value = "";  // choosing the same file again still fires change
    if (!file) return;
    state.source = file;
    $("example").value = "";
    setParams({ "network-digit": null, "network-strokes": null });
    picture.forget();
    try { pad.drawImage(await createImageBitmap(file)); } catch { pad.clear(); }
    schedule(true);
    picture.share(file);   // kept on the server once: a link or the class gets it by ref
  });
  /** A picture the server keeps (a link's or the teacher's upload), shown and predicted as if
   *  uploaded here; the pad stays as it was when it cannot be had. @param {string} ref */
  async function showPicture(ref) {
    const got = await picture.load(ref);
    if (!got) return;
    pad.drawImage(got.bitmap);
    state.source = got.blob;
    $("example").value = "";
    root.dataset.picture = ref;
    schedule(true);
  }
  $("model").addEventListener("change", (e) => {
    setParams({ "network-model": e.target.value });
    selectModel(e.target.value);
  });
  onLanguageChange(() => {  // every string set from code, redrawn in the new language
    fillModels();
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
    picture.relabel();
    if (state.last) render(state.last);
    if (state.error) showError(...state.error);
  });

  mountImport(root, $, { onImported: openImported });  // bring your own CNN (ONNX): import.js
  const linked = linkedModel();  // a shared link to an imported model opens it in the view
  const { models } = await listModels({}, [...new Set([linked, ...heldModels().reverse()])].filter(Boolean));
  state.models = models;
  if (!models.length) {
    showError("network.noModels");
    return;
  }
  fillModels();
  const wanted = getParam("network-model") ?? linked;
  const digit = models.find((m) => m.input_shape[0] === 1) ?? models[0];  // the digit pad first
  const first = models.some((m) => m.id === wanted) ? wanted : digit.id;
  $("model").value = first;
  const linkedDigit = digitOf(getParam("network-digit"));
  const linkedStrokes = linkedDigit === null ? decodeStrokes(getParam("network-strokes")) : null;
  const linkedPicture = linkedDigit === null ? getParam(IMG_KEY) : null;
  pad.drawStrokes(linkedStrokes ?? EXAMPLES[linkedDigit ?? 7]);  // a linked drawing; never an empty view
  state.source = "pad";
  await selectModel(first);
  if (linkedDigit !== null) { drawExample(linkedDigit); schedule(true); }
  if (linkedPicture) await showPicture(linkedPicture);
  followScenes({   // the classroom teacher's model and digit, in place
    async model(id) {
      const next = state.models.some((m) => m.id === id) ? id : digit.id;
      if (next === state.model) return;
      $("model").value = next;
      await selectModel(next);
    },
    digit(d) {
      if (d === null || ($("example").value === String(d) && state.source === "pad")) return;
      drawExample(d);
      schedule(true);
    },
    step: (step) => timeline.setStep(step),
    picture: showPicture,   // the teacher's uploaded picture, by its ref
    strokes(strokes) {   // the teacher's own drawing (null: they cleared the pad)
      if (strokes) pad.drawStrokes(strokes); else pad.clear();
      picture.forget();
      $("example").value = "";
      state.source = "pad";
      schedule(true);
    },
  });
}
