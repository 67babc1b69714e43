// @ts-check
// A tiny event emitter and debounce.

/** createEmitter() → {on(name, fn) → unsubscribe, emit(name, value)}; a throwing handler is
 *  logged and does not stop the others. */
export function createEmitter() {
  /** @type {Map<string, Set<(value: any) => void>>} */
  const handlers = new Map();
  return {
    /** @param {string} name @param {(value: any) => void} fn */
    on(name, fn) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)?.add(fn);
      return () => handlers.get(name)?.delete(fn);
    },
    /** @param {string} name @param {unknown} [value] */
    emit(name, value) {
      for (const fn of handlers.get(name) ?? []) {
        try { fn(value); } catch (err) { console.error(err); }
      }
    },
  };
}

/**
 * debounce(fn, ms): call fn once, ms after the last call (the last call's arguments win);
 * .cancel() drops a pending call.
 * @template {unknown[]} A @param {(...args: A) => void} fn @param {number} [ms]
 */
export function debounce(fn, ms = 250) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @param {A} args */
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/**
 * throttled(task, gap): a caller for an async task that runs it at once, never two at a time,
 * and at most once per `gap` ms after the previous run ended; calls meanwhile fold into one more
 * run (so the last call is always followed by a run). For live counts during a burst.
 * @param {() => Promise<void>} task @param {number} [gap]
 */
export function throttled(task, gap = 150) {
  let due = false;
  let busy = false;
  const pump = async () => {
    busy = true;
    while (due) {
      due = false;
      try { await task(); } catch (err) { console.error(err); }
      if (due) await new Promise((resolve) => setTimeout(resolve, gap));
    }
    busy = false;
  };
  return () => { due = true; if (!busy) pump(); };
}

/** @type {WeakMap<EventTarget, Map<string, AbortController>>} */
const OWNED = new WeakMap();

/** The listeners `owner` keeps on `target`, replaced as a set: each call drops the ones the last
 *  call for the same target and owner added, and returns on(type, fn, options) to add anew (an
 *  element kept between renders is wired again with fresh closures, never twice).
 *  @param {EventTarget} target @param {string} owner */
export function rewire(target, owner) {
  const mine = OWNED.get(target) ?? new Map();
  OWNED.set(target, mine);
  mine.get(owner)?.abort();
  const ctl = new AbortController();
  mine.set(owner, ctl);
  return (/** @type {string} */ type, /** @type {(e: any) => void} */ fn,
    /** @type {AddEventListenerOptions | boolean} */ options = {}) => target.addEventListener(type, fn,
    { ...(typeof options === "boolean" ? { capture: options } : options), signal: ctl.signal });
}
