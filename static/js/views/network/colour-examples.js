// @ts-check
// Examples for a colour model (color-vgg, trained on app/models/datasets/synthetic.py): one picture per
// class, drawn like the dataset (class colour × pattern on a dim background), on a canvas the
// network view puts on its pad. Classes come from the model card ("red vertical", ...).

const COLOURS = { red: "rgb(235,31,26)", green: "rgb(31,217,38)", blue: "rgb(31,56,242)" };

/** A 256×256 canvas with the pattern of class name "<colour> <pattern>". */
export function colourExample(name) {
  const [colour, pattern] = name.split(" ");
  const c = document.createElement("canvas");
  c.width = c.height = 256;
  const g = c.getContext("2d");
  g.fillStyle = "rgb(80,76,90)";
  g.fillRect(0, 0, 256, 256);
  g.fillStyle = COLOURS[colour] ?? "#fff";
  g.strokeStyle = g.fillStyle;
  if (pattern === "blob") {
    g.beginPath(); g.arc(128, 128, 52, 0, 7); g.fill();
  } else if (pattern === "ring") {
    g.lineWidth = 16; g.beginPath(); g.arc(128, 128, 60, 0, 7); g.stroke();
  } else {
    const period = 48;
    g.save();
    g.beginPath(); g.rect(24, 24, 208, 208); g.clip();
    if (pattern === "vertical") g.translate(128, 128), g.rotate(Math.PI / 2), g.translate(-128, -128);
    if (pattern === "diagonal") g.translate(128, 128), g.rotate(-Math.PI / 4), g.translate(-128, -128);
    for (let y = -256; y < 512; y += period) g.fillRect(-256, y, 768, period / 2);
    g.restore();
  }
  return c;
}
