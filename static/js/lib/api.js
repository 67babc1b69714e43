// @ts-check
// The one way to reach the API: request() (Accept-Language, abort, 503 + Retry-After retries,
// errors as ApiError {status, code, field, limit}) and one function per endpoint on top of it.
import { getLanguage } from "./i18n.js";

/** @typedef {{name: string, shape: number[], min: number, max: number, values_b64?: string}} Stage */
/** @typedef {Stage & {values: Float32Array}} DecodedStage */
/** @typedef {{signal?: AbortSignal}} Opts */

export class ApiError extends Error {
  /** @param {number} status @param {{message?: string, code?: string, field?: string, limit?: unknown}} detail */
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

/** Resolves after ms; rejects with an AbortError as soon as signal aborts.
 *  @param {number} ms @param {AbortSignal | undefined} signal @returns {Promise<void>} */
function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const abort = () => { clearTimeout(id); reject(new DOMException("Aborted", "AbortError")); };
    const id = setTimeout(() => { signal?.removeEventListener("abort", abort); resolve(); }, ms);
    if (signal?.aborted) abort(); else signal?.addEventListener("abort", abort, { once: true });
  });
}

/** Seconds to wait before retrying a shed request, or null (not a 503 / no usable Retry-After).
 *  @param {Response} res */
function retryAfter(res) {
  if (res.status !== 503) return null;
  const raw = res.headers.get("Retry-After");
  if (raw === null || raw.trim() === "") return null;
  const s = /^\d+$/.test(raw.trim()) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  return Number.isFinite(s) && s <= RETRY_MAX_S ? Math.max(0, s) : null;
}

/** @param {string} path @param {RequestInit} init */
async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (err) {
    const e = /** @type {Error} */ (err);
    if (e.name === "AbortError") throw err;
    throw new ApiError(0, { code: "network", message: String(e.message || e) });
  }
}

/**
 * fetch() with Accept-Language; 503 + Retry-After → retried (see RETRIES); non-2xx → ApiError
 * (the API's error shape when present). An abort (a newer request) ends the waits at once.
 * @param {string} path
 * @param {{method?: string, body?: BodyInit, headers?: Record<string, string>,
 *   signal?: AbortSignal, accept?: string}} [opts]
 */
export async function request(path, { method = "GET", body, headers = {}, signal, accept } = {}) {
  /** @type {Record<string, string>} */
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

/** GET a JSON resource. @param {string} path @param {Opts} [opts] @returns {Promise<any>} */
export const getJson = async (path, opts) => (await request(path, opts)).json();

/** @type {Promise<any[]> | null} */
let catalogue = null;
/** GET /api/kernels, once per page: [{id, category, name_en, name_ja, weights, params, ...}]. */
export function kernels() {
  if (!catalogue) {
    catalogue = getJson("/api/kernels").then((body) => (Array.isArray(body) ? body : body.kernels || []));
    catalogue.catch(() => { catalogue = null; });
  }
  return catalogue;
}

/** The weights of a catalogue entry (FH, FW) as nested lists, whatever the field is called.
 *  @param {any} entry @returns {number[][]} */
export function kernelWeights(entry) {
  return entry.weights || entry.default_weights || entry.kernel || entry.values || null;
}

/** GET /api/samples → [{id, name_en, name_ja, ...}]. @param {Opts} [opts] @returns {Promise<any[]>} */
export async function getSamples(opts) {
  const body = await getJson("/api/samples", opts);
  const list = Array.isArray(body) ? body : body.samples ?? [];
  return list.map((/** @type {any} */ s) => (typeof s === "string" ? { id: s } : s));
}

/** A sample image as a Blob. @param {string} id @param {Opts} [opts] */
export async function sampleBlob(id, opts) {
  return (await request(`/api/samples/${encodeURIComponent(id)}.png`, opts)).blob();
}

/** GET /api/geometry?h=&w=&fh=&fw=&stride=&pad=&dilation=
 *  @param {Record<string, number>} params @param {Opts} [opts] */
export function geometry(params, opts) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return getJson(`/api/geometry?${query}`, opts);
}

/** The multipart body of POST /api/convolve: image file(s) + the spec as JSON.
 *  @param {Blob[]} images @param {object} spec */
function convolveForm(images, spec) {
  const form = new FormData();
  for (const img of images) form.append("image", img, /** @type {File} */ (img).name || "image.png");
  form.append("spec", JSON.stringify(spec));
  return form;
}

/** POST /api/convolve, one `image` part per blob (several make a batch N); values included unless
 *  the spec says otherwise. accept "application/json" → parsed JSON, else the Blob (PNG / NPY).
 *  @param {Blob[]} images @param {object} spec @param {Opts & {accept?: string}} [opts]
 *  @returns {Promise<any>} */
export async function convolve(images, spec, { signal, accept = "application/json" } = {}) {
  const res = await request("/api/convolve", {
    method: "POST", body: convolveForm(images, { include_values: true, ...spec }), signal, accept,
  });
  return accept === "application/json" ? res.json() : res.blob();
}

/** POST /api/convolve for an image the server keeps (the `image_ref` of an earlier answer): no
 *  file sent. A 410 ApiError (code image_ref_unknown) when it has been evicted: upload it again.
 *  @param {string} ref @param {object} spec @param {Opts} [opts] @returns {Promise<any>} */
export async function convolveRef(ref, spec, { signal } = {}) {
  const form = new FormData();
  form.append("image_ref", ref);
  form.append("spec", JSON.stringify({ include_values: true, ...spec }));
  const res = await request("/api/convolve", { method: "POST", body: form, signal, accept: "application/json" });
  return res.json();
}

/** POST /api/convolve with a JSON body {input, spec}: input (H, W), (C, H, W) or (N, C, H, W)
 *  nested lists; values included. @param {unknown} input @param {object} spec @param {Opts} [opts]
 *  @returns {Promise<any>} */
export async function convolveArray(input, spec, { signal } = {}) {
  const res = await request("/api/convolve", {
    method: "POST", body: JSON.stringify({ input, spec: { include_values: true, ...spec } }), signal,
    headers: { "Content-Type": "application/json" },
  });
  return res.json();
}

/** Decode a stage's values_b64 (little-endian float32, C order) into a Float32Array.
 *  @param {string} b64 */
export function decodeValues(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The named stage of a convolve response with its decoded values (include_values), or null.
 *  @param {{stages?: Stage[]}} resp @param {string} name @returns {any} */
export function stage(resp, name) {
  const s = (resp.stages || []).find((st) => st.name === name);
  if (!s) return null;
  return { ...s, values: s.values_b64 ? decodeValues(s.values_b64) : null };
}

// --- learned models ----------------------------------------------------------------------------
/** @param {string} id */
const modelPath = (id) => `/api/models/${encodeURIComponent(id)}`;

/** GET /api/models[?include=a,b] → {models: [{id, name, input_shape, accuracy, params,
 *  conv_layers}]}: the shipped ones, then the imported ones named (up to 8; expired ids are left out).
 *  @param {Opts} [opts] @param {string[]} [include] */
export const listModels = (opts, include = []) => getJson(include.length
  ? `/api/models?${new URLSearchParams({ include: include.slice(0, 8).join(",") })}` : "/api/models", opts);

/** GET /api/models/{id} → the summary plus layers (name, type, output_shape, params).
 *  @param {string} id @param {Opts} [opts] */
export const getModel = (id, opts) => getJson(modelPath(id), opts);

/** GET /api/models/{id}/filters?layer= → {shape, weights[FN][C][FH][FW], bias[FN], grid}.
 *  @param {string} id @param {string} layer @param {Opts} [opts] */
export const getFilters = (id, layer, opts) =>
  getJson(`${modelPath(id)}/filters?${new URLSearchParams({ layer })}`, opts);

/** POST /api/models/{id}/predict with an image Blob (multipart `image`); inputValues: an
 *  imported model also answers the prepared input (input_values, for /explain).
 *  @param {string} id @param {Blob} blob @param {Opts & {name?: string, inputValues?: boolean}} [opts] */
export async function predictImage(id, blob, { signal, name = "digit.png", inputValues = false } = {}) {
  const form = new FormData();
  form.append("image", blob, name);
  if (inputValues) form.append("input_values", "true");
  const res = await request(`${modelPath(id)}/predict`, { method: "POST", body: form, signal });
  return res.json();
}

/** POST /api/models/{id}/explain → {method, target, predicted, shape, map, steps, ...}.
 *  @param {string} id @param {Record<string, unknown>} body @param {Opts} [opts] */
export async function explainModel(id, body, { signal } = {}) {
  const res = await request(`${modelPath(id)}/explain`, { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" }, signal });
  return res.json();
}

/** POST /api/backward → col, dout, dW, db, dcol, dx, coverage, numerical.
 *  @param {Record<string, unknown>} body @param {Opts} [opts] */
export async function backwardSteps(body, { signal } = {}) {
  const res = await request("/api/backward", { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" }, signal });
  return res.json();
}
