// The city's figures as cards: how big, how many grids and whether each has an officer and a
// worker, people, cameras, how many are online and how much of the city they see, incidents in the
// period and their change.
import { h } from '../../core/dom.js';
import { decimal, signedPercent, thousands } from '../../core/format.js';
import { coverageFigure } from './coverage.js';

/** @typedef {import('../../core/api.js').StatsRow} StatsRow */

/**
 * @typedef {object} Figure
 * @property {string} key the stats field it shows; `coverage` for the cameras' covered share
 * @property {string} label
 * @property {number | null} value raw
 * @property {string} text
 * @property {string} unit
 * @property {string} sub the line under the figure
 * @property {boolean} alarm something needs attention (grids without an officer...)
 * @property {boolean} rising incidents rose against the period before (环比)
 */

/** @param {number} part @param {number} whole */
const share = (part, whole) => (whole ? `${decimal((part / whole) * 100, 1)}%` : '—');

/**
 * The camera coverage the cards show: the city's share, or why there is none (yet).
 * @typedef {{ share: number, unseen: number } | { error: string } | null} CoverageShown
 */

/**
 * @param {StatsRow} city
 * @param {CoverageShown} [coverage] null while it is asked
 * @returns {Figure[]}
 */
export function summaryFigures(city, coverage = null) {
  const offline = city.cameras - city.cameras_online;
  const uncovered = city.grids_without_officer + city.grids_without_worker;
  /** @type {(key: keyof StatsRow, label: string, unit: string, sub: string, alarm?: boolean) => Figure} */
  const figure = (key, label, unit, sub, alarm = false) => {
    const value = /** @type {number | null} */ (city[key]);
    const text = value == null ? '—' : key === 'area_km2' ? decimal(value, 0) : thousands(value);
    return { key, label, value, text, unit, sub, alarm, rising: key === 'events' && (city.change_previous ?? 0) > 0 };
  };
  return [
    figure('area_km2', '辖区面积', '平方公里', `每个网格平均 ${decimal(city.grids ? city.area_km2 / city.grids : null, 2) || '—'} 平方公里`),
    figure('grids', '网格', '个', uncovered ? `无民警 ${thousands(city.grids_without_officer)} · 无网格员 ${thousands(city.grids_without_worker)}` : '每个网格均有民警和网格员', uncovered > 0),
    figure('officers', '社区民警', '名', `辅警 ${thousands(city.auxiliaries)} · 人均 ${decimal(city.grids_per_officer, 1) || '—'} 个网格`),
    figure('grid_workers', '网格员', '名', `网格长 ${thousands(city.grid_leaders)}`),
    figure('cameras', '摄像头', '个', `在线率 ${share(city.cameras_online, city.cameras)} · 离线 ${thousands(offline)}`, offline > 0),
    coverageCard(coverage),
    figure('beats_over_norm', '超负荷警格', '个', '每名民警负责网格数超过标准', city.beats_over_norm > 0),
    figure('events', '事件', '起', `环比 ${signedPercent(city.change_previous)} · 同比 ${signedPercent(city.change_last_year)}`),
  ];
}

/**
 * @param {CoverageShown} coverage
 * @returns {Figure}
 */
function coverageCard(coverage) {
  const known = coverage && 'share' in coverage ? coverageFigure(coverage.share, coverage.unseen) : null;
  return {
    key: 'coverage',
    label: '视频覆盖率',
    value: coverage && 'share' in coverage ? coverage.share : null,
    text: known?.text ?? '—',
    unit: known?.unit ?? '',
    sub: known?.sub ?? (coverage && 'error' in coverage ? coverage.error : '计算中…'),
    alarm: known?.alarm ?? false,
    rising: false,
  };
}

/**
 * @param {HTMLElement} el
 * @param {StatsRow} city
 * @param {CoverageShown} [coverage]
 */
export function renderSummary(el, city, coverage = null) {
  el.replaceChildren(...summaryFigures(city, coverage).map((f) =>
    h('div', { class: ['stat', f.alarm && 'alarm', f.rising && 'rising'].filter(Boolean).join(' '), dataset: { key: f.key, value: f.value ?? '' } },
      h('span', { class: 'stat-label' }, f.label),
      h('span', { class: 'stat-figure' }, h('b', { class: 'stat-value' }, f.text), h('span', { class: 'stat-unit' }, f.unit)),
      h('span', { class: 'stat-sub' }, f.sub))));
}
