// Debounced, abortable requests: only the latest one counts; a loading state after 200 ms.

/**
 * createRunner(task, {delay, loadingAfter, onLoading}) → {schedule(), now(), cancel()}.
 * task(signal) runs `delay` ms after the last schedule(); a newer run aborts the older one, and
 * a stale result is never delivered (task must check signal.aborted or let fetch throw).
 */
export function createRunner(task, { delay = 250, loadingAfter = 200, onLoading = () => {} } = {}) {
  let timer = 0, controller = null, seq = 0, loadingTimer = 0;

  async function run() {
    controller?.abort();
    controller = new AbortController();
    const mine = ++seq;
    const { signal } = controller;
    clearTimeout(loadingTimer);
    loadingTimer = setTimeout(() => { if (mine === seq) onLoading(true); }, loadingAfter);
    try {
      await task(signal, () => mine === seq);
    } catch (err) {
      if (err?.name !== "AbortError") throw err;
    } finally {
      if (mine === seq) { clearTimeout(loadingTimer); onLoading(false); }
    }
  }

  return {
    schedule() { clearTimeout(timer); timer = setTimeout(run, delay); },
    now() { clearTimeout(timer); return run(); },
    cancel() { clearTimeout(timer); controller?.abort(); },
  };
}
