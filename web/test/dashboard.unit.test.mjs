// The dashboard's pure parts: H3 resolution and hexagons, choropleth colours, chart options,
// the summary figures, the view from the address, and dropping answers that came too late.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latLngToCell } from 'h3-js';
import { decimal, signedPercent } from '../src/core/format.js';
import { viewOf } from '../src/core/views.js';
import { categoryColour, categoryOption, orderCategories, trendOption } from '../src/views/dashboard/chart-options.js';
import { MAX_RES, MIN_RES, cellsToGeoJson, resForZoom } from '../src/views/dashboard/hexes.js';
import { ApiError } from '../src/core/errors.js';
import { answering, latestOnly } from '../src/views/dashboard/latest.js';
import { METRICS, NO_VALUE, choropleth } from '../src/views/dashboard/metrics.js';
import { REDS } from '../src/views/dashboard/scale.js';
import { summaryFigures } from '../src/views/dashboard/summary.js';

test('the H3 resolution grows with the zoom, within what the server counts (5–11)', () => {
  assert.equal(resForZoom(9), 7);
  assert.equal(resForZoom(0), MIN_RES);
  assert.equal(resForZoom(22), MAX_RES);
  let last = 0;
  for (let z = 0; z <= 22; z += 0.25) {
    const res = resForZoom(z);
    assert.ok(res >= last && res >= 5 && res <= 11, `zoom ${z}: res ${res}`);
    last = res;
  }
  assert.deepEqual([10, 12, 13, 14].map(resForZoom), [8, 9, 10, 11], 'one resolution per 1.4 zoom levels');
});

test('cells become closed hexagons around their own centre, counts kept', () => {
  const [lng, lat] = [121.43, 28.6];
  const id = latLngToCell(lat, lng, 9);
  const fc = cellsToGeoJson([[id, 7]]);
  assert.equal(fc.features.length, 1);
  const [f] = fc.features;
  assert.deepEqual(f.properties, { cell: id, count: 7 });
  const ring = f.geometry.coordinates[0];
  assert.equal(ring.length, 7, 'six corners and the first again');
  assert.deepEqual(ring[0], ring[6]);
  const lngs = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  assert.ok(Math.min(...lngs) < lng && lng < Math.max(...lngs) && Math.min(...lats) < lat && lat < Math.max(...lats), 'GeoJSON order: lng, lat');
  assert.deepEqual(cellsToGeoJson([]).features, []);
});

/** A stats row with the fields a test sets and zeros elsewhere. */
const row = (fields) => ({
  layer: 'grid', id: 'x', name: 'x', area_km2: 1, grids: 1, children: 0, officers: 1, auxiliaries: 0, grid_leaders: 0,
  grid_workers: 1, cameras: 0, cameras_online: 0, cameras_per_km2: 0, grids_per_officer: 1, grids_without_officer: 0,
  grids_without_worker: 0, beats_over_norm: 0, events: 0, events_by_category: {}, events_previous: null, events_last_year: null,
  change_previous: null, change_last_year: null, ...fields,
});

test('a choropleth colours each id by its class; rows without a value are left to the fallback', () => {
  const density = METRICS.find((m) => m.id === 'events_per_km2');
  const rows = [
    row({ id: 'a', events: 10, area_km2: 10 }), // 1 per km²
    row({ id: 'b', events: 40, area_km2: 10 }), // 4
    row({ id: 'c', events: 90, area_km2: 10 }), // 9
    row({ id: 'd', events: null, area_km2: 3 }), // withheld
    row({ id: 'e', events: 5, area_km2: 0 }), // no area
  ];
  const c = choropleth(rows, density);
  assert.deepEqual([...c.colourById.keys()], ['a', 'b', 'c']);
  assert.equal(c.withValue, 3);
  assert.equal(c.withoutValue, 2);
  assert.equal(c.colourById.get('a'), REDS[0], 'lowest is lightest');
  assert.equal(c.colourById.get('c'), REDS.at(-1), 'highest is darkest');
  assert.deepEqual(c.legend.map((i) => i.label), ['1–4', '4–9', '9'].slice(0, c.legend.length));
  assert.notEqual(NO_VALUE, REDS[0]);

  const online = METRICS.find((m) => m.id === 'cameras_online');
  assert.equal(online.value(row({ cameras: 8, cameras_online: 6 })), 75);
  assert.equal(online.value(row({ cameras: 0 })), null, 'no cameras: no share, not 0 %');
  assert.equal(choropleth([], online).legend.length, 0);
});

test('the trend chart stacks one series per category in a stable order, dates in China time', () => {
  const trend = {
    bucket_s: 86400,
    categories: ['纠纷', '交通', '治安'],
    buckets: [
      { start: '2026-10-31T16:00:00Z', total: 6, counts: [1, 2, 3] },
      { start: '2026-11-01T16:00:00Z', total: 4, counts: [0, 4, 0] },
    ],
  };
  const option = trendOption(trend, '事件趋势');
  assert.deepEqual(option.xAxis.data, ['11-01', '11-02']);
  assert.deepEqual(option.series.map((s) => s.name), ['治安', '交通', '纠纷']);
  assert.deepEqual(option.series.map((s) => s.data), [[3, 0], [2, 4], [1, 0]], 'each series its own column of counts');
  assert.ok(option.series.every((s) => s.stack === 'events' && s.type === 'bar'));
  assert.equal(option.title.text, '事件趋势', 'the title goes into exported images');
  assert.equal(trendOption({ ...trend, bucket_s: 604800 }, 't').xAxis.name, '周');

  assert.deepEqual(orderCategories(['民生', '新类别', '治安', '治安']), ['治安', '民生', '新类别']);
  const ordered = orderCategories(['交通', '治安']);
  assert.equal(categoryColour('治安', ordered), trendOption(trend, '').series[0].itemStyle.color, 'a category keeps its colour');
  const bars = categoryOption({ 交通: 3, 治安: 9 }, '类别');
  assert.deepEqual(bars.yAxis.data, ['治安', '交通'], 'most first');
  assert.deepEqual(bars.series[0].data.map((d) => d.value), [9, 3]);
});

test('summary figures: raw values for checking, Chinese text, alarms where something is missing', () => {
  const city = row({
    layer: 'city', area_km2: 9243.8, grids: 7263, officers: 825, auxiliaries: 2272, grids_per_officer: 8.8036,
    grid_workers: 14431, grid_leaders: 8972, cameras: 30000, cameras_online: 28464, beats_over_norm: 0,
    grids_without_officer: 0, grids_without_worker: 2, events: 4779, change_previous: -0.017071, change_last_year: null,
  });
  const f = Object.fromEntries(summaryFigures(city).map((x) => [x.key, x]));
  assert.equal(f.area_km2.text, '9,244');
  assert.equal(f.grids.text, '7,263');
  assert.equal(f.grids.sub, '无民警 0 · 无网格员 2');
  assert.equal(f.grids.alarm, true);
  assert.equal(f.cameras.sub, '在线率 94.9% · 离线 1,536');
  assert.equal(f.events.value, 4779);
  assert.equal(f.events.sub, '环比 -1.7% · 同比 —');
  assert.equal(f.beats_over_norm.alarm, false);
  assert.equal(f.events.rising, false, 'fewer than the month before');
  assert.equal(summaryFigures({ ...city, change_previous: 0.2 }).find((x) => x.key === 'events').rising, true);
  assert.equal(summaryFigures({ ...city, events: null }).find((x) => x.key === 'events').text, '—', 'withheld');
});

test('percent changes and decimals as people read them', () => {
  assert.equal(signedPercent(0.1234), '+12.3%');
  assert.equal(signedPercent(-0.05), '-5.0%');
  assert.equal(signedPercent(0), '0.0%');
  assert.equal(signedPercent(-0.0001), '0.0%', 'no minus zero');
  assert.equal(signedPercent(null), '—');
  assert.equal(decimal(9243.82, 1), '9,243.8');
  assert.equal(decimal(null, 1), '');
});

test('the address picks the view; anything else is the map', () => {
  assert.equal(viewOf('#dashboard'), 'dashboard');
  assert.equal(viewOf('#map'), 'map');
  assert.equal(viewOf(''), 'map');
  assert.equal(viewOf('#unknown'), 'map');
});

test('latestOnly: an answer that a newer request replaced is dropped, and its error too', async () => {
  const only = latestOnly();
  let release;
  const slow = only((signal) => new Promise((resolve, reject) => {
    release = resolve;
    signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  }));
  const fast = only(async () => 'new');
  assert.deepEqual(await fast, { value: 'new' });
  release('old');
  assert.equal(await slow, null, 'the replaced request comes to nothing');
  await assert.rejects(only(async () => { throw new Error('real'); }), /real/, 'the latest request\'s errors are not swallowed');
});

test('answering: shows the newest answer, a refusal as its Chinese message, and throws bugs', async () => {
  const shown = [];
  const failed = [];
  let ask = async () => 'first';
  const load = answering((signal) => ask(signal), (a) => shown.push(a), (e) => failed.push(e.message));
  await load();
  assert.deepEqual(shown, ['first']);

  ask = async () => { throw new ApiError(503, { error: 'busy', message: 'server busy' }); };
  await load();
  assert.deepEqual(failed, ['服务器繁忙，请稍后重试']);

  ask = async () => { throw new TypeError('a bug'); };
  await assert.rejects(load(), TypeError);
  assert.equal(shown.length + failed.length, 2, 'a bug is neither shown nor explained away');
});
