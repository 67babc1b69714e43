// @ts-check
// Downloads: any map as PNG (native resolution), the raw output as NPY, the request as curl.

/** Save a Blob under a file name through a temporary link. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The stage's channel canvases side by side (1 px gap) as one PNG Blob. */
export function mapsToPng(canvases) {
  const gap = canvases.length > 1 ? 1 : 0;
  const w = canvases.reduce((s, c) => s + c.width, 0) + gap * (canvases.length - 1);
  const h = Math.max(...canvases.map((c) => c.height));
  const out = document.createElement("canvas");
  out.width = w; out.height = h;
  const g = out.getContext("2d");
  let x = 0;
  for (const c of canvases) { g.drawImage(c, x, 0); x += c.width + gap; }
  return new Promise((resolve) => out.toBlob(resolve, "image/png"));
}

const shellQuote = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

/** The curl command that repeats the current request and saves the output as NPY. */
export function curlCommand(origin, imageName, spec) {
  const clean = { ...spec };
  delete clean.include_values;
  delete clean.previews;
  return [
    `curl -X POST ${origin}/api/convolve`,
    `  -H 'Accept: application/x-npy'`,
    `  -F ${shellQuote(`image=@${imageName}`)}`,
    `  -F ${shellQuote(`spec=${JSON.stringify(clean)}`)}`,
    "  -o output.npy",
  ].join(" \\\n");
}

/** Copy text to the clipboard; false when the browser refuses (the caller shows the text). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Images up to this many bytes travel inside a shared link (base64 in the URL fragment, which
 *  never reaches a server: ~22 KB of text); larger ones are left out and the page says so. */
export const LINK_IMAGE_MAX = 16 * 1024;

/** The link to share: the setup (query) plus, for a small image of the user's own, the image in
 *  the fragment (#img=<data URL>). → {url, image: "sample" | "embedded" | "left-out", size}. */
export async function shareLink(href, img) {
  const base = href.split("#")[0];
  if (!img || img.sample) return { url: base, image: "sample", size: 0 };
  const blob = img.blob;
  if (blob.size > LINK_IMAGE_MAX) return { url: base, image: "left-out", size: blob.size };
  const dataUrl = await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.readAsDataURL(blob);
  });
  return { url: `${base}#img=${dataUrl}`, image: "embedded", size: blob.size };
}

/** The image a shared link carries (#img=data:image/...;base64,...) as a File, or null. */
export function imageFromLink(hash = location.hash) {
  const m = /^#img=data:(image\/[\w.+-]+);base64,([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return null;
  const bin = atob(m[2]);   // not fetch(data:): the page's CSP allows connections to itself only
  const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  return bytes.length <= LINK_IMAGE_MAX ? new File([bytes], "linked-image", { type: m[1] }) : null;
}
