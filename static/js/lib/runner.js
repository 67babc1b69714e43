// @ts-check
// Debounced, abortable requests: only the latest one counts; a loading state after 200 ms; while
// the API client waits to retry a shed request (503 + Retry-After) the loading badge says so.
import { apiEvents } from "./api.js";
import { all } from "./dom.js";
import { t } from "./i18n.js";

const BUSY_KEY = "common.busy.retrying";

/** The default onBusy: every `.loading-badge` reads "Server busy, retrying…" (on) or its own
 *  text again (off); data-i18n follows, so a language switch keeps the right text. */
export function showBusyBadge(/** @type {boolean} */ on) {
  for (const badge of all(".loading-badge")) {
    if (on && !badge.dataset.busy) {
      badge.dataset.busy = "true";
      badge.dataset.i18nIdle = badge.dataset.i18n ?? "";
      badge.dataset.i18n = BUSY_KEY;
      badge.textContent = t(BUSY_KEY);
    } else if (!on && badge.dataset.busy) {
      delete badge.dataset.busy;
      badge.dataset.i18n = badge.dataset.i18nIdle;
      delete badge.dataset.i18nIdle;
      if (badge.dataset.i18n) badge.textContent = t(badge.dataset.i18n);
    }
  }
}

/**
 * createRunner(task, {delay, loadingAfter, onLoading, onBusy}) → {schedule(), now(), cancel()}.
 * task(signal) runs `delay` ms after the last schedule(); a newer run aborts the older one, and
 * a stale result is never delivered (task must check signal.aborted or let fetch throw).
 * onBusy(true) when a request of the current run is about to be retried (the loading state is
 * shown at once), onBusy(false) when the run ends.
 * @param {(signal: AbortSignal, current: () => boolean) => Promise<void>} task
 * @param {{delay?: number, loadingAfter?: number, onLoading?: (on: boolean) => void,
 *   onBusy?: (on: boolean, detail?: object) => void}} [opts]
 */
export function createRunner(task, { delay = 250, loadingAfter = 200, onLoading = () => {},
  onBusy = showBusyBadge } = {}) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let loadingTimer;
  /** @type {AbortController | null} */
  let controller = null;
  let seq = 0;

  async function run() {
    controller?.abort();
    controller = new AbortController();
    const mine = ++seq;
    const { signal } = controller;
    const onRetry = (/** @type {any} */ e) => {
      if (e.detail.signal !== signal || mine !== seq) return;
      clearTimeout(loadingTimer);
      onLoading(true);
      onBusy(true, e.detail);
    };
    apiEvents.addEventListener("retry", onRetry);
    onBusy(false);   // a superseded run may have left the badge saying "busy"
    clearTimeout(loadingTimer);
    loadingTimer = setTimeout(() => { if (mine === seq) onLoading(true); }, loadingAfter);
    try {
      await task(signal, () => mine === seq);
    } catch (err) {
      if (/** @type {Error} */ (err)?.name !== "AbortError") throw err;
    } finally {
      apiEvents.removeEventListener("retry", onRetry);
      if (mine === seq) { clearTimeout(loadingTimer); onBusy(false); onLoading(false); }
    }
  }

  return {
    schedule() { clearTimeout(timer); timer = setTimeout(run, delay); },
    now() { clearTimeout(timer); return run(); },
    cancel() { clearTimeout(timer); controller?.abort(); },
  };
}
