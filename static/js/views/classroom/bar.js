// @ts-check
// The classroom bar: fixed at the bottom of every tab while in a class (who, status, buttons),
// and the lock overlay that makes the page inert ("eyes on the projector").
import { el } from "../../lib/dom.js";
import { onLanguageChange, t } from "../../lib/i18n.js";

/** A bar in <body>: {bar, status, actions, extra}; status/labels re-rendered on language change.
 *  @param {() => string} label */
export function createBar(label) {
  const status = el("span", { class: "cls-bar-status", role: "status", "aria-live": "polite" });
  const title = el("strong", { class: "cls-bar-title" });
  const actions = el("div", { class: "cls-bar-actions" });
  const extra = el("div", { class: "cls-bar-extra" });
  const bar = el("aside", { class: "cls-bar", "aria-label": t("classroom.bar.label") },
                 el("div", { class: "cls-bar-row" }, title, status, actions), extra);
  const render = () => { title.textContent = label(); bar.setAttribute("aria-label", t("classroom.bar.label")); };
  render();
  onLanguageChange(render);
  document.body.append(bar);
  document.body.classList.add("has-cls-bar");
  return { bar, status, actions, extra };
}

/** A button whose text follows the language. @param {string} key @param {() => void} onclick
 *  @param {Record<string, any>} [attrs] */
export function button(key, onclick, attrs = {}) {
  const b = el("button", { type: "button", onclick, ...attrs }, t(key));
  onLanguageChange(() => { b.textContent = t(key); });
  return b;
}

/** A checkbox with its label. @param {string} key @param {(on: boolean) => void} onchange */
export function toggle(key, onchange) {
  const input = el("input", { type: "checkbox" });
  input.addEventListener("change", () => onchange(input.checked));
  const text = el("span", {}, t(key));
  onLanguageChange(() => { text.textContent = t(key); });
  return { input, label: el("label", { class: "cls-toggle" }, input, text) };
}

/** @type {HTMLElement | null} */
let overlay = null;
/** Lock or unlock the page for a student. @param {boolean} locked */
export function setLocked(locked) {
  for (const part of document.querySelectorAll("header.app-header, main, footer")) {
    /** @type {HTMLElement} */ (part).inert = locked;
  }
  if (locked && !overlay) {
    overlay = el("div", { class: "cls-lock", role: "alert" }, t("classroom.bar.locked"));
    document.body.append(overlay);
  } else if (!locked && overlay) {
    overlay.remove();
    overlay = null;
  }
}
