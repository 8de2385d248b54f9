// Distances, coordinates and the Chinese names of codes, as the panel shows them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraKind, categoryName, coord, hitKind, kindName, layerName, levelName, metres, settingName, thousands } from '../src/core/format.js';

test('metres: whole metres below a kilometre, then kilometres to 2 or 1 decimals', () => {
  assert.equal(metres(0), '0 米');
  assert.equal(metres(12.4), '12 米');
  assert.equal(metres(999.4), '999 米');
  assert.equal(metres(999.6), '1.00 公里', 'rounds up into kilometres, never "1000 米"');
  assert.equal(metres(1234), '1.23 公里');
  assert.equal(metres(9994), '9.99 公里');
  assert.equal(metres(9999), '10.0 公里', 'not "10.00"');
  assert.equal(metres(25_360), '25.4 公里');
});

test('metres: nothing to show for a missing or non-finite distance', () => {
  for (const m of [null, undefined, NaN, Infinity]) assert.equal(metres(m), '');
});

test('thousands: grouped by three, whole numbers, nothing for none', () => {
  assert.equal(thousands(0), '0');
  assert.equal(thousands(821), '821');
  assert.equal(thousands(3480), '3,480');
  assert.equal(thousands(1_234_567), '1,234,567');
  assert.equal(thousands(2.6), '3');
  for (const n of [null, undefined, NaN]) assert.equal(thousands(n), '');
});

test('coord: six decimals', () => {
  assert.equal(coord(121.4), '121.400000');
  assert.equal(coord(28.6612345678), '28.661235');
  assert.equal(coord(-0.0000004), '-0.000000');
});

test('names: Chinese for known codes, the code itself for unknown ones, nothing for none', () => {
  assert.equal(levelName(0), '县区');
  assert.equal(levelName(4), '微网格');
  assert.equal(levelName(7), '第7级');
  assert.equal(kindName('comprehensive'), '综合网格');
  assert.equal(categoryName('school'), '学校');
  assert.equal(settingName('rural'), '农村');
  assert.equal(cameraKind('dome'), '球机');
  assert.equal(layerName('beat'), '警格');
  assert.equal(cameraKind('thermal'), 'thermal');
  assert.equal(kindName(undefined), '');
  assert.equal(layerName('constructor'), 'constructor', 'no prototype members as names');
});

test('hitKind: the level for grids, the layer for the rest', () => {
  assert.equal(hitKind({ layer: 'grid', level: 2 }), '社区/村');
  assert.equal(hitKind({ layer: 'grid', level: null }), '网格');
  assert.equal(hitKind({ layer: 'station', level: null }), '派出所');
});
