// Adapters between the teaching views and the shared page context (static/js/context.js).
// Kept in one place so the views depend on ctx through a handful of functions only.

/** The interface language: "ja" or "en" (from <html lang>, which the i18n module keeps current). */
export function currentLang() {
  const lang = (document.documentElement.lang || "en").toLowerCase();
  return lang.startsWith("ja") ? "ja" : "en";
}

/** Load the "views" locale namespace (both languages) before the first render. */
export async function ready(ctx) {
  try { await ctx?.i18n?.loadNamespace?.("views"); } catch (err) { console.warn("views locale", err); }
}

/** Translate views.* keys through ctx.t, interpolating {name} placeholders if ctx.t left them. */
export function translator(ctx) {
  return (key, vars = {}) => {
    let s = typeof ctx?.t === "function" ? ctx.t(key, vars) : key;
    if (typeof s !== "string") s = String(s);
    return s.replace(/\{\{?\s*(\w+)\s*\}?\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  };
}

/** Call fn whenever the language changes. */
export function onLanguage(ctx, fn) {
  if (typeof ctx?.onLanguageChange === "function") ctx.onLanguageChange(fn);
  else document.addEventListener("convscope:language", fn);
}

/**
 * Call fn when the current image changes to one this view has not used yet (track.image is set by
 * imageBlob(ctx, track)), so the first image a view waited for does not compute twice.
 */
export function onImage(ctx, fn, track = {}) {
  const handler = (next) => { if (!track.waiting && (!next || next !== track.image)) fn(next); };
  if (typeof ctx?.onImageChange === "function") ctx.onImageChange(handler);
  else document.addEventListener("convscope:image", handler);
}

/** The current image as a Blob. Until the lab has loaded one, wait for it (a sample if no lab). */
export async function imageBlob(ctx, track = {}) {
  let im = ctx?.image ?? null;
  if (!im && document.querySelector('section[data-view="lab"]') && typeof ctx?.onImageChange === "function") {
    track.waiting = true;
    im = await new Promise((resolve) => {
      const off = ctx.onImageChange((next) => { if (typeof off === "function") off(); resolve(next); });
    });
    track.waiting = false;
  }
  track.image = im;
  if (im instanceof Blob) return im;
  if (im?.blob instanceof Blob) return im.blob;
  const url = typeof im === "string" ? im : im?.url || `/api/samples/${encodeURIComponent(im?.sample || "shapes")}.png`;
  const res = await fetch(url);
  return res.blob();
}

/**
 * Run fn (async) once the section is on screen and again whenever the returned trigger is called
 * while it is; runs never overlap (a trigger during a run schedules one more run). After each run
 * root.dataset.runs counts the completed runs (tests wait on it).
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

/** Debounce: the last call wins after `ms` milliseconds (keeps the server from being flooded). */
export function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Show a busy state on a section after 200 ms of waiting; returns a function that clears it. */
export function busy(root) {
  const timer = setTimeout(() => root.setAttribute("aria-busy", "true"), 200);
  return () => { clearTimeout(timer); root.removeAttribute("aria-busy"); };
}

/**
 * Keep a view's controls in the shareable URL as "<view>-<role>" keys (only values that differ from
 * the page's defaults). Call before the first computation: values from the URL are applied first.
 */
export function bindUrl(ctx, root, view, roles) {
  if (!ctx?.url) return;
  for (const role of roles) {
    const input = root.querySelector(`[data-role="${role}"]`);
    if (!input) continue;
    const key = `${view}-${role}`;
    const initial = input.value;
    const fromUrl = ctx.url.get(key);
    if (fromUrl !== null && fromUrl !== undefined) {
      input.value = fromUrl;
      if (input.value !== fromUrl) input.value = initial;   // not a valid option: keep the default
    }
    input.addEventListener("change", () => ctx.url.set({ [key]: input.value === initial ? null : input.value }));
  }
}
