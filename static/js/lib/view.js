// @ts-check
// The boilerplate every teaching view shares: its locale namespace, controls by data-role, the
// URL keys, a busy state and an error line around each run, runs only while on screen, reruns on
// a new image and redraws on a language switch.
import { currentImageBlob, onNewImage } from "./app.js";
import { byRole } from "./dom.js";
import { debounce } from "./events.js";
import { loadNamespace, onLanguageChange, t } from "./i18n.js";
import { bindUrl } from "./url.js";

/**
 * Run fn (async) once the section is on screen and again whenever the returned trigger is called
 * while it is; runs never overlap (a trigger during a run schedules one more run). After each run
 * root.dataset.runs counts the completed runs (tests wait on it).
 * @param {HTMLElement} root @param {() => Promise<void>} fn @returns {() => void}
 */
export function whenVisible(root, fn) {
  let dirty = true;
  let visible = false;
  let running = false;
  let runs = 0;
  const run = async () => {
    if (!visible || !dirty || running) return;
    dirty = false;
    running = true;
    try { await fn(); } finally {
      running = false;
      runs += 1;
      if (!dirty) root.dataset.runs = String(runs);
      run();
    }
  };
  new IntersectionObserver((entries) => {
    visible = entries.some((e) => e.isIntersecting);
    run();
  }).observe(root);
  return () => { dirty = true; run(); };
}

/** Show a busy state on a section after 200 ms of waiting; returns a function that clears it.
 *  @param {HTMLElement} root */
export function busy(root) {
  const timer = setTimeout(() => root.setAttribute("aria-busy", "true"), 200);
  return () => { clearTimeout(timer); root.removeAttribute("aria-busy"); };
}

/**
 * openView(root, id, {compute, delay, onError}) after the "views" locale is loaded. compute() is
 * wrapped: busy state, the [data-role=error] line cleared, an error shown as
 * views.common.apiError, then onError(err). start(urlKeys) applies the URL keys (<id>-<role>)
 * and runs compute whenever the section is visible and triggered. Returns {$, t, track, image(),
 * start, trigger, refresh (debounced trigger), onImage(fn), onLanguage(fn)}; track records the
 * image the last run used.
 * @param {HTMLElement} root @param {string} id
 * @param {{compute: () => Promise<void>, delay?: number, onError?: (err: Error) => void}} opts
 */
export async function openView(root, id, { compute, delay = 250, onError }) {
  try { await loadNamespace("views"); } catch (err) { console.warn("views locale", err); }
  const $ = byRole(root);
  const run = async () => {
    const done = busy(root);
    $("error").textContent = "";
    try {
      await compute();
    } catch (err) {
      const e = /** @type {Error} */ (err);
      $("error").textContent = t("views.common.apiError", { message: e.message });
      onError?.(e);
    } finally {
      done();
    }
  };
  /** @type {{image?: any, waiting?: boolean}} */
  const track = {};
  let trigger = () => {};
  return {
    $, t, track,
    image: () => currentImageBlob(track),
    /** Apply the URL keys, then run when visible (after the view's own setup); → the trigger.
     *  @param {string[]} [urlKeys] */
    start(urlKeys = []) {
      bindUrl(root, id, urlKeys);
      trigger = whenVisible(root, run);
      return trigger;
    },
    trigger: () => trigger(),
    refresh: debounce(() => trigger(), delay),
    /** @param {(img: any) => void} fn */
    onImage: (fn) => onNewImage(fn, track),
    onLanguage: onLanguageChange,
  };
}
