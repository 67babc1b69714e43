// @ts-check
// i18n: locales/<lang>/<namespace>.json; t("ns.key.path", {var}); data-i18n / data-i18n-attr.
import { all } from "./dom.js";
import { createEmitter } from "./events.js";

export const LANGUAGES = ["en", "ja"];
/** dicts[lang][namespace] = the nested object of its JSON file. @type {Record<string, Record<string, any>>} */
const dicts = { en: {}, ja: {} };
const loaded = new Set(["common", "lab"]);   // namespaces every language must have
const events = createEmitter();
let current = "en";

/** ?lang= in the URL, else the browser's preferred languages, else English. */
export function detectLanguage() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (fromUrl !== null && LANGUAGES.includes(fromUrl)) return fromUrl;
  for (const l of navigator.languages ?? [navigator.language ?? "en"]) {
    const base = String(l).toLowerCase().slice(0, 2);
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

/** @param {string} lang @param {string} ns */
async function fetchNamespace(lang, ns) {
  if (dicts[lang][ns]) return;
  const res = await fetch(`/static/locales/${lang}/${ns}.json`);
  dicts[lang][ns] = res.ok ? await res.json() : {};
}

/** Load a namespace (e.g. "views", "network") for the current language and English.
 *  @param {string} ns */
export async function loadNamespace(ns) {
  loaded.add(ns);
  await Promise.all([fetchNamespace("en", ns), fetchNamespace(current, ns)]);
  translatePage();
}

/** @param {string} lang @param {string} key @returns {string | undefined} */
function lookup(lang, key) {
  const [ns, ...path] = key.split(".");
  let node = dicts[lang][ns];
  for (const part of path) node = node?.[part];
  return typeof node === "string" ? node : undefined;
}

/** The translation of "ns.path.to.key" with {name} placeholders filled from vars.
 *  @param {string} key @param {Record<string, unknown>} [vars] */
export function t(key, vars = {}) {
  const text = lookup(current, key) ?? lookup("en", key) ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Whether the current language has a translation for key. @param {string} key */
export function has(key) { return lookup(current, key) !== undefined; }
export function getLanguage() { return current; }

/** An API object's text in the interface language: obj[`${field}_${lang}`] (name_en / name_ja).
 *  @param {Record<string, any>} obj @param {string} field @returns {string | undefined} */
export function localized(obj, field) { return obj[`${field}_${current}`]; }

/** Translate every [data-i18n] (text) and [data-i18n-attr="attr:key;attr:key"] of the page. */
function translatePage() {
  for (const el of all("[data-i18n], [data-i18n-attr]")) {
    const key = el.dataset.i18n;
    if (key) el.textContent = t(key);
    for (const pair of (el.dataset.i18nAttr ?? "").split(";").filter(Boolean)) {
      const [attr, k] = pair.split(":");
      el.setAttribute(attr.trim(), t(k.trim()));
    }
  }
}

/** Switch language: load every loaded namespace, re-translate the page, notify listeners.
 *  @param {string} lang */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = "en";
  await Promise.all([...loaded].flatMap((ns) => [fetchNamespace("en", ns), fetchNamespace(lang, ns)]));
  current = lang;
  document.documentElement.lang = lang;
  translatePage();
  events.emit("change", lang);
}

/** fn(lang) after every language switch; returns an unsubscribe function.
 *  @param {(lang: string) => void} fn */
export function onLanguageChange(fn) { return events.on("change", fn); }
