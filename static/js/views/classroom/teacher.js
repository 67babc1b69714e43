// @ts-check
// The teacher's side: the code and QR code large for the projector, send my screen / follow me,
// lock, launch an exercise, the live answers (count, share correct, histogram, common mistakes
// with their hints), reveal, CSV, end. The bar (bar.js) keeps send / follow / lock on every tab.
import { notify } from "../../lib/app.js";
import {
  currentScene, endClass, exerciseKinds, launchExercise, openStream, results, resultsCsv,
  reveal, saveSession, sendScene, setLock,
} from "../../lib/classroom.js";
import { clear, el } from "../../lib/dom.js";
import { onLanguageChange, t } from "../../lib/i18n.js";
import { button, createBar, toggle } from "./bar.js";
import { errorText } from "./index.js";
import { throttled } from "../../lib/events.js";

const FOLLOW_POLL_MS = 400;   // how often "follow me" looks at the URL (the page's whole setup) and image

/** A bar of the histogram (CSSOM width: the CSP refuses style attributes). @param {number} pct */
function bar(pct) {
  const span = el("span", { class: "cls-hist-bar" });
  span.style.width = `${pct}%`;
  return span;
}

/** Bars of the answer distribution. @param {any} res */
function histogram(res) {
  if (!res.answered) return el("p", {}, t("classroom.dash.noAnswers"));
  const top = Math.max(...res.distribution.map((/** @type {any} */ d) => d.count));
  return el("ol", { class: "cls-hist", "aria-label": t("classroom.dash.histogram") },
    res.distribution.slice(0, 8).map((/** @type {any} */ d) => el("li", { class: d.correct ? "is-right" : "is-wrong" },
      el("span", { class: "cls-hist-answer" }, JSON.stringify(d.answer), d.correct ? ` ✓ ${t("classroom.dash.right")}` : ""),
      bar((100 * d.count) / top),
      el("span", { class: "cls-hist-count" }, String(d.count)))));
}

/** @param {HTMLElement} root @param {import("../../lib/classroom.js").Session} s @param {() => void} leave */
export async function startTeacher(root, s, leave) {
  const dash = /** @type {HTMLElement} */ (root.querySelector('[data-role="dashboard"]'));
  const error = /** @type {HTMLElement} */ (root.querySelector('[data-role="error"]'));
  dash.hidden = false;
  const joinUrl = `${location.origin}/classroom?join=${s.code}`;
  const count = el("p", { class: "cls-count", role: "status", "aria-live": "polite" });
  const live = el("div", { class: "cls-live", "aria-live": "polite" });
  let students = 0;
  const shout = (/** @type {unknown} */ err) => { error.textContent = errorText(err); };

  const send = async () => {
    try { await sendScene(s, currentScene()); notify(t("classroom.dash.sent")); } catch (err) { shout(err); }
  };
  const follow = toggle("classroom.dash.follow", (on) => { following = on; if (on) send(); });
  const lock = toggle("classroom.dash.lock", (on) => setLock(s, on).catch(shout));
  let following = false;
  const sceneKey = () => { const c = currentScene(); return `${c.query}#${c.image_ref ?? ""}`; };
  let lastScene = sceneKey();   // the URL, and the lab's own image by its ref
  setInterval(() => {
    const q = sceneKey();
    if (q !== lastScene) { lastScene = q; if (following) send(); }
  }, FOLLOW_POLL_MS);

  const { status, actions } = createBar(() => t("classroom.bar.teacher", { code: s.code }));
  actions.append(button("classroom.dash.send", send), follow.label, lock.label);
  const showCount = () => {
    const text = t("classroom.dash.students", { n: students });
    count.textContent = text;
    status.textContent = text;
  };

  const kind = el("select", { "aria-label": t("classroom.dash.exercise") });
  const seed = el("input", { type: "number", min: "0", value: String(1 + Math.floor(Math.random() * 999)),
                             class: "cls-num", "aria-label": t("classroom.dash.seed") });
  const loadKinds = async () => {
    const chosen = kind.value;
    clear(kind).append(...(await exerciseKinds()).map((/** @type {any} */ k) =>
      el("option", { value: k.id }, `${k.section} ${k.title}`)));
    if (chosen) kind.value = chosen;
  };
  await loadKinds().catch(shout);
  onLanguageChange(() => { loadKinds().catch(shout); showCount(); refresh(); });

  const refresh = async () => {
    try {
      const res = await results(s);
      students = res.students;
      showCount();
      clear(live);
      if (res.exercise_id === null) return;
      live.append(
        el("p", { class: "cls-answered" }, t("classroom.dash.answered", res),
           res.share_correct === null ? "" : ` · ${t("classroom.dash.correct", { share: Math.round(100 * res.share_correct) })}`),
        el("h3", {}, t("classroom.dash.histogram")), histogram(res),
        res.mistakes.length ? el("h3", {}, t("classroom.dash.mistakes")) : null,
        el("ul", { class: "cls-mistakes" }, res.mistakes.map((/** @type {any} */ m) =>
          el("li", {}, t(m.count === 1 ? "classroom.dash.mistakeOne" : "classroom.dash.mistake", { n: m.count, hint: m.hint ?? m.mistake })))));
    } catch (err) { shout(err); }
  };
  // at once for the first answer, then at most every 150 ms during a burst, and once after it
  const soon = throttled(refresh);

  const download = async () => {
    try {
      const url = URL.createObjectURL(await resultsCsv(s));
      el("a", { href: url, download: `class-${s.code}.csv` }).click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) { shout(err); }
  };
  const end = async () => {
    if (!confirm(t("classroom.dash.endConfirm"))) return;
    try { await endClass(s); } catch (err) { shout(err); }
    saveSession(null);
    leave();
  };
  const copyTeacher = async () => {
    await navigator.clipboard?.writeText(`${location.origin}/classroom?teach=${s.code}#${s.token}`).catch(() => {});
    notify(t("classroom.dash.copied"));
  };

  dash.append(
    el("div", { class: "cls-projector" },
      el("div", {}, el("p", { class: "cls-label" }, t("classroom.dash.code")),
         el("p", { class: "cls-code", "data-role": "code" }, s.code),
         el("p", { class: "cls-url" }, t("classroom.dash.joinAt", { url: joinUrl })), count),
      el("img", { class: "cls-qr", src: `/api/classes/${s.code}/qr.svg`, alt: t("classroom.dash.qr") })),
    el("div", { class: "cls-controls" },
      el("label", {}, el("span", {}, t("classroom.dash.exercise")), kind),
      el("label", {}, el("span", {}, t("classroom.dash.seed")), seed),
      button("classroom.dash.launch", () => launchExercise(s, kind.value, Number(seed.value)).then(refresh, shout)),
      button("classroom.dash.reveal", () => reveal(s).catch(shout)),
      button("classroom.dash.csv", download),
      button("classroom.dash.copyTeacher", copyTeacher),
      button("classroom.dash.end", end, { class: "cls-danger" })),
    live);

  openStream(s, (e) => {
    if (e.type === "state") { students = e.students; lock.input.checked = e.locked; showCount(); refresh(); }
    else if (e.type === "joined") { students = Math.max(students, e.students); showCount(); }
    else if (e.type === "answer" || e.type === "exercise") soon();
    else if (e.type === "end") { saveSession(null); status.textContent = t("classroom.bar.ended"); }
  }, () => {});
}
