// @ts-check
// Shading of what the computation leaves out, drawn on a map's shade canvas (under the overlay):
//   on the padded input, the last rows / columns that no kernel window covers
//     ((H + 2P − FH_eff) mod S, slide 10), hatched red;
//   on the map before pooling (conv or ReLU), the rows / columns outside every pooling window
//     ((OH − k) mod s), hatched purple.
// The real extent is filled strongly; a band narrower than MIN_BAND CSS px is widened inwards
// with a lighter hatch so one row stays visible at any size (zoom in for the exact pixels).
import { axis } from "./formula.js";

const MIN_BAND = 10;   // CSS px
const COLORS = { never: [200, 30, 45], pool: [110, 40, 170] };

function hatch(g, x, y, w, h, [r, gr, b], alpha, spacing) {
  if (w <= 0 || h <= 0) return;
  g.save();
  g.beginPath(); g.rect(x, y, w, h); g.clip();
  g.fillStyle = `rgba(${r}, ${gr}, ${b}, ${alpha * 0.55})`;
  g.fillRect(x, y, w, h);
  g.strokeStyle = `rgba(${r}, ${gr}, ${b}, ${Math.min(1, alpha + 0.2)})`;
  g.lineWidth = Math.max(1.5, spacing / 3);
  for (let k = -h; k < w + h; k += spacing) { g.beginPath(); g.moveTo(x + k, y + h); g.lineTo(x + k + h, y); g.stroke(); }
  g.restore();
}

/** Shade the last `rows` rows and `cols` columns of an (H, W) map on canvas `c`, in `color`. */
export function shadeEdges(c, H, W, rows, cols, color) {
  const g = /** @type {CanvasRenderingContext2D} */ (c.getContext("2d"));
  const cssW = parseFloat(c.style.width) || c.width;
  const px = c.width / cssW;                  // canvas px per CSS px
  const ky = c.height / H, kx = c.width / W;
  const min = MIN_BAND * px, spacing = 6 * px;
  if (rows) {
    const real = rows * ky;
    hatch(g, 0, c.height - Math.max(real, min), c.width, Math.max(real, min) - real, color, 0.35, spacing);
    hatch(g, 0, c.height - real, c.width, real, color, 0.9, spacing);
  }
  if (cols) {
    const real = cols * kx;
    hatch(g, c.width - Math.max(real, min), 0, Math.max(real, min) - real, c.height, color, 0.35, spacing);
    hatch(g, c.width - real, 0, real, c.height, color, 0.9, spacing);
  }
}

/** Give every drawn map its shading, drawn by zoom.js whenever it sizes the map (and mark them
 *  data-never / data-dropped "rows,cols"). drawn: renderPipeline's result; g, pg: the response's geometry and pool_geometry. */
export function shadeMaps(drawn, g, pg) {
  const h = axis(g, "h"), w = axis(g, "w");
  const ph = pg ? axis(pg, "h") : null, pw = pg ? axis(pg, "w") : null;
  const before = drawn.relu ? "relu" : "conv";
  for (const [name, st] of Object.entries(drawn)) {
    if (!st?.maps) continue;
    for (const m of st.maps) {
      const draw = () => {   // after zoom.js sized the shade canvas (which clears it)
        if (name === "input" && (h.rem || w.rem)) {
          shadeEdges(m.shade, drawn.padded.H, drawn.padded.W, h.rem, w.rem, COLORS.never);
        }
        if (name === before && ph && pw && (ph.rem || pw.rem)) {
          shadeEdges(m.shade, st.data.H, st.data.W, ph.rem, pw.rem, COLORS.pool);
        }
      };
      m.redrawShade = draw;   // zoom.js draws it once the canvas has its size
      if (name === "input") m.box.dataset.never = `${h.rem},${w.rem}`;
      if (name === before && ph && pw) m.box.dataset.dropped = `${ph.rem},${pw.rem}`;
      else delete m.box.dataset.dropped;   // a kept box (pipeline.js) that is no longer before pooling
    }
  }
}
