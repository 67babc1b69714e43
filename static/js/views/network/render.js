// @ts-check
// Drawing the prediction: the slide-4 chain of layers, every stage's channel maps with the lab's
// colour legend (the server's previews use the same LUTs and ranges: docs/contracts.md), softmax bars.
import { drawLegend, scaleFor } from "../../lib/colorscale.js";
import { el } from "../../lib/dom.js";
import { int, short as fmt } from "../../lib/format.js";

/** "16 × 14 × 14": the chips' and stage headers' way to write a shape. */
const dims = (shape) => shape.join(" × ");

const SHEET_MAX = 336;  // px: a tile sheet's widest drawing

/** The chain of slide 4: one chip per layer (input … softmax), each a link to its stage. */
export function renderChain(host, layers, t) {
  host.replaceChildren(...layers.map((layer) => el("li", { class: `net-chip net-kind-${layer.type}` },
    el("a", { href: `#net-stage-${layer.name}`, "data-stage": layer.name },
      el("span", { class: "net-chip-kind", text: t(`network.kind.${layer.type}`) }),
      el("span", { class: "net-chip-shape", text: dims(layer.output_shape) })))));
}

/** One <li> per stage with room for its channel previews (built once per model). */
export function buildStages(host, layers, t) {
  host.replaceChildren(...layers.map((layer) => {
    const head = el("header", { class: "net-stage-head" },
      el("strong", { text: layer.name }),
      el("span", { class: "net-stage-kind", text: t(`network.kind.${layer.type}`) }),
      el("span", { class: "net-stage-shape", text: dims(layer.output_shape) }),
      el("span", { class: "net-stage-params", text: layer.params ? t("network.layers.params", { n: int(layer.params) }) : "" }),
      el("span", { class: "net-stage-stats", "data-role": "stats" }));
    // hidden until a prediction draws and labels it (an unlabelled role=img is an axe failure)
    const legend = layer.output_shape.length === 3
      ? [el("div", { class: "net-legend", "data-role": "legend", role: "img", hidden: true })] : [];
    return el("li", { class: `net-stage net-kind-${layer.type}`, id: `net-stage-${layer.name}`, "data-stage": layer.name },
      head, el("div", { class: "net-maps", "data-role": "maps" }), ...legend);
  }));
}

/** One picture of the stage's first `tiles` channels (⌈√n⌉ columns, 1-pixel gaps), drawn at a
 *  whole multiple of its pixels up to SHEET_MAX px wide (CSS shrinks it to fit a phone). */
function showSheet(maps, s, t) {
  const [C, H, W] = s.shape, n = s.tiles;
  const cols = Math.ceil(Math.sqrt(n)), rows = Math.ceil(n / cols);
  const w = cols * (W + 1) - 1, h = rows * (H + 1) - 1;
  const k = Math.max(1, Math.floor(SHEET_MAX / w));
  let img = maps.querySelector("img.net-sheet");
  if (!img) {
    img = el("img", { class: "net-sheet net-pixelated" });
    maps.replaceChildren(img);
  }
  img.width = w * k;
  img.height = h * k;
  img.alt = t("network.layers.sheet", { name: s.name, n, cols });
  img.src = s.previews[0];
  const more = C - n;
  maps.querySelector(".net-more")?.remove();
  if (more > 0) maps.append(el("span", { class: "net-more", text: t("network.layers.more", { n: more }) }));
}

/** Draw a vector (an affine or softmax output) as a strip of bars on a canvas. */
function vectorCanvas(values) {
  const c = el("canvas", { class: "net-vector", width: String(Math.max(values.length * 4, 160)), height: "48" });
  const g = c.getContext("2d");
  const m = Math.max(1e-9, ...values.map(Math.abs));
  const w = c.width / values.length;
  const base = values.some((v) => v < 0) ? 32 : 47;  // the zero line
  values.forEach((v, i) => {
    const h = (Math.abs(v) / m) * (v >= 0 ? base - 1 : 47 - base);
    g.fillStyle = v >= 0 ? "#d9480f" : "#1971c2";
    g.fillRect(i * w, v >= 0 ? base - h : base, Math.max(1, w - 1), h);
  });
  return c;
}

/** The lab's legend for a stage's scale (the kind the server drew its previews with), labelled. */
function showLegend(host, scale, t) {
  drawLegend(host, scale);
  host.setAttribute("aria-label", t(`network.legend.${scale.kind}`, { lo: fmt(scale.lo), hi: fmt(scale.hi) }));
  host.hidden = false;
}

/** Fill every stage's maps from a predict response. */
export function updateStages(host, stages, t) {
  for (const s of stages) {
    const li = host.querySelector(`[data-stage="${CSS.escape(s.name)}"]`);
    if (!li) continue;
    li.querySelector('[data-role="stats"]').textContent =
      t("network.layers.stats", { min: fmt(s.min), max: fmt(s.max), mean: fmt(s.mean) });
    const maps = li.querySelector('[data-role="maps"]');
    if (s.previews && s.shape.length === 3 && s.tiles) {
      showSheet(maps, s, t);  // an imported model: every channel as tiles in one picture
      const legend = li.querySelector('[data-role="legend"]');
      if (legend) showLegend(legend, scaleFor(s.min, s.max, s.scale), t);
    } else if (s.previews && s.shape.length === 3) {
      const side = Math.max(28, Math.min(84, s.shape[1] * 3));
      const imgs = [...maps.querySelectorAll("img")];
      if (imgs.length !== s.previews.length) {
        const more = s.shape[0] - s.channels_shown;
        maps.replaceChildren(...s.previews.map((_, i) => el("img", {
          class: "net-map net-pixelated", width: String(side), height: String(side),
          alt: t("network.layers.channel", { name: s.name, c: i }), title: `${s.name}[${i}]` })),
        ...(more > 0 ? [el("span", { class: "net-more", text: t("network.layers.more", { n: more }) })] : []));
      }
      maps.querySelectorAll("img").forEach((img, i) => { img.src = s.previews[i]; });
      const legend = li.querySelector('[data-role="legend"]');
      if (legend) showLegend(legend, scaleFor(s.min, s.max, s.scale), t);
    } else if (s.values && s.shape.length === 1) {
      maps.replaceChildren(vectorCanvas(s.values));
    }
  }
}

/** The softmax bars (one <li> per class) and the big predicted digit. */
export function updateBars(barsHost, labelHost, captionHost, probs, label, t, names = null) {
  const name = (d) => (names && d < names.length ? names[d] : String(d));
  const key = probs.map((_, d) => name(d)).join("\n");
  if (barsHost.dataset.names !== key) {  // the classes changed (another model): new bars
    barsHost.dataset.names = key;
    barsHost.classList.toggle("net-bars-named", probs.some((_, d) => name(d) !== String(d)));
    barsHost.replaceChildren(...probs.map((_, d) => el("li", { class: "net-bar", "data-digit": String(d) },
      el("span", { class: "net-bar-digit", text: name(d), title: name(d) }),
      el("span", { class: "net-bar-track" }, el("span", { class: "net-bar-fill" })),
      el("span", { class: "net-bar-value" }))));
  }
  probs.forEach((p, d) => {
    const li = barsHost.children[d];
    li.classList.toggle("is-top", d === label);
    li.querySelector(".net-bar-fill").style.width = `${(p * 100).toFixed(1)}%`;
    li.querySelector(".net-bar-value").textContent = `${(p * 100).toFixed(1)}%`;
    li.setAttribute("aria-label", `${name(d)}: ${(p * 100).toFixed(1)}%`);
  });
  labelHost.textContent = label === null ? "–" : name(label);
  captionHost.textContent = label === null ? "" :
    t("network.result.caption", { digit: name(label), p: (probs[label] * 100).toFixed(1) });
}

/** The card's "source": the command as code, then its translated explanation. */
function sourceNode(source, t) {
  if (typeof source !== "string") return "–";
  if (!source.startsWith("convscope train")) return source;
  const span = el("span", {}, el("code", { text: "convscope train" }), " ");
  span.append(t("network.card.sourceTrain"));
  return span;
}

/** The model card's main facts (data, split, seed, epochs, accuracy, time) and its curve;
 * name: the model's name in the interface language (the curve's alt text). */
export function renderCard(dl, img, detail, t, name = detail.name) {
  const c = detail.card ?? {};
  const pct = (v) => (typeof v === "number" ? `${(v * 100).toFixed(2)}%` : "–");
  const split = c.split ? ["train", "validation", "test"].filter((k) => k in c.split)
    .map((k) => `${t(`network.card.split_${k}`)} ${c.split[k]}`).join(" · ") : "–";
  const rows = [
    ["data", el("code", { text: String(c.data?.file ?? c.data ?? "–") })], ["split", split], ["seed", c.seed ?? "–"],
    ["epochs", c.epochs ?? "–"], ["validation", pct(c.validation_accuracy)],
    ["test", pct(c.test_accuracy)],
    ["time", typeof c.training_time_s === "number" ? `${c.training_time_s.toFixed(0)} s` : "–"],
    ["source", sourceNode(c.source, t)],
  ];
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: t(`network.card.${k}`) }),
    el("dd", {}, v instanceof Node ? v : String(v))]));
  img.hidden = !detail.curve_url;
  if (detail.curve_url) {
    img.src = detail.curve_url;
    img.alt = t("network.card.curve", { name });
  }
}
