// @ts-check
// Where the lab's kernel came from when another view sent it (a learned filter of a model):
// {model, layer, index}, said under the preset and kept in the URL as lo=model:layer:index until
// the kernel is edited (its values then differ from the ones that arrived).
import { t } from "../../lib/i18n.js";

/** createOrigin(desc, url) → {set(origin, values), check(values), relabel(), origin}. */
export function createOrigin(desc, { getParam, setParams }) {
  /** @type {{model: string, layer: string, index: number} | null} */
  let origin = null;
  /** @type {string | null} */
  let key = null;   // the values that arrived, to notice an edit
  const m = /^([\w.-]+):([\w.-]+):(\d+)$/.exec(getParam("lo") ?? "");
  if (m && getParam("k") === "custom") origin = { model: m[1], layer: m[2], index: Number(m[3]) };
  key = origin ? getParam("kv") : null;

  function relabel() {
    if (!origin) { delete desc.dataset.origin; return; }
    desc.dataset.origin = `${origin.model}:${origin.layer}:${origin.index}`;
    desc.textContent = t("lab.filter.learned", origin);
  }
  const save = () => setParams({ lo: origin ? `${origin.model}:${origin.layer}:${origin.index}` : null });
  return {
    get origin() { return origin; },
    relabel,
    /** A kernel arrived from another view (origin null: none). @param {string} kv the URL's kv */
    set(next, kv) { origin = next; key = next ? kv : null; save(); relabel(); },
    /** After a change: an edited kernel (other values) or a preset loses the origin. @param {any} s @param {string} kv */
    check(s, kv) {
      if (origin && (s.kernel !== "custom" || (key !== null && kv !== key))) { origin = null; key = null; save(); }
      relabel();
    },
  };
}
