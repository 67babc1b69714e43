// The shared ctx every view's mount(root, ctx) receives (see docs/contracts.md, "Page").
import * as api from "./api.js";
import { createEmitter } from "./events.js";
import * as i18n from "./i18n.js";
import * as state from "./state.js";

const events = createEmitter();
let image = null;      // {blob: Blob, name, source: "sample"|"file"|"drop"|"paste"|"webcam", sample}
let labSetup = null;   // the lab's current setup (see state.js readSetup for the fields)
let view = null;       // id of the visible view

export const ctx = {
  api,
  t: i18n.t,
  onLanguageChange: i18n.onLanguageChange,
  i18n: {
    t: i18n.t, has: i18n.has, getLanguage: i18n.getLanguage, setLanguage: i18n.setLanguage,
    onLanguageChange: i18n.onLanguageChange, loadNamespace: i18n.loadNamespace,
    apply: i18n.applyTranslations,
  },

  /** The current image {blob, name, source, sample} (null until the first one is loaded). */
  get image() { return image; },
  setImage(next) { image = next; events.emit("image", next); },
  onImageChange(fn) { return events.on("image", fn); },

  /** The lab setup (kernel kh×kw values, bias, pad, padMode, stride, dilation, activation, …). */
  get lab() { return labSetup; },
  /** Ask the lab to apply a partial setup, e.g. {kh, kw, values, kernel: "custom"}. */
  setLabSetup(partial) { events.emit("lab-request", partial); },
  onLabSetupChange(fn) { return events.on("lab", fn); },
  onLabSetupRequest(fn) { return events.on("lab-request", fn); },
  publishLabSetup(setup) { labSetup = setup; events.emit("lab", setup); },
  /** Apply one learned filter in the lab and show it, the network view:
   * ref {model, layer, index, values: FH×FW nested list (channel 0), bias}. */
  setKernel(ref) {
    const kh = ref.values.length, kw = ref.values[0].length;
    events.emit("lab-request", {
      kernel: "custom", kh, kw, values: ref.values.flat(), bias: ref.bias ?? 0,
      learned: { model: ref.model, layer: ref.layer, index: ref.index },
    });
    events.emit("view-request", "lab");
  },

  /** URL state: get(key), set({key: value}) (replaceState), onChange(fn(params)). */
  url: { get: state.getParam, set: state.setParams, onChange: state.onParamsChange },

  /** The visible view; showView(id) switches tabs; onViewChange(fn(id)). */
  get view() { return view; },
  showView(id) { events.emit("view-request", id); },
  onViewRequest(fn) { return events.on("view-request", fn); },
  onViewChange(fn) { return events.on("view", fn); },
  publishView(id) { view = id; events.emit("view", id); },

  /** A short message in the status toast (aria-live). */
  notify(message) { events.emit("notify", message); },
  onNotify(fn) { return events.on("notify", fn); },
};
