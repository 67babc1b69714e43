// @ts-check
// Example digits 0–9 as pen strokes (no MNIST data): each digit is a list of strokes, each stroke
// a polyline of points (x, y) in [0, 1] of the pad, drawn by the pad's pen (pad.drawStrokes).

/** Points on an ellipse (centre cx, cy; radii rx, ry) from angle a0 to a1 in degrees, y down
 * (0° = right, 90° = down), one point per 10°. */
function arc(cx, cy, rx, ry, a0, a1) {
  const n = Math.max(2, Math.ceil(Math.abs(a1 - a0) / 10));
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = ((a0 + ((a1 - a0) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
}

/** digit → strokes ([[x, y], …] per stroke). */
export const EXAMPLES = {
  0: [arc(0.5, 0.5, 0.2, 0.31, -90, 275)],
  1: [[[0.42, 0.27], [0.53, 0.18], [0.5, 0.5], [0.48, 0.82]]],
  2: [[...arc(0.5, 0.36, 0.19, 0.16, 195, 375), [0.3, 0.8], [0.72, 0.8]]],
  3: [[...arc(0.48, 0.33, 0.18, 0.14, 200, 450), ...arc(0.48, 0.64, 0.21, 0.17, 270, 500)]],
  4: [[[0.6, 0.18], [0.28, 0.6], [0.74, 0.6]], [[0.6, 0.34], [0.6, 0.84]]],
  5: [[[0.7, 0.2], [0.37, 0.2], [0.34, 0.47], ...arc(0.48, 0.64, 0.21, 0.18, 235, 500)]],
  6: [[[0.64, 0.18], [0.47, 0.31], [0.35, 0.5], ...arc(0.5, 0.65, 0.16, 0.16, 180, 540)]],
  7: [[[0.29, 0.25], [0.71, 0.25], [0.45, 0.79]]],
  8: [arc(0.5, 0.33, 0.15, 0.14, 90, 450), arc(0.5, 0.65, 0.19, 0.17, -90, 270)],
  9: [arc(0.5, 0.35, 0.17, 0.15, 0, 360), [[0.67, 0.35], [0.64, 0.6], [0.6, 0.82]]],
};
