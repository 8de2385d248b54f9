// The map page in a real browser against a real `onemap serve`.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodePng } from './lib/png.mjs';
import { OUT, REPO, foreignRequests, getJson, idle, launchBrowser, startServer } from './lib/harness.mjs';
import { metres, thousands } from '../src/core/format.js';

const GRID_LAYERS = [0, 1, 2, 3, 4].flatMap((l) => [`grid-${l}-fill`, `grid-${l}-line`]).filter((id) => id !== 'grid-0-fill');
const LOCATE = 'cameras=5&radius=300';

let server, browser, page, tileJson, clicked;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = browser.page;
  tileJson = (await getJson(server.base, '/tiles.json')).body;
  await page.goto(server.base + '/');
  await page.waitForFunction(() => window.onemapReady === true, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Distinct ids of the features rendered in these layers. */
const renderedIds = (layers) => page.evaluate((layers) => {
  const have = layers.filter((id) => window.map.getLayer(id));
  return [...new Set(window.map.queryRenderedFeatures({ layers: have }).map((f) => f.properties.id))];
}, layers);

const jumpTo = async (center, zoom) => {
  await page.evaluate(([center, zoom]) => window.map.jumpTo({ center, zoom }), [center, zoom]);
  await idle(page);
};

/** The cameras caption says how many lie in the radius in all (the server's count), not how many are listed. */
const assertCameraCaption = async (want) => {
  const caption = await page.textContent('#panel section[data-layer=camera] h4');
  const [all, listed] = [want.cameras_in_radius, want.cameras.length];
  assert.ok(Number.isInteger(all) && all >= listed, `cameras_in_radius ${all} vs ${listed} listed`);
  if (all === 0) assert.equal(caption, '附近摄像头（300 米内没有）');
  else assert.ok(caption.startsWith(`附近摄像头（300 米内 ${all} 个`), caption);
  assert.equal(caption.includes(`最近 ${listed} 个如下`), all > listed, caption);
};

/** Chromium logs the refusals the tests ask for (404 outside the city, 401 unknown token); nothing else may fail. */
const unexpectedErrors = () => browser.errors.filter((e) => !(/\/v1\/locate\?/.test(e.url) && /status of (401|404)/.test(e.text)));

test('the page loads offline-clean: title, controls, a local style and no errors', async () => {
  assert.equal(await page.title(), '网格+警格一张图');
  assert.equal((await page.textContent('h1')).includes('网格+警格一张图'), true);
  assert.equal(await page.locator('#layers input[type=checkbox]').count(), 8, 'a switcher row per layer group');
  assert.ok(await page.locator('.maplibregl-ctrl-scale').isVisible(), 'scale bar');
  assert.match(await page.textContent('.maplibregl-ctrl-scale'), /\d+\s*(m|km)/);
  assert.ok(await page.locator('.palette span').count() >= 12, 'legend shows the beat palette');

  const style = (await getJson(server.base, '/style.json')).body;
  assert.equal(style.glyphs, undefined, 'no glyph server');
  const urls = Object.values(style.sources).flatMap((s) => s.tiles ?? []);
  assert.ok(urls.length > 0 && urls.every((u) => u.startsWith(`${server.base}/tiles/`)), `tile URLs on our origin: ${urls}`);

  assert.deepEqual(unexpectedErrors(), [], 'console errors');
  assert.deepEqual(foreignRequests(browser.requests), [], 'requests to other hosts');
  assert.ok(browser.requests.some((u) => u.includes('/tiles/')), 'tiles were requested');
});

/** The switcher's rows as shown: group, name, count text ('' for none), zoom hint. */
const switcherRows = (p) => p.$$eval('#layers .layer-row', (rows) => rows.map((r) => {
  const name = r.querySelector('.lname');
  return {
    group: r.querySelector('input').dataset.group,
    name: [...name.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(''),
    count: name.querySelector('.lcount')?.textContent ?? '',
    hint: r.querySelector('.zoom-hint').textContent,
  };
}));

test('the layer switcher names the kinds and counts their features as /v1/layers says', async () => {
  const manifest = (await getJson(server.base, '/v1/layers')).body;
  const kinds = manifest.layers.filter((l) => l.id !== 'grid');
  assert.ok(kinds.length >= 3, 'beats, stations and cameras at least');
  const rows = await switcherRows(page);
  assert.deepEqual(rows.slice(0, 5).map((r) => [r.group, r.name, r.count]),
    [['grid-0', '县区', ''], ['grid-1', '街道/乡镇', ''], ['grid-2', '社区/村', ''], ['grid-3', '网格', ''], ['grid-4', '微网格', '']],
    'grid levels unchanged, no counts');
  assert.deepEqual(rows.slice(5).map((r) => [r.group, r.name, r.count]),
    kinds.map((l) => [l.id, l.title, `(${thousands(l.count)})`]), 'the manifest titles and counts, in its order');
  const camera = kinds.find((l) => l.id === 'camera');
  assert.ok(camera.count >= 1000 && rows.at(-1).count.includes(','), `thousands grouped: ${rows.at(-1).count}`);
  assert.ok(rows.every((r) => /^\d+级\+$/.test(r.hint)), 'every row has a zoom hint');
  assert.equal(await page.locator('#layers .layers-error').count(), 0, 'no error note');
  mkdirSync(OUT, { recursive: true });
  await page.locator('#layers').screenshot({ path: join(OUT, 'desktop-layers.png') });
});

test('without /v1/layers the switcher still works, under the kind ids, and says why in Chinese', async () => {
  const other = await browser.context.newPage();
  const errors = [];
  other.on('pageerror', (e) => errors.push(e.message));
  try {
    await other.route('**/v1/layers', (r) => r.fulfill({
      status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'busy', message: 'server busy' }),
    }));
    await other.goto(server.base + '/');
    await other.waitForFunction(() => window.onemapReady === true, null, { timeout: 60_000 });
    const rows = await switcherRows(other);
    assert.deepEqual(rows.map((r) => [r.group, r.name, r.count]), [
      ['grid-0', '县区', ''], ['grid-1', '街道/乡镇', ''], ['grid-2', '社区/村', ''], ['grid-3', '网格', ''], ['grid-4', '微网格', ''],
      ['beat', 'beat', ''], ['station', 'station', ''], ['camera', 'camera', ''],
    ]);
    const note = other.locator('#layers .layers-error');
    assert.equal(await note.textContent(), '图层名称与数量未能读取：服务器繁忙，请稍后重试');
    assert.equal(await note.getAttribute('data-code'), 'busy');
    await other.click('#layer-camera');
    assert.equal(await other.evaluate(() => window.map.getLayoutProperty('camera-circle', 'visibility')), 'none', 'the switch still switches');
    mkdirSync(OUT, { recursive: true });
    await other.locator('#layers').screenshot({ path: join(OUT, 'desktop-layers-no-manifest.png') });
    assert.deepEqual(errors, [], 'no uncaught errors');
  } finally {
    await other.close();
  }
});

test('grids are drawn, coloured by beat, at the city view and zoomed in', async () => {
  const cityIds = await renderedIds(GRID_LAYERS);
  assert.ok(cityIds.length >= 3, `grids at the city view: ${cityIds.length}`);

  const [lng, lat] = tileJson.center ?? [(tileJson.bounds[0] + tileJson.bounds[2]) / 2, (tileJson.bounds[1] + tileJson.bounds[3]) / 2];
  await jumpTo([lng, lat], 14);
  const gridIds = await renderedIds(['grid-3-fill', 'grid-3-line']);
  assert.ok(gridIds.length >= 5, `level-3 grids at z14: ${gridIds.length}`);

  const box = await page.locator('#map').boundingBox();
  const png = decodePng(await page.screenshot({ clip: box }));
  const bg = [0xdd, 0xe3, 0xea];
  let painted = 0;
  const colours = new Set();
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = png.data.subarray(i, i + 3);
    if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) > 12) painted++;
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  const share = painted / (png.width * png.height);
  assert.ok(share > 0.5, `share of the map that is not background: ${share.toFixed(2)}`);
  assert.ok(colours.size > 40, `distinct colours: ${colours.size}`);
});

test('a click shows the grid, its parents, beat, station, people and cameras that /v1/locate gives', async () => {
  const [lng, lat] = tileJson.center ?? [(tileJson.bounds[0] + tileJson.bounds[2]) / 2, (tileJson.bounds[1] + tileJson.bounds[3]) / 2];
  const here = (await getJson(server.base, `/v1/locate?lng=${lng}&lat=${lat}`)).body;
  assert.ok(here.grid, `the city centre lies in a grid: ${JSON.stringify(here)}`);
  const hits = (await getJson(server.base, `/v1/search?q=${encodeURIComponent(here.grid.id)}&limit=10`)).body.results;
  const hit = hits.find((r) => r.id === here.grid.id);
  const target = hit?.center ?? [here.point.lng, here.point.lat];

  await jumpTo(target, 15);
  const { x, y, left, top } = await page.evaluate((c) => {
    const p = window.map.project(c);
    const r = window.map.getCanvas().getBoundingClientRect();
    return { x: Math.round(p.x), y: Math.round(p.y), left: r.left, top: r.top };
  }, target);
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/v1/locate')),
    page.mouse.click(left + x, top + y),
  ]);
  await page.waitForSelector('#panel[data-state=located]');

  const asked = new URL(req.url()).searchParams;
  const at = await page.evaluate(([x, y]) => window.map.unproject([x, y]).toArray(), [x, y]);
  assert.ok(Math.abs(Number(asked.get('lng')) - at[0]) < 1e-6 && Math.abs(Number(asked.get('lat')) - at[1]) < 1e-6, 'the page asked for the clicked point');
  clicked = at;
  const want = (await getJson(server.base, `/v1/locate?lng=${asked.get('lng')}&lat=${asked.get('lat')}&${LOCATE}`)).body;

  const shown = await page.evaluate(() => {
    const sec = (layer) => document.querySelector(`#panel section[data-layer="${layer}"]`);
    const people = (el) => [...(el?.querySelectorAll('.person') ?? [])].map((p) => ({
      id: p.dataset.personId, name: p.querySelector('.pname').textContent, phone: p.querySelector('.phone')?.textContent ?? '', title: p.querySelector('.role').textContent,
    }));
    return {
      grid: sec('grid')?.dataset.id ?? null, beat: sec('beat')?.dataset.id || null, station: sec('station')?.dataset.id ?? null,
      ancestors: [...document.querySelectorAll('#panel .chain .anc')].map((a) => a.dataset.id),
      gridPeople: people(sec('grid')), beatPeople: people(sec('beat')), stationPeople: people(sec('station')),
      escalation: [...document.querySelectorAll('#panel .escalation li')].map((li) => li.dataset.id),
      cameras: [...document.querySelectorAll('#panel section[data-layer=camera] li')].map((li) => li.dataset.id),
      near: [...document.querySelectorAll('#panel section[data-layer=near] li')].map((li) => li.dataset.id),
      picked: window.map.queryRenderedFeatures({ layers: ['pick-point'] }).length,
    };
  });
  const ppl = (list) => (list ?? []).map((p) => ({ id: p.id, name: p.name, phone: p.phone ?? '', title: p.title || p.role }));
  assert.equal(shown.grid, want.grid?.id ?? '');
  assert.equal(shown.beat, want.beat?.id ?? null);
  assert.equal(shown.station, want.station?.id ?? null);
  assert.deepEqual(shown.ancestors, [...want.ancestors].reverse().map((a) => a.id), 'parents, county first');
  assert.deepEqual(shown.gridPeople, ppl(want.grid?.people));
  assert.deepEqual(shown.beatPeople, ppl(want.beat?.people));
  assert.deepEqual(shown.stationPeople, ppl(want.station?.people));
  assert.deepEqual(shown.escalation, want.escalation.map((s) => s.id ?? ''));
  assert.deepEqual(shown.cameras, want.cameras.map((c) => c.id));
  assert.deepEqual(shown.near, (want.near ?? []).map((n) => n.id));
  assert.ok(shown.picked >= 1, 'the clicked point is marked');
  await assertCameraCaption(want);
});

test('a layer switched off disappears and comes back', async () => {
  const layers = ['grid-3-fill', 'grid-3-line', 'grid-3-label'];
  const before = await renderedIds(layers);
  assert.ok(before.length > 0, 'level-3 grids rendered');
  await page.click('#layer-grid-3');
  await idle(page);
  assert.deepEqual(await renderedIds(layers), [], 'nothing rendered once off');
  assert.equal(await page.evaluate(() => window.map.getLayoutProperty('grid-3-fill', 'visibility')), 'none');
  await page.click('#layer-grid-3');
  await idle(page);
  assert.deepEqual((await renderedIds(layers)).sort(), before.sort(), 'the same grids once on again');
});

test('searching a name lists what /v1/search finds and flies to the chosen one', async () => {
  const here = (await getJson(server.base, `/v1/locate?lng=${clicked[0]}&lat=${clicked[1]}`)).body;
  const name = here.beat?.name ?? here.grid.name;
  const want = (await getJson(server.base, `/v1/search?q=${encodeURIComponent(name)}&limit=10`)).body.results;
  assert.ok(want.length > 0, `search finds ${name}`);

  await page.evaluate((b) => window.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { animate: false }), tileJson.bounds);
  await idle(page);
  const zoomBefore = await page.evaluate(() => window.map.getZoom());

  await page.fill('#search-q', name);
  await page.waitForSelector('#search-results:not([hidden]) li[data-id]');
  const listed = await page.$$eval('#search-results li[data-id]', (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(listed, want.map((r) => r.id));

  const pick = want.find((r) => r.name === name) ?? want[0];
  await page.click(`#search-results li[data-id="${pick.id}"]`);
  await page.waitForSelector(`#panel[data-state=found] section[data-id="${pick.id}"]`);
  await page.waitForFunction(() => !window.map.isMoving());
  await idle(page);

  const view = await page.evaluate(() => ({ zoom: window.map.getZoom(), b: window.map.getBounds().toArray() }));
  const [cx, cy] = pick.center;
  assert.ok(view.zoom > zoomBefore, `zoomed in: ${zoomBefore} → ${view.zoom}`);
  assert.ok(cx > view.b[0][0] && cx < view.b[1][0] && cy > view.b[0][1] && cy < view.b[1][1], 'the result is in view');
  assert.equal(await page.textContent(`#panel section[data-id="${pick.id}"] .name`), pick.name);
  assert.ok((await renderedIds([`${pick.layer}-highlight`])).includes(pick.id), 'the result is outlined');
});

test('coordinates typed in GCJ-02 are located and flown to as WGS84', async () => {
  const [lng, lat] = clicked.map((v) => Number(v.toFixed(6)));
  const want = (await getJson(server.base, `/v1/locate?lng=${lng}&lat=${lat}&crs=gcj02&${LOCATE}`)).body;
  assert.ok(want.point, JSON.stringify(want));
  await page.selectOption('#search-crs', 'gcj02');
  await page.fill('#search-q', `${lng},${lat}`);
  const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes('/v1/locate')), page.press('#search-q', 'Enter')]);
  assert.equal(new URL(req.url()).searchParams.get('crs'), 'gcj02');
  await page.waitForSelector('#panel[data-state=located]');
  await page.waitForFunction(() => !window.map.isMoving());
  const c = await page.evaluate(() => window.map.getCenter().toArray());
  assert.ok(Math.abs(c[0] - want.point.lng) < 1e-6 && Math.abs(c[1] - want.point.lat) < 1e-6, `centre ${c} vs ${JSON.stringify(want.point)}`);
  assert.equal(await page.getAttribute('#panel section[data-layer=grid]', 'data-id'), want.grid?.id ?? '');
  await page.selectOption('#search-crs', 'wgs84');
});

test('a point outside the city says so in Chinese, keeps the server message and goes to the nearest grid', async () => {
  const [lng, lat] = [tileJson.bounds[0] - 2, tileJson.bounds[1] - 2];
  const want = await getJson(server.base, `/v1/locate?lng=${lng}&lat=${lat}&${LOCATE}`);
  assert.equal(want.status, 404);
  const { nearest } = want.body;
  assert.ok(nearest, `the server names the nearest grid: ${JSON.stringify(want.body)}`);
  await page.fill('#search-q', `${lng},${lat}`);
  await page.press('#search-q', 'Enter');
  await page.waitForSelector('#panel[data-state=error]');
  assert.equal(await page.textContent('#panel .error-msg'), `该点不在任何网格内，最近的网格是 ${nearest.name}（约 ${metres(nearest.distance_m)}）`);
  assert.equal(await page.textContent('#panel .error-detail .server-message'), want.body.message);
  assert.ok((await page.textContent('#panel .nearest')).includes(nearest.name));
  await page.waitForFunction(() => !window.map.isMoving());
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'desktop-outside.png') });

  await page.click('#panel .nearest');
  await page.waitForSelector(`#panel[data-state=found] section[data-id="${nearest.id}"]`);
  await page.waitForFunction(() => !window.map.isMoving());
  await idle(page);
  assert.ok((await renderedIds(['grid-highlight'])).includes(nearest.id), 'the nearest grid is outlined');
});

test('a dispatcher token shows full names; an unknown one is refused and said so', async () => {
  const [lng, lat] = clicked;
  const masked = (await getJson(server.base, `/v1/locate?lng=${lng}&lat=${lat}&${LOCATE}`)).body;
  const full = (await getJson(server.base, `/v1/locate?lng=${lng}&lat=${lat}&${LOCATE}`, server.token)).body;
  const names = (r) => [r.grid, r.beat, r.station].flatMap((f) => f?.people ?? []).map((p) => p.name);
  assert.ok(names(masked).every((n) => n.includes('*')), `anonymous names are masked: ${names(masked)}`);
  assert.ok(names(full).length > 0 && names(full).every((n) => !n.includes('*')), 'the dispatcher sees names');

  await page.fill('#search-q', `${lng},${lat}`);
  await page.press('#search-q', 'Enter');
  await page.waitForSelector('#panel[data-state=located]');
  const shownNames = () => page.$$eval('#panel section[data-layer=grid] .pname, #panel section[data-layer=beat] .pname, #panel section[data-layer=station] .pname', (els) => els.map((e) => e.textContent));
  assert.deepEqual(await shownNames(), names(masked));

  // Entering the token re-asks for the same point, now with the header.
  await page.fill('#token', server.token);
  const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes('/v1/locate')), page.press('#token', 'Enter')]);
  assert.equal(req.headers().authorization, `Bearer ${server.token}`);
  await page.waitForFunction((n) => document.querySelectorAll('#panel .pname').length && !document.querySelector('#panel .pname').textContent.includes('*'), null);
  assert.deepEqual(await shownNames(), names(full));
  assert.equal(await page.textContent('#token-state'), '已授权');
  assert.equal(await page.evaluate(() => localStorage.getItem('onemap.token')), server.token);

  await page.fill('#token', 'not-a-known-token');
  await Promise.all([page.waitForResponse((r) => r.url().includes('/v1/locate')), page.press('#token', 'Enter')]);
  await page.waitForSelector('#panel[data-state=error]');
  assert.equal(await page.textContent('#token-state'), '令牌无效');
  assert.equal(await page.textContent('#panel .error-msg'), '访问令牌无效：服务器不认识此令牌，请更正或清空');

  await page.fill('#token', '');
  const [req2] = await Promise.all([page.waitForRequest((r) => r.url().includes('/v1/locate')), page.press('#token', 'Enter')]);
  assert.equal(req2.headers().authorization, undefined);
  await page.waitForSelector('#panel[data-state=located]');
  assert.equal(await page.evaluate(() => localStorage.getItem('onemap.token')), null);
});

test('screenshot for the README, and still nothing but 127.0.0.1 and no errors', async () => {
  await page.click('#panel .close');
  await page.fill('#search-q', '');
  await jumpTo(clicked, 13.8);
  // Click beside the camera nearest the middle of the free map, so the panel lists cameras.
  const spot = await page.evaluate(() => {
    const r = window.map.getCanvas().getBoundingClientRect();
    const mid = { x: r.width * 0.42, y: r.height * 0.5 };
    const cams = window.map.queryRenderedFeatures({ layers: ['camera-circle'] })
      .map((f) => window.map.project(f.geometry.coordinates))
      .sort((a, b) => Math.hypot(a.x - mid.x, a.y - mid.y) - Math.hypot(b.x - mid.x, b.y - mid.y));
    const p = cams[0] ?? mid;
    return { x: Math.round(p.x + 9), y: Math.round(p.y + 6), left: r.left, top: r.top };
  });
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/v1/locate')),
    page.mouse.click(spot.left + spot.x, spot.top + spot.y),
  ]);
  await page.waitForSelector('#panel[data-state=located]');
  const asked = new URL(req.url()).searchParams;
  await assertCameraCaption((await getJson(server.base, `/v1/locate?lng=${asked.get('lng')}&lat=${asked.get('lat')}&${LOCATE}`)).body);
  await page.mouse.move(spot.left + spot.x + 140, spot.top + spot.y + 90);
  await idle(page);
  mkdirSync(join(REPO, 'docs'), { recursive: true });
  writeFileSync(join(REPO, 'docs', 'screenshot.png'), await page.screenshot());

  assert.deepEqual(foreignRequests(browser.requests), [], 'requests to other hosts');
  assert.deepEqual(unexpectedErrors(), [], 'console errors');
});
