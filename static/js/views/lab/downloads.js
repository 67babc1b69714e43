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
