// @ts-check
// The lab's display choices, in the bar above the maps and in the URL:
//   ws  working size: the long side, in pixels, an image is resized to before the convolution
//       (128 | 256 | 512 | 1024; absent: DEFAULT_SIZE);
//   lay layout: focus (absent, the default) | row (layout.js);
//   fo  the output drawn large in the focus layout: conv (absent) | relu | pool;
//   mag the magnifier: on (absent) | off.
import { el } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { FOCUSABLE, LAYOUTS } from "./layout.js";

export const SIZES = [128, 256, 512, 1024];
/** 256 px: drawn ≥ 320 CSS px wide on a 1280×720 projector, so a map pixel is ≥ 1.25 screen px
 *  (crisp, never blurred by shrinking), and a change stays fast (issue 11, points 2 and 5). */
export const DEFAULT_SIZE = 256;

/** createDisplay(bar, sizeHost, url, onChange) → {size, layout, focus, magnifier, relabel(), apply(params)};
 *  the working size goes in sizeHost (the image's group), the rest in the bar above the maps.
 *  onChange(what) after a user's choice: "size" needs a new computation, the others a redraw. */
export function createDisplay(bar, sizeHost, { getParam, setParams }, onChange) {
  /** The display state from URL keys (get: a key's value or null). */
  const read = (get) => {
    const fromUrl = (key, allowed, fallback) => {
      const v = get(key);
      return allowed.map(String).includes(v ?? "") ? v : fallback;
    };
    return {
      size: Number(fromUrl("ws", SIZES, String(DEFAULT_SIZE))),
      layout: String(fromUrl("lay", LAYOUTS, "focus")),
      focus: String(fromUrl("fo", FOCUSABLE, "conv")),
      magnifier: get("mag") !== "off",
    };
  };
  const state = read(getParam);
  const size = el("select", { id: "lab-size" });
  const layout = el("select", { id: "lab-layout" });
  const focus = el("select", { id: "lab-focus" });
  const mag = el("input", { type: "checkbox", id: "lab-magnifier" });
  mag.checked = state.magnifier;
  const labels = {
    size: el("label", { for: "lab-size" }), layout: el("label", { for: "lab-layout" }),
    focus: el("label", { for: "lab-focus" }), mag: el("label", { for: "lab-magnifier" }),
  };
  const focusPair = el("span", { class: "pair focus-pair" }, labels.focus, focus);
  const sizeRow = el("div", { class: "row" }, labels.size, size);
  const colourRow = sizeHost.querySelector(".segmented")?.closest(".row");
  if (colourRow) colourRow.after(sizeRow); else sizeHost.append(sizeRow);
  bar.append(
    el("span", { class: "pair" }, labels.layout, layout),
    focusPair,
    el("span", { class: "pair" }, mag, labels.mag));

  function relabel() {
    labels.size.textContent = t("lab.view.size");
    labels.layout.textContent = t("lab.view.layout");
    labels.focus.textContent = t("lab.view.focus");
    labels.mag.textContent = t("lab.view.magnifier");
    size.replaceChildren(...SIZES.map((n) => new Option(t("lab.view.sizeOption", { n }), String(n), false, n === state.size)));
    layout.replaceChildren(...LAYOUTS.map((k) => new Option(t(`lab.view.layouts.${k}`), k, false, k === state.layout)));
    focus.replaceChildren(...FOCUSABLE.map((k) => new Option(t(`lab.stages.${k}`), k, false, k === state.focus)));
    focusPair.hidden = state.layout !== "focus";
    bar.dataset.size = String(state.size);
  }
  relabel();

  const save = () => setParams({
    ws: state.size === DEFAULT_SIZE ? null : state.size, lay: state.layout === "focus" ? null : state.layout,
    fo: state.focus === "conv" ? null : state.focus, mag: state.magnifier ? null : "off",
  });
  size.addEventListener("change", () => { state.size = Number(size.value); save(); relabel(); onChange("size"); });
  layout.addEventListener("change", () => { state.layout = layout.value; save(); relabel(); onChange("layout"); });
  focus.addEventListener("change", () => { state.focus = focus.value; save(); onChange("focus"); });
  mag.addEventListener("change", () => { state.magnifier = mag.checked; save(); onChange("magnifier"); });
  save();
  /** A followed scene's keys (URLSearchParams) → what changed: "size" (recompute), "view"
   *  (redraw) or null. */
  function apply(params) {
    const next = read((k) => params.get(k));
    const what = next.size !== state.size ? "size"
      : Object.keys(next).some((k) => next[k] !== state[k]) ? "view" : null;
    Object.assign(state, next);
    mag.checked = state.magnifier;
    relabel();
    save();
    return what;
  }
  return Object.assign(state, { relabel, apply });
}
