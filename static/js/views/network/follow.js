// @ts-check
// The network view's "apply state" entry point (lib/scene.js): a followed scene's model
// (network-model), example digit (network-digit, 0–9, drawn on the pad) and training-timeline
// checkpoint (network-step), a hand-drawn digit (network-strokes) and an uploaded picture by its
// image_ref (network-img, picture.js) applied in place. The pad's three sources exclude each
// other: a digit wins, then a picture, then strokes (none: the pad was cleared).
import { onSceneApply } from "../../lib/scene.js";
import { IMG_KEY } from "./picture.js";
import { decodeStrokes } from "./strokes.js";

export const NETWORK_KEYS = ["network-model", "network-digit", "network-step", "network-strokes", IMG_KEY];

/** The example digit of the URL (network-digit), or null. @param {string | null} v */
export const digitOf = (v) => (v !== null && /^\d$/.test(v) ? Number(v) : null);

/** @param {{model: (id: string | null) => Promise<void>, digit: (d: number | null) => void,
 *   step: (step: string | null) => void, strokes: (s: number[][][] | null) => void,
 *   picture: (ref: string) => Promise<void>}} net */
export function followScenes(net) {
  return onSceneApply({
    owns: (k) => NETWORK_KEYS.includes(k),
    async apply(params, changed) {
      if (changed.includes("network-model")) await net.model(params.get("network-model"));
      const digit = digitOf(params.get("network-digit"));
      const ref = params.get(IMG_KEY);
      net.digit(digit);
      if (digit === null && ref && changed.includes(IMG_KEY)) await net.picture(ref);
      else if (digit === null && !ref && (changed.includes("network-strokes") || changed.includes(IMG_KEY))) {
        net.strokes(decodeStrokes(params.get("network-strokes")));
      }
      if (changed.includes("network-step") && !changed.includes("network-model")) net.step(params.get("network-step"));
    },
  });
}
