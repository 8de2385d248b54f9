// The two ranking tables leaders asked for: the worst-covered grids and the most loaded beats.
// One column list serves the table on screen and its CSV, so the file says what the page says.
import { decimal, signedPercent, thousands } from '../../core/format.js';

/** @typedef {import('../../core/api.js').StatsRow} StatsRow */

/**
 * One column of a table and its CSV, for rows of type R.
 * @template [R=StatsRow]
 * @typedef {object} Column
 * @property {string} title
 * @property {(row: R) => string | number | null} value raw, for the CSV
 * @property {(row: R) => string} [text] as shown; the raw value when left out
 * @property {(row: R) => boolean} [alarm] shown in red (no officer, no worker...)
 * @property {boolean} [link] the name: a button to the feature on the map
 */

/**
 * A table of the rows of a grid or beat list: a title, the sorts it offers (none: the server's
 * order) and its columns.
 * @template R
 * @typedef {object} Table
 * @property {string} id
 * @property {string} title
 * @property {readonly Sort[]} sorts the first is the default
 * @property {readonly Column<R>[]} columns
 */

/** @typedef {{ id: string, order: 'asc' | 'desc', name: string }} Sort */

/**
 * A table of `GET /v1/stats/{layer}` rows.
 * @typedef {Table<StatsRow> & { layer: 'grid' | 'beat', level?: number }} Ranking
 */

/** How many rows a table lists. */
export const RANKED = 20;

/** @param {number | null} n */
const count = (n) => (n == null ? '—' : thousands(n));
/** @param {number} digits @returns {(n: number | null) => string} */
const fixed = (digits) => (n) => (n == null ? '—' : decimal(n, digits));

/** @type {Column} */
const EVENTS = { title: '事件', value: (r) => r.events, text: (r) => count(r.events) };
/** @type {Column} */
const CHANGE = { title: '环比', value: (r) => r.change_previous, text: (r) => signedPercent(r.change_previous) };

/** @type {readonly Ranking[]} */
export const RANKINGS = [
  {
    id: 'grids',
    title: '覆盖薄弱网格',
    layer: 'grid',
    level: 3,
    sorts: [
      { id: 'cameras_per_km2', order: 'asc', name: '摄像头最稀' },
      { id: 'grids_without_officer', order: 'desc', name: '无民警' },
      { id: 'grids_without_worker', order: 'desc', name: '无网格员' },
      { id: 'events', order: 'desc', name: '事件最多' },
      { id: 'change_previous', order: 'desc', name: '事件增幅最大' },
    ],
    columns: [
      { title: '网格', value: (r) => r.name, link: true },
      { title: '编号', value: (r) => r.id },
      { title: '面积(平方公里)', value: (r) => r.area_km2, text: (r) => fixed(2)(r.area_km2) },
      { title: '民警', value: (r) => r.officers, alarm: (r) => r.officers === 0 },
      { title: '网格员', value: (r) => r.grid_workers, alarm: (r) => r.grid_workers === 0 },
      { title: '摄像头', value: (r) => r.cameras, alarm: (r) => r.cameras === 0 },
      { title: '在线', value: (r) => r.cameras_online, alarm: (r) => r.cameras_online < r.cameras },
      { title: '每平方公里摄像头', value: (r) => r.cameras_per_km2, text: (r) => fixed(1)(r.cameras_per_km2) },
      EVENTS,
      CHANGE,
    ],
  },
  {
    id: 'beats',
    title: '负荷最重警格',
    layer: 'beat',
    sorts: [
      { id: 'grids', order: 'desc', name: '网格最多' },
      { id: 'grids_per_officer', order: 'desc', name: '人均网格最多' },
      { id: 'events', order: 'desc', name: '事件最多' },
    ],
    columns: [
      { title: '警格', value: (r) => r.name, link: true },
      { title: '编号', value: (r) => r.id },
      { title: '派出所', value: (r) => r.parent ?? null },
      { title: '网格', value: (r) => r.grids },
      { title: '民警', value: (r) => r.officers, alarm: (r) => r.officers === 0 },
      { title: '辅警', value: (r) => r.auxiliaries },
      { title: '每名民警网格', value: (r) => r.grids_per_officer, text: (r) => fixed(1)(r.grids_per_officer), alarm: (r) => r.beats_over_norm > 0 },
      { title: '摄像头', value: (r) => r.cameras },
      EVENTS,
      CHANGE,
    ],
  },
];

/**
 * A cell as shown.
 * @template R
 * @param {Column<R>} column
 * @param {R} row
 */
export function cellText(column, row) {
  if (column.text) return column.text(row);
  const v = column.value(row);
  return typeof v === 'number' ? thousands(v) : v ?? '—';
}
