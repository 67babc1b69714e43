// @ts-check
// View "batch" (slide 14): N images in one multipart request (one `image` part each) →
// (N, C, H, W) ⊛ (FN, C, 3, 3) → (N, FN, OH, OW); every image's maps in a grid.

import { convolve, getSamples, sampleBlob, stage } from "../../lib/api.js";
import { clear, el, readInt } from "../../lib/dom.js";
import { drawRgb } from "../../lib/draw.js";
import { shapeText } from "../../lib/format.js";
import { localized } from "../../lib/i18n.js";
import { plane, squarePng } from "../../lib/images.js";
import { openView } from "../../lib/view.js";
import { mountTextbook } from "./textbook.js";
import { block, mapFigure, op } from "../../lib/widgets.js";

const SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
const SOBEL_Y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]];
const DEFAULT_SAMPLES = new Set(["text", "checkerboard", "gradient"]);   // shapes is the usual current image

/** The bank (FN=2, C, 3, 3): Sobel x and Sobel y repeated over the C channels. */
function bank(C) {
  return [SOBEL_X, SOBEL_Y].map((k) => Array.from({ length: C }, () => k));
}

export async function mount(root) {
  mountTextbook(root);   // the book's example (./textbook.js), independent of the image
  const view = await openView(root, "batch", { compute, delay: 300 });
  const { $, t } = view;
  let result = null;
  let names = [];
  let samples = [];

  /** A sample's name in the interface language (the API's name_en / name_ja). */
  const sampleName = (id) => {
    const s = samples.find((x) => x.id === id);
    const name = s && localized(s, "name");
    return name || t(`views.samples.${id}`);
  };

  async function addSampleBoxes() {
    try { samples = await getSamples(); } catch { samples = []; }
    for (const { id } of samples) {
      $("samples").append(el("label", {},
        el("input", { type: "checkbox", "data-sample": id, checked: DEFAULT_SAMPLES.has(id) }),
        " ", el("span", { "data-sample-name": id }, sampleName(id))));
    }
    root.querySelectorAll("[data-sample]").forEach((box) => box.addEventListener("change", view.refresh));
  }

  /** The chosen images, in order: current image, samples, uploads; with a display name each. */
  async function chosen() {
    const items = [];
    if ($("use-current").checked) items.push({ blob: await view.image(), name: { key: "views.batch.current" } });
    for (const box of root.querySelectorAll("[data-sample]:checked")) {
      items.push({ blob: await sampleBlob(box.dataset.sample), name: { sample: box.dataset.sample } });
    }
    for (const file of $("files").files) items.push({ blob: file, name: { text: file.name } });
    return items.slice(0, 16);
  }

  async function compute() {
    const side = readInt($("side"), 8, 256, 96);
    await boxesReady;  // the sample checkboxes decide the batch: never compute without them
    const items = await chosen();
    if (!items.length) { result = null; $("error").textContent = t("views.batch.none"); render(); return; }
    const pngs = await Promise.all(items.map((it, i) => squarePng(it.blob, side)
      .then((b) => new File([b], `batch-${i}.png`, { type: "image/png" }))));
    const color = $("color").value;
    const resp = await convolve(pngs, { color, kernel: bank(color === "rgb" ? 3 : 1), bias: [0, 0],
      pad: readInt($("pad"), 0, 4, 1), stride: readInt($("stride"), 1, 4, 1) });
    names = items.map((it) => it.name);
    result = { input: stage(resp, "input"), conv: stage(resp, "conv"), shape: resp.shape };
    render();
  }

  function renderBlocks() {
    const host = clear($("blocks"));
    if (!result) return;
    const [N, C, H, W] = result.input.shape;
    const [, FN, OH, OW] = result.shape;
    host.append(
      block({ c: C * N, h: H, w: W, label: shapeText([N, C, H, W]), sub: t("views.batch.inputN"), hue: 200 }),
      op("⊛"),
      block({ c: C, h: 3, w: 3, label: shapeText([FN, C, 3, 3]), sub: t("views.conv3d.filters"), hue: 30, maxPx: 30 }),
      op("→"),
      block({ c: FN * N, h: OH, w: OW, label: shapeText([N, FN, OH, OW]), sub: t("views.batch.outputN"), hue: 120 }));
    host.dataset.inShape = JSON.stringify(result.input.shape);
    host.dataset.outShape = JSON.stringify(result.shape);
  }

  function renderGrid() {
    const host = clear($("grid"));
    if (!result) return;
    const [N, C, H, W] = result.input.shape;
    const [, FN, OH, OW] = result.conv.shape;
    const head = el("div", { class: "vw-batchrow vw-batchhead" }, el("span", {}, "n"), el("span", {}, t("views.batch.inputCol")),
      ...Array.from({ length: FN }, (_, f) => el("span", {}, t("views.batch.outCol", { f: f + 1 }))));
    host.append(head);
    for (let n = 0; n < N; n++) {
      const it = names[n] || {};
      const name = it.key ? t(it.key) : it.sample ? sampleName(it.sample) : it.text || "";
      const input = C === 3
        ? el("figure", { class: "vw-fig" }, drawRgb(el("canvas", { class: "vw-map", role: "img", "aria-label": name }),
          result.input.values.subarray(n * 3 * H * W, (n + 1) * 3 * H * W), H, W), el("figcaption", {}, name))
        : mapFigure(plane(result.input.values, result.input.shape, n, 0), H, W, name, { kind: "gray", lo: 0, hi: 1 });
      const outs = Array.from({ length: FN }, (_, f) => mapFigure(plane(result.conv.values, result.conv.shape, n, f), OH, OW,
        shapeText([n, f, OH, OW]).replace(`, ${OH}, ${OW})`, ", :, :)")));
      host.append(el("div", { class: "vw-batchrow", "data-n": n }, el("span", { class: "vw-n" }, String(n)), input, ...outs));
    }
  }

  function renderFiles() {
    const n = $("files").files.length;
    $("files-count").textContent = n ? t("views.batch.filesChosen", { n }) : t("views.batch.noFiles");
  }

  function render() {
    renderFiles();
    renderBlocks();
    renderGrid();
  }

  const boxesReady = addSampleBoxes();
  view.start(["side", "color", "pad", "stride"]);
  root.querySelectorAll("[data-role=side],[data-role=color],[data-role=pad],[data-role=stride],[data-role=files],[data-role=use-current]")
    .forEach((input) => input.addEventListener("change", view.refresh));
  ["pad", "stride"].forEach((r) => $(r).addEventListener("input", view.refresh));   // as typed, debounced
  $("files").addEventListener("change", renderFiles);
  view.onImage(view.trigger);
  view.onLanguage(() => {
    root.querySelectorAll("[data-sample-name]").forEach((s) => { s.textContent = sampleName(s.dataset.sampleName); });
    render();
  });
  renderFiles();
}
