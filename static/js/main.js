// Boot: language, tabs, language toggle, toast; then mount every view present in the page.
import { ctx } from "./context.js";
import { detectLanguage, setLanguage } from "./i18n.js";

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"][data-tab]')];
  const show = (id, { focus = false } = {}) => {
    const tab = tabs.find((t) => t.dataset.tab === id) ?? tabs[0];
    if (!tab) return;
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
    ctx.url.set({ view: tab.dataset.tab === tabs[0].dataset.tab ? null : tab.dataset.tab });
    ctx.publishView(tab.dataset.tab);
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
  ctx.onViewRequest((id) => show(id));
  show(ctx.url.get("view") ?? tabs[0]?.dataset.tab);
}

function setupLanguageToggle() {
  const buttons = [...document.querySelectorAll(".lang-btn[data-lang]")];
  const mark = (lang) => buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  for (const b of buttons) {
    b.addEventListener("click", async () => {
      await setLanguage(b.dataset.lang);
      ctx.url.set({ lang: b.dataset.lang });
    });
  }
  ctx.onLanguageChange(mark);
}

function setupToast() {
  const toast = document.getElementById("toast");
  let timer = 0;
  ctx.onNotify((message) => {
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { toast.hidden = true; }, 4000);
  });
}

async function mountViews() {
  const sections = [...document.querySelectorAll("section[data-view]")];
  await Promise.all(sections.map(async (root) => {
    try {
      const mod = await import(`./views/${root.dataset.view}.js`);
      await mod.mount(root, ctx);
    } catch (err) {
      console.error(`view ${root.dataset.view} failed to mount`, err);
    }
  }));
  document.body.dataset.ready = "true";
}

async function boot() {
  setupLanguageToggle();
  setupToast();
  await setLanguage(detectLanguage());
  setupTabs();
  await mountViews();
}

boot();
