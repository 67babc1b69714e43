// @ts-check
// The gallery of a conv layer's learned filters, drawn like the book's visualize_filter
// (each filter scaled to its own min..max, gray_r: the largest weight darkest). Picking one
// calls onPick({index, values: FH×FW of channel 0, bias}); labelFilters relabels on a language switch.

const TILE = 60;  // CSS pixels per tile

function drawFilter(canvas, kernel) {
  const fh = kernel.length, fw = kernel[0].length;
  canvas.width = fw;
  canvas.height = fh;
  const flat = kernel.flat();
  const lo = Math.min(...flat), hi = Math.max(...flat);
  const span = hi - lo || 1;
  const g = canvas.getContext("2d");
  const img = g.createImageData(fw, fh);
  flat.forEach((v, i) => {
    const level = Math.round(255 * (1 - (v - lo) / span));  // gray_r
    img.data.set([level, level, level, 255], i * 4);
  });
  g.putImageData(img, 0, 0);
}

/** Build one button per filter in host; returns nothing (clicks go to onPick). */
export function renderFilters(host, data, t, onPick) {
  const buttons = data.weights.map((filter, index) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "net-filter";
    b.dataset.index = String(index);
    b.dataset.layer = data.layer;
    const c = document.createElement("canvas");
    c.className = "net-pixelated";
    c.style.width = `${TILE}px`;
    c.style.height = `${TILE}px`;
    drawFilter(c, filter[0]);
    const caption = document.createElement("span");
    caption.textContent = `#${index}`;
    b.append(c, caption);
    b.addEventListener("click", () => onPick({ index, values: filter[0], bias: data.bias[index] }));
    const item = document.createElement("div");   // the list's item; a button cannot be one (axe)
    item.setAttribute("role", "listitem");
    item.append(b);
    return item;
  });
  host.replaceChildren(...buttons);
  labelFilters(host, t);
}

/** (Re)write every filter button's aria-label and title in the current language. */
export function labelFilters(host, t) {
  for (const b of host.querySelectorAll("button.net-filter")) {
    const label = t("network.filters.pick", { layer: b.dataset.layer, index: Number(b.dataset.index) });
    b.setAttribute("aria-label", label);
    b.title = label;
  }
}
