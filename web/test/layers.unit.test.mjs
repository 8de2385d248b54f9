// The layer switcher's rows: grid levels from the palette, every other kind from the server's
// layer manifest (its title and count), and something sensible when the manifest is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LEVELS } from '../src/core/palette.js';
import { layerRows, neutralSwatch } from '../src/views/dispatch/layers.js';

/** A manifest like `GET /v1/layers`; fields left out, the switcher does not read them. */
const layer = (id, title, geometry, count, min_zoom = 0) =>
  ({ id, title, geometry, min_zoom, count, fields: [], tile_fields: [], geojson: `/v1/layers/${id}.geojson`, tiles: `/tiles/${id}/{z}/{x}/{y}.mvt` });
const manifest = (...layers) => ({ version: 12, people: 26525, layers });

const GRID_ROWS = LEVELS.map(({ level, name }) => ({ id: `grid-${level}`, name, count: null }));
const plain = (rows) => rows.map(({ id, name, count }) => ({ id, name, count }));

test('grid levels first, unchanged; then the other kinds under their manifest titles and counts', () => {
  const rows = layerRows(manifest(
    layer('grid', '网格', 'polygon', 7263),
    layer('beat', '警格', 'polygon', 3480, 9),
    layer('station', '派出所', 'polygon', 25),
    layer('camera', '摄像头', 'point', 30000, 13),
  ));
  assert.deepEqual(plain(rows), [
    ...GRID_ROWS,
    { id: 'beat', name: '警格', count: 3480 },
    { id: 'station', name: '派出所', count: 25 },
    { id: 'camera', name: '摄像头', count: 30000 },
  ]);
  assert.deepEqual(rows.map((r) => r.minZoom), [null, null, null, null, null, 9, 0, 13]);
  for (const r of rows) assert.ok(r.swatch.class.startsWith('sw-') && r.swatch.style, r.id);
});

test('titles come from the server, not the page: a renamed kind shows the new name', () => {
  const rows = layerRows(manifest(layer('beat', '警务网格', 'polygon', 12)));
  assert.deepEqual(plain(rows).at(-1), { id: 'beat', name: '警务网格', count: 12 });
  assert.equal(rows.length, LEVELS.length + 1, 'only the kinds the server lists');
});

test('a kind the page has no swatch for still gets a row, with a neutral swatch shaped like its geometry', () => {
  const rows = layerRows(manifest(
    layer('camera', '摄像头', 'point', 3),
    layer('hydrant', '消防栓', 'point', 1234),
    layer('road', '道路', 'line', 56),
    layer('school', '学校', 'polygon', 0),
  ));
  assert.deepEqual(plain(rows).slice(LEVELS.length), [
    { id: 'camera', name: '摄像头', count: 3 },
    { id: 'hydrant', name: '消防栓', count: 1234 },
    { id: 'road', name: '道路', count: 56 },
    { id: 'school', name: '学校', count: 0 },
  ]);
  const [camera, hydrant, road, school] = rows.slice(LEVELS.length).map((r) => r.swatch);
  assert.deepEqual(hydrant, neutralSwatch('point'));
  assert.deepEqual(road, neutralSwatch('line'));
  assert.deepEqual(school, neutralSwatch('polygon'));
  assert.notDeepEqual(camera, neutralSwatch('point'), 'a known kind keeps its own colour');
  assert.equal(hydrant.class, 'sw-dot');
  assert.equal(road.class, 'sw-line');
  assert.equal(school.class, 'sw-area');
  assert.deepEqual(neutralSwatch(undefined), neutralSwatch('polygon'), 'no geometry: an area');
});

test('a kind without a title is named by its id; a missing count shows none', () => {
  const rows = layerRows(manifest({ ...layer('beat', '', 'polygon', 0), count: undefined }));
  assert.deepEqual(plain(rows).at(-1), { id: 'beat', name: 'beat', count: null });
});

test('ids that look like Object members are kinds like any other', () => {
  const [row] = layerRows(manifest(layer('constructor', '构造', 'point', 1))).slice(LEVELS.length);
  assert.deepEqual(row.swatch, neutralSwatch('point'));
});

test('no manifest: the style groups other than the grid levels get rows under their ids, once each', () => {
  const groups = ['grid-0', 'grid-0', 'grid-1', 'grid-2', 'grid-3', 'grid-4', 'beat', 'beat', 'station', 'camera', 'camera'];
  const rows = layerRows(null, groups);
  assert.deepEqual(plain(rows), [
    ...GRID_ROWS,
    { id: 'beat', name: 'beat', count: null },
    { id: 'station', name: 'station', count: null },
    { id: 'camera', name: 'camera', count: null },
  ]);
  assert.deepEqual(plain(layerRows(null)), GRID_ROWS, 'no style groups either: the grid levels');
});
