// @ts-check
// The gallery of a conv layer's learned filters, drawn like the book's visualize_filter
// (each filter scaled to its own min..max, gray_r: the largest weight darkest). A colour filter
// (C = 3) shows its R, G, B kernels and bias beside the colour composite (slides 11–13).
// Picking one calls onPick({index, values: FH×FW of channel 0, bias, filter: (C, FH, FW)});
// labelFilters relabels on a language switch.
import { drawChannel, drawKernel } from "./filter-tiles.js";

const TILE = 60;  // CSS pixels per tile
const SMALL = 30;  // per-channel tiles of a colour filter
const CH = ["R", "G", "B"];

function canvas(px) {
  const c = document.createElement("canvas");
  c.className = "net-pixelated";
  c.style.width = `${px}px`;
  c.style.height = `${px}px`;
  return c;
}

/** Build one button per filter in host; returns nothing (clicks go to onPick). */
export function renderFilters(host, data, t, onPick) {
  const buttons = data.weights.map((filter, index) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "net-filter";
    b.dataset.index = String(index);
    b.dataset.layer = data.layer;
    const c = canvas(TILE);
    drawKernel(c, filter);
    b.append(c);
    const extra = [];
    if (filter.length === 3) {
      b.classList.add("net-filter-rgb");
      const row = document.createElement("span");
      row.className = "net-filter-channels";
      filter.forEach((k, ch) => {
        const fig = document.createElement("span");
        const small = canvas(SMALL);
        drawChannel(small, k);
        fig.append(small, CH[ch]);
        row.append(fig);
      });
      const bias = document.createElement("span");
      bias.className = "net-filter-bias";
      bias.textContent = `b ${data.bias[index].toFixed(3)}`;
      row.append(bias);
      extra.push(row);  // beside the button, not in it: its label is the words, not "R G B b …"
    }
    const caption = document.createElement("span");
    caption.textContent = `#${index}`;
    b.append(caption);
    b.addEventListener("click", () => onPick({ index, values: filter[0], bias: data.bias[index], filter }));
    const item = document.createElement("div");   // the list's item; a button cannot be one (axe)
    item.setAttribute("role", "listitem");
    item.className = "net-filter-item";
    item.append(b, ...extra);
    return item;
  });
  host.replaceChildren(...buttons);
  labelFilters(host, t);
}

/** (Re)write every filter button's aria-label and title in the current language. */
export function labelFilters(host, t) {
  for (const b of host.querySelectorAll("button.net-filter")) {
    const key = b.classList.contains("net-filter-rgb") ? "network.filters.pickRgb" : "network.filters.pick";
    const label = t(key, { layer: b.dataset.layer, index: Number(b.dataset.index) });
    b.setAttribute("aria-label", label);
    b.title = label;
  }
}
