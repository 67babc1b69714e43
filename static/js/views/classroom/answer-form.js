// @ts-check
// An exercise on a student's page: its question, its inputs (numbers and small matrices) and an
// answer form built from answer_format (int | pair | shape | choice | matrix) → the JSON answer.
import { el } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";

/** @param {unknown} value */
function matrix(value) {
  if (!Array.isArray(value) || !Array.isArray(value[0])) return el("code", {}, JSON.stringify(value));
  return el("table", { class: "cls-matrix" }, el("tbody", {},
    value.map((row) => el("tr", {}, row.map((/** @type {unknown} */ v) => el("td", {}, String(v)))))));
}

/** The question block: title, text, the list/matrix inputs. @param {any} q */
export function questionBlock(q) {
  const grids = Object.entries(q.inputs ?? {}).filter(([, v]) => Array.isArray(v) && Array.isArray(v[0]));
  return el("div", { class: "cls-question" },
    el("h3", {}, q.title ?? t("classroom.answer.title")),
    el("p", {}, q.question ?? ""),
    grids.length ? el("div", { class: "cls-inputs" },
      grids.map(([name, v]) => el("figure", {}, el("figcaption", {}, name), matrix(v)))) : null);
}

/** @param {string} label */
const numberInput = (label) => el("input", { type: "number", inputmode: "numeric", step: "1",
                                             required: true, "aria-label": label, class: "cls-num" });

/** A form for answer_format; onSubmit(answer JSON). @param {any} fmt @param {(a: unknown) => void} onSubmit */
export function answerForm(fmt, onSubmit) {
  /** @type {HTMLInputElement[]} */
  let inputs = [];
  const names = fmt.names ?? [];
  /** @type {HTMLElement} */
  let fields;
  if (fmt.type === "choice") {
    inputs = fmt.options.map((/** @type {number} */ o) => el("input", { type: "radio", name: "cls-choice", value: o, required: true }));
    fields = el("fieldset", { class: "cls-choice" }, el("legend", {}, names[0] ?? t("classroom.answer.value")),
      inputs.map((input, i) => el("label", {}, input, ` ${fmt.options[i]}`)));
  } else if (fmt.type === "matrix") {
    const rows = [];
    for (let r = 0; r < fmt.rows; r++) {
      const row = [];
      for (let c = 0; c < fmt.cols; c++) {
        const input = numberInput(`${t("classroom.answer.row", { i: r + 1 })}, ${c + 1}`);
        inputs.push(input);
        row.push(el("td", {}, input));
      }
      rows.push(el("tr", {}, row));
    }
    fields = el("table", { class: "cls-matrix cls-matrix-input" }, el("tbody", {}, rows));
  } else {
    const labels = names.length ? names : [t("classroom.answer.value")];
    inputs = labels.map((/** @type {string} */ n) => numberInput(n));
    fields = el("div", { class: "cls-fields" },
      inputs.map((input, i) => el("label", {}, el("span", {}, labels[i]), input)));
  }
  const submit = el("button", { type: "submit" }, t("classroom.answer.submit"));
  const form = el("form", { class: "cls-answer" }, fields, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const nums = inputs.map((i) => Number(i.value));
    if (fmt.type === "choice") onSubmit(Number(inputs.find((i) => i.checked)?.value));
    else if (fmt.type === "int") onSubmit(nums[0]);
    else if (fmt.type === "matrix") {
      onSubmit(Array.from({ length: fmt.rows }, (_, r) => nums.slice(r * fmt.cols, (r + 1) * fmt.cols)));
    } else onSubmit(nums);
  });
  return { form, focus: () => inputs[0]?.focus(), disable: () => { for (const i of [...inputs, submit]) i.disabled = true; } };
}
