// @ts-check
// The drawing pad: white strokes on black (as MNIST) with mouse, pen or touch (pointer events).
// createPad(canvas, {onStart, onStroke, onEnd}) → {clear(), isEmpty(), toBlob(), drawImage(bitmap),
// drawStrokes(strokes), strokes()}. strokes(): what the hand drew, [[x, y, pressure], …] per
// stroke in [0, 1] of the pad (null when the pad shows an uploaded picture), so a drawing can be
// replayed elsewhere (a link, the classroom's follow) with the same pen.

const BACKGROUND = "#000";
const INK = "#fff";

export function createPad(canvas, { onStart = () => {}, onStroke = () => {}, onEnd = () => {} } = {}) {
  const g = canvas.getContext("2d");
  let drawing = null;  // {id, x, y} of the active pointer
  let empty = true;
  /** @type {number[][][] | null} */
  let drawn = [];   // the strokes on the pad, in pad units; null: a picture, not strokes

  const lineWidth = () => canvas.width / 14;  // ≈ MNIST's stroke at 20/28 of the field

  function clear() {
    g.fillStyle = BACKGROUND;
    g.fillRect(0, 0, canvas.width, canvas.height);
    empty = true;
    drawn = [];
  }
  const unit = (p, pressure) => [p.x / canvas.width, p.y / canvas.height, pressure];

  function point(e) {
    const r = canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) / r.width) * canvas.width,
      y: ((e.clientY - r.top) / r.height) * canvas.height,
    };
  }

  function segment(from, to, pressure) {
    // Pens report pressure; a mouse reports 0.5 while a button is down.
    const scale = pressure > 0 && pressure !== 0.5 ? 0.6 + pressure * 0.8 : 1;
    g.strokeStyle = INK;
    g.fillStyle = INK;
    g.lineCap = "round";
    g.lineJoin = "round";
    g.lineWidth = lineWidth() * scale;
    g.beginPath();
    g.moveTo(from.x, from.y);
    g.lineTo(to.x, to.y);
    g.stroke();
    empty = false;
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (drawing || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    try { canvas.setPointerCapture(e.pointerId); } catch { /* synthetic or already gone */ }
    onStart();
    const p = point(e);
    drawing = { id: e.pointerId, ...p };
    segment(p, p, e.pressure);
    drawn?.push([unit(p, e.pressure)]);
    onStroke();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing || e.pointerId !== drawing.id) return;
    e.preventDefault();
    const events = e.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e]) {
      const p = point(ev);
      segment(drawing, p, ev.pressure);
      drawn?.at(-1)?.push(unit(p, ev.pressure));
      drawing.x = p.x;
      drawing.y = p.y;
    }
    onStroke();
  });
  const finish = (e) => {
    if (!drawing || e.pointerId !== drawing.id) return;
    drawing = null;
    onEnd();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  /** Draw an uploaded image (any size) into the pad, fitted and centred, on its own background. */
  function drawImage(bitmap) {
    clear();
    const s = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
    const w = bitmap.width * s, h = bitmap.height * s;
    g.drawImage(bitmap, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
    empty = false;
    drawn = null;
  }

  /** Clear, then draw strokes ([[x, y(, pressure)], …] in [0, 1] of the pad) with the pen, as a
   *  hand would (no pressure: a mouse's 0.5). */
  function drawStrokes(strokes) {
    clear();
    const at = ([x, y]) => ({ x: x * canvas.width, y: y * canvas.height });
    for (const stroke of strokes) {
      for (let i = 0; i < stroke.length; i++) segment(at(stroke[Math.max(0, i - 1)]), at(stroke[i]), stroke[i][2] ?? 0.5);
    }
    drawn = strokes.map((stroke) => stroke.map(([x, y, pr]) => [x, y, pr ?? 0.5]));
  }

  clear();
  return {
    clear,
    drawImage,
    drawStrokes,
    isEmpty: () => empty,
    strokes: () => drawn && drawn.map((stroke) => stroke.map((pt) => [...pt])),
    toBlob: () => new Promise((resolve) => canvas.toBlob(resolve, "image/png")),
  };
}
