// A tiny event emitter: on(name, fn) returns an unsubscribe function; emit(name, value).
export function createEmitter() {
  const handlers = new Map();
  return {
    on(name, fn) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name).add(fn);
      return () => handlers.get(name).delete(fn);
    },
    emit(name, value) {
      for (const fn of handlers.get(name) ?? []) {
        try { fn(value); } catch (err) { console.error(err); }
      }
    },
  };
}

// debounce(fn, ms): call fn once, ms after the last call.
export function debounce(fn, ms) {
  let timer = 0;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}
