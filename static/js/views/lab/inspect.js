// @ts-check
// Wiring of the inspector in the lab: click / hover / keyboard on the conv, ReLU and pooled maps;
// the magnifier (magnifier.js) follows the pointer or the keyboard's pixel.
import { cellAt } from "../../lib/draw.js";
import { rewire } from "../../lib/events.js";
import { t } from "../../lib/i18n.js";
import { fmt } from "./inspector.js";
import { windowAt } from "./magnifier.js";
import { drawInputOverlay, drawPixelMarker, inspect, renderInspector } from "./inspector.js";
import { inspectPool, renderPoolInspector } from "./pool-inspector.js";

const INSPECTABLE = ["conv", "relu", "pool"];

/** The client point at the centre of pixel (i, j) of a map drawn in `m`. */
function pixelPoint(m, H, W, i, j) {
  const r = m.canvas.getBoundingClientRect();
  return { x: r.left + ((j + 0.5) / W) * r.width, y: r.top + ((i + 0.5) / H) * r.height };
}

/** Scroll a zoomed map's box so pixel (i, j) is in view. */
function keepInView(m, H, W, i, j) {
  const box = m.box;
  const x = ((j + 0.5) / W) * parseFloat(m.canvas.style.width), y = ((i + 0.5) / H) * parseFloat(m.canvas.style.height);
  if (x < box.scrollLeft || x > box.scrollLeft + box.clientWidth) box.scrollLeft = x - box.clientWidth / 2;
  if (y < box.scrollTop || y > box.scrollTop + box.clientHeight) box.scrollTop = y - box.clientHeight / 2;
}

/** The inspected pixel as kept in the URL, px = "stage:c:i:j" → {stage, c, i, j} | null. */
export function parsePixel(text) {
  const m = /^(conv|relu|pool):(\d+):(\d+):(\d+)$/.exec(text ?? "");
  return m ? { stage: m[1], c: Number(m[2]), i: Number(m[3]), j: Number(m[4]) } : null;
}
const pixelText = (p) => (p ? `${p.stage}:${p.c}:${p.i}:${p.j}` : null);

/** createInspection(root, magnifier, url) → {attach(drawn, data), refresh(), pin(sel)}, attach
 *  after every new response; the pinned pixel is kept in the URL (px, parsePixel). */
export function createInspection(root, magnifier = null, { getParam = () => null, setParams = () => {} } = {}) {
  const body = root.querySelector("#lab-inspector-body");
  const hint = root.querySelector("#lab-inspector-hint");
  let drawn = null, data = null;
  let pinned = parsePixel(getParam("px"));   // {stage, c, i, j}
  let lastShown = null;
  const save = () => setParams({ px: pixelText(pinned) });

  /** The lens for selection r at a client point (pointer, or the pixel's centre). */
  function lens(r, sel, anchor) {
    if (!magnifier || !anchor) return;
    const range = [Math.min(0, data.inputRange[0]), data.inputRange[1]];
    if (sel.stage === "pool") {
      magnifier.show(r.values, r.window.h, r.window.w, anchor, `${t(r.type === "avg" ? "lab.inspector.mean" : "lab.inspector.max")} = ${fmt(r.value)}`,
        [Math.min(...r.values), Math.max(...r.values)]);
    } else {
      magnifier.show(r.patch, r.FH, r.FW, anchor, `Σ + b = ${fmt(r.value)}`, range);
    }
  }

  function show(sel, anchor = null) {
    lastShown = sel;
    const input = drawn.input.maps[0];
    if (!sel) {
      drawInputOverlay(input.overlay, drawn.padded, data.geometry, null);
      for (const name of INSPECTABLE) for (const m of drawn[name]?.maps ?? []) drawPixelMarker(m.overlay, 1, 1, null, null);
      return;
    }
    const pooled = sel.stage === "pool";
    const r = pooled ? inspectPool(data, sel.c, sel.i, sel.j) : inspect(data, sel.stage, sel.c, sel.i, sel.j);
    drawInputOverlay(input.overlay, drawn.padded, data.geometry, r);
    for (const name of INSPECTABLE) {
      for (const m of drawn[name]?.maps ?? []) {
        const d = drawn[name].data;
        const composite = drawn[name].maps.length === 1 && d.C > 1;   // one RGB picture: every channel
        if ((m.channel !== sel.c && !composite) || (name === "pool" && !pooled)) drawPixelMarker(m.overlay, 1, 1, null, null);
        else if (pooled && name !== "pool") drawPixelMarker(m.overlay, d.H, d.W, r.window.top, r.window.left, r.window.h, r.window.w);
        else drawPixelMarker(m.overlay, d.H, d.W, sel.i, sel.j);
      }
    }
    lens(r, sel, anchor);
    if (pooled) renderPoolInspector(body, r, t);
    else renderInspector(body, r, t);
    body.dataset.stage = sel.stage;
    body.dataset.pixel = `${sel.c},${sel.i},${sel.j}`;
    hint.hidden = true;
  }

  function pixelAt(e, m, d) {
    const [i, j] = cellAt(e, m.canvas, d.H, d.W);
    return { i, j };
  }

  function wire(stage, m) {
    const d = drawn[stage].data;
    // An RGB stage drawn as one picture holds 3 channels: a click inspects R, a second click on
    // the same pixel G, then B (the inspector says which); the keyboard keeps the channel.
    const composite = drawn[stage].maps.length === 1 && d.C > 1;
    const mine = () => pinned && pinned.stage === stage;
    const channel = () => (composite && mine() ? pinned.c : m.channel ?? 0);
    const c = m.channel ?? 0;
    const target = m.box;
    target.tabIndex = 0;
    target.classList.add("inspectable");
    target.setAttribute("role", "button");
    target.setAttribute("aria-label", t("lab.inspector.mapLabel", { stage: t(`lab.stages.${stage}`), c }));
    const on = rewire(target, "inspect");   // a kept box (pipeline.js) is wired again
    on("mousemove", (e) => show({ stage, c: channel(), ...pixelAt(e, m, d) }, { x: e.clientX, y: e.clientY }));
    on("mouseleave", () => { magnifier?.hide(); show(pinned); });
    on("click", (e) => {
      const p = pixelAt(e, m, d);
      const again = composite && mine() && pinned.i === p.i && pinned.j === p.j;
      pinned = { stage, c: again ? (pinned.c + 1) % d.C : channel(), ...p };
      save();
      show(pinned, { x: e.clientX, y: e.clientY });
    });
    on("focus", () => {
      if (!pinned || pinned.stage !== stage || (pinned.c !== c && !composite)) {
        pinned = { stage, c, i: Math.floor(d.H / 2), j: Math.floor(d.W / 2) };
        save();
      }
      show(pinned, pixelPoint(m, d.H, d.W, pinned.i, pinned.j));
    });
    on("blur", () => magnifier?.hide());
    on("keydown", (e) => {
      const step = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      if (!step || !pinned) return;
      e.preventDefault();
      const k = e.shiftKey ? 5 : 1;
      pinned = { stage, c: channel(), i: Math.min(d.H - 1, Math.max(0, pinned.i + step[0] * k)),
        j: Math.min(d.W - 1, Math.max(0, pinned.j + step[1] * k)) };
      save();
      keepInView(m, d.H, d.W, pinned.i, pinned.j);
      show(pinned, pixelPoint(m, d.H, d.W, pinned.i, pinned.j));
    });
  }

  /** Over the input: the lens shows the kernel-sized window centred on the pixel under the pointer. */
  function wireInput(m) {
    const p = drawn.padded;
    const on = rewire(m.box, "inspect-input");
    on("mousemove", (e) => {
      if (!magnifier) return;
      const [r, c] = cellAt(e, m.canvas, p.H, p.W);
      const g = data.geometry;
      const cells = windowAt(p, r, c, g.FH, g.FW);
      magnifier.show(cells, g.FH, g.FW, { x: e.clientX, y: e.clientY },
        t("lab.view.lensInput", { y: r, x: c }), [Math.min(0, data.inputRange[0]), data.inputRange[1]]);
    });
    on("mouseleave", () => magnifier?.hide());
  }

  return {
    /** Draw the current selection again (after a zoom: the overlays were resized). */
    refresh() { if (drawn) show(lastShown); },
    attach(nextDrawn, nextData) {
      drawn = nextDrawn; data = nextData;
      magnifier?.hide();
      for (const stage of INSPECTABLE) for (const m of drawn[stage]?.maps ?? []) wire(stage, m);
      if (drawn.input?.maps[0]) wireInput(drawn.input.maps[0]);
      const d = pinned && drawn[pinned.stage]?.data;
      if (pinned && (!d || pinned.c >= d.C || pinned.i >= d.H || pinned.j >= d.W)) { pinned = null; save(); }
      show(pinned);
      if (!pinned) { body.hidden = true; hint.hidden = false; }
    },
    get selection() { return lastShown; },
    /** Pin a pixel (a followed scene's px; null: none) and show it once it is drawn. */
    pin(sel) {
      pinned = sel;
      save();
      if (!drawn) return;
      const d = pinned && drawn[pinned.stage]?.data;
      if (pinned && (!d || pinned.c >= d.C || pinned.i >= d.H || pinned.j >= d.W)) return;  // the next attach
      show(pinned);
      body.hidden = !pinned;
      hint.hidden = Boolean(pinned);
    },
  };
}
