// @ts-check
// Bringing an image: sample list, file picker, drag-and-drop, paste, webcam snapshot.
// onImage({blob, name, source, sample}) for every new image; errors go to showError(message).
import { getSamples, sampleBlob } from "../../lib/api.js";
import { DecodeError, isHeic, shrinkImage } from "../../lib/decode.js";
import { fileNotes } from "../../lib/filenotes.js";
import { getLanguage, has, t } from "../../lib/i18n.js";

let imageCount = 0;

/**
 * A new image as the lab uploads it: the user's own files shrunk in the browser to the working
 * size (a 48 MP photo works); samples as they are. → {...img, blob, original, key, ref: null,
 * shrunk: {from, to} (W×H) | null}, or null after showError (HEIC or undecodable, en/ja).
 */
export async function prepareImage(img, side, showError) {
  let blob = img.blob, shrunk = null, lost = [];
  if (img.source !== "sample" && img.source !== "fallback") {
    try {
      const r = await shrinkImage(img.blob, side);
      blob = r.blob;
      if (r.from) {   // the server sees only the browser's PNG: the file's own notes come from here
        shrunk = { from: r.from, to: [r.width, r.height] };
        lost = await fileNotes(img.blob).catch(() => []);
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      showError(t(err.code === "heic" ? "lab.image.heic" : "lab.image.undecodable", { name: img.name }));
      return null;
    }
  }
  return { ...img, blob, original: img.blob, key: ++imageCount, ref: null, shrunk, lost };
}

/** An image the server keeps (a class's teacher's image, fetched by its ref, lib/by-ref.js) as the
 *  lab uses it: already at its size, sent by ref (no upload while the server keeps it). */
export function refImage(blob, ref) {
  return { blob, name: "class.png", source: "class", sample: null, original: blob, key: ++imageCount, ref,
    shrunk: null, lost: [] };
}

/** Every conversion of the current image as one line of text (W×H sizes): the browser's
 *  shrinking, the server's resize and the decoder's notes (alpha, GIF frame, EXIF, CMYK, 16-bit). */
export function notesText(response, img, tr) {
  const lines = [];
  if (img?.shrunk) {
    lines.push(tr("lab.image.shrunk", { from: img.shrunk.from.join("×"), to: img.shrunk.to.join("×") }));
  }
  const ja = getLanguage() === "ja";
  const server = new Set((response.notes ?? []).map((n) => n.code));
  for (const n of img?.lost ?? []) {   // what the browser's shrinking lost, unless the server says it
    if (!server.has(n.code)) lines.push(tr(`lab.image.fileNotes.${n.code}`, { n: n.n ?? "" }));
  }
  for (const n of response.notes ?? []) lines.push(ja ? n.message_ja : n.message_en);   // W×H
  return lines.join(" ");
}

/** els: {sample, file, webcam, panel, video, snap, close}; returns {loadSample(id), relabel()}. */
export function createImageInput(els, { onImage, showError }) {
  let samples = [];
  let stream = null;

  const sampleLabel = (s) => {
    const key = `lab.samples.${s.id}`;
    return has(key) ? t(key) : (s.name_en ?? s.name ?? s.id);
  };

  function fillSamples() {
    const keep = els.sample.value;
    els.sample.replaceChildren(new Option(t("lab.image.own"), ""));
    els.sample.options[0].disabled = true;
    for (const s of samples) els.sample.add(new Option(sampleLabel(s), s.id));
    els.sample.value = keep;
  }

  async function loadSample(id) {
    const blob = await sampleBlob(id);
    els.sample.value = id;
    onImage({ blob, name: `${id}.png`, source: "sample", sample: id });
  }

  function acceptFile(file, source) {
    if (!file) return;
    if (!file.type.startsWith("image/") && !isHeic(file)) {
      showError(t("lab.image.notImage", { type: file.type || "?" }));
      return;
    }
    els.sample.value = "";
    onImage({ blob: file, name: file.name || `${source}.png`, source, sample: null });
  }

  els.sample.addEventListener("change", () => {
    if (els.sample.value) loadSample(els.sample.value).catch((e) => showError(e.message));
  });
  els.file.addEventListener("change", () => {
    acceptFile(els.file.files[0], "file");
    els.file.value = "";
  });

  // Drop anywhere on the page; highlight while dragging.
  document.addEventListener("dragover", (e) => {
    if ([...(e.dataTransfer?.types ?? [])].includes("Files")) {
      e.preventDefault();
      document.body.classList.add("dragging");
    }
  });
  document.addEventListener("dragleave", (e) => {
    if (!e.relatedTarget) document.body.classList.remove("dragging");
  });
  document.addEventListener("drop", (e) => {
    document.body.classList.remove("dragging");
    const file = [...(e.dataTransfer?.files ?? [])][0];
    if (file) { e.preventDefault(); acceptFile(file, "drop"); }
  });
  document.addEventListener("paste", (e) => {
    const item = [...(e.clipboardData?.items ?? [])].find((i) => i.type.startsWith("image/"));
    if (item) { e.preventDefault(); acceptFile(item.getAsFile(), "paste"); }
  });

  // Webcam: a preview and a snapshot button; a message when there is no camera or no permission.
  function stopWebcam() {
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    els.panel.hidden = true;
    delete els.panel.dataset.live;
  }
  els.webcam.addEventListener("click", async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      showError(t("lab.image.noWebcam"));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (err) {
      showError(t("lab.image.webcamDenied", { reason: err.name || String(err) }));
      return;
    }
    els.video.srcObject = stream;
    els.panel.hidden = false;
    els.video.addEventListener("playing", () => { els.panel.dataset.live = "true"; }, { once: true });
    await els.video.play().catch(() => {});
    els.snap.focus();
  });
  els.snap.addEventListener("click", () => {
    const v = els.video;
    const canvas = document.createElement("canvas");
    canvas.width = v.videoWidth || 320;
    canvas.height = v.videoHeight || 240;
    canvas.getContext("2d").drawImage(v, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => { stopWebcam(); acceptFile(new File([blob], "webcam.png", { type: "image/png" }), "webcam"); }, "image/png");
  });
  els.close.addEventListener("click", stopWebcam);

  return {
    async init() {
      try {
        samples = await getSamples();
      } catch (err) {
        samples = [];
        showError(err.message);
      }
      fillSamples();
    },
    /** A small image drawn here, used when the server has no samples: the page is never empty. */
    async loadFallback() {
      const canvas = document.createElement("canvas");
      canvas.width = 96; canvas.height = 96;
      const g = canvas.getContext("2d");
      g.fillStyle = "#202020"; g.fillRect(0, 0, 96, 96);
      g.fillStyle = "#e0e0e0"; g.fillRect(12, 12, 32, 32);
      g.beginPath(); g.arc(64, 62, 20, 0, 2 * Math.PI); g.fill();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      onImage({ blob, name: "shapes.png", source: "fallback", sample: null });
    },
    loadSample,
    /** A File from elsewhere (a shared link's image) as if the user had picked it. */
    accept: acceptFile,
    relabel: fillSamples,
    hasSample: (id) => samples.some((s) => s.id === id),
    firstSample: () => samples[0]?.id,
  };
}
