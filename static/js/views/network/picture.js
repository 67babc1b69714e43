// @ts-check
// An uploaded picture on the pad, shared by reference (URL key network-img): the uploader's page
// has the server keep the file once (lib/by-ref.js keepPicture) and puts its image_ref in the URL,
// so a link or the classroom's follow shows the same picture; the receiving page fetches the
// pixels by ref (pictureByRef) and never uploads the file itself. A ref the server no longer
// keeps (410 image_ref_unknown) is said next to the pad, which stays as it was.
// createPicture({root, note, t}) → {forget(), share(file), load(ref), relabel()}.
import { keepPicture, pictureByRef } from "../../lib/by-ref.js";
import { setParams } from "../../lib/url.js";

export const IMG_KEY = "network-img";

/** @param {{root: HTMLElement, note: HTMLElement, t: (key: string, vars?: object) => string}} deps */
export function createPicture({ root, note, t }) {
  let latest = 0;   // bumped on every change of the pad: an older upload's ref or fetch is stale
  /** @type {[string, object] | null} */
  let said = null;
  const say = (/** @type {string | null} */ key = null, vars = {}) => {
    said = key ? [key, vars] : null;
    note.textContent = key ? t(key, vars) : "";
  };

  return {
    /** The pad changed (drawn on, cleared, an example, a new upload): no shared picture any more. */
    forget() {
      latest++;
      delete root.dataset.picture;
      say();
      setParams({ [IMG_KEY]: null });
    },

    /** The file just uploaded (after forget()): kept on the server, its ref in the URL once back,
     *  unless the pad changed meanwhile. @param {Blob} file */
    async share(file) {
      const mine = latest;
      try {
        const ref = await keepPicture(file);
        if (mine !== latest || !ref) return;
        setParams({ [IMG_KEY]: ref });
        root.dataset.picture = ref;
      } catch (err) {
        if (mine === latest) say("network.pad.notShared", { message: /** @type {Error} */ (err).message });
      }
    },

    /** The kept picture `ref` as {blob, bitmap} to show and predict (the caller sets the pad and
     *  root.dataset.picture); null when the pad changed meanwhile or the server cannot give it
     *  (said next to the pad). @param {string} ref */
    async load(ref) {
      const mine = ++latest;
      try {
        const blob = await pictureByRef(ref);
        const bitmap = await createImageBitmap(blob);
        if (mine !== latest) return null;
        say();
        return { blob, bitmap };
      } catch (err) {
        const e = /** @type {Error & {code?: string}} */ (err);
        if (mine === latest) say(e.code === "image_ref_unknown" ? "network.pad.refGone" : "network.pad.refFailed", { message: e.message });
        return null;
      }
    },

    relabel() { if (said) say(...said); },
  };
}
