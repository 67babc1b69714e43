// The API client: one function per endpoint; errors become ApiError {status, code, field, limit}.
import { getLanguage } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, detail = {}) {
    super(detail.message || `HTTP ${status}`);
    this.status = status;
    this.code = detail.code ?? "http_error";
    this.field = detail.field ?? null;
    this.limit = detail.limit ?? null;
  }
}

/** Retries after 503 + Retry-After (capacity shedding): at most this many, each after
 *  Retry-After seconds (≤ RETRY_MAX_S, else no retry) plus up to 250 ms · attempt of jitter. */
export const RETRIES = 3;
const RETRY_MAX_S = 30;

/** "retry" events: detail {path, attempt, retries, seconds, signal} before each wait. */
export const apiEvents = new EventTarget();

/** Resolves after ms; rejects with an AbortError as soon as signal aborts. */
function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const abort = () => { clearTimeout(id); reject(new DOMException("Aborted", "AbortError")); };
    const id = setTimeout(() => { signal?.removeEventListener("abort", abort); resolve(); }, ms);
    if (signal?.aborted) abort(); else signal?.addEventListener("abort", abort, { once: true });
  });
}

/** Seconds to wait before retrying a shed request, or null (not a 503 / no usable Retry-After). */
function retryAfter(res) {
  if (res.status !== 503) return null;
  const raw = res.headers.get("Retry-After");
  if (raw === null || raw.trim() === "") return null;
  const s = /^\d+$/.test(raw.trim()) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(s) && s <= RETRY_MAX_S ? Math.max(0, s) : null;
}

async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, { code: "network", message: String(err.message || err) });
  }
}

/** fetch() with Accept-Language; 503 + Retry-After → retried (see RETRIES); non-2xx → ApiError
 *  (the API's error shape when present). An abort (a newer request) ends the waits at once. */
export async function request(path, { method = "GET", body, headers = {}, signal, accept } = {}) {
  const h = { "Accept-Language": getLanguage(), ...headers };
  if (accept) h.Accept = accept;
  let res = await send(path, { method, body, headers: h, signal });
  for (let attempt = 1; attempt <= RETRIES; attempt++) {
    const seconds = retryAfter(res);
    if (seconds === null) break;
    apiEvents.dispatchEvent(new CustomEvent("retry",
      { detail: { path, attempt, retries: RETRIES, seconds, signal } }));
    await wait(seconds * 1000 + Math.random() * 250 * attempt, signal);
    res = await send(path, { method, body, headers: h, signal });
  }
  if (!res.ok) {
    let detail = {};
    try { detail = (await res.json()).error ?? {}; } catch { /* not JSON */ }
    throw new ApiError(res.status, detail);
  }
  return res;
}

export const getJson = async (path, opts) => (await request(path, opts)).json();

export const getKernels = (opts) => getJson("/api/kernels", opts);
export const getSamples = (opts) => getJson("/api/samples", opts);
export const sampleUrl = (id) => `/api/samples/${encodeURIComponent(id)}.png`;

/** GET /api/geometry?h=&w=&fh=&fw=&stride=&pad=&dilation= */
export function geometry(params, opts) {
  return getJson(`/api/geometry?${new URLSearchParams(params)}`, opts);
}

/** The multipart body of POST /api/convolve: image file(s) + the spec as JSON. */
export function convolveForm(images, spec) {
  const form = new FormData();
  for (const img of images) form.append("image", img, img.name || "image.png");
  form.append("spec", JSON.stringify(spec));
  return form;
}

/** POST /api/convolve; accept "application/json" → parsed JSON, else the Blob (PNG / NPY). */
export async function convolve(images, spec, { signal, accept = "application/json" } = {}) {
  const res = await request("/api/convolve", {
    method: "POST", body: convolveForm(images, spec), signal, accept,
  });
  return accept === "application/json" ? res.json() : res.blob();
}

/** POST /api/convolve with a JSON body {input, spec} (arrays instead of images). */
export async function convolveArray(input, spec, { signal } = {}) {
  const res = await request("/api/convolve", {
    method: "POST", body: JSON.stringify({ input, spec }), signal,
    headers: { "Content-Type": "application/json" },
  });
  return res.json();
}

/** Decode a stage's values_b64 (little-endian float32, C order) into a Float32Array. */
export function decodeValues(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
