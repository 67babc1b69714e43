// @ts-check
// The pooling view's textbook mode: slide 15 (2×2 max pooling, stride 2, of the book's 4×4 input,
// with average pooling beside it) and slide 16 (the book's 6×6 input and the same moved right by one
// element, 3×3 max pooling, stride 3). Input cells are editable; every pooled value is the engine's.
import { convolveArray, stage } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { numGrid } from "../../lib/numgrid.js";
import { BOOK_POOL, BOOK_SHIFT, copyRows } from "../../lib/textbook.js";
import { argmaxWindows, countChanged } from "./compare.js";

/** The pooled stage of rows (H, W) through pooling only (a 1×1 identity filter). → {values, shape}
 *  @param {number[][]} rows @param {string} type @param {number} size */
async function pooled(rows, type, size) {
  return stage(await convolveArray(rows, { kernel: [[1]], pool: { type, size, stride: size } }), "pool");
}

/** The book's example `id` ("slide15" | "slide16") with fresh copies of its inputs. @param {string} id */
export function bookExample(id) {
  return id === "slide15" ? { id, size: 2, a: copyRows(BOOK_POOL) }
    : { id, size: BOOK_SHIFT.size, a: copyRows(BOOK_SHIFT.before), b: copyRows(BOOK_SHIFT.after) };
}

/** Pool the example through the API: slide 15 → {max, avg}; slide 16 → {before, after} (max).
 *  @param {{id: string, size: number, a: number[][], b?: number[][]}} ex */
export async function computeBook(ex) {
  if (ex.id === "slide15") {
    const [max, avg] = await Promise.all([pooled(ex.a, "max", 2), pooled(ex.a, "avg", 2)]);
    return { max, avg };
  }
  const [before, after] = await Promise.all([pooled(ex.a, "max", ex.size), pooled(ex.b ?? ex.a, "max", ex.size)]);
  return { before, after };
}

/**
 * The example's grids as elements. onEdit(key, rows) after a committed cell edit (key "a" | "b").
 * @param {any} ex @param {any} res @param {(k: string, v?: object) => string} t
 * @param {(key: string, rows: number[][]) => void} onEdit
 */
export function renderBook(ex, res, t, onEdit) {
  const size = ex.size;
  const label = (name) => (y, x, v) => t("textbook.cell", { grid: name, r: y + 1, c: x + 1, v });
  /** @param {string} key @param {string} name @param {Set<string>} [marks] */
  const input = (key, name, marks) => {
    const rows = ex[key];
    const h = rows.length;
    const w = rows[0].length;
    return numGrid(rows.flat(), h, w, { label: name, cellLabel: label(name),
      cellClass: (y, x) => `vw-win-${(Math.floor(y / size) + Math.floor(x / size)) % 2}${marks?.has(`${y},${x}`) ? " vw-argmax" : ""}`,
      onChange: (vals) => onEdit(key, Array.from({ length: h }, (_, y) => vals.slice(y * w, y * w + w))) });
  };
  /** @param {{values: ArrayLike<number>, shape: number[]}} s @param {string} name */
  const out = (s, name) => numGrid(s.values, s.shape[2], s.shape[3], { label: name, cellLabel: label(name), digits: 2 });
  /** @param {string} role @param {string} title @param {HTMLElement} grid */
  const box = (role, title, grid) => el("div", { class: "vw-labelled", "data-role": role }, el("h4", {}, title), grid);
  if (ex.id === "slide15") {
    const arg = argmaxWindows(ex.a.flat(), 4, 4, 2);
    const marks = new Set(arg.cells.map((c) => `${c.at[0]},${c.at[1]}`));
    return [el("div", { class: "vw-pool-grids" },
      box("book-input", t("textbook.pooling.input15"), input("a", t("textbook.pooling.input15"), marks)),
      box("book-max", t("textbook.pooling.max15"), out(res.max, t("textbook.pooling.max15"))),
      box("book-avg", t("textbook.pooling.avg15"), out(res.avg, t("textbook.pooling.avg15"))))];
  }
  const pool = countChanged(res.before.values, res.after.values);
  const raw = countChanged(ex.a.flat(), (ex.b ?? ex.a).flat());
  const pct = (c) => ((100 * (c.total - c.changed)) / c.total).toFixed(1);
  return [
    el("div", { class: "vw-pool-grids" },
      box("book-before", t("textbook.pooling.before16"), input("a", t("textbook.pooling.before16"))),
      box("book-after", t("textbook.pooling.after16"), input("b", t("textbook.pooling.after16"))),
      box("book-pool-before", t("textbook.pooling.poolBefore16"), out(res.before, t("textbook.pooling.poolBefore16"))),
      box("book-pool-after", t("textbook.pooling.poolAfter16"), out(res.after, t("textbook.pooling.poolAfter16")))),
    el("ul", { class: "vw-counts" },
      el("li", { "data-role": "book-input-same", "data-same": raw.total - raw.changed, "data-total": raw.total },
        t("textbook.pooling.inputSame", { same: raw.total - raw.changed, total: raw.total, pct: pct(raw) })),
      el("li", { "data-role": "book-pool-same", "data-same": pool.total - pool.changed, "data-total": pool.total },
        t("textbook.pooling.poolSame", { same: pool.total - pool.changed, total: pool.total, pct: pct(pool) })))];
}
