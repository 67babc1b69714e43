// @ts-check
// URL state: the query string holds the whole setup so a shared link restores it.
import { onSceneApply } from "./scene.js";

/** @param {string} key */
export function getParam(key) { return new URLSearchParams(location.search).get(key); }

/** Merge {key: value} into the query string (null/undefined/"" removes a key); replaceState.
 *  @param {Record<string, unknown>} values */
export function setParams(values) {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === null || v === undefined || v === "") params.delete(k);
    else params.set(k, String(v));
  }
  const query = params.toString();
  const url = `${location.pathname}${query ? `?${query}` : ""}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) {
    history.replaceState(history.state, "", url);
  }
}

/**
 * Keep a view's controls in the shareable URL as "<view>-<role>" keys (only values that differ from
 * the page's defaults). Call before the first computation: values from the URL are applied first.
 * @param {ParentNode} root @param {string} view @param {string[]} roles
 */
export function bindUrl(root, view, roles) {
  for (const role of roles) {
    /** @type {HTMLInputElement | HTMLSelectElement | null} */
    const input = root.querySelector(`[data-role="${role}"]`);
    if (!input) continue;
    const key = `${view}-${role}`;
    const initial = input.value;
    const fromUrl = getParam(key);
    if (fromUrl !== null) {
      input.value = fromUrl;
      if (input.value !== fromUrl) input.value = initial;   // not a valid option: keep the default
    }
    input.addEventListener("change", () => setParams({ [key]: input.value === initial ? null : input.value }));
    onSceneApply({   // a followed scene (lib/scene.js): the value, as if the user had chosen it
      owns: (k) => k === key,
      apply(params) {
        const before = input.value;
        input.value = params.get(key) ?? initial;
        if (input.value !== (params.get(key) ?? initial)) input.value = initial;
        if (input.value === before) return;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      },
    });
  }
}
