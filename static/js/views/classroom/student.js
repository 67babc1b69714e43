// @ts-check
// The student's side: follow the teacher's scene (or detach and rejoin), the lock, the current
// exercise (answer it, see the verdict and hint), the revealed solution, the end of the class.
import { answer, openStream, saveSession } from "../../lib/classroom.js";
import { el, clear } from "../../lib/dom.js";
import { getLanguage, onLanguageChange, t } from "../../lib/i18n.js";
import { applyScene as applyInPlace } from "../../lib/scene.js";
import { answerForm, questionBlock } from "./answer-form.js";
import { button, createBar, setLocked } from "./bar.js";
import { errorText } from "./index.js";

/** The teacher's scene on this page, in place (lib/scene.js: each view applies its URL keys, the
 *  lab fetches the teacher's image by its ref); a key no view can apply reloads the page with the
 *  teacher's query string instead. @param {import("../../lib/classroom.js").Session} s @param {any} scene */
async function applyScene(s, scene) {
  if (!scene || typeof scene.query !== "string") return;
  if (await applyInPlace(scene)) {   // an unchanged scene: only its tab shown again
    document.body.dataset.followed = String(Number(document.body.dataset.followed ?? 0) + 1);  // tests
    return;
  }
  const params = new URLSearchParams(scene.query);
  const lang = new URLSearchParams(location.search).get("lang");
  if (lang) params.set("lang", lang);
  saveSession(s);
  location.assign(`/?${params}`);   // the views read their setup from the URL when they mount
}

/** @param {HTMLElement} root @param {import("../../lib/classroom.js").Session} s @param {() => void} leave */
export function startStudent(root, s, leave) {
  const panel = /** @type {HTMLElement} */ (root.querySelector('[data-role="student"]'));
  panel.hidden = false;
  const who = () => t("classroom.bar.student", { code: s.code }) + (s.nickname ? ` · ${s.nickname}` : "");
  const { status, actions, extra } = createBar(who);
  panel.append(el("p", { class: "cls-big" }, who()));
  /** @type {any} */
  let scene = null;
  /** @type {any} */
  let exercise = null;
  let online = true;
  const answered = new Set();

  const showStatus = () => {
    status.textContent = !online ? t("classroom.bar.offline")
      : t(s.following ? "classroom.bar.following" : "classroom.bar.detached");
    followBtn.textContent = t(s.following ? "classroom.bar.detach" : "classroom.bar.rejoin");
  };
  const followBtn = el("button", { type: "button", class: "cls-follow", onclick: () => {
    s.following = !s.following;
    saveSession(s);
    showStatus();
    if (s.following) applyScene(s, scene);
  } });
  actions.append(followBtn, button("classroom.bar.leave", leave));

  const renderExercise = (/** @type {any} */ solution) => {
    clear(extra);
    if (!exercise) return;
    const q = exercise.question[getLanguage()] ?? exercise.question.en;
    const verdict = el("p", { class: "cls-verdict", role: "status", "aria-live": "polite" });
    extra.append(questionBlock(q));
    if (solution) {
      const sol = solution[getLanguage()] ?? solution.en;
      extra.append(el("div", { class: "cls-solution" }, el("h4", {}, t("classroom.answer.solution")),
        el("p", {}, sol?.text ?? ""), el("p", {}, el("code", {}, JSON.stringify(sol?.answer)))));
      return;
    }
    const f = answerForm(q.answer_format, async (value) => {
      try {
        const v = await answer(s, exercise.id, value);
        answered.add(exercise.id);
        f.disable();
        verdict.textContent = `${t(v.correct ? "classroom.answer.right" : "classroom.answer.wrong")} ${v.hint ?? ""}`;
        verdict.className = `cls-verdict ${v.correct ? "is-right" : "is-wrong"}`;
      } catch (err) { verdict.textContent = errorText(err); }
    });
    if (answered.has(exercise.id)) { f.disable(); verdict.textContent = t("classroom.answer.done"); }
    extra.append(f.form, verdict);
  };

  openStream(s, (e) => {
    if (e.type === "state") {
      scene = e.scene;
      setLocked(e.locked);
      exercise = e.exercise;
      renderExercise(e.revealed && exercise && e.revealed.exercise_id === exercise.id ? e.revealed.solution : null);
      if (s.following) applyScene(s, scene);
    } else if (e.type === "scene") {
      scene = e.scene;
      panel.dataset.scenes = String(Number(panel.dataset.scenes ?? 0) + 1);   // received (tests)
      if (s.following) applyScene(s, scene);
    } else if (e.type === "lock") setLocked(e.locked);
    else if (e.type === "exercise") { exercise = e.exercise; renderExercise(null); }
    else if (e.type === "reveal" && exercise && e.exercise_id === exercise.id) renderExercise(e.solution);
    else if (e.type === "end") {
      setLocked(false);
      saveSession(null);
      clear(extra);
      clear(actions).append(button("classroom.bar.leave", leave));
      status.textContent = t("classroom.bar.ended");
    }
  }, (state) => { online = state === "open"; if (state !== "closed") showStatus(); });
  onLanguageChange(showStatus);
  showStatus();
}
