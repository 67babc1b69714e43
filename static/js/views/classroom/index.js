// @ts-check
// The classroom tab: start a class or join one; then the teacher's dashboard or the student's
// panel, and the classroom bar on every tab (bar.js). The session survives reloads
// (sessionStorage), so following a scene may reload the page and come back here.
import { ApiError } from "../../lib/api.js";
import { byRole } from "../../lib/dom.js";
import { loadNamespace } from "../../lib/i18n.js";
import { createClass, joinClass, loadSession, saveSession } from "../../lib/classroom.js";
import { getParam, setParams } from "../../lib/url.js";
import { startStudent } from "./student.js";
import { startTeacher } from "./teacher.js";

/** @param {unknown} err */
export function errorText(err) {
  return err instanceof ApiError ? err.message : String(err);
}

/** @param {HTMLElement} root */
export async function mount(root) {
  await loadNamespace("classroom");
  const $ = byRole(root);
  const error = /** @type {HTMLElement} */ ($("error"));
  const form = /** @type {HTMLFormElement} */ ($("join-form"));
  const codeInput = /** @type {HTMLInputElement} */ ($("join-code"));
  const nickInput = /** @type {HTMLInputElement} */ ($("join-nickname"));

  const teach = getParam("teach");
  const token = location.hash.slice(1);
  if (teach && token) {   // the teacher link: keep the token in this tab only, off the screen
    saveSession({ code: teach.toUpperCase(), role: "teacher", token });
    history.replaceState(history.state, "", location.pathname + location.search);
  }
  if (getParam("join")) codeInput.value = String(getParam("join"));
  setParams({ teach: null, join: null });

  const begin = () => {
    const session = loadSession();
    if (!session) return;
    /** @type {HTMLElement} */ ($("start")).hidden = true;
    const leave = () => { saveSession(null); location.assign("/?view=classroom"); };
    if (session.role === "teacher") startTeacher(root, session, leave);
    else startStudent(root, session, leave);
  };

  $("create")?.addEventListener("click", async () => {
    error.textContent = "";
    try {
      const c = await createClass();
      saveSession({ code: c.code, role: "teacher", token: c.teacher_token });
      begin();
    } catch (err) { error.textContent = errorText(err); }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const code = codeInput.value.replace(/[\s-]/g, "").toUpperCase();
    try {
      const joined = await joinClass(code, nickInput.value.trim());
      saveSession({ code, role: "student", token: joined.student_token, following: true,
                    nickname: joined.nickname, number: joined.student });
      begin();
    } catch (err) { error.textContent = errorText(err); }
  });
  if (!loadSession() && getParam("join")) codeInput.focus();
  begin();
}
