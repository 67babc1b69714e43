// @ts-check
// Applying a scene in place (the classroom's "follow the teacher"): a scene is the page's query
// string (URL state), the tab and an image ref. Each view registers an "apply state" entry point
// for the URL keys it owns (onSceneApply); applyScene() puts the scene's query in the URL (no
// reload), calls the appliers whose keys changed, then shows the scene's tab. A key no applier
// owns cannot be applied in place: applyScene() then returns false and the caller reloads.

/** @typedef {{owns: (key: string) => boolean,
 *   apply: (params: URLSearchParams, changed: string[], scene: Scene) => unknown}} Applier */
/** @typedef {{query: string, view?: string, image_ref?: string | null}} Scene */

/** Keys the router itself owns: the tab. */
const ROUTER_KEYS = ["view"];
/** Query keys that are the viewer's own, never sent or applied with a scene. */
export const OWN_KEYS = ["lang", "join", "teach"];

/** @type {Applier[]} */
const appliers = [];
/** @type {(id: string) => void} */
let showView = () => {};
/** @type {() => void} */
let mounted = () => {};
const ready = new Promise((resolve) => { mounted = () => resolve(undefined); });

/** A view's "apply state" entry point: owns(key) says which URL keys it reads; apply(params,
 *  changed, scene) sets its controls from them (absent keys: defaults) and recomputes; changed
 *  lists the keys that differ from before. → unregister.
 *  @param {Applier} applier */
export function onSceneApply(applier) {
  appliers.push(applier);
  return () => { appliers.splice(appliers.indexOf(applier), 1); };
}

/** main.js: how to show a tab, and that every view has mounted (scenes wait for it).
 *  @param {(id: string) => void} show */
export function sceneRouterReady(show) { showView = show; mounted(); }

/** The keys whose values differ between two queries. @param {string} a @param {string} b */
export function changedKeys(a, b) {
  const pa = new URLSearchParams(a), pb = new URLSearchParams(b);
  const keys = new Set([...pa.keys(), ...pb.keys()]);
  return [...keys].filter((k) => pa.getAll(k).join("\n") !== pb.getAll(k).join("\n"));
}

/** The query string without the viewer's own keys, sorted: what a scene carries.
 *  @param {string} search */
export function sceneQuery(search) {
  const params = new URLSearchParams(search);
  for (const k of OWN_KEYS) params.delete(k);
  params.sort();
  return params.toString();
}

/** @type {Promise<boolean>} */
let queue = Promise.resolve(true);

/** Apply a scene in place (queued: one at a time, after the views mounted; each compared with
 *  the URL as the previous one left it). Resolves true when done, false when a changed key has
 *  no applier or the router failed (nothing was changed: reload instead). @param {Scene} scene */
export function applyScene(scene) {
  queue = queue.then(() => ready).then(() => applyNow(scene))
    .catch((err) => { console.warn("scene", err); return false; });
  return queue;
}

/** @param {Scene} scene */
async function applyNow(scene) {
  const here = sceneQuery(location.search);
  const changed = changedKeys(here, scene.query).filter((k) => !ROUTER_KEYS.includes(k));
  if (changed.some((k) => !appliers.some((a) => a.owns(k)))) return false;
  const params = new URLSearchParams(scene.query);
  const own = new URLSearchParams(location.search);
  for (const k of OWN_KEYS) if (own.has(k)) params.set(k, String(own.get(k)));
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  const imageChanged = Boolean(scene.image_ref) && !params.has("img");
  const due = appliers.filter((a) => changed.some((k) => a.owns(k)) || (imageChanged && a.owns("img")));
  await Promise.all(due.map(async (a) => {
    try { await a.apply(params, changed, scene); } catch (err) { console.warn("scene apply", err); }
  }));
  showView(scene.view ?? params.get("view") ?? "lab");
  return true;
}
