// @ts-check
// The live classroom's client: /api/classes calls, the session (sessionStorage: code, role,
// token; nothing else), the event stream (EventSource, which reconnects with Last-Event-ID by
// itself) and the scene: the page's shareable query string (URL state) plus the current tab.
import { request } from "./api.js";
import { app } from "./app.js";
import { sceneQuery } from "./scene.js";

const KEY = "convscope.classroom";
/** The lab's setup keys (views/lab/setup.js). */
export const LAB_SETUP_KEYS = ["k", "kv", "b", "p", "pm", "s", "d", "act", "pool", "ps", "pst", "c", "sum", "kp", "lo"];

/** @typedef {{code: string, role: "teacher" | "student", token: string, following?: boolean,
 *   nickname?: string, number?: number}} Session */

/** @returns {Session | null} */
export function loadSession() {
  try { return JSON.parse(sessionStorage.getItem(KEY) ?? "null"); } catch { return null; }
}
/** @param {Session | null} session */
export function saveSession(session) {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/** @param {string} token */
const bearer = (token) => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/json" });
/** @param {string} path @param {string} token @param {unknown} [body] @param {string} [method] */
async function call(path, token, body, method = "POST") {
  const res = await request(path, { method, headers: bearer(token),
                                    body: body === undefined ? undefined : JSON.stringify(body) });
  return res.status === 204 ? null : res.json();
}

export const createClass = async () => (await request("/api/classes", { method: "POST" })).json();
/** @param {string} code @param {string} nickname */
export async function joinClass(code, nickname) {
  const res = await request(`/api/classes/${encodeURIComponent(code)}/students`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ nickname: nickname || null }) });
  return res.json();
}
/** @param {Session} s @param {object} scene */
export const sendScene = (s, scene) => call(`/api/classes/${s.code}/scene`, s.token, { scene });
/** @param {Session} s @param {boolean} locked */
export const setLock = (s, locked) => call(`/api/classes/${s.code}/lock`, s.token, { locked });
/** @param {Session} s @param {string} kind @param {number} seed */
export const launchExercise = (s, kind, seed) => call(`/api/classes/${s.code}/exercise`, s.token, { kind, seed });
/** @param {Session} s */
export const reveal = (s) => call(`/api/classes/${s.code}/reveal`, s.token);
/** @param {Session} s @param {number} exerciseId @param {unknown} value */
export const answer = (s, exerciseId, value) =>
  call(`/api/classes/${s.code}/answers`, s.token, { exercise_id: exerciseId, answer: value });
/** @param {Session} s */
export const results = (s) => call(`/api/classes/${s.code}/results`, s.token, undefined, "GET");
/** @param {Session} s */
export const endClass = (s) => call(`/api/classes/${s.code}`, s.token, undefined, "DELETE");
/** @param {Session} s @returns {Promise<Blob>} */
export async function resultsCsv(s) {
  return (await request(`/api/classes/${s.code}/results?format=csv`, { headers: bearer(s.token) })).blob();
}
export const exerciseKinds = async () => (await request("/api/classes/kinds")).json();

/** The class's events: onEvent(event) for each; onState("open" | "retry" | "closed").
 *  @param {Session} s @param {(e: any) => void} onEvent @param {(state: string) => void} onState */
export function openStream(s, onEvent, onState) {
  const source = new EventSource(`/api/classes/${s.code}/events?token=${encodeURIComponent(s.token)}`);
  source.onopen = () => onState("open");
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? "closed" : "retry");
  source.onmessage = (m) => {
    const event = JSON.parse(m.data);
    onEvent(event);
    if (event.type === "end") { source.close(); onState("closed"); }
  };
  return source;
}

/** The current scene: {query, view, image_ref} (image_ref: the server's cache key of the lab's
 *  own image, not a sample, once the lab has sent it; students' labs fetch it by this ref). */
export function currentScene() {
  const query = sceneQuery(location.search);
  const im = app.image;
  return { query, view: new URLSearchParams(query).get("view") ?? "lab",
           image_ref: im && !im.sample && typeof im.ref === "string" ? im.ref : null };
}
