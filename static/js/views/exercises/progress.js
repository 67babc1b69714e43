// @ts-check
// Progress per section, kept in this browser only (localStorage; no accounts): which (kind, seed)
// questions were tried and which were answered right.
const KEY = "convscope.exercises.v1";

/** @returns {{tried: Record<string, string>, solved: Record<string, string>}} */
export function loadProgress() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return { tried: data.tried ?? {}, solved: data.solved ?? {} };
  } catch { return { tried: {}, solved: {} }; }
}

/** Record an attempt at kind:seed of section (right or not). @param {string} kind
 *  @param {number} seed @param {string} section @param {boolean} correct */
export function record(kind, seed, section, correct) {
  const p = loadProgress();
  p.tried[`${kind}:${seed}`] = section;
  if (correct) p.solved[`${kind}:${seed}`] = section;
  try { localStorage.setItem(KEY, JSON.stringify(p)); } catch { /* storage full or denied */ }
}

export function clearProgress() { try { localStorage.removeItem(KEY); } catch { /* denied */ } }

/** {section: {tried, solved}} counts. */
export function countsBySection() {
  const p = loadProgress();
  /** @type {Record<string, {tried: number, solved: number}>} */
  const out = {};
  for (const [field, map] of /** @type {const} */ ([["tried", p.tried], ["solved", p.solved]])) {
    for (const section of Object.values(map)) {
      out[section] ??= { tried: 0, solved: 0 };
      out[section][field] += 1;
    }
  }
  return out;
}
