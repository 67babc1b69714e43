// @ts-check
// View "im2col": a small crop of the current image unrolled into the patch matrix (OH·OW, C·FH·FW),
// times the filter matrix (C·FH·FW, FN), reshaped into (FN, OH, OW) and checked against the API's
// convolution of the same crop; for the whole image, the sizes and float32 memory of those matrices.

import { convolve, convolveArray, geometry, stage } from "../../lib/api.js";
import { clear, el, readInt } from "../../lib/dom.js";
import { cellAt, drawMap, drawRgb, mapScale } from "../../lib/draw.js";
import { bytesText, shapeText } from "../../lib/format.js";
import { busiestWindow, plane, toRows } from "../../lib/images.js";
import { getParam } from "../../lib/url.js";
import { openView } from "../../lib/view.js";
import { mountTextbook } from "./textbook.js";
import { numberGrid } from "../../lib/widgets.js";
import { column, filterMatrix, im2col, matmul } from "./matrix.js";

const K = 3;
const SOBEL = [[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]];
const PICK_SIDE = 128;

export async function mount(root) {
  mountTextbook(root);   // the book's example (./textbook.js), independent of the image
  const view = await openView(root, "im2col", { compute });
  const { $, t } = view;
  let image = null;   // {values, shape, full: [H, W], color}
  let crop = null;    // {values, C, n, api, geo, y, x, pad, stride}
  let userCrop = false;   // the user placed the crop; otherwise it goes where the image is busiest

  const params = () => ({ color: $("color").value, n: readInt($("crop"), 5, 7, 6),
    pad: readInt($("pad"), 0, 2, 0), stride: readInt($("stride"), 1, 3, 1) });
  const bank = (C) => SOBEL.map((k) => Array.from({ length: C }, () => k));

  async function loadImage() {
    const blob = await view.image();
    const { color } = params();
    const bitmap = await createImageBitmap(blob);
    const full = [bitmap.height, bitmap.width];
    bitmap.close();
    const resp = await convolve([blob], { color, kernel: [[1]], max_side: PICK_SIDE });
    const input = stage(resp, "input");
    image = { values: input.values, shape: input.shape, full, color };
  }

  async function compute() {
    const p = params();
    if (!image || image.color !== p.color) await loadImage();
    const [, C, H, W] = image.shape;
    if (!userCrop) [$("cy").value, $("cx").value] = busiestWindow(image.values, H, W, p.n);
    const y = Math.min(readInt($("cy"), 0, H - p.n, 0), H - p.n);
    const x = Math.min(readInt($("cx"), 0, W - p.n, 0), W - p.n);
    $("cy").value = y;
    $("cx").value = x;
    const values = new Float32Array(C * p.n * p.n);
    for (let c = 0; c < C; c++) for (let i = 0; i < p.n; i++) for (let j = 0; j < p.n; j++) {
      values[(c * p.n + i) * p.n + j] = image.values[(c * H + y + i) * W + x + j];
    }
    const input = Array.from({ length: C }, (_, c) => toRows(values.subarray(c * p.n * p.n, (c + 1) * p.n * p.n), p.n, p.n));
    const [resp, geo] = await Promise.all([
      convolveArray(input, { kernel: bank(C), bias: [0, 0], pad: p.pad, stride: p.stride }),
      geometry({ h: image.full[0], w: image.full[1], fh: K, fw: K, stride: p.stride, pad: p.pad }),
    ]);
    crop = { values, C, ...p, y, x, api: stage(resp, "conv"), geo };
    render();
  }

  function renderPicker() {
    const canvas = $("picker");
    const [, C, H, W] = image.shape;
    if (C === 3) drawRgb(canvas, image.values, H, W);
    else drawMap(canvas, image.values, H, W, mapScale(image.values, { kind: "gray", lo: 0, hi: 1 }));
    const g = canvas.getContext("2d");
    g.strokeStyle = "#e4007f";
    g.lineWidth = 1;
    g.strokeRect(crop.x - 0.5, crop.y - 0.5, crop.n + 1, crop.n + 1);
  }

  function renderMatrices() {
    const { values, C, n, pad, stride } = crop;
    const grids = clear($("crop-grid"));
    for (let c = 0; c < C; c++) {
      grids.append(el("div", { class: "vw-labelled" }, el("h4", {}, t("views.im2col.cropChannel", { c, n })),
        numberGrid(values.subarray(c * n * n, (c + 1) * n * n), n, n, { label: t("views.im2col.cropChannel", { c, n }), tint: true })));
    }
    const cols = im2col(values, C, n, n, K, stride, pad);
    const fm = filterMatrix(bank(C));
    const prod = matmul(cols.data, cols.rows, cols.cols, fm.data, fm.cols);
    const host = clear($("matmul"));
    host.append(
      el("div", { class: "vw-labelled" }, el("h4", {}, t("views.im2col.patchMatrix", { r: cols.rows, c: cols.cols })),
        el("div", { class: "vw-scroll" }, numberGrid(cols.data, cols.rows, cols.cols, { label: t("views.im2col.patchMatrix", { r: cols.rows, c: cols.cols }), tint: false }))),
      el("span", { class: "vw-op" }, "×"),
      el("div", { class: "vw-labelled" }, el("h4", {}, t("views.im2col.filterMatrix", { r: fm.rows, c: fm.cols })),
        numberGrid(fm.data, fm.rows, fm.cols, { digits: 0, label: t("views.im2col.filterMatrix", { r: fm.rows, c: fm.cols }) })),
      el("span", { class: "vw-op" }, "="),
      el("div", { class: "vw-labelled" }, el("h4", {}, t("views.im2col.product", { r: cols.rows, c: fm.cols })),
        el("div", { "data-role": "product" }, numberGrid(prod, cols.rows, fm.cols, { digits: 3, label: t("views.im2col.product", { r: cols.rows, c: fm.cols }) }))));
    linkRows(host.querySelector("table"), cols, n);
    const res = clear($("result"));
    const [, FN, OH, OW] = crop.api.shape;
    let diff = 0;
    for (let f = 0; f < FN; f++) {
      const mine = column(prod, cols.rows, fm.cols, f);
      const api = plane(crop.api.values, crop.api.shape, 0, f);
      mine.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - api[i])); });
      res.append(el("div", { class: "vw-labelled", "data-role": `reshaped-${f}` },
        el("h4", {}, t("views.im2col.reshaped", { f: f + 1, shape: shapeText([OH, OW]) })),
        numberGrid(mine, cols.oh, cols.ow, { digits: 3, label: t("views.im2col.reshaped", { f: f + 1, shape: shapeText([OH, OW]) }) })),
      el("div", { class: "vw-labelled", "data-role": `api-${f}` }, el("h4", {}, t("views.im2col.apiOut", { f: f + 1 })),
        numberGrid(api, OH, OW, { digits: 3, label: t("views.im2col.apiOut", { f: f + 1 }) })));
    }
    res.append(el("p", { class: "vw-check", "data-role": "check", "data-diff": diff }, t("views.im2col.check", { diff: diff.toExponential(1) })));
  }

  /** Pointing at a row of the patch matrix outlines its window on the crop (every channel). */
  function linkRows(table, cols, n) {
    [...table.rows].forEach((tr, r) => {
      tr.tabIndex = 0;
      const show = () => {
        const [y0, x0] = cols.origin[r];
        table.querySelectorAll("tr").forEach((row, i) => row.classList.toggle("vw-rowhl", i === r));
        $("crop-grid").querySelectorAll("td").forEach((td) => {
          const y = Number(td.dataset.r) - y0;
          const x = Number(td.dataset.c) - x0;
          td.classList.toggle("vw-hl", y >= 0 && x >= 0 && y < K && x < K && y0 + y < n && x0 + x < n);
        });
      };
      tr.addEventListener("mouseenter", show);
      tr.addEventListener("focus", show);
    });
  }

  function renderFull() {
    const host = clear($("full"));
    const [H, W] = image.full;
    const { out_h: oh, out_w: ow } = crop.geo;
    const C = crop.C;
    const rows = oh * ow;
    const cols = C * K * K;
    const line = (key, vars, bytes) => el("li", { "data-bytes": bytes }, t(key, { ...vars, bytes: bytesText(bytes), exact: bytes.toLocaleString("en") }));
    host.append(el("p", {}, t("views.im2col.fullInput", { shape: shapeText([1, C, H, W]), oh, ow })),
      el("ul", { "data-role": "full-list" },
        line("views.im2col.fullImage", { shape: shapeText([1, C, H, W]) }, 4 * C * H * W),
        line("views.im2col.fullPatch", { r: rows, c: cols }, 4 * rows * cols),
        line("views.im2col.fullFilter", { r: cols, c: 2 }, 4 * cols * 2),
        line("views.im2col.fullOut", { r: rows, c: 2, shape: shapeText([1, 2, oh, ow]) }, 4 * rows * 2)),
      el("p", {}, t("views.im2col.fullRatio", { ratio: ((rows * cols) / (C * H * W)).toFixed(2) })));
  }

  function render() {
    if (!crop) return;
    renderPicker();
    renderMatrices();
    renderFull();
  }

  view.start(["color", "crop", "pad", "stride", "cy", "cx"]);
  if (getParam("im2col-cy") || getParam("im2col-cx")) userCrop = true;
  root.querySelectorAll("select,input").forEach((input) => input.addEventListener("change", view.refresh));
  ["cy", "cx"].forEach((r) => ["input", "change"].forEach((type) => $(r).addEventListener(type, () => { userCrop = true; })));
  ["pad", "stride", "cy", "cx"].forEach((r) => $(r).addEventListener("input", view.refresh));   // as typed, debounced
  $("picker").addEventListener("click", (ev) => {
    if (!image) return;
    [$("cy").value, $("cx").value] = cellAt(ev, $("picker"), image.shape[2], image.shape[3]);
    userCrop = true;
    view.refresh();
  });
  view.onImage(() => { image = null; userCrop = false; view.trigger(); });
  view.onLanguage(render);
}
