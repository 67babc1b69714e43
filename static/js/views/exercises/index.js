// @ts-check
// View "exercises" (issue 12): questions the engine generates from a seed and checks at once,
// a hint on a wrong answer, the worked solution on request, progress per section in this
// browser only, and a form for printable worksheets (/worksheet, /worksheet/key).
import { getJson, request } from "../../lib/api.js";
import { byRole, clear, el } from "../../lib/dom.js";
import { getLanguage, loadNamespace, onLanguageChange, t } from "../../lib/i18n.js";
import { bindUrl, getParam, setParams } from "../../lib/url.js";
import { answerFields, blankAnswer } from "./answer.js";
import { clearProgress, countsBySection, record } from "./progress.js";

const MAX_SEED = 2147483647;

/** A small integer matrix as a table. @param {number[][]} rows @param {string} caption */
function grid(rows, caption) {
  return el("table", { class: "ex-grid" }, el("caption", { text: caption }),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((v) => el("td", { text: v }))))));
}

export async function mount(root) {
  await loadNamespace("exercises");
  const $ = byRole(root);
  const st = { kinds: /** @type {any[]} */ ([]), q: /** @type {any} */ (null), read: () => null,
    sheet: /** @type {{kind: string, seed: number}[]} */ ([]), pos: 0 };
  const kindSel = /** @type {HTMLSelectElement} */ ($("kind"));
  const seedIn = /** @type {HTMLInputElement} */ ($("seed"));

  const seed = () => Math.min(MAX_SEED, Math.max(0, Math.trunc(Number(seedIn.value) || 0)));

  async function loadKinds() {
    st.kinds = (await getJson(`/api/exercises?lang=${getLanguage()}`)).kinds;
    const keep = kindSel.value;
    clear(kindSel);
    const sections = [...new Set(st.kinds.map((k) => k.section))];
    for (const s of sections) {
      const kinds = st.kinds.filter((k) => k.section === s);
      kindSel.append(el("optgroup", { label: kinds[0].section_title },
        kinds.map((k) => el("option", { value: k.id, text: k.title }))));
    }
    if (keep) kindSel.value = keep;
    const ws = clear($("wssections"));
    for (const s of sections) {
      const title = st.kinds.find((k) => k.section === s).section_title;
      ws.append(el("label", {}, el("input", { type: "checkbox", name: "sections", value: s, checked: true }), title));
    }
    /** @type {HTMLInputElement} */ ($("wslang")).value = getLanguage();
    renderProgress();
  }

  function renderProgress() {
    const counts = countsBySection();
    const list = clear($("progress"));
    for (const s of [...new Set(st.kinds.map((k) => k.section))]) {
      const c = counts[s] ?? { tried: 0, solved: 0 };
      const title = st.kinds.find((k) => k.section === s).section_title;
      list.append(el("li", { "data-section": s }, el("span", { text: title }),
        el("span", { "data-count": s, text: t("exercises.solved", { solved: c.solved, tried: c.tried }) })));
    }
  }

  async function loadQuestion() {
    $("error").textContent = "";
    const q = await getJson(`/api/exercises/${encodeURIComponent(kindSel.value)}?seed=${seed()}&lang=${getLanguage()}`);
    st.q = q;
    $("qtitle").textContent = `${q.section} · ${q.title}`;
    $("question").textContent = q.question;
    const inputs = clear($("inputs"));
    if (q.inputs.x) inputs.append(grid(q.inputs.x, t("exercises.inputX")));
    if (q.inputs.filter) inputs.append(grid(q.inputs.filter, t("exercises.filter")));
    st.read = answerFields(clear($("answer")), q.answer_format, t);
    clear($("feedback")).removeAttribute("data-state");
    $("solution").hidden = true;
    root.dataset.question = `${q.kind}:${q.seed}`;
  }

  /** POST the answer; show right / wrong + hint (and the solution when asked). */
  async function send(answer, solution) {
    const body = JSON.stringify({ seed: st.q.seed, answer, solution });
    const res = await request(`/api/exercises/${encodeURIComponent(st.q.kind)}/check?lang=${getLanguage()}`,
      { method: "POST", body, headers: { "Content-Type": "application/json" } });
    return res.json();
  }

  async function check() {
    const answer = st.read();
    const fb = clear($("feedback"));
    if (answer === null) {
      fb.dataset.state = "wrong";
      fb.append(t("exercises.fillIn"));
      return;
    }
    const r = await send(answer, false);
    record(st.q.kind, st.q.seed, st.q.section, r.correct);
    fb.dataset.state = r.correct ? "right" : "wrong";
    fb.append(el("strong", { text: t(r.correct ? "exercises.right" : "exercises.wrong") }));
    if (r.hint) fb.append(el("span", { "data-role": "hint", text: r.hint }));
    renderProgress();
  }

  async function solve() {
    const r = await send(st.read() ?? blankAnswer(st.q.answer_format), true);
    const sol = $("solution");
    sol.textContent = t("exercises.solution", { text: r.solution.text, answer: JSON.stringify(r.solution.answer) });
    sol.hidden = false;
  }

  const guard = (fn) => async (e) => {
    e?.preventDefault?.();
    try { await fn(); } catch (err) {
      $("error").textContent = t("exercises.apiError", { message: /** @type {Error} */ (err).message });
    }
  };
  $("form").addEventListener("submit", guard(check));
  $("solve").addEventListener("click", guard(solve));
  $("next").addEventListener("click", guard(async () => {
    seedIn.value = String(Math.floor(Math.random() * 1_000_000));
    setParams({ "exercises-seed": seedIn.value });
    await loadQuestion();
  }));
  $("reset").addEventListener("click", () => { clearProgress(); renderProgress(); });
  kindSel.addEventListener("change", guard(loadQuestion));
  seedIn.addEventListener("change", guard(loadQuestion));
  onLanguageChange(guard(async () => {
    await loadKinds();
    if (st.sheet.length) showSheetItem(st.pos);
    await loadQuestion();
  }));

  /** Worksheet mode (?exercises-sheet=<seed>&exercises-count=&exercises-sections=): the printed
   *  sheet's questions in order, from GET /api/worksheet. */
  async function loadSheet() {
    const q = new URLSearchParams({ seed: getParam("exercises-sheet") ?? "1",
      count: getParam("exercises-count") ?? "8" });
    for (const s of (getParam("exercises-sections") ?? "").split(",").filter(Boolean)) q.append("sections", s);
    st.sheet = (await getJson(`/api/worksheet?${q}`)).items;
    $("sheetnav").hidden = false;
    showSheetItem(0);
  }

  function showSheetItem(pos) {
    st.pos = Math.max(0, Math.min(st.sheet.length - 1, pos));
    const item = st.sheet[st.pos];
    kindSel.value = item.kind;
    seedIn.value = String(item.seed);
    $("sheetpos").textContent = t("exercises.sheetPos", { n: st.pos + 1, count: st.sheet.length });
    /** @type {HTMLButtonElement} */ ($("prev")).disabled = st.pos === 0;
    /** @type {HTMLButtonElement} */ ($("nextq")).disabled = st.pos === st.sheet.length - 1;
  }
  $("prev").addEventListener("click", guard(async () => { showSheetItem(st.pos - 1); await loadQuestion(); }));
  $("nextq").addEventListener("click", guard(async () => { showSheetItem(st.pos + 1); await loadQuestion(); }));

  await guard(loadKinds)();
  bindUrl(root, "exercises", ["kind", "seed"]);
  if (getParam("exercises-sheet") !== null) await guard(loadSheet)();
  await guard(loadQuestion)();
  root.dataset.ready = "true";
}
