// The leaders' dashboard (领导驾驶舱): the city's figures for a period, where incidents cluster
// and whether they rise, which grids are thinly covered and which beats carry too much, what no
// camera sees. Every figure comes from the API for the period and category in the filter bar
// (camera coverage: as the cameras are now).
import { h } from '../../core/dom.js';
import { credentialsChanged } from '../../core/session.js';
import { createStore } from '../../core/store.js';
import { categoryOption, orderCategories, trendOption } from './chart-options.js';
import { mountChartCard } from './chart-card.js';
import { COVERAGE_TABLES } from './coverage.js';
import { mountFilters } from './filters.js';
import { answering } from './latest.js';
import { mountMapCard } from './map-card.js';
import { chinaToday, periodLabel, presetPeriod, trendBucket } from './period.js';
import { mountRankingCard } from './ranking-card.js';
import { RANKED, RANKINGS } from './rankings.js';
import { renderSummary } from './summary.js';

/** @typedef {import('./filters.js').Filters} Filters */
/** @typedef {import('../../core/api.js').StatsRow} StatsRow */
/** @typedef {import('./summary.js').CoverageShown} CoverageShown */

/**
 * @param {object} ctx
 * @param {HTMLElement} ctx.root the dashboard's element
 * @param {import('../../core/api.js').Api} ctx.api
 * @param {import('../../core/session.js').SessionStore} ctx.session
 * @param {import('../../core/api.js').BBox | null} ctx.bounds the city, for the first view of its map
 * @param {(id: string) => void} ctx.showOnMap switch to the dispatch map at this grid or beat
 * @returns {{ ready: Promise<void>, map: import('maplibre-gl').Map }}
 */
export function mountDashboard({ root, api, session, bounds, showOnMap }) {
  const today = chinaToday();
  const filters = createStore(/** @type {Filters} */ ({ preset: 'last-month', period: presetPeriod('last-month', today), category: '' }));

  const bar = h('div', { class: 'dash-filters' });
  const summary = h('div', { class: 'stats', 'aria-live': 'polite' });
  const mapCard = h('section', { class: 'dash-card map-card' });
  const trendCard = h('section', { class: 'dash-card chart-card', dataset: { chart: 'trend' } });
  const categoryCard = h('section', { class: 'dash-card chart-card', dataset: { chart: 'category' } });
  const rankingCards = RANKINGS.map((r) => h('section', { class: 'dash-card rank-card', dataset: { ranking: r.id } }));
  const coverageCards = COVERAGE_TABLES.map((r) => h('section', { class: 'dash-card rank-card', dataset: { ranking: r.id } }));
  root.replaceChildren(
    h('div', { class: 'dash-head' }, h('h2', {}, '领导驾驶舱'), bar),
    summary,
    h('div', { class: 'dash-grid' }, mapCard, h('div', { class: 'dash-side' }, trendCard, categoryCard)),
    h('div', { class: 'dash-tables' }, rankingCards),
    h('div', { class: 'dash-tables dash-coverage' }, coverageCards));

  const filterBar = mountFilters(bar, filters, today);
  const trend = mountChartCard(trendCard, '事件趋势（按类别）');
  const byCategory = mountChartCard(categoryCard, '事件类别构成');
  const heat = mountMapCard({ card: mapCard, api, session, filters, bounds });

  /** The period and category as the API takes them. */
  const selection = () => {
    const { period, category } = filters.get();
    return { ...period, category };
  };
  const label = () => periodLabel(filters.get().period);

  /** @type {StatsRow | null} the city's figures shown, for the coverage card to join */
  let cityShown = null;
  /** @type {CoverageShown} */
  let coverageShown = null;

  const loadSummary = answering(
    (signal) => api.stats('city', selection(), signal),
    ({ rows: [city] }) => {
      const { from, to, category } = selection();
      cityShown = city;
      renderSummary(summary, city, coverageShown);
      summary.dataset.period = `${from}/${to}/${category}`; // what the cards count, for tests
      byCategory.show(categoryOption(city.events_by_category, `事件类别构成（${label()}）`), `事件类别构成_${label()}`);
    },
    (e) => {
      cityShown = null;
      summary.replaceChildren(h('p', { class: 'dash-error', role: 'alert' }, e.message));
      byCategory.fail(e.message);
    });

  const loadTrend = answering(
    (signal) => api.trend({ ...selection(), bucket: trendBucket(filters.get().period) }, signal),
    (answer) => {
      filterBar.setCategories(orderCategories(answer.categories));
      const title = `事件趋势（${label()}，按${answer.bucket_s > 86_400 ? '周' : '日'}，起）`;
      trend.show(trendOption(answer, title), `事件趋势_${label()}`);
    },
    (e) => trend.fail(e.message));

  const rankings = RANKINGS.map((ranking, i) => {
    const card = mountRankingCard(rankingCards[i], ranking, {
      onSort: () => load(),
      onShow: (row) => showOnMap(row.id),
    });
    const load = answering(
      (signal) => {
        const { id: sort, order } = card.sort();
        return api.stats(ranking.layer, { level: ranking.level, ...selection(), sort, order, limit: RANKED }, signal);
      },
      (answer) => card.show(answer.rows, label()),
      (e) => card.fail(e.message));
    return load;
  });

  // Camera coverage: every grid is asked for (a few hundred kB), for the card to count those no
  // camera sees; the table shows the least covered. The beats: the least covered only.
  /** @param {CoverageShown} shown */
  const showCoverage = (shown) => {
    coverageShown = shown;
    if (cityShown) renderSummary(summary, cityShown, shown);
  };
  const coverage = COVERAGE_TABLES.map((table, i) => {
    const card = mountRankingCard(coverageCards[i], table, { onShow: (row) => showOnMap(row.id) });
    const all = table.layer === 'grid';
    return answering(
      (signal) => api.coverage(table.layer, { level: table.level, limit: all ? undefined : RANKED }, signal),
      (answer) => {
        card.show(answer.rows.slice(0, RANKED), chinaToday());
        if (all) showCoverage({ share: answer.share, unseen: answer.rows.filter((r) => r.covered_m2 === 0).length });
      },
      (e) => {
        card.fail(e.message);
        if (table.layer === 'grid') showCoverage({ error: e.message });
      });
  });
  const loadCoverage = () => Promise.all(coverage.map((load) => load()));

  const loadAll = () => Promise.all([loadSummary(), loadTrend(), ...rankings.map((load) => load())]);
  filters.subscribe(() => { loadAll(); heat.reload(); });
  session.subscribe((s, prev) => { if (credentialsChanged(s, prev)) { loadAll(); loadCoverage(); heat.reload(); } });

  return { ready: Promise.all([loadAll(), loadCoverage(), heat.ready]).then(() => undefined), map: heat.map };
}
