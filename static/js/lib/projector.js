// @ts-check
// Projector mode (issue 11, point 3): larger text for a classroom projector (body text ≥ 16 px,
// map labels ≥ 14 px; static/css/shell.css `html.projector`). A toggle in the header, kept in the
// URL as proj=1; views that size their maps from the text size listen for "convscope:projector".
import { onSceneApply } from "./scene.js";
import { getParam, setParams } from "./url.js";

/** Wire the header's #projector-toggle; apply proj=1 from the URL. */
export function setupProjector() {
  const button = document.getElementById("projector-toggle");
  /** @param {boolean} on */
  const apply = (on) => {
    document.documentElement.classList.toggle("projector", on);
    button?.setAttribute("aria-pressed", String(on));
    setParams({ proj: on ? "1" : null });
    document.dispatchEvent(new CustomEvent("convscope:projector", { detail: on }));
  };
  apply(getParam("proj") === "1");
  onSceneApply({ owns: (k) => k === "proj", apply: (params) => apply(params.get("proj") === "1") });
  button?.addEventListener("click", () => apply(!document.documentElement.classList.contains("projector")));
}
