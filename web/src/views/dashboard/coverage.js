// Camera coverage as area: the grids and beats online cameras see least of
// (`GET /v1/coverage/{grid|beat}`, least covered first), as tables with their CSV, and the city's
// share for its card. Cameras are counted as they are now: the period does not change these.
import { decimal, thousands } from '../../core/format.js';

/** @typedef {import('../../core/api.js').CoverageRow} CoverageRow */

/**
 * A share as a percentage with `digits` decimals (0.0123 → "1.23%"); '—' when there is none.
 * @param {number | null | undefined} share
 * @param {number} digits
 */
export const percent = (share, digits) => (share == null || !Number.isFinite(share) ? '—' : `${(share * 100).toFixed(digits)}%`);

/**
 * A table of coverage rows, for `layer` (and a grid level).
 * @typedef {import('./rankings.js').Table<CoverageRow> & { layer: 'grid' | 'beat', level?: number }} CoverageTable
 */

/**
 * The columns of a coverage table. The CSV has the areas in square metres as the API gives them
 * (rounded to a square metre) and the share as a fraction, as the other tables give changes.
 * @param {string} name the first column: 网格 or 警格
 * @returns {import('./rankings.js').Column<CoverageRow>[]}
 */
const columns = (name) => [
  { title: name, value: (r) => r.name, link: true },
  { title: '编号', value: (r) => r.id },
  { title: '面积(平方米)', value: (r) => Math.round(r.area_m2), text: (r) => thousands(r.area_m2) },
  { title: '可视面积(平方米)', value: (r) => Math.round(r.covered_m2), text: (r) => thousands(r.covered_m2), alarm: (r) => r.covered_m2 === 0 },
  { title: '覆盖率', value: (r) => r.share, text: (r) => percent(r.share, 2), alarm: (r) => r.share === 0 },
];

/** The server's order: least covered first. */
const LEAST = [{ id: 'share', order: /** @type {const} */ ('asc'), name: '覆盖率最低' }];

/** @type {readonly CoverageTable[]} */
export const COVERAGE_TABLES = [
  { id: 'coverage-grids', title: '视频覆盖最低的网格', layer: 'grid', level: 3, sorts: LEAST, columns: columns('网格') },
  { id: 'coverage-beats', title: '视频覆盖最低的警格', layer: 'beat', sorts: LEAST, columns: columns('警格') },
];

/**
 * The city's card: the share of its area some online camera sees, and how many grids no camera
 * sees any of.
 * @param {number} share
 * @param {number} unseen grids with nothing covered
 * @returns {{ text: string, unit: string, sub: string, alarm: boolean }}
 */
export function coverageFigure(share, unseen) {
  return {
    text: decimal(share * 100, 1),
    unit: '%',
    sub: unseen ? `无覆盖网格 ${thousands(unseen)} 个` : '每个网格都有摄像头可见之处',
    alarm: unseen > 0,
  };
}
