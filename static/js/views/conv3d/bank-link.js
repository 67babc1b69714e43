// @ts-check
// A learned bank by reference in the URL: conv3d-bank=<model id>/<layer>/<from> names filters
// from..from+3 (fewer at the end) of a colour model's conv layer, so a shared link or a followed
// classroom scene shows the same bank. resolveBank() checks the reference against GET /api/models
// before it asks for the filters: a stale or made-up link becomes a reason to show in the view,
// never a 404 in the console.
import { getFilters, listModels } from "../../lib/api.js";
import { bankSource } from "../../lib/app.js";
import { t } from "../../lib/i18n.js";

/** The URL key (the view's "<view>-<role>" style; the bound controls are fn, size, pad, stride). */
export const BANK_KEY = "conv3d-bank";
const COUNT = 4;         // filters in a bank sent from the network view
const MAX_K = 5;         // the largest filter size the view's size control offers
const IMPORTED = /^onnx-[A-Za-z0-9_-]{1,64}$/;   // an uploaded model: listed only when named

/** @typedef {import("../../lib/app.js").BankRef} BankRef */
/** @typedef {import("../../lib/app.js").Conv3dBank} Conv3dBank */

/** The URL value of a bank's origin. @param {BankRef} ref */
export const refValue = ({ model, layer, from }) => `${model}/${layer}/${from}`;

/** "<model>/<layer>/<from>" → its parts, or null when it is not of that form.
 *  @param {string} value @returns {BankRef | null} */
export function parseRef(value) {
  const m = /^([^/]+)\/([^/]+)\/(0|[1-9][0-9]{0,3})$/.exec(value);
  return m ? { model: m[1], layer: m[2], from: Number(m[3]) } : null;
}

/**
 * The bank a URL value names: {bank} as the network view sends it, or {reason, vars} when the
 * value cannot be shown (views.conv3d.bankLink.<reason>): badValue, model (unknown or expired),
 * layer (not one of its conv layers), channels (not 3), size (larger than 5×5), range (from past
 * the last filter). Network failures reject.
 * @param {string} value @param {{signal?: AbortSignal}} [opts]
 * @returns {Promise<{bank: Conv3dBank} | {reason: string, vars: Record<string, string | number>}>}
 */
export async function resolveBank(value, opts) {
  const ref = parseRef(value);
  if (!ref) return { reason: "badValue", vars: { value } };
  const { model, layer, from } = ref;
  const list = await listModels(opts, IMPORTED.test(model) ? [model] : []);
  const entry = list.models.find((/** @type {{id: string}} */ m) => m.id === model);
  if (!entry) return { reason: "model", vars: { model } };
  if (!entry.conv_layers.includes(layer)) {
    return { reason: "layer", vars: { model, layer, known: entry.conv_layers.join(", ") } };
  }
  const f = await getFilters(model, layer, opts);
  const [fn, channels, fh, fw] = f.shape;
  if (channels !== 3) return { reason: "channels", vars: { model, layer, channels } };
  if (fh !== fw || fh > MAX_K) return { reason: "size", vars: { model, layer, size: `${fh}×${fw}` } };
  if (from >= fn) return { reason: "range", vars: { model, layer, from, last: fn - 1 } };
  return { bank: { weights: f.weights.slice(from, from + COUNT), bias: f.bias.slice(from, from + COUNT),
    source: bankSource(ref), ref } };
}

/** Say why a linked bank cannot be shown (views.conv3d.bankLink.<reason>) in line, and the
 *  reason in root's data-bank-problem; null hides it.
 *  @param {HTMLElement} root @param {HTMLElement} line
 *  @param {{reason: string, vars: Record<string, unknown>} | null} problem */
export function sayProblem(root, line, problem) {
  line.hidden = !problem;
  line.textContent = problem ? t(`views.conv3d.bankLink.${problem.reason}`, problem.vars) : "";
  if (problem) root.dataset.bankProblem = problem.reason;
  else delete root.dataset.bankProblem;
}
