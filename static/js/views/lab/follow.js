// @ts-check
// The lab's "apply state" entry point (lib/scene.js): a followed scene (the classroom teacher's)
// applied in place: the filter and geometry, the image (a sample by id, the teacher's own image
// by its ref: lib/by-ref.js), the working size and display, the map styles and the inspected pixel.
import { LAB_SETUP_KEYS } from "../../lib/classroom.js";
import { onSceneApply } from "../../lib/scene.js";
import { parsePixel } from "./inspect.js";

const DISPLAY_KEYS = ["ws", "lay", "fo", "mag"];
const STYLE_KEYS = ["ms", "lk"];
/** Every URL key the lab reads. */
export const LAB_KEYS = new Set([...LAB_SETUP_KEYS, "img", ...DISPLAY_KEYS, ...STYLE_KEYS, "px"]);

/**
 * @typedef {{display: {apply: (p: URLSearchParams) => string | null},
 *   styles: {apply: (p: URLSearchParams) => boolean}, inspection: {pin: (sel: any) => void},
 *   setSetup: (p: URLSearchParams) => void, sample: () => string | null,
 *   loadSample: (id: string) => Promise<boolean>, loadRef: (ref: string) => Promise<boolean>,
 *   resize: () => boolean, recompute: () => void, redraw: () => void}} LabHooks
 */

/** Register the lab's applier. loadSample/loadRef/resize → true when they started a computation.
 *  @param {LabHooks} lab */
export function followScenes(lab) {
  return onSceneApply({
    owns: (k) => LAB_KEYS.has(k),
    async apply(params, changed, scene) {
      const has = (/** @type {string[]} */ keys) => changed.some((k) => keys.includes(k));
      const display = lab.display.apply(params);
      const styled = lab.styles.apply(params);
      if (changed.includes("px")) lab.inspection.pin(parsePixel(params.get("px")));
      const setup = has(LAB_SETUP_KEYS);
      if (setup) lab.setSetup(params);
      const wanted = params.get("img");
      let started = false;
      if (wanted && wanted !== lab.sample()) started = await lab.loadSample(wanted);
      else if (!wanted && scene.image_ref) started = await lab.loadRef(scene.image_ref);
      if (!started && display === "size") started = lab.resize();
      if (!started && (setup || display === "size")) lab.recompute();
      else if (!started && (display || styled)) lab.redraw();
    },
  });
}
