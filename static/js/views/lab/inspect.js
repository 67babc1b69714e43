// @ts-check
// Wiring of the inspector in the lab: click / hover / keyboard on the conv and ReLU maps.
import { cellAt } from "../../lib/draw.js";
import { t } from "../../lib/i18n.js";
import { drawInputOverlay, drawPixelMarker, inspect, renderInspector } from "./inspector.js";
import { inspectPool, renderPoolInspector } from "./pool-inspector.js";

const INSPECTABLE = ["conv", "relu", "pool"];

/** createInspection(root) → {attach(drawn, data)}, called after every new response. */
export function createInspection(root) {
  const body = root.querySelector("#lab-inspector-body");
  const hint = root.querySelector("#lab-inspector-hint");
  let drawn = null, data = null;
  let pinned = null;   // {stage, c, i, j}
  let lastShown = null;

  function show(sel) {
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
    target.addEventListener("mousemove", (e) => show({ stage, c: channel(), ...pixelAt(e, m, d) }));
    target.addEventListener("mouseleave", () => show(pinned));
    target.addEventListener("click", (e) => {
      const p = pixelAt(e, m, d);
      const again = composite && mine() && pinned.i === p.i && pinned.j === p.j;
      pinned = { stage, c: again ? (pinned.c + 1) % d.C : channel(), ...p };
      show(pinned);
    });
    target.addEventListener("focus", () => {
      if (!pinned || pinned.stage !== stage || (pinned.c !== c && !composite)) {
        pinned = { stage, c, i: Math.floor(d.H / 2), j: Math.floor(d.W / 2) };
      }
      show(pinned);
    });
    target.addEventListener("keydown", (e) => {
      const step = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      if (!step || !pinned) return;
      e.preventDefault();
      const k = e.shiftKey ? 5 : 1;
      pinned = { stage, c: channel(), i: Math.min(d.H - 1, Math.max(0, pinned.i + step[0] * k)),
        j: Math.min(d.W - 1, Math.max(0, pinned.j + step[1] * k)) };
      show(pinned);
    });
  }

  return {
    attach(nextDrawn, nextData) {
      drawn = nextDrawn; data = nextData;
      for (const stage of INSPECTABLE) for (const m of drawn[stage]?.maps ?? []) wire(stage, m);
      const d = pinned && drawn[pinned.stage]?.data;
      if (pinned && (!d || pinned.c >= d.C || pinned.i >= d.H || pinned.j >= d.W)) pinned = null;
      show(pinned);
      if (!pinned) { body.hidden = true; hint.hidden = false; }
    },
    get selection() { return lastShown; },
  };
}
