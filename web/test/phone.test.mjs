// The map page on a 390×844 phone: the top bar fits, the layer card folds, and the panel is a
// bottom sheet that leaves most of the map in view.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodePng } from './lib/png.mjs';
import { OUT, PHONE, foreignRequests, getJson, idle, launchBrowser, startServer } from './lib/harness.mjs';

const { width: W, height: H } = PHONE.viewport;

let server, browser, page, tileJson;

before(async () => {
  server = await startServer();
  browser = await launchBrowser(PHONE);
  page = browser.page;
  tileJson = (await getJson(server.base, '/tiles.json')).body;
  await page.goto(server.base + '/');
  await page.waitForFunction(() => window.onemapReady === true, null, { timeout: 60_000 });
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const box = async (selector) => {
  const b = await page.locator(selector).boundingBox();
  assert.ok(b, `${selector} is laid out`);
  return b;
};

/** The element is shown and lies wholly inside the phone's screen. */
const assertOnScreen = async (selector) => {
  assert.ok(await page.locator(selector).isVisible(), `${selector} is visible`);
  const b = await box(selector);
  assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= W && b.y + b.height <= H, `${selector} inside ${W}×${H}: ${JSON.stringify(b)}`);
};

const shot = (name) => page.screenshot({ path: join(OUT, `phone-${name}.png`) });

/** Share of the pixels in `clip` that show something other than the plain background. */
const paintedShare = async (clip) => {
  const png = decodePng(await page.screenshot({ clip, scale: 'css' }));
  let painted = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = png.data.subarray(i, i + 3);
    if (Math.abs(r - 0xdd) + Math.abs(g - 0xe3) + Math.abs(b - 0xea) > 12) painted++;
  }
  return painted / (png.width * png.height);
};

test('the top bar fits: search in view, the token field one tap away and inside the screen', async () => {
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), W, 'nothing overflows sideways');
  const bar = await box('.topbar');
  assert.ok(bar.width <= W, `bar width ${bar.width}`);
  for (const sel of ['h1', '#search-q', '#search-crs', '#search button', '#token-toggle']) await assertOnScreen(sel);
  assert.equal(await page.textContent('#token-toggle'), '匿名');
  assert.equal(await page.locator('#token').isVisible(), false, 'the field waits in the menu');
  await shot('start');

  await page.tap('#token-toggle');
  await assertOnScreen('#token');
  assert.equal(await page.getAttribute('#token-toggle', 'aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'token', 'the field has the focus');
  await page.fill('#token', server.token);
  await shot('token');
  await page.press('#token', 'Enter');
  assert.equal(await page.locator('#token').isVisible(), false, 'Enter closes the menu');
  assert.equal(await page.textContent('#token-toggle'), '已授权');
  assert.equal(await page.evaluate(() => localStorage.getItem('onemap.token')), server.token);

  await page.tap('#token-toggle');
  await page.fill('#token', '');
  await page.press('#token', 'Enter');
  assert.equal(await page.textContent('#token-toggle'), '匿名');
});

test('the layer card starts folded and unfolds on a tap', async () => {
  assert.equal(await page.getAttribute('#layers-toggle', 'aria-expanded'), 'false');
  assert.equal(await page.locator('#layer-grid-3').isVisible(), false);
  const folded = await box('#layers');
  assert.ok(folded.height < 48 && folded.width < W / 2, `a chip when folded: ${JSON.stringify(folded)}`);

  await page.tap('#layers-toggle');
  await assertOnScreen('#layer-grid-3');
  assert.equal(await page.locator('#layers input[type=checkbox]').count(), 8);
  await shot('layers');
  await page.tap('#layer-grid-3');
  assert.equal(await page.evaluate(() => window.map.getLayoutProperty('grid-3-fill', 'visibility')), 'none');
  await page.tap('#layer-grid-3');
  assert.equal(await page.evaluate(() => window.map.getLayoutProperty('grid-3-fill', 'visibility')), 'visible');

  await page.tap('#layers-toggle');
  assert.equal(await page.locator('#layer-grid-3').isVisible(), false, 'folded again');
});

test('a tap opens a bottom sheet that leaves at least half the map in view and can be minimised', async () => {
  const [lng, lat] = tileJson.center ?? [(tileJson.bounds[0] + tileJson.bounds[2]) / 2, (tileJson.bounds[1] + tileJson.bounds[3]) / 2];
  await page.evaluate((c) => window.map.jumpTo({ center: c, zoom: 15 }), [lng, lat]);
  await idle(page);
  const map = await box('#map');
  const at = await page.evaluate((c) => window.map.project(c), [lng, lat]);
  await page.touchscreen.tap(map.x + at.x, map.y + at.y);
  await page.waitForSelector('#panel[data-state=located]');
  await page.waitForFunction(() => !window.map.isMoving());
  await idle(page);

  const sheet = await box('#panel');
  assert.ok(Math.abs(sheet.y + sheet.height - (map.y + map.height)) < 1, 'the sheet sits on the bottom edge');
  assert.ok(Math.abs(sheet.width - map.width) < 1, 'the sheet spans the width');
  const covered = Math.max(0, Math.min(sheet.y + sheet.height, map.y + map.height) - Math.max(sheet.y, map.y)) / map.height;
  assert.ok(1 - covered >= 0.5, `map left in view: ${(1 - covered).toFixed(2)}`);
  const pick = await page.evaluate(() => {
    const [f] = window.map.queryRenderedFeatures({ layers: ['pick-point'] });
    return f ? window.map.project(f.geometry.coordinates) : null;
  });
  assert.ok(pick && map.y + pick.y < sheet.y, `the tapped point stays above the sheet: ${JSON.stringify(pick)}`);
  const above = await paintedShare({ x: map.x, y: map.y, width: map.width, height: sheet.y - map.y });
  assert.ok(above > 0.9, `the map above the sheet is drawn, not left blank: ${above.toFixed(2)}`);
  assert.ok((await page.textContent('#panel section[data-layer=camera] h4')).startsWith('附近摄像头（300 米内'));
  const nav = await box('.maplibregl-ctrl-bottom-right');
  assert.ok(nav.y + nav.height <= sheet.y + 1, 'the zoom buttons sit above the sheet');
  await shot('sheet');

  await page.tap('#panel .minimise');
  const small = await box('#panel');
  assert.ok(small.height < 60, `minimised to its header: ${small.height}px`);
  assert.ok(await page.locator('#panel .panel-summary').isVisible(), 'the header still names the grid');
  assert.equal(await page.textContent('#panel .minimise'), '展开');
  await shot('minimised');
  await page.tap('#panel .minimise');
  assert.ok((await box('#panel')).height > small.height, 'expanded again');

  await page.tap('#panel .close');
  assert.equal(await page.locator('#panel').isVisible(), false);
});

test('nothing but 127.0.0.1 and no console errors on the phone either', async () => {
  assert.deepEqual(foreignRequests(browser.requests), [], 'requests to other hosts');
  assert.deepEqual(browser.errors, [], 'console errors');
});
