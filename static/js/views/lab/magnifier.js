// @ts-check
// A Setosa-style magnifier: a floating lens next to the pointer (or next to the keyboard's pixel)
// with the values of the patch under the kernel, each cell shaded like the input pixel and its
// number written at a readable size; under it the output value. Over an output map it shows the
// inspected pixel's patch (inspector.js); over the input it shows the FH×FW window centred on the
// pixel under the pointer.
import { el } from "../../lib/dom.js";
import { compact } from "../../lib/format.js";

const OFFSET = 18;                // px between the pointer and the lens
const CELL = [30, 52];            // px: a cell's side, [min, max]
const LENS_MAX = 300;             // px: the lens's grid at most this wide

/** createMagnifier(host) → {show(cells, FH, FW, anchor, caption, range), hide(), enabled}.
 *  cells: FH·FW numbers (NaN for outside the image); anchor {x, y} client px; range [lo, hi]. */
export function createMagnifier(host) {
  const lens = el("div", { class: "magnifier", "aria-hidden": "true" });
  lens.hidden = true;
  host.append(lens);
  const api = {
    enabled: true,
    /** @param {number[]} cells @param {number} FH @param {number} FW @param {{x: number, y: number}} anchor
     *  @param {string} caption @param {[number, number]} range */
    show(cells, FH, FW, anchor, caption, range) {
      if (!api.enabled) { lens.hidden = true; return; }
      const side = Math.max(CELL[0], Math.min(CELL[1], Math.floor(LENS_MAX / Math.max(FH, FW))));
      const grid = el("div", { class: "magnifier-grid" });
      grid.style.gridTemplateColumns = `repeat(${FW}, ${side}px)`;
      grid.style.gridAutoRows = `${side}px`;
      const [lo, hi] = range;
      const digits = side >= 44 ? 2 : 1;
      for (const v of cells) {
        const cell = el("span", { class: "magnifier-cell" });
        if (Number.isFinite(v)) {
          const level = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo || 1))));
          cell.style.background = `rgb(${level} ${level} ${level})`;
          cell.style.color = level > 140 ? "#000" : "#fff";
          cell.textContent = compact(v, digits, { big: 1000 });
        } else cell.classList.add("outside");
        grid.append(cell);
      }
      lens.replaceChildren(grid, el("p", { class: "magnifier-caption" }, caption));
      lens.hidden = false;
      const w = lens.offsetWidth, h = lens.offsetHeight;
      let x = anchor.x + OFFSET, y = anchor.y + OFFSET;
      if (x + w > innerWidth - 4) x = Math.max(4, anchor.x - OFFSET - w);
      if (y + h > innerHeight - 4) y = Math.max(4, anchor.y - OFFSET - h);
      lens.style.left = `${x}px`; lens.style.top = `${y}px`;
      lens.dataset.cells = String(cells.length);
    },
    hide() { lens.hidden = true; },
    lens,
  };
  return api;
}

/** The FH×FW window of the padded input centred on (r, c): values, NaN outside.
 *  @param {{C: number, H: number, W: number, values: ArrayLike<number>}} padded */
export function windowAt(padded, r, c, FH, FW, channel = 0) {
  const top = r - Math.floor(FH / 2), left = c - Math.floor(FW / 2);
  const out = [];
  for (let u = 0; u < FH; u++) {
    for (let v = 0; v < FW; v++) {
      const y = top + u, x = left + v;
      out.push(y < 0 || x < 0 || y >= padded.H || x >= padded.W ? NaN
        : Number(padded.values[(channel * padded.H + y) * padded.W + x]));
    }
  }
  return out;
}
