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
