// Colour classes for maps of numbers (the heatmap's counts, a choropleth's statistic): quantile
// breaks, so each colour holds about as many cells or areas whatever the skew, and the legend
// that names them.

/** Light to dark: more incidents, more load, worse. */
export const REDS = ['#fde68a', '#fbbf24', '#fb923c', '#ef4444', '#b91c1c', '#7f1d1d'];
/** Light to dark where more is better (cameras, coverage): dark is where the city is well served. */
export const BLUES = ['#dbeafe', '#93c5fd', '#60a5fa', '#2563eb', '#1e40af', '#172554'];

/**
 * The lower bounds of classes 2…n: a value below `breaks[0]` is in class 0, one from
 * `breaks[k-1]` up to `breaks[k]` in class k. Quantiles, so each class holds about as many
 * values; where a value repeats (most cells hold 1 incident) its class takes all of them and the
 * values above it are split again into the classes left, so the hot tail keeps its colours.
 * @param {readonly number[]} values
 * @param {number} classes at most this many
 * @returns {number[]}
 */
export function quantileBreaks(values, classes) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  /** @type {number[]} */
  const breaks = [];
  let start = 0; // the first value of the current class
  for (let k = 1; k < classes && start < sorted.length; k++) {
    let i = start + Math.floor((sorted.length - start) / (classes - k + 1));
    if (sorted[i] <= sorted[start]) i = firstAbove(sorted, sorted[start], i);
    if (i >= sorted.length) break;
    breaks.push(sorted[i]);
    start = i;
  }
  return breaks;
}

/**
 * The index of the first value above `v` in `sorted`, searching from `from` on.
 * @param {readonly number[]} sorted
 * @param {number} v
 * @param {number} from
 */
function firstAbove(sorted, v, from) {
  let i = from;
  while (i < sorted.length && sorted[i] <= v) i++;
  return i;
}

/**
 * The smallest and largest value, for a legend; without spreading them into arguments, which
 * breaks on the tens of thousands of cells a fine heatmap has.
 * @param {readonly number[]} values
 * @returns {{ min: number, max: number }}
 */
export function extent(values) {
  let [min, max] = [Infinity, -Infinity];
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * The class of `value` under `breaks`, 0 … breaks.length.
 * @param {number} value
 * @param {readonly number[]} breaks ascending
 */
export function classOf(value, breaks) {
  let k = 0;
  while (k < breaks.length && value >= breaks[k]) k++;
  return k;
}

/**
 * The colours for `breaks.length + 1` classes, spread over the whole ramp so two classes still
 * go from light to dark.
 * @param {readonly string[]} ramp
 * @param {readonly number[]} breaks
 */
export function classColours(ramp, breaks) {
  const n = breaks.length + 1;
  if (n === 1) return [ramp[Math.floor(ramp.length / 2)]];
  return Array.from({ length: n }, (_, k) => ramp[Math.round((k * (ramp.length - 1)) / (n - 1))]);
}

/**
 * A MapLibre `step` expression colouring the number `input` by class.
 * @param {import('maplibre-gl').ExpressionSpecification} input
 * @param {readonly number[]} breaks
 * @param {readonly string[]} colours one more than breaks
 * @returns {import('maplibre-gl').ExpressionSpecification | string}
 */
export function stepColour(input, breaks, colours) {
  if (breaks.length === 0) return colours[0];
  return /** @type {import('maplibre-gl').ExpressionSpecification} */ (
    ['step', input, colours[0], ...breaks.flatMap((b, k) => [b, colours[k + 1]])]);
}

/**
 * A MapLibre `match` expression giving each feature id its colour; `fallback` for the rest.
 * @param {ReadonlyMap<string, string>} colourById
 * @param {string} fallback
 * @returns {import('maplibre-gl').ExpressionSpecification | string}
 */
export function matchColour(colourById, fallback) {
  if (colourById.size === 0) return fallback;
  return /** @type {import('maplibre-gl').ExpressionSpecification} */ (
    ['match', ['to-string', ['get', 'id']], ...[...colourById].flat(), fallback]);
}

/**
 * @typedef {object} LegendItem
 * @property {string} colour
 * @property {string} label e.g. "4–8", "≥ 50"
 */

/**
 * The legend of the classes, from the smallest value `min` to the largest `max`.
 * @param {readonly number[]} breaks
 * @param {readonly string[]} colours
 * @param {{ min: number, max: number, integer: boolean, format: (v: number) => string }} range
 * @returns {LegendItem[]}
 */
export function legendItems(breaks, colours, { min, max, integer, format }) {
  const bounds = [min, ...breaks, max];
  return colours.map((colour, k) => {
    const lo = bounds[k];
    const hi = k < breaks.length ? (integer ? bounds[k + 1] - 1 : bounds[k + 1]) : max;
    const label = lo === hi || (integer && hi < lo) ? format(lo) : `${format(lo)}–${format(hi)}`;
    return { colour, label };
  });
}
