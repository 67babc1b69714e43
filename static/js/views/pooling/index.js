// @ts-check
// View "pooling" (slides 15–16): max against average pooling of a feature map (ReLU of a convolution
// of the current image), which input each max came from, and the shift experiment: the input moved
// right by k pixels, the conv map and the pooled map compared value by value before and after.

import { convolveArray, kernels, kernelWeights, stage } from "../../lib/api.js";
import { clear, el, readInt } from "../../lib/dom.js";
import { cellAt } from "../../lib/draw.js";
import { loadNamespace, localized } from "../../lib/i18n.js";
import { columns, imageValues, window2d } from "../../lib/images.js";
import { getParam } from "../../lib/url.js";
import { openView } from "../../lib/view.js";
import { keepFocus, numGrid } from "../../lib/numgrid.js";
import { mapFigure } from "../../lib/widgets.js";
import { argmaxWindows, countChanged } from "./compare.js";
import { bookExample, computeBook, renderBook } from "./textbook.js";

const MAX_SIDE = 96;
const MARGIN = 2;   // columns kept in reserve on the left so the input can move right by up to 2

export async function mount(root) {
  try { await loadNamespace("textbook"); } catch (err) { console.warn("textbook locale", err); }
  const view = await openView(root, "pooling", { compute });
  const { $, t, track } = view;
  /** book: the textbook example shown (bookExample) and its result; key: the photo run's inputs. */
  const st = { img: null, shift: 1, res: null, userRegion: false, catalogue: [], book: null, bookRes: null, key: "", imgGen: 0 };

  function spec(type) {
    const entry = st.catalogue.find((e) => e.id === $("kernel").value);
    const fh = entry ? kernelWeights(entry).length : 3;
    const size = readInt($("size"), 2, 3, 2);
    return { kernel: $("kernel").value || "sobel-x", pad: Math.floor(fh / 2), activation: "relu",
      pool: { type, size, stride: size } };
  }

  /** Input shifted right by k: columns [MARGIN − k, W − k) of the image. */
  function shifted(k) {
    const { values, H, W } = st.img;
    return columns(values, H, W, MARGIN - k, W - MARGIN);
  }

  async function compute() {
    if (st.book) {
      st.bookRes = await computeBook(st.book);
      renderBookPanel();
    }
    if (!st.img) st.img = await imageValues({ color: "gray", maxSide: MAX_SIDE, track });
    const k = st.shift;
    const key = JSON.stringify([spec("max"), k, st.img.H, st.img.W, st.imgGen]);
    if (key === st.key && st.res) return;   // only the textbook panel changed
    st.key = key;
    const [maxA, avgA, maxB] = await Promise.all([
      convolveArray(shifted(0), spec("max")), convolveArray(shifted(0), spec("avg")),
      convolveArray(shifted(k), spec("max"))]);
    const pick = (r) => ({ conv: stage(r, "conv"), relu: stage(r, "relu"), pool: stage(r, "pool") });
    st.res = { a: pick(maxA), avg: pick(avgA), b: pick(maxB), k, size: spec("max").pool.size };
    if (!st.userRegion) autoRegion();
    render();
  }

  /** Put the region where the feature map is strongest (most to see). */
  function autoRegion() {
    const { relu, size } = { relu: st.res.a.relu, size: st.res.size };
    const [, , H, W] = relu.shape;
    const side = 4 * size;
    let best = -1;
    for (let y = 0; y + side <= H; y += size) for (let x = 0; x + side <= W; x += size) {
      let s = 0;
      for (const v of window2d(relu.values, W, y, x, side, side)) s += v;
      if (s > best) { best = s; $("ry").value = y; $("rx").value = x; }
    }
  }

  function renderCompare() {
    const { a, avg, size } = st.res;
    const [, , H, W] = a.relu.shape;
    const [, , PH, PW] = a.pool.shape;
    const n = Math.min(4, PH, PW);
    const side = n * size;
    const py = Math.min(Math.floor(readInt($("ry"), 0, H, 0) / size), PH - n);
    const px = Math.min(Math.floor(readInt($("rx"), 0, W, 0) / size), PW - n);
    const y0 = py * size;
    const x0 = px * size;
    const maps = clear($("maps"));
    const fmap = mapFigure(a.relu.values, H, W, t("views.pooling.featureMap", { h: H, w: W }));
    const canvas = fmap.querySelector("canvas");
    const g = canvas.getContext("2d");
    g.strokeStyle = "#e4007f";
    g.strokeRect(x0 - 0.5, y0 - 0.5, side + 1, side + 1);
    canvas.addEventListener("click", (ev) => {
      [$("ry").value, $("rx").value] = cellAt(ev, canvas, H, W);
      st.userRegion = true;
      renderCompare();
    });
    maps.append(fmap,
      mapFigure(a.pool.values, PH, PW, t("views.pooling.maxMap", { h: PH, w: PW })),
      mapFigure(avg.pool.values, PH, PW, t("views.pooling.avgMap", { h: PH, w: PW })));
    const region = window2d(a.relu.values, W, y0, x0, side, side);
    const arg = argmaxWindows(region, side, side, size);
    const sources = new Set(arg.cells.map((c) => `${c.at[0]},${c.at[1]}`));
    const inGrid = numGrid(region, side, side, { digits: 2, label: t("views.pooling.regionLabel"),
      cellClass: (y, x) => `vw-win-${(Math.floor(y / size) + Math.floor(x / size)) % 2}${sources.has(`${y},${x}`) ? " vw-argmax" : ""}` });
    const maxRegion = window2d(a.pool.values, PW, py, px, n, n);
    const avgRegion = window2d(avg.pool.values, PW, py, px, n, n);
    let maxOk = true;
    let avgOk = true;
    arg.cells.forEach((c, i) => {
      if (c.value !== maxRegion[i]) maxOk = false;
      let s = 0;
      for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) {
        s += region[(Math.floor(i / n) * size + dy) * side + (i % n) * size + dx];
      }
      if (Math.abs(s / (size * size) - avgRegion[i]) > 1e-5) avgOk = false;
    });
    const maxGrid = numGrid(maxRegion, n, n, { digits: 2, label: t("views.pooling.maxLabel") });
    const avgGrid = numGrid(avgRegion, n, n, { digits: 2, label: t("views.pooling.avgLabel") });
    for (const grid of [maxGrid, avgGrid]) {   // one Tab stop per grid; arrow keys move (lib/numgrid.js)
      const show = (ev) => {
        const td = /** @type {HTMLElement} */ (ev.target).closest("td");
        if (!td) return;
        const [y, x] = [Number(td.dataset.r), Number(td.dataset.c)];
        highlight(inGrid, y, x, size, grid === maxGrid ? arg.cells[y * n + x].at : null);
      };
      grid.addEventListener("mouseover", show);
      grid.addEventListener("focusin", show);
      grid.addEventListener("click", show);
    }
    const grids = $("grids");
    keepFocus(grids, () => clear(grids).append(
      el("div", { class: "vw-labelled" }, el("h4", {}, t("views.pooling.regionTitle", { y: y0, x: x0, n: side })), inGrid),
      el("div", { class: "vw-labelled", "data-role": "max-grid" }, el("h4", {}, t("views.pooling.maxTitle")), maxGrid,
        el("p", { class: "vw-check", "data-ok": maxOk }, t(maxOk ? "views.pooling.maxOk" : "views.pooling.maxBad"))),
      el("div", { class: "vw-labelled", "data-role": "avg-grid" }, el("h4", {}, t("views.pooling.avgTitle")), avgGrid,
        el("p", { class: "vw-check", "data-ok": avgOk }, t(avgOk ? "views.pooling.avgOk" : "views.pooling.avgBad")))));
  }

  function highlight(grid, py, px, size, at) {
    grid.querySelectorAll("td").forEach((td) => {
      const y = Number(td.dataset.r);
      const x = Number(td.dataset.c);
      td.classList.toggle("vw-hl", Math.floor(y / size) === py && Math.floor(x / size) === px);
      td.classList.toggle("vw-src", !!at && y === at[0] && x === at[1]);
    });
  }

  function renderShift() {
    const { a, b, k } = st.res;
    const host = clear($("shift"));
    const conv = countChanged(a.conv.values, b.conv.values);
    const pool = countChanged(a.pool.values, b.pool.values);
    const [, , CH, CW] = a.conv.shape;
    const [, , PH, PW] = a.pool.shape;
    const same = (c) => c.total - c.changed;
    const pct = (c) => ((100 * same(c)) / c.total).toFixed(1);
    const shows = k === 0 || same(pool) / pool.total > same(conv) / conv.total;
    host.append(
      el("div", { class: "vw-shift-maps" },
        mapFigure(a.conv.values, CH, CW, t("views.pooling.convBefore")),
        mapFigure(b.conv.values, CH, CW, t("views.pooling.convAfter", { k })),
        mapFigure(a.pool.values, PH, PW, t("views.pooling.poolBefore")),
        mapFigure(b.pool.values, PH, PW, t("views.pooling.poolAfter", { k }))),
      el("ul", { class: "vw-counts" },
        el("li", { "data-role": "conv-count", "data-changed": conv.changed, "data-same": same(conv), "data-total": conv.total },
          t("textbook.pooling.convSame", { same: same(conv), changed: conv.changed, total: conv.total, pct: pct(conv) })),
        el("li", { "data-role": "pool-count", "data-changed": pool.changed, "data-same": same(pool), "data-total": pool.total },
          t("textbook.pooling.poolSamePhoto", { same: same(pool), changed: pool.changed, total: pool.total, pct: pct(pool) }))),
      el("p", { class: "vw-note", "data-role": "shift-verdict", "data-shows": String(shows) },
        t(k === 0 ? "textbook.pooling.noShift" : shows ? "textbook.pooling.shows" : "textbook.pooling.notShown", { k })),
      el("p", { class: "vw-note" }, t("views.pooling.shiftExplain", { k })));
  }

  /** Textbook mode: the slide's note and grids (pooling/textbook.js). */
  function renderBookPanel() {
    const panel = $("book");
    const ex = st.book;
    panel.hidden = !ex;
    if (!ex || !st.bookRes) return;
    $("book-note").textContent = t(`textbook.pooling.note${ex.id === "slide15" ? 15 : 16}`);
    const host = $("book-grids");
    const onEdit = (key, rows) => {
      ex[key] = rows;
      if (key === "a" && ex.b) ex.b = rows.map((row, i) => [ex.b[i][0], ...row.slice(0, -1)]);   // still "shifted by one"
      view.trigger();
    };
    keepFocus(host, () => clear(host).append(...renderBook(ex, st.bookRes, t, onEdit)));
  }

  function render() {
    renderBookPanel();
    if (!st.res) return;
    renderCompare();
    renderShift();
  }

  function fillKernels() {
    const select = $("kernel");
    const current = select.value || getParam("pooling-kernel") || "sobel-x";
    clear(select);
    const list = st.catalogue.length ? st.catalogue : [{ id: "sobel-x", name_en: "Sobel x", name_ja: "Sobel x" }];
    for (const e of list) select.append(el("option", { value: e.id, selected: e.id === current }, localized(e, "name")));
  }

  try { st.catalogue = await kernels(); } catch { st.catalogue = []; }
  fillKernels();   // the catalogue first, so a kernel chosen in the URL exists before the first run
  view.start(["kernel", "size", "ry", "rx"]);
  if (getParam("pooling-ry") || getParam("pooling-rx")) st.userRegion = true;
  $("kernel").addEventListener("change", view.refresh);
  $("size").addEventListener("change", view.refresh);
  ["ry", "rx"].forEach((r) => ["input", "change"].forEach((type) => $(r).addEventListener(type, () => {
    st.userRegion = true;
    if (st.res) renderCompare();
  })));
  root.querySelectorAll("[data-example]").forEach((btn) => btn.addEventListener("click", () => {
    const on = btn.getAttribute("aria-pressed") !== "true";
    root.querySelectorAll("[data-example]").forEach((b) => b.setAttribute("aria-pressed", String(on && b === btn)));
    st.book = on ? bookExample(btn.dataset.example) : null;
    st.bookRes = null;
    renderBookPanel();
    view.trigger();
  }));
  root.querySelectorAll("[data-shift]").forEach((btn) => btn.addEventListener("click", () => {
    st.shift = Number(btn.dataset.shift);
    root.querySelectorAll("[data-shift]").forEach((b) => b.setAttribute("aria-pressed", String(b === btn)));
    view.trigger();
  }));
  view.onImage(() => { st.img = null; st.imgGen += 1; st.userRegion = false; view.trigger(); });
  view.onLanguage(() => { fillKernels(); render(); });
}
