// @ts-check
// Bring your own CNN: an .onnx file (picker or drop) is POSTed to /api/models; the page shows
// the match badge and the layer table (ONNX op, output shape, parameters as formulas, FLOPs).
// The model id goes in the URL (?onnx=…), so a shared link opens the same imported model;
// ?model=onnx-… (the link of a kept training run) opens it too. The ids this browser holds are
// remembered (localStorage, the last HELD_MAX) for GET /api/models?include=.
import { getJson, request } from "../../lib/api.js";
import { int } from "../../lib/format.js";
import { getLanguage, onLanguageChange, t } from "../../lib/i18n.js";
import { getParam, setParams } from "../../lib/url.js";

const HELD_KEY = "convscope.onnx.held";
const HELD_MAX = 8;  // the API's ?include= limit
const ID_RE = /^onnx-[A-Za-z0-9_-]{1,64}$/;

/** The imported model ids this browser has opened, newest last. @returns {string[]} */
export function heldModels() {
  try {
    const ids = JSON.parse(localStorage.getItem(HELD_KEY) ?? "[]");
    return Array.isArray(ids) ? ids.filter((id) => typeof id === "string" && ID_RE.test(id)) : [];
  } catch {
    return [];
  }
}

/** @param {string} id */
function hold(id) {
  const ids = [...heldModels().filter((x) => x !== id), id].slice(-HELD_MAX);
  try { localStorage.setItem(HELD_KEY, JSON.stringify(ids)); } catch { /* storage off: fine */ }
}

/** The imported model a link names: ?onnx=…, or ?model=onnx-… (a kept training run), else null. */
export function linkedModel() {
  const linked = getParam("model");
  return getParam("onnx") ?? (linked && ID_RE.test(linked) ? linked : null);
}

/** @param {string} id */
export const isImported = (id) => ID_RE.test(id);

/** @param {HTMLElement} root the network view @param {(role: string) => any} $
 *  @param {{onImported?: (detail: any) => void}} [hooks] called after an upload is imported */
export function mountImport(root, $, { onImported } = {}) {
  /** @type {any} */
  let detail = null;
  /** @type {[string, Record<string, unknown>] | null} */
  let status = null;

  function showStatus(key = null, vars = {}) {
    status = key ? [key, vars] : null;
    $("onnxStatus").textContent = key ? t(key, vars) : "";
  }

  function render() {
    const d = detail;
    $("onnxTableWrap").hidden = !d;
    $("onnxBadge").hidden = !d;
    if (!d) return;
    $("onnxBadge").textContent = d.max_error === null
      ? t("network.onnx.badgeFile")
      : t("network.onnx.badge", { error: Number(d.max_error).toExponential(1) });
    $("onnxCaption").textContent = t("network.onnx.caption", {
      name: (getLanguage() === "ja" && d.name_ja) || d.name, shape: d.input_shape.join("×"),
      params: int(d.params), flops: int(d.flops) });
    const rows = d.layers.map((/** @type {any} */ l) => {
      const tr = document.createElement("tr");
      for (const text of [l.name, l.op || "—", l.output_shape.join("×"), l.formula, int(l.flops)]) {
        const td = document.createElement("td");
        td.textContent = String(text);
        tr.append(td);
      }
      return tr;
    });
    $("onnxLayers").tBodies[0].replaceChildren(...rows);
    root.dataset.onnx = d.id;
    hold(d.id);
  }

  /** @param {string} id */
  async function open(id) {
    try {
      detail = await getJson(`/api/models/${encodeURIComponent(id)}`);
      render();
      showStatus();
    } catch (err) {
      showStatus("network.onnx.error", { message: /** @type {Error} */ (err).message });
    }
  }

  /** @param {File} file */
  async function upload(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("normalisation", $("onnxNorm").value);
    const labels = /** @type {HTMLInputElement} */ ($("onnxLabels")).files?.[0];
    if (labels) form.append("labels", labels, labels.name);  // else the model's own metadata
    showStatus("network.onnx.checking", { name: file.name });
    root.dataset.onnxState = "busy";
    try {
      const res = await request("/api/models", { method: "POST", body: form });
      detail = await res.json();
      setParams({ onnx: detail.id });
      render();
      showStatus("network.onnx.imported", { name: detail.name });
      onImported?.(detail);
    } catch (err) {
      showStatus("network.onnx.error", { message: /** @type {Error} */ (err).message });
    } finally {
      root.dataset.onnxState = "idle";  // tests wait for this
    }
  }

  $("onnxLabels").addEventListener("change", () => {
    const f = /** @type {HTMLInputElement} */ ($("onnxLabels")).files?.[0];
    $("onnxLabelsName").textContent = f ? f.name : "";
  });
  $("onnxFile").addEventListener("change", (/** @type {Event} */ e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    const file = input.files?.[0];
    input.value = "";
    if (file) upload(file);
  });
  const drop = $("onnxDrop");
  drop.addEventListener("dragover", (/** @type {DragEvent} */ e) => {
    e.preventDefault();
    drop.classList.add("net-drop-over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("net-drop-over"));
  drop.addEventListener("drop", (/** @type {DragEvent} */ e) => {
    e.preventDefault();
    drop.classList.remove("net-drop-over");
    const file = e.dataTransfer?.files?.[0];
    if (file) upload(file);
  });
  onLanguageChange(() => {
    render();
    if (status) showStatus(...status);
  });
  root.dataset.onnxState = "idle";
  const wanted = linkedModel();
  if (wanted) open(wanted);
}
