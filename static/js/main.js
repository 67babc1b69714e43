// @ts-check
// Boot: language, tabs, language toggle, toast; then mount every view present in the page
// (static/js/views/<id>/index.js exporting mount(root)).
import { onNotify, onViewRequest } from "./lib/app.js";
import { all } from "./lib/dom.js";
import { detectLanguage, onLanguageChange, setLanguage } from "./lib/i18n.js";
import { setupProjector } from "./lib/projector.js";
import { sceneRouterReady } from "./lib/scene.js";
import { getParam, setParams } from "./lib/url.js";

function setupTabs() {
  const tabs = all('[role="tab"][data-tab]');
  /** @param {string | undefined | null} id */
  const show = (id, { focus = false } = {}) => {
    const tab = tabs.find((t) => t.dataset.tab === id) ?? tabs[0];
    if (!tab) return;
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    setParams({ view: tab.dataset.tab === tabs[0].dataset.tab ? null : tab.dataset.tab });
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => show(tab.dataset.tab));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) {
        e.preventDefault();
        show(tabs[(i + step + tabs.length) % tabs.length].dataset.tab, { focus: true });
      } else if (e.key === "Home" || e.key === "End") {
        e.preventDefault();
        show(tabs[e.key === "Home" ? 0 : tabs.length - 1].dataset.tab, { focus: true });
      }
    });
  });
  onViewRequest((id) => show(id));
  show(getParam("view") ?? tabs[0]?.dataset.tab);
  return show;
}

function setupLanguageToggle() {
  const buttons = all(".lang-btn[data-lang]");
  /** @param {string} lang */
  const mark = (lang) => buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  for (const b of buttons) {
    b.addEventListener("click", async () => {
      await setLanguage(b.dataset.lang ?? "en");
      setParams({ lang: b.dataset.lang });
    });
  }
  onLanguageChange(mark);
}

function setupToast() {
  const toast = /** @type {HTMLElement} */ (document.getElementById("toast"));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  onNotify((message) => {
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { toast.hidden = true; }, 4000);
  });
}

async function mountViews() {
  const sections = all("section[data-view]");
  await Promise.all(sections.map(async (root) => {
    try {
      const mod = await import(`./views/${root.dataset.view}/index.js`);
      await mod.mount(root);
    } catch (err) {
      console.error(`view ${root.dataset.view} failed to mount`, err);
    }
  }));
  document.body.dataset.ready = "true";
}

async function boot() {
  setupLanguageToggle();
  setupToast();
  setupProjector();
  await setLanguage(detectLanguage());
  const show = setupTabs();
  await mountViews();
  sceneRouterReady((id) => show(id));   // a followed scene (lib/scene.js) now finds every view
}

boot();
