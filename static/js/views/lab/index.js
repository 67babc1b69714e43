// @ts-check
// The filter lab: image + filter + padding/stride/dilation + ReLU + pooling → every stage drawn,
// the slide-10 formula, the inspector, downloads; the whole setup lives in the URL.
import { convolve, convolveRef, kernels } from "../../lib/api.js";
import { app, notify, onLabSetupRequest, publishLabSetup, setImage } from "../../lib/app.js";
import { debounce } from "../../lib/events.js";
import { onLanguageChange, t } from "../../lib/i18n.js";
import { createRunner } from "../../lib/runner.js";
import { getParam, setParams } from "../../lib/url.js";
import { exactConv } from "../../lib/exact.js";
import { pictureByRef } from "../../lib/by-ref.js";
import { reluOf } from "../../lib/values.js";
import { PAGE_MACS, macsOf } from "../../lib/maps.js";
import { curlCommand, copyText, imageFromLink, LINK_IMAGE_MAX, mapsToPng, saveBlob, shareLink } from "./downloads.js";
import { renderFormula, renderFormulaProblems } from "./formula.js";
import { followScenes } from "./follow.js";
import { createImageInput, notesText, prepareImage, refImage } from "./image-input.js";
import { createInspection } from "./inspect.js";
import { createKernelEditor } from "./kernel-editor.js";
import { DEFAULT_SIZE, createDisplay } from "./display.js";
import { createMagnifier } from "./magnifier.js";
import { createOrigin } from "./origin.js";
import { shadeMaps } from "./shade.js";
import { FALLBACK_LIMITS, geometryOf, loadLimits, validate } from "./validate.js";
import { createZoom } from "./zoom.js";
import { paddingBorders } from "./looks.js";
import { createMapStyles } from "./map-styles.js";
import { renderPipeline } from "./pipeline.js";
import { createCompute, inputKey } from "./compute.js";
import { createErrors, groupOf } from "./errors.js";
import { fmtNum, readSetup, setupToParams } from "./setup.js";

export const MAX_IMAGE_SIDE = DEFAULT_SIZE;   // the default working size (display.js; URL ws)
const TYPING_DEBOUNCE_MS = 60;       // typed numbers; discrete controls apply at once
const rows = (values, kh, kw) => Array.from({ length: kh }, (_, r) => values.slice(r * kw, (r + 1) * kw));

/** The `spec` of POST /api/convolve for a lab setup. */
export function specOf(s) {
  const kernel = s.params && s.kernel !== "custom" ? { id: s.kernel, ...s.params } : rows(s.values, s.kh, s.kw);
  return {
    kernel, bias: s.bias, stride: s.stride, pad: s.pad,
    pad_mode: s.padMode, dilation: s.dilation, depthwise: s.color === "rgb" && !s.sum, color: s.color,
    activation: s.activation, max_side: s.size ?? MAX_IMAGE_SIDE, include_values: true, previews: false,
    values_format: "u8", include_output: false,   // maps drawn from 8 bits (docs/wire-values.md)
    pool: s.pool === "none" ? null : { type: s.pool, size: s.poolSize, stride: s.poolStride },
  };
}

export async function mount(root) {
  const $ = (sel) => root.querySelector(sel);
  const form = $("#lab-form");
  const pipelineEl = $("#lab-pipeline");
  const errors = createErrors(root);
  let last = null;      // {response, data, setup}
  let sample = null;    // the current sample id, or null for the user's own image
  let rawImage = null;  // the image as chosen, before the browser shrinks it to the working size

  const editor = createKernelEditor({ select: $("#lab-kernel"), kh: $("#lab-kh"), kw: $("#lab-kw"),
    grid: $("#lab-kernel-grid"), desc: $("#lab-kernel-desc"), params: $("#lab-kernel-params") }, () => changed());
  const images = createImageInput({ sample: $("#lab-sample"), file: $("#lab-file"),
    webcam: $("#lab-webcam"), panel: $("#lab-webcam-panel"), video: $("#lab-video"),
    snap: $("#lab-snap"), close: $("#lab-webcam-close") }, {
    onImage: useImage,
    showError: (msg) => errors.show("image", msg),
  });
  /** A chosen image (kept as chosen: a new working size shrinks it again from the original). */
  async function useImage(raw) {
    rawImage = raw;
    const img = await prepareImage(raw, display.size, (msg) => errors.show("image", msg));
    if (!img) return;
    sample = img.sample;
    if (img.source !== "link" && location.hash.startsWith("#img=")) history.replaceState(history.state, "", location.href.split("#")[0]);
    setImage(img);
    errors.clear();
    setParams(setupToParams(readForm()));
    runner.now();
  }
  const magnifier = createMagnifier(root);
  const inspection = createInspection(root, magnifier, { getParam, setParams });
  const redraw = () => { if (last) show(last.response, last.setup); };
  const styles = createMapStyles(pipelineEl, { getParam, setParams }, redraw);
  const zoom = createZoom(() => inspection.refresh());
  const display = createDisplay(/** @type {HTMLElement} */ (root.querySelector(".map-scale-bar")), $("#group-image"),
    { getParam, setParams }, (what) => {
      magnifier.enabled = display.magnifier;
      if (what === "size" && rawImage && rawImage.source !== "sample" && rawImage.source !== "fallback") useImage(rawImage);
      else if (what === "size") runner.now(); else redraw();
    });
  magnifier.enabled = display.magnifier;
  const origin = createOrigin($("#lab-kernel-desc"), { getParam, setParams });
  let limits = FALLBACK_LIMITS;
  loadLimits().then((l) => { limits = l; });
  let chrome = null;   // a large card's height without its map, measured at the last render

  // --- setup <-> form ---------------------------------------------------------------------
  const num = (id) => { const v = $(id).valueAsNumber; return Number.isNaN(v) ? $(id).value : v; };
  function readForm() {
    return {
      ...editor.get(), bias: num("#lab-bias"), pad: num("#lab-pad"), padMode: $("#lab-padmode").value,
      stride: num("#lab-stride"), dilation: num("#lab-dilation"), activation: $("#lab-activation").value,
      pool: $("#lab-pool").value, poolSize: num("#lab-poolsize"), poolStride: num("#lab-poolstride"),
      color: form.elements.color.value, sample, size: display.size, sum: $("#lab-sum").checked,
    };
  }
  // A learned bias (e.g. -0.06127064675092697) shown to 6 decimals, the URL's precision; -0 → 0.
  const fmtBias = (v) => (typeof v === "number" && Number.isFinite(v) ? fmtNum(v) : v);
  function writeForm(s) {
    editor.set(s);
    $("#lab-bias").value = fmtBias(s.bias); $("#lab-pad").value = s.pad; $("#lab-padmode").value = s.padMode;
    $("#lab-stride").value = s.stride; $("#lab-dilation").value = s.dilation;
    $("#lab-activation").value = s.activation; $("#lab-pool").value = s.pool;
    $("#lab-poolsize").value = s.poolSize; $("#lab-poolstride").value = s.poolStride;
    form.elements.color.value = s.color;
    $("#lab-sum").checked = Boolean(s.sum);
    syncPoolInputs();
  }
  function syncPoolInputs() {
    const off = $("#lab-pool").value === "none";
    $("#lab-poolsize").disabled = off; $("#lab-poolstride").disabled = off;
    const rgb = form.elements.color.value === "rgb";   // the colour mode, said in words
    $("#lab-sum").disabled = !rgb;
    const mode = $("#lab-color-mode");
    mode.dataset.mode = rgb ? ($("#lab-sum").checked ? "summed" : "depthwise") : "gray";
    mode.textContent = t(`lab.image.mode.${mode.dataset.mode}`);
  }

  // --- requests: compute.js; errors next to their controls: errors.js -------------------------
  const compute = createCompute(pipelineEl);
  const runner = createRunner(async (signal, current) => {
    if (!app.image) return;
    const setup = readForm();
    const g0 = last?.response.geometry;
    const problems = validate(setup, limits, g0 && setup.size === last.setup.size && setup.sample === last.setup.sample
      ? { H: g0.H, W: g0.W } : null, errors.labelOf);
    if (problems.length) {   // not sent: every invalid control marked, the formula says why
      errors.clear();
      for (const p of problems) errors.show(p.group, t(p.key, p.vars), p.control);
      if (g0) renderFormulaProblems($("#lab-formula"), geometryOf(setup, g0.H, g0.W), problems, t);
      pipelineEl.classList.add("stale");
      return;
    }
    const img = app.image;
    const spec = specOf(setup);
    const key = inputKey(img, spec);
    // The page computes the maps from the exact input (an image's bytes / 255) when the work is small.
    const local = macsOf(setup, spec.max_side) <= PAGE_MACS && (compute.input.key !== key || compute.input.exact);
    const wanted = local ? [] : ["conv", "pool"];
    spec.value_stages = compute.input.key === key ? wanted : ["input", ...wanted];
    let response, stages;
    try {
      const t0 = performance.now();
      const pending = compute.post(img, spec, signal);
      const early = local && compute.input.key === key && last ? compute.early(setup, last.response) : null;
      response = await pending;
      if (!current()) return;
      const t1 = performance.now();
      stages = await compute.decode(response, key, local ? setup : null, early);
      performance.measure("lab:request", { start: t0, end: t1 });   // read by bench/lab_browser.py
      performance.measure("lab:decode", { start: t1 });
    } catch (err) {
      if (err.name === "AbortError" || !current()) throw err;
      errors.clear();
      errors.showApiError(err);
      pipelineEl.classList.add("stale"); $("#lab-formula").classList.add("stale");
      return;
    }
    if (!current()) return;
    errors.clear();
    pipelineEl.classList.remove("stale"); $("#lab-formula").classList.remove("stale", "invalid");
    const t2 = performance.now();
    show(response, setup, stages);
    performance.measure("lab:draw", { start: t2 });
  }, { delay: TYPING_DEBOUNCE_MS, loadingAfter: 200, onLoading: (on) => {
    pipelineEl.setAttribute("aria-busy", String(on));
    $(".loading-badge").hidden = !on;
  } });

  /** immediate: a discrete control (select, radio, checkbox, preset) → at once; typing debounced. */
  function changed(immediate = false) {
    syncPoolInputs();
    const setup = readForm();
    if (immediate) runner.now(); else runner.schedule();   // the request first, the URL while it runs
    setParams(setupToParams(setup));
    origin.check(setup, setupToParams(setup).kv);
    publishLabSetup({ ...setup, origin: origin.origin });
  }

  /** Exact float32 values for the inspector, fetched once per answer when a map is first
   *  inspected (the maps themselves are drawn from 8-bit values). */
  async function exactValues() {
    const l = last;
    if (!l || l.exact || !app.image?.ref) return;
    l.exact = true;
    const spec = { ...specOf(l.setup), values_format: "f32", value_stages: ["conv", "pool"] };
    try {
      const r = await convolveRef(app.image.ref, spec);
      const exact = await compute.decode(r, compute.input.key);
      if (last !== l) return;
      for (const st of l.stages) {
        const e = exact.find((x) => x.name === st.name);
        if (e && st.name !== "input") { st.values = e.values; st.step = 0; }
      }
      pipelineEl.dataset.exact = "true";
    } catch { l.exact = false; }
  }
  pipelineEl.addEventListener("pointerover", (e) => { if (e.target.closest(".inspectable")) exactValues(); });
  pipelineEl.addEventListener("focusin", () => exactValues());

  /** The map before pooling with exact values for the pool inspector (the drawn ones may be 8-bit):
   *  computed once, when first read, from the exact input (lib/exact.js). */
  function exactBefore(stage, response, padded) {
    if (!stage.step) return stage;
    let exact = null;
    return { ...stage, step: 0, get values() {
      if (!exact) {
        exact = exactConv(padded, response.kernel, response.bias, response.geometry, response.kernel.depthwise);
        if (stage.name === "relu") exact = reluOf(exact);
      }
      return exact;
    } };
  }

  function show(response, setup, stages = last.stages) {
    const used = response.kernel.values;
    if (setup.params && Array.isArray(used[0]) && !Array.isArray(used[0][0])) {
      editor.setServerValues(response.kernel.values);   // weights the API built from the params
      Object.assign(setup, editor.get());
      // the URL from the form as it is now: a number typed while this answer was out (stride,
      // padding: debounced) must not be rewritten with this answer's older setup
      setParams(setupToParams(readForm()));
    }
    const category = editor.catalogue().find((k) => k.id === setup.kernel)?.category ?? null;
    const borders = paddingBorders(response.geometry, response.pool_geometry, setup.padMode);
    renderFormula($("#lab-formula"), response.geometry, response.pool_geometry, t);
    zoom.reset();
    const drawn = renderPipeline(pipelineEl, stages, setup, t, { ...styles.view(stages, setup, category), borders,
      layout: display.layout, focus: display.focus, chrome });
    const estimated = chrome === null;
    chrome = drawn.chrome ?? chrome;
    if (estimated && chrome !== null && Math.abs(chrome - 110) > 4) { show(response, setup, stages); return; }
    $("#lab-stage-area").dataset.mode = drawn.layout.mode;
    $("#lab-stage-area").style.setProperty("--side-width", `${drawn.layout.sideWidth}px`);
    shadeMaps(drawn, response.geometry, response.pool_geometry);
    for (const name of ["input", "conv", "relu", "pool"]) for (const m of drawn[name]?.maps ?? []) zoom.wire(name, m);
    const before = stages.find((s) => s.name === "relu") ?? stages.find((s) => s.name === "conv");
    const data = {
      geometry: response.geometry, kernel: response.kernel, bias: response.bias,
      padded: drawn.padded, conv: stages.find((s) => s.name === "conv"), setup,
      pool: stages.find((s) => s.name === "pool"), poolGeometry: response.pool_geometry,
      beforePool: before && exactBefore(before, response, drawn.padded), poolType: setup.pool,
      inputRange: [stages[0].min, stages[0].max], inputStep: stages[0].step ?? 0,
    };
    if (last?.response !== response) delete pipelineEl.dataset.exact;
    const computed = stages.every((s) => !s.step);   // exact values (computed in the page or f32)
    if (computed) pipelineEl.dataset.exact = "true";
    last = { response, setup, drawn, data, stages, exact: computed || (last?.response === response && last.exact) };
    pipelineEl.dataset.renders = String(Number(pipelineEl.dataset.renders ?? 0) + 1);
    pipelineEl.dataset.shapes = JSON.stringify(Object.fromEntries(stages.map((s) => [s.name, [s.C, s.H, s.W]])));
    for (const name of ["input", "conv", "relu", "pool"]) {
      const st = stages.find((s) => s.name === name);
      if (st) pipelineEl.setAttribute(`data-shape-${name}`, `${st.C},${st.H},${st.W}`);
      else pipelineEl.removeAttribute(`data-shape-${name}`);
    }
    inspection.attach(drawn, data);
    const notes = notesText(response, app.image, t);
    const resized = $("#lab-resized");
    resized.hidden = !notes;
    resized.textContent = notes;
  }

  pipelineEl.addEventListener("click", async (e) => {
    const zb = /** @type {HTMLElement} */ (e.target).closest("[data-zoom-step]");
    if (zb instanceof HTMLElement) zoom.step(String(zb.dataset.stage), Number(zb.dataset.zoomStep));
    const name = e.target.closest("[data-download]")?.dataset.download;
    if (!name || !last) return;
    const canvases = last.drawn[name].maps.map((m) => m.canvas);
    saveBlob(await mapsToPng(canvases), `convscope-${name}.png`);
  });
  $("#lab-npy").addEventListener("click", async () => {
    if (!app.image) return;
    const spec = { ...specOf(readForm()), include_values: false };
    try {
      saveBlob(await convolve([app.image.blob], spec, { accept: "application/x-npy" }), "convscope-output.npy");
    } catch (err) { errors.show(groupOf(err.field), err.message); }
  });
  $("#lab-curl").addEventListener("click", async () => {
    const text = curlCommand(location.origin, app.image?.name ?? "image.png", specOf(readForm()));
    const pre = $("#lab-curl-text");
    pre.textContent = text;
    pre.hidden = false;
    notify(t(await copyText(text) ? "lab.actions.copied" : "lab.actions.copyFailed"));
  });
  $("#lab-link").addEventListener("click", async () => {
    const link = await shareLink(location.href, app.image);
    const said = { sample: "lab.actions.linkCopied", embedded: "lab.actions.linkWithImage",
      "left-out": "lab.actions.linkWithoutImage" }[link.image];
    Object.assign($("#lab-link").dataset, { image: link.image, url: link.url });
    const kb = (n) => Math.ceil(n / 1024);
    notify(t(await copyText(link.url) ? said : "lab.actions.copyFailed",
      { size: kb(link.size), limit: kb(LINK_IMAGE_MAX) }));
  });

  const discrete = (el) => el.tagName === "SELECT" || ["radio", "checkbox"].includes(el.type);
  form.addEventListener("input", (e) => {
    if (e.target.closest(".kernel-grid") || e.target.name === "sample" || e.target.type === "file") return;
    if (!discrete(e.target)) changed();
  });
  form.addEventListener("change", (e) => { if (discrete(e.target) && e.target.name !== "sample") changed(true); });   // not the file input
  form.addEventListener("submit", (e) => e.preventDefault());
  onLabSetupRequest((partial) => {
    writeForm({ ...readForm(), ...partial });
    origin.set(partial.learned ?? null, setupToParams(readForm()).kv);
    changed();
  });
  followScenes({ display, styles, inspection, redraw,   // the teacher's scene (classroom), in place
    setSetup(params) {
      writeForm({ ...readSetup(params), sample });
      const m = /^([\w.-]+):([\w.-]+):(\d+)$/.exec(params.get("lo") ?? "");
      origin.set(m ? { model: m[1], layer: m[2], index: Number(m[3]) } : null, setupToParams(readForm()).kv);
      syncPoolInputs();
      publishLabSetup({ ...readForm(), origin: origin.origin });
    },
    sample: () => sample,
    async loadSample(id) {
      if (!images.hasSample(id)) return false;
      await images.loadSample(id);
      return true;
    },
    async loadRef(ref) {   // the teacher's own image, by its ref: never uploaded by a student
      if (app.image?.ref === ref) return false;
      try {
        const img = refImage(await pictureByRef(ref), ref);
        rawImage = { blob: img.blob, name: img.name, source: img.source, sample: null };
        sample = null;
        $("#lab-sample").value = "";
        setImage(img);
        errors.clear();
        setParams(setupToParams(readForm()));
        runner.now();
        return true;
      } catch (err) { errors.show("image", err.message); return false; }
    },
    resize() {
      if (!rawImage || rawImage.source === "sample" || rawImage.source === "fallback") return false;
      useImage(rawImage);
      return true;
    },
    recompute: () => runner.now(),
  });
  onLanguageChange(() => {
    editor.relabel(); images.relabel(); styles.relabel(); display.relabel(); origin.relabel(); syncPoolInputs();
    if (last) show(last.response, last.setup);
  });

  // Redraw at the new size when the results column changes width (window resize, zoom).
  const area = $("#lab-stage-area");
  let width = area.clientWidth;
  new ResizeObserver(debounce(() => {
    if (last && area.clientWidth > 0 && Math.abs(area.clientWidth - width) > 8) {
      width = area.clientWidth;
      show(last.response, last.setup);
    }
  }, 150)).observe(area);
  // The large maps end above the window's bottom: redraw when its height or the text size changes.
  let height = innerHeight;
  addEventListener("resize", debounce(() => { if (Math.abs(innerHeight - height) > 8) { height = innerHeight; redraw(); } }, 150));
  document.addEventListener("convscope:projector", redraw);

  // --- first view: the setup from the URL (sobel + ReLU + max pool by default) on a sample ------
  const initial = readSetup();
  sample = initial.sample;
  const [catalogue] = await Promise.all([kernels(), images.init()]);
  editor.setCatalogue(catalogue);
  writeForm(initial);
  origin.relabel();
  publishLabSetup({ ...readForm(), origin: origin.origin });
  let linked = null;
  try { linked = imageFromLink(); } catch { /* a damaged link: the sample instead */ }
  if (!images.hasSample(sample)) sample = images.firstSample();
  if (linked) images.accept(linked, "link");
  else if (sample) await images.loadSample(sample);
  else await images.loadFallback();
}
