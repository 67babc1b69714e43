// @ts-check
// Map box sizes of the lab's two layouts, in CSS px:
//   "focus" (default): the input and one chosen output drawn large side by side, the other
//     stages small below them; the inspector beside the pair ("side") or under it ("below"),
//     whichever leaves the larger maps. The large box is the width left over, capped so a card
//     ends above the bottom of the window (formula, maps and inspector on one screen).
//   "row": every stage the same size in one row (the pre-focus layout).

export const LAYOUTS = ["focus", "row"];
export const FOCUSABLE = ["conv", "relu", "pool"];
const GAP = 10, CARD_PAD = 14;       // px between cards; a card's padding + border
const MIN_BIG = 120, MAX_BIG = 720;  // px: a large map's box
const SMALL = [96, 150];             // px: the other stages' box (focus), [min, max]
const ROW = [150, 300];              // px: every stage's box (row layout), [min, max]
const NARROW = 600;                  // px: below this stage-area width, no height fitting

const rem = () => parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;

/** {mode: "side" | "below", big, small, sideWidth}: the boxes for `n` stages in `layout`.
 *  width: the stage area's width; top: its top edge in the page; chrome: a card's height
 *  without its map (caption, legend); viewH: the window's height.
 *  @param {{layout: string, n: number, width: number, top: number, chrome: number, viewH: number}} a */
export function boxSizes({ layout, n, width, top, chrome, viewH }) {
  if (layout === "row") {
    const fit = Math.floor((width - (n - 1) * GAP) / n) - CARD_PAD;
    const box = Math.max(ROW[0], Math.min(ROW[1], fit || ROW[0]));
    return { mode: "below", big: box, small: box, sideWidth: 0 };
  }
  const projector = document.documentElement.classList.contains("projector");
  const sideWidth = Math.max(210, Math.round((projector ? 16 : 14) * rem()));
  const below = Math.round(11 * rem());          // the inspector's height under the pair
  const tall = (reserve) => viewH - top - chrome - reserve - GAP;
  const pair = (w) => Math.floor((w - 2 * (CARD_PAD + 2) - GAP) / 2) - 1;   // + 2: the map's border
  if (width < NARROW) {   // a phone: the pair fills the width, the page scrolls down to the rest
    const big = Math.max(MIN_BIG, pair(width));
    return { mode: "below", big, small: Math.max(SMALL[0], Math.floor(big / 1.5)), sideWidth };
  }
  const side = Math.min(pair(width - sideWidth - GAP), tall(0));
  const under = Math.min(pair(width), tall(below));
  const mode = side >= under ? "side" : "below";
  const big = Math.max(MIN_BIG, Math.min(MAX_BIG, mode === "side" ? side : under));
  const small = Math.max(SMALL[0], Math.min(SMALL[1], Math.floor(big / 2.5)));
  return { mode, big, small, sideWidth };
}
