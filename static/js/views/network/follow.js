// @ts-check
// The network view's "apply state" entry point (lib/scene.js): a followed scene's model
// (network-model), example digit (network-digit, 0–9, drawn on the pad) and training-timeline
// checkpoint (network-step) and a hand-drawn digit (network-strokes) applied in place.
import { onSceneApply } from "../../lib/scene.js";
import { decodeStrokes } from "./strokes.js";

export const NETWORK_KEYS = ["network-model", "network-digit", "network-step", "network-strokes"];

/** The example digit of the URL (network-digit), or null. @param {string | null} v */
export const digitOf = (v) => (v !== null && /^\d$/.test(v) ? Number(v) : null);

/** @param {{model: (id: string | null) => Promise<void>, digit: (d: number | null) => void,
 *   step: (step: string | null) => void, strokes: (s: number[][][] | null) => void}} net */
export function followScenes(net) {
  return onSceneApply({
    owns: (k) => NETWORK_KEYS.includes(k),
    async apply(params, changed) {
      if (changed.includes("network-model")) await net.model(params.get("network-model"));
      const digit = digitOf(params.get("network-digit"));
      net.digit(digit);
      if (changed.includes("network-strokes") && digit === null) net.strokes(decodeStrokes(params.get("network-strokes")));
      if (changed.includes("network-step") && !changed.includes("network-model")) net.step(params.get("network-step"));
    },
  });
}
