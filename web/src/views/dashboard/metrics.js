// What a choropleth can show: the areas (units) it colours and the statistic (metric) per area,
// both read from `/v1/stats/{layer}` rows, and the colour of each area's id.
import { decimal } from '../../core/format.js';
import { BLUES, REDS, classColours, classOf, extent, legendItems, quantileBreaks } from './scale.js';

/** @typedef {import('../../core/api.js').StatsRow} StatsRow */

/**
 * Areas a choropleth colours: the stats layer (and grid level) and the tile layer that draws them.
 * @typedef {object} Unit
 * @property {string} id
 * @property {string} name
 * @property {'grid' | 'beat' | 'station'} layer
 * @property {number} [level] grid level
 * @property {number} minzoom the zoom from which the tiles carry them
 */

/** @type {readonly Unit[]} */
export const UNITS = [
  { id: 'township', name: '街道/乡镇', layer: 'grid', level: 1, minzoom: 0 },
  { id: 'community', name: '社区/村', layer: 'grid', level: 2, minzoom: 10 },
  { id: 'grid', name: '网格', layer: 'grid', level: 3, minzoom: 12 },
  { id: 'beat', name: '警格', layer: 'beat', minzoom: 9 },
  { id: 'station', name: '派出所辖区', layer: 'station', minzoom: 0 },
];

/**
 * @typedef {object} Metric
 * @property {string} id
 * @property {string} name
 * @property {string} unit
 * @property {(row: StatsRow) => number | null} value null where the row cannot say (no area, withheld counts)
 * @property {readonly string[]} ramp REDS where more is worse, BLUES where more is better
 * @property {number} digits decimals shown
 * @property {boolean} counts the metric counts incidents, so it follows the period and category
 */

/** @param {number | null} n @param {number} d */
const ratio = (n, d) => (n == null || !d ? null : n / d);

/** @type {readonly Metric[]} */
export const METRICS = [
  { id: 'events_per_km2', name: '事件密度', unit: '起/平方公里', value: (r) => ratio(r.events, r.area_km2), ramp: REDS, digits: 1, counts: true },
  { id: 'events', name: '事件数', unit: '起', value: (r) => r.events, ramp: REDS, digits: 0, counts: true },
  { id: 'cameras_per_km2', name: '摄像头密度', unit: '个/平方公里', value: (r) => r.cameras_per_km2, ramp: BLUES, digits: 1, counts: false },
  { id: 'cameras_online', name: '摄像头在线率', unit: '%', value: (r) => ratio(r.cameras_online * 100, r.cameras), ramp: BLUES, digits: 1, counts: false },
  { id: 'grids_per_officer', name: '每名民警负责网格', unit: '个', value: (r) => r.grids_per_officer, ramp: REDS, digits: 1, counts: false },
];

/** Areas with no value (no cameras to be online, withheld counts): grey, and said so. */
export const NO_VALUE = '#d1d5db';

/**
 * @typedef {object} Choropleth
 * @property {Map<string, string>} colourById
 * @property {import('./scale.js').LegendItem[]} legend
 * @property {number} withValue rows that have a value
 * @property {number} withoutValue rows without one (coloured NO_VALUE)
 */

/**
 * Each row's colour by the class of its metric value.
 * @param {readonly StatsRow[]} rows
 * @param {Metric} metric
 * @returns {Choropleth}
 */
export function choropleth(rows, metric) {
  const valued = rows.map((r) => ({ id: r.id, v: metric.value(r) }))
    .filter(/** @returns {x is { id: string, v: number }} */ (x) => x.v != null && Number.isFinite(x.v));
  const values = valued.map((x) => x.v);
  const breaks = quantileBreaks(values, 5);
  const colours = classColours(metric.ramp, breaks);
  const colourById = new Map(valued.map((x) => [x.id, colours[classOf(x.v, breaks)]]));
  const integer = metric.digits === 0;
  const legend = values.length
    ? legendItems(breaks, colours, { ...extent(values), integer, format: (v) => decimal(v, metric.digits) })
    : [];
  return { colourById, legend, withValue: valued.length, withoutValue: rows.length - valued.length };
}
