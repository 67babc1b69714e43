// @ts-check
// One learned filter as pixels. A one-channel filter (1, FH, FW): gray_r scaled to its own
// min..max (the book's visualize_filter). A colour filter (3, FH, FW): the R, G and B kernels as
// one colour image, scaled together to the filter's min..max, so a red vertical edge detector
// looks red and vertical. drawChannel draws one kernel (FH, FW) the gray_r way.

/** @param {HTMLCanvasElement} canvas @param {number[][]} kernel (FH, FW) */
export function drawChannel(canvas, kernel) {
  const fh = kernel.length, fw = kernel[0].length;
  canvas.width = fw;
  canvas.height = fh;
  const flat = kernel.flat();
  const lo = Math.min(...flat), hi = Math.max(...flat);
  const span = hi - lo || 1;
  const g = canvas.getContext("2d");
  const img = g.createImageData(fw, fh);
  flat.forEach((v, i) => {
    const level = Math.round(255 * (1 - (v - lo) / span));
    img.data.set([level, level, level, 255], i * 4);
  });
  g.putImageData(img, 0, 0);
}

/** @param {HTMLCanvasElement} canvas @param {number[][][]} filter (C, FH, FW) */
export function drawKernel(canvas, filter) {
  if (filter.length !== 3) { drawChannel(canvas, filter[0]); return; }
  const fh = filter[0].length, fw = filter[0][0].length;
  canvas.width = fw;
  canvas.height = fh;
  const flat = filter.flat(2);
  const lo = Math.min(...flat), hi = Math.max(...flat);
  const span = hi - lo || 1;
  const g = canvas.getContext("2d");
  const img = g.createImageData(fw, fh);
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const rgb = [0, 1, 2].map((c) => Math.round(255 * (filter[c][y][x] - lo) / span));
      img.data.set([...rgb, 255], (y * fw + x) * 4);
    }
  }
  g.putImageData(img, 0, 0);
}
