// Starts a real onemap server and a headless Chromium, and records what the page does.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO = resolve(WEB, '..');

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `onemap serve --demo` on a free port with a fresh store (seeded with the demo city and 50,000 of
 * its made-up incidents, not the default million, to start in seconds) and one dispatcher token.
 */
export async function startServer() {
  const token = `web-${randomBytes(12).toString('hex')}`;
  const bin = resolve(WEB, process.env.ONEMAP_BIN ?? '../target/release/onemap');
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin}: run \`cargo build --release -p onemap-server\` or set ONEMAP_BIN`);
  const dir = mkdtempSync(join(tmpdir(), 'onemap-web-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--store', join(dir, 'city.gpkg'), '--demo', '--demo-events', '50000'], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ONEMAP_TOKENS: `web-test:dispatcher:${token}`, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  child.on('exit', (code, sig) => { exited = `exited with ${code ?? sig}`; });
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let t = Date.now(); Date.now() - t < 120_000;) {
    if (exited !== null) { await stop(); throw new Error(`onemap ${exited} before it answered /health:\n${log}`); }
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) return { base, token, stop, log: () => log };
    } catch { /* not listening yet */ }
    await sleep(200);
  }
  await stop();
  throw new Error(`onemap did not answer /health within 120 s:\n${log}`);
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A desktop screen; `PHONE` is a 390×844 phone (an iPhone 12–14 in CSS pixels) with touch. */
export const DESKTOP = { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 };
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/**
 * Headless Chromium with a fresh profile; records every request and every console error.
 * @param {typeof DESKTOP | typeof PHONE} screen
 */
export async function launchBrowser(screen = DESKTOP) {
  const profile = mkdtempSync(join(tmpdir(), 'onemap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ARGS, locale: 'zh-CN', ...screen,
  });
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push({ text: m.text(), url: m.location()?.url ?? '' }); });
  page.on('pageerror', (e) => errors.push({ text: `uncaught: ${e.message}`, url: '' }));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, requests, errors, close };
}

/** Requests that left 127.0.0.1 (data: and same-host blob: URLs are local). */
export function foreignRequests(urls) {
  return urls.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:') return false;
    const inner = url.protocol === 'blob:' ? new URL(url.pathname) : url;
    return !['http:', 'https:', 'ws:', 'wss:'].includes(inner.protocol) || inner.hostname !== '127.0.0.1';
  });
}

/** Resolves after the map has rendered a frame and has nothing left to load. */
export const idle = (page) => page.evaluate(() => new Promise((r) => { window.map.once('idle', () => r()); window.map.triggerRepaint(); }));

/** Where tests put the screenshots they take to be looked at (docs/screenshot.png is the kept one). */
export const OUT = join(WEB, 'test', 'out');

/** GET a JSON API answer from Node; without a token it sees the same masking as the anonymous page. */
export async function getJson(base, path, token) {
  const res = await fetch(base + path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: await res.json() };
}
