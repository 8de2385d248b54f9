// Every error the server can send reads as Chinese on the page.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ApiError, ERROR_TEXT, errorText } from '../src/core/errors.js';

/** The codes docs/openapi.json promises (`ErrorCode`, made from `ERROR_CODES` in server/src/error.rs). */
function documentedCodes() {
  const spec = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  return spec.components.schemas.ErrorCode.oneOf.map((c) => c.const);
}

/**
 * The codes the server's handlers construct: `ApiError::new(status, "code"`, `bad_request("code"`
 * and the `StatusCode::X => ("code", ...)` table for errors from outside the handlers. The
 * openapi.json list can lag behind the sources; this catches a code added in one and not the other.
 */
function codesInServerSources() {
  const dir = new URL('../../server/src/', import.meta.url);
  const found = new Set();
  for (const file of readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.rs'))) {
    const rust = readFileSync(new URL(file, dir), 'utf8');
    for (const re of [/(?:ApiError::new|bad_request)\(\s*(?:[\w:]+\s*,\s*)?"([a-z_]+)"/g, /=> \(\s*"([a-z_]+)",/g]) {
      for (const m of rust.matchAll(re)) found.add(m[1]);
    }
  }
  return [...found];
}

/** Latin words a Chinese sentence may carry: formats, systems and a header name. */
const TERMS = /JSON|GeoJSON|CSV|WGS84|CGCS2000|If-Match|HTTP|UTF-8|GBK|Shapefile|GeoPackage|KML|FlatGeobuf/g;

test('every documented error code has a Chinese message', () => {
  const codes = documentedCodes();
  assert.ok(codes.length >= 25, `codes in openapi.json: ${codes.length}`);
  assert.deepEqual(codes.filter((c) => !Object.hasOwn(ERROR_TEXT, c)), [], 'codes without a message');
});

test('every code the server sources construct has a Chinese message', () => {
  const codes = codesInServerSources();
  assert.ok(codes.length >= 30, `codes found in server/src: ${codes.length} (has the Rust changed shape?)`);
  assert.deepEqual(codes.filter((c) => !Object.hasOwn(ERROR_TEXT, c)), [], 'codes without a message');
});

test('the messages are Chinese sentences, not English ones', () => {
  for (const [code, text] of Object.entries(ERROR_TEXT)) {
    assert.match(text, /\p{Script=Han}{2}/u, code);
    assert.doesNotMatch(text.replace(TERMS, ''), /[A-Za-z]/, `${code}: ${text}`);
  }
});

test('a point outside every grid names the nearest grid and how far it is', () => {
  const nearest = { id: 'G-0042', name: '东山社区第三网格', distance_m: 1234.5 };
  assert.equal(errorText('not_found', 404, { error: 'not_found', message: '(1, 2) lies outside every grid', nearest }),
    '该点不在任何网格内，最近的网格是 东山社区第三网格（约 1.23 公里）');
  assert.equal(errorText('not_found', 404, { nearest: { ...nearest, distance_m: 86.2 } }),
    '该点不在任何网格内，最近的网格是 东山社区第三网格（约 86 米）');
  assert.equal(errorText('not_found', 404, { error: 'not_found' }), ERROR_TEXT.not_found);
});

test('unknown codes fall back to a Chinese sentence with the code', () => {
  assert.equal(errorText('brand_new_code', 418), '请求未能完成（错误码 brand_new_code）');
  assert.equal(errorText('toString', 400), '请求未能完成（错误码 toString）');
});

test('ApiError: Chinese message, the code, and the server\'s own words kept apart', () => {
  const e = new ApiError(401, { error: 'invalid_token', message: 'the bearer token is not known to this server' });
  assert.ok(e instanceof Error);
  assert.equal(e.status, 401);
  assert.equal(e.code, 'invalid_token');
  assert.equal(e.message, ERROR_TEXT.invalid_token);
  assert.equal(e.serverMessage, 'the bearer token is not known to this server');
});

test('ApiError: an answer with no JSON body, and no answer at all', () => {
  const proxy = new ApiError(502, null);
  assert.equal(proxy.code, 'http_error');
  assert.equal(proxy.message, '服务器返回了错误（HTTP 502）');
  assert.equal(proxy.serverMessage, '');
  assert.deepEqual(proxy.body, {});
  const offline = new ApiError(0, null);
  assert.equal(offline.code, 'network');
  assert.equal(offline.message, ERROR_TEXT.network);
});
