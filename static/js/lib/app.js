// @ts-check
// What the views share on the page: the current image, the lab's setup, tab and toast requests.
// One emitter; every on*() returns an unsubscribe function.
import { createEmitter } from "./events.js";
import { sampleBlob } from "./api.js";

/** @typedef {{blob: Blob, name: string, source: string, sample: string | null}} PageImage */

const events = createEmitter();

export const app = {
  /** The current image (null until the lab has loaded one). @type {PageImage | null} */
  image: null,
  /** The lab's current setup (views/lab/setup.js readSetup fields), for tests and other views.
   *  @type {object | null} */
  lab: null,
  /** The last filter bank sent to the 3-D convolution view (requestConv3dBank), read when it
   *  mounts. @type {Conv3dBank | null} */
  conv3dBank: null,
};

/** A learned bank's origin: filters from..from+3 (fewer at the end) of a model's conv layer.
 *  @typedef {{model: string, layer: string, from: number}} BankRef */
/** A true (FN, 3, FH, FW) bank with its bias; source names it (data-bank), ref is its origin.
 *  @typedef {{weights: number[][][][], bias: number[], source: string, ref: BankRef}} Conv3dBank */

/** The text that names a learned bank on the page, e.g. "color-vgg/conv1[2:6]".
 *  @param {BankRef} ref */
export const bankSource = ({ model, layer, from }) => `${model}/${layer}[${from}:${from + 4}]`;

/** @param {PageImage} next */
export function setImage(next) { app.image = next; events.emit("image", next); }
/** @param {(img: PageImage) => void} fn */
export const onImageChange = (fn) => events.on("image", fn);

/** @param {object} setup */
export function publishLabSetup(setup) { app.lab = setup; }
/** Ask the lab to apply a partial setup, e.g. {kernel: "custom", kh, kw, values, bias}, and show it.
 *  @param {object} partial */
export function requestLabSetup(partial) { events.emit("lab-request", partial); events.emit("view-request", "lab"); }
/** Ask the 3-D convolution view to load a true (FN, 3, FH, FW) bank with its bias and show it.
 *  @param {Conv3dBank} bank */
export function requestConv3dBank(bank) {
  app.conv3dBank = bank;
  events.emit("conv3d-request", bank);
  events.emit("view-request", "conv3d");
}
/** @param {(bank: any) => void} fn */
export const onConv3dBankRequest = (fn) => events.on("conv3d-request", fn);
/** @param {(partial: any) => void} fn */
export const onLabSetupRequest = (fn) => events.on("lab-request", fn);

/** Show a tab (e.g. the classroom following the teacher). @param {string} id */
export function requestView(id) { events.emit("view-request", id); }
/** @param {(id: string) => void} fn */
export const onViewRequest = (fn) => events.on("view-request", fn);

/** A short message in the status toast (aria-live). @param {string} message */
export function notify(message) { events.emit("notify", message); }
/** @param {(message: string) => void} fn */
export const onNotify = (fn) => events.on("notify", fn);

/**
 * The current image as a Blob. Until the lab has loaded one, wait for it (the "shapes" sample when
 * the page has no lab). track.image records the image used (see onNewImage).
 * @param {{image?: PageImage | null, waiting?: boolean}} [track]
 */
export async function currentImageBlob(track = {}) {
  let im = app.image;
  if (!im && document.querySelector('section[data-view="lab"]')) {
    track.waiting = true;
    im = await new Promise((resolve) => { const off = onImageChange((next) => { off(); resolve(next); }); });
    track.waiting = false;
  }
  track.image = im;
  return im?.blob instanceof Blob ? im.blob : sampleBlob(im?.sample || "shapes");
}

/** Call fn when the current image changes to one this view has not used yet (track as in
 *  currentImageBlob), so the first image a view waited for does not compute twice.
 *  @param {(img: PageImage) => void} fn @param {{image?: PageImage | null, waiting?: boolean}} track */
export function onNewImage(fn, track) {
  return onImageChange((next) => { if (!track.waiting && (!next || next !== track.image)) fn(next); });
}
