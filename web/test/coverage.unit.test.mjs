// Camera coverage on the dashboard (its card, tables and CSV) and the heatmap tiles' address and
// token: the pure parts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heatmapTiles, withToken } from '../src/core/api.js';
import { createStore } from '../src/core/store.js';
import { COVERAGE_TABLES, coverageFigure, percent } from '../src/views/dashboard/coverage.js';
import { toCsv } from '../src/views/dashboard/csv.js';
import { cellText } from '../src/views/dashboard/rankings.js';
import { summaryFigures } from '../src/views/dashboard/summary.js';

const ORIGIN = 'http://127.0.0.1:8080';

test('the heatmap tile template names the window, category and resolution, and keeps {z}/{x}/{y} for MapLibre', () => {
  const url = heatmapTiles({ from: '2026-11-24', to: '2026-12-01', category: '治安', res: 7 }, ORIGIN);
  assert.ok(url.startsWith(`${ORIGIN}/tiles/heatmap/{z}/{x}/{y}.mvt?`), url);
  const filled = new URL(url.replace('{z}', '9').replace('{x}', '428').replace('{y}', '213'));
  assert.equal(filled.pathname, '/tiles/heatmap/9/428/213.mvt');
  assert.deepEqual(Object.fromEntries(filled.searchParams), { from: '2026-11-24', to: '2026-12-01', category: '治安', res: '7' });
  assert.equal(heatmapTiles({ from: '2026-11-01', to: '2026-12-01', category: '', res: 6 }, ORIGIN).includes('category'), false, 'all categories: left out');
});

test('the token goes with this server\'s heatmap tiles and API, nowhere else, and only when there is one', () => {
  const session = createStore({ token: '', rejected: false });
  const transform = withToken(session, ORIGIN);
  const tile = `${ORIGIN}/tiles/heatmap/9/428/213.mvt?from=2026-11-01`;
  assert.deepEqual(transform(tile), { url: tile });
  session.set({ token: 'secret-token' });
  assert.deepEqual(transform(tile), { url: tile, headers: { Authorization: 'Bearer secret-token' } });
  assert.deepEqual(transform(`${ORIGIN}/v1/coverage/grid.geojson`).headers, { Authorization: 'Bearer secret-token' });
  assert.deepEqual(transform(`${ORIGIN}/tiles/9/428/213.mvt`), { url: `${ORIGIN}/tiles/9/428/213.mvt` }, 'the base tiles do not need it');
  assert.deepEqual(transform('http://elsewhere.example/tiles/heatmap/1/1/1.mvt'), { url: 'http://elsewhere.example/tiles/heatmap/1/1/1.mvt' });
});

const rows = [
  { id: 'g1', name: '=甲网格', area_m2: 2378845.2094, covered_m2: 0, share: 0 },
  { id: 'g2', name: '乙网格', area_m2: 1000000, covered_m2: 12345.6789, share: 0.0123456789 },
];

test('coverage tables: shares as percentages on screen, raw in the CSV; nothing seen in red', () => {
  const [grids, beats] = COVERAGE_TABLES;
  assert.deepEqual([grids.layer, grids.level, beats.layer], ['grid', 3, 'beat']);
  assert.deepEqual(grids.columns.map((c) => c.title), ['网格', '编号', '面积(平方米)', '可视面积(平方米)', '覆盖率']);
  assert.equal(beats.columns[0].title, '警格');
  const share = grids.columns.find((c) => c.title === '覆盖率');
  assert.deepEqual(rows.map((r) => cellText(share, r)), ['0.00%', '1.23%']);
  assert.deepEqual(rows.map((r) => share.alarm(r)), [true, false]);
  assert.equal(cellText(grids.columns[2], rows[0]), '2,378,845');
  const csv = toCsv(grids.columns, rows);
  assert.equal(csv, '\ufeff网格,编号,面积(平方米),可视面积(平方米),覆盖率\r\n\'=甲网格,g1,2378845,0,0\r\n乙网格,g2,1000000,12346,0.0123456789\r\n');
  assert.equal(percent(null, 1), '—');
});

test('the coverage card: the city\'s share, the grids no camera sees as something to act on', () => {
  assert.deepEqual(coverageFigure(0.010751, 5123), { text: '1.1', unit: '%', sub: '无覆盖网格 5,123 个', alarm: true });
  assert.equal(coverageFigure(0.8, 0).alarm, false);
  const city = {
    layer: 'city', id: 'city', name: '全市', area_km2: 9243.8, grids: 7263, children: 0, officers: 825, auxiliaries: 0, grid_leaders: 0,
    grid_workers: 1, cameras: 30000, cameras_online: 28464, cameras_per_km2: 3, grids_per_officer: 8.8, grids_without_officer: 0,
    grids_without_worker: 0, beats_over_norm: 0, events: 10, events_by_category: {}, events_previous: null, events_last_year: null,
    change_previous: null, change_last_year: null,
  };
  const keys = (c) => summaryFigures(city, c).map((f) => f.key);
  assert.deepEqual(keys(null), ['area_km2', 'grids', 'officers', 'grid_workers', 'cameras', 'coverage', 'beats_over_norm', 'events']);
  const card = (c) => summaryFigures(city, c).find((f) => f.key === 'coverage');
  assert.deepEqual([card(null).text, card(null).value, card(null).sub], ['—', null, '计算中…']);
  assert.deepEqual([card({ share: 0.25, unseen: 3 }).text, card({ share: 0.25, unseen: 3 }).value, card({ share: 0.25, unseen: 3 }).alarm], ['25', 0.25, true]);
  assert.equal(card({ error: '服务器繁忙，请稍后重试' }).sub, '服务器繁忙，请稍后重试');
});
