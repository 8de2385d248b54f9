// The leaders' dashboard in a real browser against a real `onemap serve`: its figures, heatmap,
// tables and charts against what the API answers for the same window.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodePng } from './lib/png.mjs';
import { OUT, PHONE, REPO, foreignRequests, getJson, launchBrowser, startServer } from './lib/harness.mjs';
import { decimal } from '../src/core/format.js';
import { resForZoom } from '../src/views/dashboard/hexes.js';
import { COVERAGE_TABLES } from '../src/views/dashboard/coverage.js';
import { clearOfLegend } from '../src/views/dashboard/legend.js';
import { METRICS, NO_VALUE, UNITS, choropleth } from '../src/views/dashboard/metrics.js';
import { chinaToday, periodLabel, presetPeriod, sliderWindow } from '../src/views/dashboard/period.js';
import { RANKINGS } from '../src/views/dashboard/rankings.js';

let server, browser, page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(server.base + '/#dashboard');
  await page.waitForFunction(() => window.dashboardReady === true, null, { timeout: 90_000 });
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The query string of a window and category, as the page asks. */
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString();

/** Waits until the map has drawn what it has and has nothing left to load. */
const dashIdle = () => page.evaluate(() => new Promise((r) => { window.dashboardMap.once('idle', () => r()); window.dashboardMap.triggerRepaint(); }));

/** The incident heatmap's tile requests the page makes from now on, until `stop()`. */
function recordTiles() {
  const asked = [];
  const on = (r) => { if (r.url().includes('/tiles/heatmap/')) asked.push({ url: new URL(r.url()), authorization: r.headers().authorization }); };
  page.on('request', on);
  return { asked, stop: () => page.off('request', on) };
}

/**
 * The incident cells in the heatmap tiles the map holds now, each with its count: a hexagon cut by
 * a tile edge comes once per tile and must have the same count in each.
 */
async function tileCells() {
  const features = await page.evaluate(() => window.dashboardMap.querySourceFeatures('heat', { sourceLayer: 'heatmap' })
    .map((f) => [f.properties.cell, f.properties.count]));
  const cells = new Map();
  for (const [cell, count] of features) {
    assert.equal(cells.get(cell) ?? count, count, `cell ${cell}: one count in every tile`);
    cells.set(cell, count);
  }
  assert.ok(features.length >= cells.size);
  return cells;
}

/** Clicks `selector` and returns the file the page saved. */
async function download(selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text) {
  const rows = [[]];
  let field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { rows.at(-1).push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { rows.at(-1).push(field); field = ''; rows.push([]); i++; }
    else field += c;
  }
  if (rows.at(-1).length === 0 && field === '') rows.pop();
  return rows;
}

/** Share of a PNG's pixels that are not white: a chart drawn, not a blank canvas. */
function inkShare(bytes) {
  const png = decodePng(bytes);
  let ink = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] + png.data[i + 1] + png.data[i + 2] < 720) ink++;
  return { ...png, share: ink / (png.width * png.height) };
}

test('the dashboard tab is current, the period is last month and the cards show the API figures for it', async () => {
  assert.equal(await page.getAttribute('.view-tabs a[data-view=dashboard]', 'aria-current'), 'page');
  assert.ok(await page.locator('#dashboard').isVisible());
  const period = presetPeriod('last-month', chinaToday());
  assert.equal(await page.getAttribute('.stats', 'data-period'), `${period.from}/${period.to}/`);

  const city = (await getJson(server.base, `/v1/stats/city?${query(period)}`)).body.rows[0];
  const cards = await page.$$eval('.stats .stat', (els) => els.map((e) => ({ key: e.dataset.key, value: e.dataset.value, text: e.querySelector('.stat-value').textContent })));
  assert.deepEqual(cards.map((c) => c.key), ['area_km2', 'grids', 'officers', 'grid_workers', 'cameras', 'coverage', 'beats_over_norm', 'events']);
  for (const c of cards.filter((x) => x.key !== 'coverage')) assert.equal(Number(c.value), city[c.key], c.key);
  assert.ok(city.events > 1000, `a month of incidents: ${city.events}`);
  const text = Object.fromEntries(cards.map((c) => [c.key, c.text]));
  assert.equal(text.events, city.events.toLocaleString('en-US'));
  assert.equal(text.grids, city.grids.toLocaleString('en-US'));
  const sub = await page.textContent('.stat[data-key=events] .stat-sub');
  const pct = (f) => (f == null ? '—' : `${f > 0 ? '+' : ''}${(f * 100).toFixed(1)}%`);
  assert.equal(sub, `环比 ${pct(city.change_previous)} · 同比 ${pct(city.change_last_year)}`);
  assert.match(await page.textContent('.stat[data-key=cameras] .stat-sub'), new RegExp(`在线率 ${(city.cameras_online / city.cameras * 100).toFixed(1)}%`));
});

test('a category filters every figure: the cards then count that category only', async () => {
  const period = presetPeriod('last-month', chinaToday());
  const options = await page.$$eval('.f-category option', (os) => os.map((o) => o.value));
  assert.ok(options.includes('治安') && options[0] === '', `categories from the trend: ${options}`);
  await page.selectOption('.f-category', '治安');
  await page.waitForSelector(`.stats[data-period="${period.from}/${period.to}/治安"]`);
  const city = (await getJson(server.base, `/v1/stats/city?${query({ ...period, category: '治安' })}`)).body.rows[0];
  assert.equal(Number(await page.getAttribute('.stat[data-key=events]', 'data-value')), city.events);
  await page.selectOption('.f-category', '');
  await page.waitForSelector(`.stats[data-period="${period.from}/${period.to}/"]`);
  await page.waitForSelector('.map-card[data-state=ready]');
});

test('another period: the cards, the trend (now per week) and the heatmap follow it', async () => {
  const year = presetPeriod('last-12-months', chinaToday());
  const lastWeek = sliderWindow(year, 7, Infinity);
  const [trendReq, heatReq] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/v1/events/trend')),
    page.waitForRequest((r) => r.url().includes('/v1/heatmap')),
    page.selectOption('.f-preset', 'last-12-months'),
  ]);
  const trend = new URL(trendReq.url()).searchParams;
  assert.deepEqual([trend.get('from'), trend.get('to'), trend.get('bucket')], [year.from, year.to, 'week']);
  const heat = new URL(heatReq.url()).searchParams;
  assert.deepEqual([heat.get('from'), heat.get('to')], [lastWeek.from, lastWeek.to]);
  await page.waitForSelector(`.stats[data-period="${year.from}/${year.to}/"]`);
  const city = (await getJson(server.base, `/v1/stats/city?${query(year)}`)).body.rows[0];
  assert.equal(Number(await page.getAttribute('.stat[data-key=events]', 'data-value')), city.events);
  const weeks = (await getJson(server.base, `/v1/events/trend?${query({ ...year, bucket: 'week' })}`)).body;
  assert.equal(weeks.buckets.reduce((n, b) => n + b.total, 0), city.events, 'the trend adds up to the card');
  assert.equal(await page.inputValue('.f-from'), year.from);

  const month = presetPeriod('last-month', chinaToday());
  await page.selectOption('.f-preset', 'last-month');
  await page.waitForSelector(`.stats[data-period="${month.from}/${month.to}/"]`);
  await page.waitForSelector('.map-card[data-state=ready]');
});

test('the time slider moves the heatmap window: the tiles asked carry it; their cells are the API\'s', async () => {
  const period = presetPeriod('last-month', chinaToday());
  await page.selectOption('.heat-width', '7');
  await page.waitForSelector('.map-card[data-state=ready]');
  await dashIdle();
  const zoom = await page.evaluate(() => window.dashboardMap.getZoom());
  const res = String(resForZoom(zoom));
  const want = sliderWindow(period, 7, 2);
  const tiles = recordTiles();
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/v1/heatmap')),
    page.locator('.heat-slider').fill('2'),
  ]);
  const asked = new URL(req.url()).searchParams;
  assert.deepEqual([asked.get('layer'), asked.get('from'), asked.get('to'), asked.get('res')], ['event', want.from, want.to, res]);
  await page.waitForSelector(`.map-card[data-state=ready][data-window="${want.from}/${want.to}"]`);
  assert.equal(await page.textContent('.heat-window'), periodLabel(want));
  await dashIdle();
  tiles.stop();

  assert.ok(tiles.asked.length > 0, 'heatmap tiles asked for the new window');
  for (const { url, authorization } of tiles.asked) {
    assert.match(url.pathname, /^\/tiles\/heatmap\/\d+\/\d+\/\d+\.mvt$/);
    const p = url.searchParams;
    assert.deepEqual([p.get('from'), p.get('to'), p.get('res'), p.get('category')], [want.from, want.to, res, null], url.href);
    assert.equal(authorization, undefined, 'no token: none sent');
  }

  const heat = (await getJson(server.base, `/v1/heatmap?layer=event&${query({ ...want, res })}`)).body;
  assert.ok(heat.cells.length > 20, `cells in the window: ${heat.cells.length}`);
  assert.ok(heat.suppressed_cells > 0, 'the public does not see the smallest cells');
  assert.equal(Number(await page.getAttribute('.map-card', 'data-cells')), heat.cells.length);
  assert.deepEqual(await tileCells(), new Map(heat.cells), 'the tiles hold the API cells and counts');
  const rendered = await page.evaluate(() => [...new Set(window.dashboardMap.queryRenderedFeatures({ layers: ['heat-fill'] }).map((f) => f.properties.cell))]);
  assert.deepEqual(rendered.sort(), heat.cells.map(([id]) => id).sort(), 'each cell is on screen once the whole city is in view');
  assert.match(await page.textContent('.map-legend'), new RegExp(`共 ${heat.total.toLocaleString('en-US')} 起`));
  await page.locator('.map-card').screenshot({ path: join(OUT, 'dashboard-heat.png') });

  // A wider window starts again at the latest one.
  const month = sliderWindow(period, 30, Infinity);
  const [wider] = await Promise.all([page.waitForRequest((r) => r.url().includes('/v1/heatmap')), page.selectOption('.heat-width', '30')]);
  assert.deepEqual([new URL(wider.url()).searchParams.get('from'), new URL(wider.url()).searchParams.get('to')], [month.from, month.to]);
  await page.waitForSelector(`.map-card[data-state=ready][data-window="${month.from}/${month.to}"]`);
  await page.selectOption('.heat-width', '7');
  await page.waitForSelector('.map-card[data-state=ready]');
});

test('offline cameras on the same hexagons, as the API counts them now', async () => {
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/v1/heatmap')),
    page.selectOption('.heat-subject', 'offline'),
  ]);
  const asked = new URL(req.url()).searchParams;
  assert.deepEqual([asked.get('layer'), asked.get('status'), asked.get('from')], ['camera', 'offline', null]);
  await page.waitForSelector('.map-card[data-state=ready][data-subject=offline]');
  assert.ok(!(await page.locator('.heat-slider').isVisible()), 'no time slider: cameras are counted as they are now');
  const heat = (await getJson(server.base, `/v1/heatmap?layer=camera&status=offline&res=${asked.get('res')}`)).body;
  assert.equal(Number(await page.getAttribute('.map-card', 'data-cells')), heat.cells.length);
  const drawn = await page.evaluate(async () => (await window.dashboardMap.getSource('offline').getData()).features.map((f) => [f.properties.cell, f.properties.count]));
  assert.deepEqual(drawn, heat.cells);
  const shown = await page.evaluate(() => ['heat-fill', 'offline-fill'].map((id) => window.dashboardMap.getLayoutProperty(id, 'visibility')));
  assert.deepEqual(shown, ['none', 'visible'], 'the incidents are away while the cameras are shown');
  assert.match(await page.textContent('.map-legend'), new RegExp(`当前离线 ${heat.total.toLocaleString('en-US')} 个`));
  const city = (await getJson(server.base, '/v1/stats/city')).body.rows[0];
  assert.equal(heat.total, city.cameras - city.cameras_online, 'every offline camera is in a cell');
  await page.locator('.map-card').screenshot({ path: join(OUT, 'dashboard-offline-cameras.png') });
  await page.selectOption('.heat-subject', 'events');
  await page.waitForSelector('.map-card[data-state=ready][data-subject=events]');
});

test('a ranking table exports its rows as CSV, matching the API for the same sort and window', async () => {
  const period = presetPeriod('last-month', chinaToday());
  const ranking = RANKINGS.find((r) => r.id === 'grids');
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/v1/stats/grid') && r.url().includes('sort=events')),
    page.selectOption('[data-ranking=grids] .rank-sort', 'events'),
  ]);
  await page.waitForSelector('[data-ranking=grids][data-sort=events][data-state=ready]');
  const api = (await getJson(server.base, `/v1/stats/grid?${query({ level: 3, ...period, sort: 'events', order: 'desc', limit: 20 })}`)).body.rows;
  assert.equal(api.length, 20);
  assert.deepEqual(await page.$$eval('[data-ranking=grids] tbody tr', (trs) => trs.map((tr) => tr.dataset.id)), api.map((r) => r.id));

  const file = await download('[data-ranking=grids] .export-csv');
  assert.match(file.name, /^覆盖薄弱网格_事件最多_.*\.csv$/);
  const text = file.bytes.toString('utf8');
  assert.ok(text.startsWith('\ufeff'), 'a BOM, for Excel');
  const [header, ...rows] = parseCsv(text.slice(1));
  assert.deepEqual(header, ranking.columns.map((c) => c.title));
  assert.equal(rows.length, api.length);
  const col = (title) => header.indexOf(title);
  rows.forEach((r, i) => {
    const want = api[i];
    assert.equal(r[col('编号')], want.id);
    assert.equal(r[col('网格')], want.name);
    assert.equal(r[col('事件')], want.events == null ? '' : String(want.events));
    assert.equal(Number(r[col('面积(平方公里)')]), want.area_km2);
    assert.equal(Number(r[col('摄像头')]), want.cameras);
    assert.equal(r[col('环比')], want.change_previous == null ? '' : String(want.change_previous));
  });
  const events = rows.map((r) => Number(r[col('事件')]));
  assert.deepEqual(events, [...events].sort((a, b) => b - a), 'most incidents first');
});

test('charts export as PNG images with something drawn in them', async () => {
  const trend = await download('[data-chart=trend] .export-png');
  assert.match(trend.name, /^事件趋势_.*\.png$/);
  const png = inkShare(trend.bytes);
  const box = await page.locator('[data-chart=trend] .chart').boundingBox();
  assert.equal(png.width, Math.round(box.width) * 2, 'twice the screen size');
  assert.ok(png.share > 0.05, `ink in the trend chart: ${png.share}`);

  const categories = inkShare((await download('[data-chart=category] .export-png')).bytes);
  assert.ok(categories.share > 0.03, `ink in the category chart: ${categories.share}`);

  const map = await download('.map-card .export-png');
  assert.match(map.name, /^事件热力_.*\.png$/);
  writeFileSync(join(OUT, 'dashboard-map-export.png'), map.bytes);
  writeFileSync(join(OUT, 'dashboard-trend-export.png'), trend.bytes);
  const mapPng = inkShare(map.bytes);
  assert.ok(mapPng.width > 300 && mapPng.share > 0.3, `the map image: ${mapPng.width}×${mapPng.height}, ink ${mapPng.share}`);
});

test('the choropleth joins the API figures onto the tiles by id', async () => {
  const period = presetPeriod('last-month', chinaToday());
  const unit = UNITS.find((u) => u.id === 'beat');
  const metric = METRICS.find((m) => m.id === 'grids_per_officer');
  await page.click('.seg-btn[data-mode=choropleth]');
  await page.waitForSelector('.map-card[data-mode=choropleth][data-state=ready]');
  await page.selectOption('.choro-unit', unit.id);
  await page.selectOption('.choro-metric', metric.id);
  await page.waitForSelector(`.map-card[data-state=ready][data-unit=beat][data-metric=${metric.id}]`);
  await page.waitForFunction(() => !window.dashboardMap.isMoving());
  await dashIdle();

  const rows = (await getJson(server.base, `/v1/stats/beat?${query(period)}`)).body.rows;
  const want = choropleth(rows, metric);
  const expr = await page.evaluate(() => window.dashboardMap.getPaintProperty('choro-fill', 'fill-color'));
  assert.equal(expr[0], 'match');
  const got = new Map();
  for (let i = 2; i < expr.length - 1; i += 2) got.set(expr[i], expr[i + 1]);
  assert.deepEqual(got, want.colourById, 'each beat its class colour');
  assert.equal(expr.at(-1), NO_VALUE);
  const rendered = await page.evaluate(() => new Set(window.dashboardMap.queryRenderedFeatures({ layers: ['choro-fill'] }).map((f) => f.properties.id)).size);
  assert.ok(rendered > 50, `beats drawn: ${rendered}`);
  assert.equal(await page.locator('.map-legend li').count(), want.legend.length);

  // The pointer over a beat names it with its figure.
  const spot = await page.evaluate(() => {
    const m = window.dashboardMap;
    const { width, height, left, top } = m.getCanvas().getBoundingClientRect();
    const point = [width / 2, height / 2];
    const [f] = m.queryRenderedFeatures(point, { layers: ['choro-fill'] });
    return { id: f.properties.id, x: left + point[0], y: top + point[1] };
  });
  await page.mouse.move(spot.x, spot.y);
  const beat = rows.find((r) => r.id === spot.id);
  assert.equal(await page.textContent('.dash-tip'), `${beat.name}：${decimal(metric.value(beat), metric.digits)} ${metric.unit}`);
  await page.locator('.map-card').screenshot({ path: join(OUT, 'dashboard-choropleth.png') });
  await page.mouse.move(5, 5);
  await page.click('.seg-btn[data-mode=heat]');
  await page.waitForSelector('.map-card[data-mode=heat][data-state=ready]');
});

test('camera coverage: the card has the city\'s share, the tables the API rows, the overlay its uncovered parts', async () => {
  const grids = (await getJson(server.base, '/v1/coverage/grid?limit=20')).body;
  const card = await page.$eval('.stat[data-key=coverage]', (e) => ({ value: e.dataset.value, text: e.querySelector('.stat-value').textContent, unit: e.querySelector('.stat-unit').textContent }));
  assert.equal(Number(card.value), grids.share);
  assert.equal(`${card.text}${card.unit}`, `${(grids.share * 100).toFixed(1)}%`);
  assert.ok(grids.share > 0 && grids.share < 1, `the city's share: ${grids.share}`);
  const every = (await getJson(server.base, '/v1/coverage/grid')).body.rows;
  const unseen = every.filter((r) => r.covered_m2 === 0).length;
  assert.ok(unseen > 0 && unseen < every.length, `grids no camera sees: ${unseen} of ${every.length}`);
  assert.equal(await page.textContent('.stat[data-key=coverage] .stat-sub'), `无覆盖网格 ${unseen.toLocaleString('en-US')} 个`);

  for (const table of COVERAGE_TABLES) {
    const api = (await getJson(server.base, `/v1/coverage/${table.layer}?limit=20`)).body.rows;
    assert.equal(api.length, 20);
    const sel = `[data-ranking=${table.id}]`;
    await page.waitForSelector(`${sel}[data-state=ready]`);
    const rows = await page.$$eval(`${sel} tbody tr`, (trs) => trs.map((tr) => ({ id: tr.dataset.id, cells: [...tr.cells].map((td) => td.textContent) })));
    assert.deepEqual(rows.map((r) => r.id), api.map((r) => r.id), `${table.title}: the API's rows, least covered first`);
    assert.deepEqual(rows.map((r) => r.cells[1]), api.map((r) => r.name));
    assert.deepEqual(rows.map((r) => r.cells.at(-1)), api.map((r) => `${(r.share * 100).toFixed(2)}%`));
  }

  const file = await download('[data-ranking=coverage-grids] .export-csv');
  assert.match(file.name, /^视频覆盖最低的网格_\d{4}-\d{2}-\d{2}\.csv$/);
  const [header, ...rows] = parseCsv(file.bytes.toString('utf8').slice(1));
  assert.deepEqual(header, ['网格', '编号', '面积(平方米)', '可视面积(平方米)', '覆盖率']);
  assert.deepEqual(rows, grids.rows.map((r) => [r.name, r.id, String(Math.round(r.area_m2)), String(Math.round(r.covered_m2)), String(r.share)]));

  // A table row goes to the dispatch map like the others'.
  const first = grids.rows[0].id;
  await page.click(`[data-ranking=coverage-grids] tbody tr[data-id="${first}"] .to-map`);
  await page.waitForSelector(`#panel[data-state=found] section[data-id="${first}"]`);
  await page.goBack();
  await page.waitForFunction(() => document.body.dataset.view === 'dashboard');

  // The overlay: every grid with an uncovered part is one feature of the source.
  const blind = (await getJson(server.base, '/v1/coverage/grid.geojson')).body;
  assert.ok(blind.features.length > 1000, `grids with blind spots: ${blind.features.length}`);
  await page.evaluate(() => document.querySelector('.map-card').scrollIntoView());
  await page.check('.blind-toggle');
  await page.waitForSelector('.map-card[data-blind=true]');
  await page.waitForFunction(() => window.dashboardMap.isSourceLoaded('blind') && window.dashboardMap.getLayoutProperty('blind-fill', 'visibility') === 'visible', null, { timeout: 60_000 });
  await dashIdle();
  const overlay = await page.evaluate(async () => {
    const data = await window.dashboardMap.getSource('blind').getData();
    const rendered = new Set(window.dashboardMap.queryRenderedFeatures({ layers: ['blind-fill'] }).map((f) => f.properties.id));
    return { ids: data.features.map((f) => f.properties.id), rendered: rendered.size };
  });
  assert.equal(overlay.ids.length, blind.features.length, 'the overlay holds every uncovered part');
  assert.deepEqual(overlay.ids, blind.features.map((f) => f.properties.id));
  // At the city's zoom the smallest parts are too small to draw; most grids show theirs.
  assert.ok(overlay.rendered > blind.features.length / 2, `drawn: ${overlay.rendered} of ${blind.features.length}`);
  assert.match(await page.textContent('.map-legend .overlay'), /视频盲区/);
  await page.locator('.map-card').screenshot({ path: join(OUT, 'dashboard-blind.png') });
  await page.uncheck('.blind-toggle');
  await page.waitForSelector('.map-card[data-blind=false]');
  assert.equal(await page.evaluate(() => window.dashboardMap.getLayoutProperty('blind-fill', 'visibility')), 'none');
  assert.equal(await page.locator('.map-legend .overlay').count(), 0);
});

test('a dispatcher token asks everything again: no cells withheld; then the README screenshot', async () => {
  const period = presetPeriod('last-month', chinaToday());
  await page.evaluate(() => document.querySelector('#dashboard').scrollTo(0, 0));
  // The whole city in view again (the choropleth zoomed in), so every cell is in a tile the map holds.
  const { bounds } = (await getJson(server.base, '/tiles.json')).body;
  await page.evaluate(([b, padding]) => window.dashboardMap.fitBounds(b, { padding, animate: false }), [bounds, clearOfLegend(false)]);
  await page.waitForSelector('.map-card[data-state=ready]');
  await dashIdle();
  await page.fill('#token', server.token);
  const tiles = recordTiles();
  const [heatAnswer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/v1/heatmap')),
    page.waitForResponse((r) => r.url().includes('/v1/stats/city')),
    page.waitForResponse((r) => r.url().includes('/v1/coverage/grid')),
    page.press('#token', 'Enter'),
  ]);
  const heatReq = heatAnswer.request();
  assert.equal(heatReq.headers().authorization, `Bearer ${server.token}`);
  await page.waitForSelector(`.stats[data-period="${period.from}/${period.to}/"]`);
  await page.waitForSelector('.map-card[data-state=ready]');
  await dashIdle();
  tiles.stop();
  const w = new URL(heatReq.url()).searchParams;
  const heat = (await getJson(server.base, `/v1/heatmap?layer=event&${query({ from: w.get('from'), to: w.get('to'), res: w.get('res') })}`, server.token)).body;
  assert.equal(heat.suppressed_cells, 0);
  const pub = (await getJson(server.base, `/v1/heatmap?layer=event&${query({ from: w.get('from'), to: w.get('to'), res: w.get('res') })}`)).body;
  assert.ok(heat.cells.length > pub.cells.length, `a dispatcher sees more cells: ${heat.cells.length} > ${pub.cells.length}`);
  assert.equal(Number(await page.getAttribute('.map-card', 'data-cells')), heat.cells.length);
  assert.ok(tiles.asked.length > 0, 'the tiles asked again with the token');
  for (const { url, authorization } of tiles.asked) {
    assert.equal(authorization, `Bearer ${server.token}`, url.href);
    assert.deepEqual([url.searchParams.get('from'), url.searchParams.get('to'), url.searchParams.get('res')], [w.get('from'), w.get('to'), w.get('res')]);
  }
  assert.deepEqual(await tileCells(), new Map(heat.cells), 'the tiles hold every cell, the small ones too');
  assert.doesNotMatch(await page.textContent('.map-legend'), /未显示/);
  const city = (await getJson(server.base, `/v1/stats/city?${query(period)}`, server.token)).body.rows[0];
  assert.equal(Number(await page.getAttribute('.stat[data-key=events]', 'data-value')), city.events);
  await dashIdle();
  const shot = join(OUT, 'dashboard-desktop.png');
  await page.screenshot({ path: shot });
  mkdirSync(join(REPO, 'docs'), { recursive: true });
  copyFileSync(shot, join(REPO, 'docs', 'screenshot-dashboard.png'));
  await page.evaluate(() => document.querySelector('.dash-tables').scrollIntoView());
  await page.screenshot({ path: join(OUT, 'dashboard-desktop-tables.png') });
  assert.deepEqual(foreignRequests(browser.requests), [], 'requests to other hosts');
  assert.deepEqual(browser.errors, [], 'console errors');
});

test('a table row goes to the dispatch map and shows the feature there', async () => {
  const id = await page.getAttribute('[data-ranking=beats] tbody tr:first-child', 'data-id');
  await page.click('[data-ranking=beats] tbody tr:first-child .to-map');
  await page.waitForSelector(`#panel[data-state=found] section[data-id="${id}"]`);
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'map');
  assert.equal(await page.evaluate(() => location.hash), '#map');
  assert.ok(!(await page.locator('#dashboard').isVisible()), 'the dashboard is away');
  assert.ok(await page.locator('#search-q').isVisible(), 'the map view has its search back');
  await page.goBack();
  await page.waitForFunction(() => document.body.dataset.view === 'dashboard');
});

test('a part the server cannot answer says why in Chinese; the rest still works', async () => {
  const other = await browser.context.newPage();
  try {
    await other.route('**/v1/stats/city?*', (r) => r.fulfill({
      status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'busy', message: 'server busy' }),
    }));
    await other.goto(server.base + '/#dashboard');
    await other.waitForFunction(() => window.dashboardReady === true, null, { timeout: 90_000 });
    assert.equal(await other.textContent('.stats .dash-error'), '服务器繁忙，请稍后重试');
    assert.equal(await other.getAttribute('[data-chart=category]', 'data-state'), 'error');
    assert.equal(await other.getAttribute('[data-chart=trend]', 'data-state'), 'ready');
    assert.equal(await other.locator('[data-ranking=beats] tbody tr').count(), 20);
  } finally {
    await other.close();
  }
});

test('on a 390×844 phone: tabs fit, cards in two columns, nothing overflows sideways', async () => {
  const phone = await launchBrowser(PHONE);
  try {
    const p = phone.page;
    await p.goto(server.base + '/#dashboard');
    await p.waitForFunction(() => window.dashboardReady === true, null, { timeout: 90_000 });
    const { width } = PHONE.viewport;
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth), width);
    assert.equal(await p.evaluate(() => document.querySelector('#dashboard').scrollWidth), await p.evaluate(() => document.querySelector('#dashboard').clientWidth), 'the dashboard scrolls only down');
    for (const sel of ['.view-tabs a[data-view=map]', '.view-tabs a[data-view=dashboard]', '#token-toggle']) {
      const b = await p.locator(sel).boundingBox();
      assert.ok(b && b.x >= 0 && b.x + b.width <= width && b.y >= 0, `${sel} on screen: ${JSON.stringify(b)}`);
    }
    const xs = await p.$$eval('.stats .stat', (els) => [...new Set(els.map((e) => Math.round(e.getBoundingClientRect().x)))]);
    assert.equal(xs.length, 2, `card columns at ${xs}`);
    await p.screenshot({ path: join(OUT, 'dashboard-phone.png') });
    for (const [i, sel] of ['.map-card', '.dash-side', '[data-ranking=grids]', '[data-ranking=coverage-grids]'].entries()) {
      await p.evaluate((s) => document.querySelector(s).scrollIntoView(), sel);
      await p.waitForTimeout(200);
      await p.screenshot({ path: join(OUT, `dashboard-phone-${i + 1}.png`) });
    }
    await p.click('.view-tabs a[data-view=map]');
    await p.waitForFunction(() => document.body.dataset.view === 'map');
    assert.ok(await p.locator('#map').isVisible() && await p.locator('#search-q').isVisible(), 'back on the map');
    assert.deepEqual(phone.errors, [], 'console errors');
  } finally {
    await phone.close();
  }
});
