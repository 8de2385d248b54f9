// What the search box takes for a coordinate, and how the chosen coordinate system reaches the
// server (which converts GCJ-02 and BD-09 to WGS84; the page sends the numbers as typed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiUrl, locateParams } from '../src/core/api.js';
import { asCrs, parseCoords } from '../src/views/dispatch/coords.js';

test('parseCoords: lng,lat with a comma, a Chinese comma or spaces', () => {
  assert.deepEqual(parseCoords('121.4,28.6'), [121.4, 28.6]);
  assert.deepEqual(parseCoords(' 121.4 , 28.6 '), [121.4, 28.6]);
  assert.deepEqual(parseCoords('121.4，28.6'), [121.4, 28.6]);
  assert.deepEqual(parseCoords('121.4 28.6'), [121.4, 28.6]);
  assert.deepEqual(parseCoords('-70.5,-33.4'), [-70.5, -33.4]);
  assert.deepEqual(parseCoords('121,28'), [121, 28]);
});

test('parseCoords: latitude first is swapped only when it cannot be a longitude', () => {
  assert.deepEqual(parseCoords('28.6,121.4'), [121.4, 28.6]);
  assert.deepEqual(parseCoords('28.6,21.4'), [28.6, 21.4], 'ambiguous: taken as typed, lng first');
});

test('parseCoords: names, ids and points off the globe are not coordinates', () => {
  for (const text of ['', '椒江区', 'G-0001', '121.4', '121.4,28.6,3', '121.4;28.6', '1e2,3', '181,28', '121,91', '200,100', '121.,28']) {
    assert.equal(parseCoords(text), null, text);
  }
});

test('asCrs: the three systems the server converts, WGS84 for anything else', () => {
  assert.equal(asCrs('gcj02'), 'gcj02');
  assert.equal(asCrs('bd09'), 'bd09');
  assert.equal(asCrs('wgs84'), 'wgs84');
  assert.equal(asCrs('utm'), 'wgs84');
});

test('locate: GCJ-02 and BD-09 are named in the request, WGS84 (the default) is not', () => {
  const url = (crs) => apiUrl('/v1/locate', locateParams(121.4, 28.6, { crs, cameras: 5, radius: 300 }), 'http://127.0.0.1:1');
  assert.equal(url('gcj02').search, '?lng=121.4&lat=28.6&crs=gcj02&cameras=5&radius=300');
  assert.equal(url('bd09').searchParams.get('crs'), 'bd09');
  assert.equal(url('wgs84').searchParams.has('crs'), false);
  assert.equal(url(undefined).searchParams.has('crs'), false);
});

test('apiUrl: empty parameters are left out, the rest are encoded', () => {
  const url = apiUrl('/v1/search', { q: '椒江 区', limit: 10, crs: null, x: '', y: undefined }, 'http://127.0.0.1:1');
  assert.equal(url.href, 'http://127.0.0.1:1/v1/search?q=%E6%A4%92%E6%B1%9F+%E5%8C%BA&limit=10');
});
