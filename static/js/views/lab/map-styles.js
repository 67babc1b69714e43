// @ts-check
// The lab's map styles: the row's colour-range select (per map / shared / robust, placed above
// the pipeline) and the per-stage look selects (image / false colour) inside the stage cards.
// Kept in the URL: ms = row scale (absent: per map), lk = overrides "stage:look,…".
import { el } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { LOOKS, ROW_SCALES, looksFor } from "./looks.js";

/** createMapStyles(pipelineEl, url, redraw) → {view(stages, setup, category), relabel(), apply(params)}. */
export function createMapStyles(pipelineEl, { getParam, setParams }, redraw) {
  const scaleOf = (v) => (ROW_SCALES.includes(v ?? "") ? String(v) : "map");
  const looksOf = (v) => Object.fromEntries((v ?? "").split(",").map((kv) => kv.split(":"))
    .filter(([k, l]) => k && LOOKS.includes(l)));
  let rowScale = scaleOf(getParam("ms"));
  /** @type {Record<string, string>} */
  let overrides = looksOf(getParam("lk"));

  const label = el("label", { for: "lab-map-scale" });
  const select = el("select", { id: "lab-map-scale" });
  const bar = el("div", { class: "map-scale-bar" }, label, select);
  (pipelineEl.closest(".lab-stage-area") ?? pipelineEl).before(bar);
  function relabel() {
    label.textContent = t("lab.maps.scale");
    select.replaceChildren(...ROW_SCALES.map((k) => new Option(t(`lab.maps.scales.${k}`), k, false, k === rowScale)));
  }
  relabel();

  const save = () => setParams({
    ms: rowScale === "map" ? null : rowScale,
    lk: Object.entries(overrides).map(([k, v]) => `${k}:${v}`).join(",") || null,
  });
  select.addEventListener("change", () => { rowScale = select.value; save(); redraw(); });
  pipelineEl.addEventListener("change", (e) => {
    const target = /** @type {HTMLSelectElement} */ (e.target);
    if (!target.classList?.contains("look-select")) return;
    const stage = String(target.dataset.stage);
    overrides[stage] = target.value;
    save();
    redraw();
    /** @type {HTMLElement | null} */ (pipelineEl.querySelector(`#lab-look-${stage}`))?.focus();
  });

  return {
    relabel,
    /** A followed scene's ms and lk (URLSearchParams) → true when the styles changed. */
    apply(params) {
      const before = `${rowScale}|${JSON.stringify(overrides)}`;
      rowScale = scaleOf(params.get("ms"));
      overrides = looksOf(params.get("lk"));
      relabel();
      return before !== `${rowScale}|${JSON.stringify(overrides)}`;
    },
    /** The pipeline's view for these stages: {looks, auto, rowScale}. */
    view(stages, setup, category) {
      const { looks, auto } = looksFor(stages, setup, category, overrides);
      pipelineEl.dataset.mapScale = rowScale;
      pipelineEl.dataset.looks = Object.entries(looks).map(([k, v]) => `${k}:${v}`).join(",");
      return { looks, auto, rowScale };
    },
  };
}
