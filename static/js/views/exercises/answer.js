// @ts-check
// The answer fields of an exercise, built from its answer_format (int | choice | pair | shape |
// matrix), and reading them back as the JSON the check endpoint takes.
import { el } from "../../lib/dom.js";

/**
 * Build the fields into host; returns read() → the answer, or null when a field is empty.
 * @param {HTMLElement} host @param {any} fmt @param {(key: string, vars?: any) => string} t
 * @returns {() => any}
 */
export function answerFields(host, fmt, t) {
  const num = (label, name) => el("input", { type: "number", step: "1", inputmode: "numeric",
    "aria-label": label, name, "data-answer": name });
  if (fmt.type === "choice") {
    const set = el("fieldset", {}, el("legend", { text: t("exercises.answer.choice") }),
      fmt.options.map((o) => el("label", {}, el("input", { type: "radio", name: "ex-choice", value: o }), `S = ${o}`)));
    host.append(set);
    return () => {
      const r = /** @type {HTMLInputElement | null} */ (set.querySelector("input:checked"));
      return r ? Number(r.value) : null;
    };
  }
  if (fmt.type === "matrix") {
    const grid = el("div", { class: "ex-matrix", role: "group", "aria-label": t("exercises.answer.matrix",
      { rows: fmt.rows, cols: fmt.cols }) });
    grid.style.gridTemplateColumns = `repeat(${fmt.cols}, auto)`;   // CSSOM: allowed by the CSP
    const cells = [];
    for (let r = 0; r < fmt.rows; r++) {
      for (let c = 0; c < fmt.cols; c++) {
        const input = num(t("exercises.answer.cell", { r, c }), `m${r}-${c}`);
        cells.push(input);
        grid.append(input);
      }
    }
    host.append(grid);
    return () => (cells.some((c) => c.value === "") ? null
      : Array.from({ length: fmt.rows }, (_, r) => cells.slice(r * fmt.cols, (r + 1) * fmt.cols).map((c) => Number(c.value))));
  }
  const names = fmt.type === "int" ? [fmt.names?.[0] ?? "answer"] : fmt.names;
  const inputs = names.map((n) => num(n, n));
  const shown = (n) => (n === "out" ? t("exercises.answer.value") : n);
  host.append(...names.map((n, i) => el("label", {}, el("span", { text: shown(n) }), inputs[i])));
  inputs.forEach((input) => input.removeAttribute("aria-label"));   // the <label> names it
  return () => {
    if (inputs.some((i) => i.value === "")) return null;
    const values = inputs.map((i) => Number(i.value));
    return fmt.type === "int" ? values[0] : values;
  };
}

/** A zero answer of the right shape (for "show solution" before anything was typed). @param {any} fmt */
export function blankAnswer(fmt) {
  if (fmt.type === "int") return 0;
  if (fmt.type === "choice") return fmt.options[0];
  if (fmt.type === "matrix") return Array.from({ length: fmt.rows }, () => Array(fmt.cols).fill(0));
  return fmt.names.map(() => 0);
}
