// @ts-check
// The output-size formula of slide 10 with the user's numbers, and what is never covered.
//   OH = (H + 2P − FH) / S + 1, with FH replaced by dilation·(FH − 1) + 1 when dilated.

/** One axis of a GeometryOut: {n, f, fe, s, p, d, out, rem} (rem = padded rows never covered). */
export function axis(g, which) {
  const h = which === "h";
  const n = h ? g.H : g.W, f = h ? g.FH : g.FW;
  const [s, p, d] = [g.stride, g.pad, g.dilation].map((pair) => pair[h ? 0 : 1]);
  const fe = d * (f - 1) + 1;
  const span = n + 2 * p - fe;
  return { n, f, fe, s, p, d, span, out: Math.floor(span / s) + 1, rem: span % s };
}

/** "OH = (H + 2P − FH) / S + 1 = (28 + 2·1 − 3) / 1 + 1 = 28" (⌊ ⌋ when not exact). */
export function formulaText(g, which, names = which === "h" ? ["OH", "H", "FH"] : ["OW", "W", "FW"],
  withPad = true) {
  const a = axis(g, which);
  const [o, i, k] = names;
  const [l, r] = a.rem === 0 ? ["", ""] : ["⌊", "⌋"];
  const sym = withPad ? `(${i} + 2P − ${k})` : `(${i} − ${k})`;
  const num = withPad ? `(${a.n} + 2·${a.p} − ${a.fe})` : `(${a.n} − ${a.fe})`;
  return `${o} = ${l}${sym} / S${r} + 1 = ${l}${num} / ${a.s}${r} + 1 = ${a.out}`;
}

function line(text, cls) {
  const p = document.createElement("p");
  p.className = cls;
  p.textContent = text;
  return p;
}

/** Render the conv (and pool) formulas plus the exact / not-exact message into el: a head row
 *  (title, message), then the lines in a grid (conv OH | pool PH, conv OW | pool PW). */
export function renderFormula(el, geometry, poolGeometry, t) {
  el.replaceChildren();
  const head = document.createElement("div");
  head.className = "formula-head";
  const title = document.createElement("h2");
  title.textContent = t("lab.formula.title");
  head.append(title);
  el.append(head);
  const math = document.createElement("div");
  math.className = `formula-math${poolGeometry ? " with-pool" : ""}`;
  const conv = [line(formulaText(geometry, "h"), "formula-line"), line(formulaText(geometry, "w"), "formula-line")];
  const pool = poolGeometry ? ["h", "w"].map((a) => line(`${t("lab.formula.pool")} ${formulaText(poolGeometry, a,
    a === "h" ? ["PH", "OH", "k"] : ["PW", "OW", "k"], false)}`, "formula-line pool")) : [];
  math.append(conv[0], ...pool.slice(0, 1), conv[1], ...pool.slice(1));
  el.append(math);
  const h = axis(geometry, "h"), w = axis(geometry, "w");
  if (h.d > 1 || w.d > 1) {
    el.append(line(t("lab.formula.dilated", { fh: h.f, fw: w.f, d: h.d, feh: h.fe, few: w.fe }), "formula-note"));
  }
  if (h.rem || w.rem) {
    const which = h.rem && w.rem ? "notExact" : h.rem ? "notExactRows" : "notExactCols";
    el.append(line(t(`lab.formula.${which}`, {
      rows: h.rem, cols: w.rem, sh: h.s, sw: w.s, spanh: h.span, spanw: w.span,
    }), "formula-warning"));
  } else {
    head.append(line(t("lab.formula.exact"), "formula-ok"));
  }
  if (poolGeometry) {
    const ph = axis(poolGeometry, "h"), pw = axis(poolGeometry, "w");
    if (ph.rem || pw.rem) {
      el.append(line(t("lab.formula.poolNotExact", { rows: ph.rem, cols: pw.rem }), "formula-pool-warning"));
    }
  }
}

/** The formula with the student's numbers while the setup is invalid, and why it fails
 *  (problems from validate.js; their messages in the page's language). Lines are left out
 *  when a stride, padding or dilation is not a usable number. */
export function renderFormulaProblems(el, geometry, problems, t) {
  const usable = ["stride", "pad", "dilation"].every((k) => geometry[k].every((v) => Number.isInteger(v) && v >= (k === "pad" ? 0 : 1)));
  if (usable) renderFormula(el, geometry, null, t);
  else {
    el.replaceChildren();
    const title = document.createElement("h2");
    title.textContent = t("lab.formula.title");
    el.append(title);
  }
  for (const old of el.querySelectorAll(".formula-ok, .formula-warning")) old.remove();
  for (const p of problems) el.append(line(t(p.key, p.vars), "formula-fail"));
  el.classList.add("invalid");
}
