// @ts-check
// The book's own numbers (chapter 7; ../shared/seed/SUMMARY.md, "Worked examples"): the inputs,
// the filter and the settings of slides 6–16, for the teaching views' "textbook mode". Only the
// inputs live here; every result the page shows is computed by the engine through the API.

/** The filter of slides 7–9 (3×3). */
export const BOOK_FILTER = [[2, 0, 1], [0, 1, 2], [1, 0, 2]];

/** Slides 6–8: the 4×4 input. */
export const BOOK_INPUT4 = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]];

/** Slide 9: the 7×7 input whose rows continue 1, 2, 3, 0, 1, 2, 3, 0, … */
export const BOOK_INPUT7 = Array.from({ length: 7 }, (_, y) =>
  Array.from({ length: 7 }, (__, x) => [1, 2, 3, 0][(x - y + 16) % 4]));

/** Slide 15: 2×2 max pooling, stride 2, of this 4×4 input → [[2, 3], [4, 2]]. */
export const BOOK_POOL = [[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]];

/** Slide 16: a 6×6 input and the same moved right by one element (a new left column);
 *  3×3 max pooling, stride 3, gives [[9, 7], [6, 8]] for both. */
export const BOOK_SHIFT = {
  before: [[1, 2, 3, 0, 7, 2], [0, 9, 2, 3, 0, 1], [3, 0, 1, 2, 3, 0],
    [2, 3, 0, 1, 2, 3], [1, 2, 3, 0, 1, 2], [6, 1, 2, 3, 8, 1]],
  after: [[1, 1, 2, 3, 0, 7], [0, 0, 9, 2, 3, 0], [3, 3, 0, 1, 2, 3],
    [2, 2, 3, 0, 1, 2], [1, 1, 2, 3, 0, 1], [0, 6, 1, 2, 3, 8]],
  size: 3,
};

/**
 * The sliding-window examples: input rows, bias, padding P and stride S of each slide.
 * @type {Record<string, {input: number[][], bias: number, pad: number, stride: number}>}
 */
export const SLIDING = {
  slide7: { input: BOOK_INPUT4, bias: 3, pad: 0, stride: 1 },
  slide8: { input: BOOK_INPUT4, bias: 0, pad: 1, stride: 1 },
  slide9: { input: BOOK_INPUT7, bias: 0, pad: 0, stride: 2 },
};

/** Slides 11–13 (which show no numbers): three channels built from the slide-7 input (C = 3),
 *  as (C, H, W): the input itself, (x + 1) mod 4 and 3 − x. */
export const BOOK_INPUT3D = [
  BOOK_INPUT4,
  BOOK_INPUT4.map((row) => row.map((v) => (v + 1) % 4)),
  BOOK_INPUT4.map((row) => row.map((v) => 3 - v)),
];

/** Slides 11–13: FN = 2 filters of shape (C, FH, FW) = (3, 3, 3) and their FN = 2 biases; filter 1
 *  is the slide-7 filter in every channel (bias 3, as slide 7). */
export const BOOK_BANK = {
  filters: [
    [BOOK_FILTER, BOOK_FILTER, BOOK_FILTER],
    [BOOK_FILTER, [[0, 0, 0], [0, 1, 0], [0, 0, 0]], [[1, 0, 0], [0, 0, 0], [0, 0, -1]]],
  ],
  biases: [3, 0],
};

/** Slide 14: the batch shapes with SimpleConvNet's first layer (section 7.5): N = 10 images
 *  (1, 28, 28) through FN = 30 filters 5×5, P = 0, S = 1 → (10, 30, 24, 24). */
export const BOOK_BATCH = { N: 10, C: 1, H: 28, W: 28, FN: 30, FH: 5, pad: 0, stride: 1 };

/** Section 7.4.3 (im2col): x1 = (1, 3, 7, 7) → (9, 75); x2 = (10, 3, 7, 7) → (90, 75), 5×5 filters. */
export const BOOK_IM2COL = {
  x1: { N: 1, C: 3, H: 7, W: 7, FH: 5, P: 0, S: 1 },
  x2: { N: 10, C: 3, H: 7, W: 7, FH: 5, P: 0, S: 1 },
};

/** A deep copy of number rows (the views edit their copy, never the book's). @param {number[][]} rows */
export const copyRows = (rows) => rows.map((r) => r.slice());
