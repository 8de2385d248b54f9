// A ranking table card: a sort to choose (if the table offers any), the top rows (from /v1/stats,
// /v1/coverage...), each name a link to the feature on the dispatch map, and the rows as CSV.
import { h } from '../../core/dom.js';
import { toCsv } from './csv.js';
import { fileName, saveText } from './download.js';
import { RANKED, cellText } from './rankings.js';

/** @typedef {import('./rankings.js').Sort} Sort */

/**
 * @template {{ id: string }} R
 * @param {HTMLElement} card
 * @param {import('./rankings.js').Table<R>} ranking
 * @param {object} handlers
 * @param {(sort: Sort) => void} [handlers.onSort]
 * @param {(row: R) => void} handlers.onShow the name was clicked
 * @returns {{ show: (rows: R[], period: string) => void, fail: (message: string) => void, sort: () => Sort }}
 */
export function mountRankingCard(card, ranking, { onSort, onShow }) {
  const select = h('select', { class: 'rank-sort', 'aria-label': '排序' }, ranking.sorts.map((s) => h('option', { value: s.id }, s.name)));
  const sort = () => ranking.sorts.find((s) => s.id === select.value) ?? ranking.sorts[0];
  /** @type {R[]} */
  let rows = [];
  let period = '';
  const exportButton = h('button', {
    type: 'button', class: 'export export-csv', onclick: () =>
      saveText(`${fileName(ranking.title, ...(ranking.sorts.length > 1 ? [sort().name] : []), period)}.csv`, toCsv(ranking.columns, rows), 'text/csv;charset=utf-8'),
  }, '导出 CSV');
  const body = h('tbody');
  const status = h('p', { class: 'dash-error', role: 'alert', hidden: true });
  select.addEventListener('change', () => onSort?.(sort()));
  card.replaceChildren(
    h('header', { class: 'card-head' }, h('h3', {}, ranking.title, h('small', {}, ` 前 ${RANKED}`)), ranking.sorts.length > 1 ? select : null, exportButton),
    status,
    h('div', { class: 'table-wrap' }, h('table', { class: 'rank' },
      h('thead', {}, h('tr', {}, h('th', {}, '#'), ranking.columns.map((c) => h('th', {}, c.title)))),
      body)));

  return {
    sort,
    show(list, label) {
      rows = list;
      period = label;
      status.hidden = true;
      body.replaceChildren(...rows.map((r, i) => h('tr', { dataset: { id: r.id } },
        h('td', { class: 'rank-no' }, i + 1),
        ranking.columns.map((c) => h('td', { class: c.alarm?.(r) ? 'alarm' : null },
          c.link ? h('button', { type: 'button', class: 'to-map', title: '在地图上查看', onclick: () => onShow(r) }, cellText(c, r)) : cellText(c, r))))));
      card.dataset.state = 'ready';
      card.dataset.sort = sort().id;
    },
    fail(message) {
      status.textContent = message;
      status.hidden = false;
      card.dataset.state = 'error';
    },
  };
}
