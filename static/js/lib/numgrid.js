// @ts-check
// An editable grid of numbers (WAI-ARIA grid pattern): role=grid, ONE Tab stop per grid (roving
// tabindex), arrow keys / Home / End move, typing a digit, "-" or "." (or Enter / F2) edits the
// cell in place, Enter or leaving the cell commits, Escape cancels. Every cell carries data-r,
// data-c, data-v and an aria-label naming its row and column, so tests and screen readers agree.
import { el } from "./dom.js";
import { fixed } from "./format.js";

/**
 * @typedef {{
 *   digits?: number, label?: string,
 *   cellLabel?: (y: number, x: number, v: number) => string,
 *   cellClass?: (y: number, x: number) => string | null,
 *   editable?: (y: number, x: number) => boolean,
 *   onChange?: (values: number[], y: number, x: number) => void,
 * }} NumGridOpts
 */

const START_KEYS = /^[-+0-9.,]$/;

/**
 * numGrid(values, h, w, opts) → <table role=grid> of h × w numbers (row-major values).
 * opts.editable(y, x) (default: every cell when onChange is given) marks editable cells;
 * onChange(values, y, x) gets a fresh copy after each committed edit.
 * @param {ArrayLike<number>} values @param {number} h @param {number} w @param {NumGridOpts} [opts]
 * @returns {HTMLTableElement}
 */
export function numGrid(values, h, w, opts = {}) {
  const { digits = 0, label, cellLabel, cellClass, onChange } = opts;
  const canEdit = opts.editable ?? (() => !!onChange);
  const vals = Array.from(values);
  const table = el("table", { class: "vw-grid vw-numgrid", role: "grid", "aria-label": label });
  const body = el("tbody");
  /** @type {HTMLTableCellElement[]} */
  const cells = [];
  for (let y = 0; y < h; y++) {
    const tr = el("tr", { role: "row" });
    for (let x = 0; x < w; x++) {
      const td = el("td", { role: "gridcell", tabindex: -1, "data-r": y, "data-c": x,
        class: cellClass ? cellClass(y, x) : null, "aria-readonly": canEdit(y, x) ? null : "true" });
      cells.push(td);
      show(td, vals[y * w + x]);
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(body);
  if (cells.length) cells[0].tabIndex = 0;

  /** @param {HTMLTableCellElement} td @param {number} v */
  function show(td, v) {
    const y = Number(td.dataset.r);
    const x = Number(td.dataset.c);
    td.dataset.v = String(v);
    td.textContent = fixed(v, Number.isInteger(v) ? 0 : Math.max(digits, 2));
    td.setAttribute("aria-label", cellLabel ? cellLabel(y, x, v) : `${y + 1}, ${x + 1}: ${td.textContent}`);
  }

  /** Move the single Tab stop to cell (y, x) and focus it. @param {number} y @param {number} x */
  function moveTo(y, x) {
    const i = Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x));
    cells.forEach((c, j) => { c.tabIndex = j === i ? 0 : -1; });
    cells[i].focus();
  }

  /** @param {HTMLTableCellElement} td @param {string} initial */
  function edit(td, initial) {
    const y = Number(td.dataset.r);
    const x = Number(td.dataset.c);
    if (!canEdit(y, x) || td.querySelector("input")) return;
    const old = td.textContent ?? "";
    const input = el("input", { type: "text", inputmode: "decimal", class: "vw-cell-input",
      "aria-label": td.getAttribute("aria-label"), value: initial });
    td.textContent = "";
    td.append(input);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    let done = false;
    /** @param {boolean} keep */
    const finish = (keep) => {
      if (done) return;
      done = true;
      const v = Number(input.value.replace(",", ".").replace("−", "-"));
      input.remove();
      if (keep && input.value.trim() !== "" && Number.isFinite(v)) {
        vals[y * w + x] = v;
        show(td, v);
        onChange?.(vals.slice(), y, x);
      } else {
        td.textContent = old;
      }
    };
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        finish(ev.key === "Enter");
        moveTo(y, x);
      }
    });
    input.addEventListener("blur", () => finish(true));
  }

  table.addEventListener("keydown", (ev) => {
    const td = /** @type {HTMLElement} */ (ev.target).closest("td");
    if (!td || ev.target !== td || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const y = Number(td.dataset.r);
    const x = Number(td.dataset.c);
    /** @type {Record<string, [number, number]>} */
    const moves = { ArrowUp: [y - 1, x], ArrowDown: [y + 1, x], ArrowLeft: [y, x - 1],
      ArrowRight: [y, x + 1], Home: [y, 0], End: [y, w - 1] };
    if (moves[ev.key]) {
      ev.preventDefault();
      moveTo(...moves[ev.key]);
    } else if (ev.key === "Enter" || ev.key === "F2") {
      ev.preventDefault();
      edit(/** @type {HTMLTableCellElement} */ (td), td.dataset.v ?? "");
    } else if (START_KEYS.test(ev.key)) {
      ev.preventDefault();
      edit(/** @type {HTMLTableCellElement} */ (td), ev.key === "+" ? "" : ev.key);
    }
  });
  table.addEventListener("dblclick", (ev) => {
    const td = /** @type {HTMLElement} */ (ev.target).closest("td");
    if (td) edit(/** @type {HTMLTableCellElement} */ (td), td.dataset.v ?? "");
  });
  table.addEventListener("click", (ev) => {
    const td = /** @type {HTMLElement} */ (ev.target).closest("td");
    if (td && !td.querySelector("input")) moveTo(Number(td.dataset.r), Number(td.dataset.c));
  });
  return /** @type {HTMLTableElement} */ (table);
}

/**
 * Run render() (which rebuilds grids inside host) and, when a grid cell under host had the focus,
 * focus the cell at the same row and column of the grid with the same aria-label again.
 * @param {HTMLElement} host @param {() => void} render
 */
export function keepFocus(host, render) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const td = active && host.contains(active) ? active.closest("td[role=gridcell]") : null;
  const name = td?.closest("[role=grid]")?.getAttribute("aria-label");
  const at = td ? [td.getAttribute("data-r"), td.getAttribute("data-c")] : null;
  render();
  if (!at || !name) return;
  const grid = [...host.querySelectorAll("[role=grid]")].find((g) => g.getAttribute("aria-label") === name);
  const cell = /** @type {HTMLElement | null | undefined} */ (grid?.querySelector(`td[data-r="${at[0]}"][data-c="${at[1]}"]`));
  if (!grid || !cell) return;
  grid.querySelectorAll("td").forEach((c) => { c.tabIndex = c === cell ? 0 : -1; });
  cell.focus();
}
