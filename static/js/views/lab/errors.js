// @ts-check
// The lab's errors next to the controls they belong to: every problem at once, the control marked
// aria-invalid and described by its message; an API error's field (spec.stride, image, ...) says
// which control.

const FIELD_GROUPS = {   // API error field segment → the control group it belongs to
  kernel: "kernel", bias: "bias", pad: "pad", pad_mode: "pad", stride: "stride",
  dilation: "dilation", pool: "pool", activation: "pool", image: "image", color: "image",
  max_side: "image", depthwise: "kernel",
};
/** A group's control (its label names the field in the message). */
export const CONTROL_IDS = { kernel: "lab-kernel", bias: "lab-bias", pad: "lab-pad", stride: "lab-stride",
  dilation: "lab-dilation", pool: "lab-poolsize", image: "lab-sample" };

/** The group of an API error's field ("spec.stride" → "stride"), or "general".
 *  @param {string | null | undefined} field */
export function groupOf(field) {
  for (const seg of String(field ?? "").split(/[.[\]]/)) if (FIELD_GROUPS[seg]) return FIELD_GROUPS[seg];
  return "general";
}

/** → {clear(), show(group, message, controlId?), labelOf(id), showApiError(err)}
 *  @param {HTMLElement} root the lab's section */
export function createErrors(root) {
  const labelOf = (/** @type {string} */ id) => (root.querySelector(`label[for="${id}"]`)?.textContent ?? id).trim();
  function clear() {
    for (const p of root.querySelectorAll(".field-error")) { p.hidden = true; p.textContent = ""; }
    for (const c of root.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
  }
  /** @param {string} group @param {string} message @param {string} [controlId] */
  function show(group, message, controlId = CONTROL_IDS[group]) {
    const p = /** @type {HTMLElement} */ (root.querySelector(`[data-error-for="${group}"]`)
      ?? root.querySelector('[data-error-for="general"]'));
    p.id ||= `lab-error-${group}`;
    p.textContent = p.hidden || !p.textContent ? message : `${p.textContent} ${message}`;   // all at once
    p.hidden = false;
    const control = controlId && root.querySelector(`#${controlId}`);
    if (control) { control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-describedby", p.id); }
  }
  /** An API error shown at its control, prefixed with that control's label. @param {any} err */
  function showApiError(err) {
    const group = groupOf(err.field);
    show(group, CONTROL_IDS[group] ? `${labelOf(CONTROL_IDS[group])}: ${err.message}` : err.message);
  }
  return { clear, show, labelOf, showApiError };
}
