// @ts-check
// Zoom and pan on any lab map. A map's box keeps its fitted size (fw × fh CSS px); its content
// (map canvas, shading and overlay) is drawn at zoom·fw × zoom·fh inside it and scrolls: drag
// to pan (or the scroll bars), Ctrl + wheel or the card's − / + buttons or the keys + / − / 0 on
// a focused map to zoom. Clicks keep landing on the pixel under the pointer (lib/draw.js cellAt
// reads the canvas's on-screen box, scroll included). Zoom levels are kept per stage across
// redraws.

import { rewire } from "../../lib/events.js";

export const ZOOMS = [1, 1.5, 2, 3, 4, 6, 8, 12, 16];
const MAX_OVERLAY_PX = 4096;   // an overlay canvas never holds more than this per side
const DRAG_PX = 4;             // pointer travel that turns a press into a pan, not a click

/** The overlay's pixel size for a CSS size: devicePixelRatio, capped. @param {number} css */
export const overlayPx = (css) => Math.max(1, Math.min(MAX_OVERLAY_PX, Math.round(css * devicePixelRatio)));

/** createZoom(onChange) → {wire(stage, m, fw, fh), zoomOf(stage), set(stage, z)}.
 *  onChange(stage) runs after a zoom change (the overlays need drawing again). */
export function createZoom(onChange) {
  /** @type {Map<string, number>} */
  const levels = new Map();
  /** @type {Map<string, any[]>} */
  const maps = new Map();

  function apply(m, z, anchor = null) {
    const box = m.box, inner = m.inner;
    const before = m.zoom ?? 1;
    const ax = anchor ? anchor.x : m.fw / 2, ay = anchor ? anchor.y : m.fh / 2;
    // from 100 % to 100 %: no scroll position to keep (reading one would force a layout per map)
    const keep = before !== 1 || z !== 1;
    const cx = keep ? (box.scrollLeft + ax) / before : 0, cy = keep ? (box.scrollTop + ay) / before : 0;
    const w = Math.round(m.fw * z), h = Math.round(m.fh * z);
    inner.style.width = `${w}px`; inner.style.height = `${h}px`;
    for (const c of [m.canvas, m.shade, m.overlay]) { c.style.width = `${w}px`; c.style.height = `${h}px`; }
    for (const c of [m.shade, m.overlay]) { c.width = overlayPx(w); c.height = overlayPx(h); }
    m.canvas.classList.toggle("pixelated", m.fitScale * z >= 1);
    m.zoom = z;
    box.classList.toggle("zoomed", z > 1);
    box.dataset.zoom = String(z);
    if (keep) { box.scrollLeft = cx * z - ax; box.scrollTop = cy * z - ay; }
    m.redrawShade?.();
  }

  function set(stage, z, anchor = null) {
    const level = ZOOMS.includes(z) ? z : 1;
    levels.set(stage, level);
    for (const m of maps.get(stage) ?? []) apply(m, level, anchor);
    for (const b of document.querySelectorAll(`[data-zoom-of="${stage}"]`)) b.textContent = `${Math.round(level * 100)}%`;
    onChange(stage);
  }

  const step = (stage, dir, anchor = null) => {
    const i = ZOOMS.indexOf(levels.get(stage) ?? 1);
    set(stage, ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, i + dir))], anchor);
  };

  function wire(stage, m) {
    const box = m.box;
    if (!maps.has(stage) || !maps.get(stage)?.includes(m)) maps.set(stage, [...(maps.get(stage) ?? []), m]);
    apply(m, levels.get(stage) ?? 1);
    const on = rewire(box, "zoom");   // a box kept from the last render (pipeline.js): replaced
    on("wheel", (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      const r = box.getBoundingClientRect();
      step(stage, e.deltaY < 0 ? 1 : -1, { x: e.clientX - r.left, y: e.clientY - r.top });
    }, { passive: false });
    on("keydown", (e) => {
      const dir = { "+": 1, "=": 1, "-": -1, _: -1 }[e.key];
      if (dir) { e.preventDefault(); step(stage, dir); } else if (e.key === "0") { e.preventDefault(); set(stage, 1); }
    });
    let press = null;
    on("pointerdown", (e) => {
      if ((m.zoom ?? 1) > 1 && e.button === 0) press = { x: e.clientX, y: e.clientY, sl: box.scrollLeft, st: box.scrollTop, moved: false };
    });
    on("pointermove", (e) => {
      if (!press || !(e.buttons & 1)) return;
      const dx = e.clientX - press.x, dy = e.clientY - press.y;
      if (!press.moved && Math.hypot(dx, dy) < DRAG_PX) return;
      press.moved = true;
      box.scrollLeft = press.sl - dx; box.scrollTop = press.st - dy;
    });
    on("pointerup", () => { if (press && !press.moved) press = null; });
    // A pan ends with a click on the map: swallow it so the inspector's pin stays.
    on("click", (e) => { if (press?.moved) { e.stopImmediatePropagation(); } press = null; }, true);
  }

  return {
    /** Start a new render: forget the previous maps (their levels stay). */
    reset() { maps.clear(); },
    wire,
    set,
    step,
    /** @param {string} stage */
    zoomOf: (stage) => levels.get(stage) ?? 1,
  };
}
