// CSV for Excel in China: BOM, CRLF, quoting, and no formulas from names people typed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, toCsv } from '../src/views/dashboard/csv.js';
import { RANKINGS, cellText } from '../src/views/dashboard/rankings.js';

test('fields: numbers as they are, empty for none, quotes where a comma or quote or line break is', () => {
  assert.equal(csvField(12.5), '12.5');
  assert.equal(csvField(-3), '-3', 'a negative number is not a formula');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(NaN), '');
  assert.equal(csvField('温兴村第1网格'), '温兴村第1网格');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('+86 138'), "'+86 138");
});

test('a table: BOM, Chinese header, one CRLF line per row', () => {
  const csv = toCsv([{ title: '名称', value: (r) => r.name }, { title: '事件', value: (r) => r.events }],
    [{ name: '甲', events: 3 }, { name: '乙,丙', events: null }]);
  assert.equal(csv, '\ufeff名称,事件\r\n甲,3\r\n"乙,丙",\r\n');
});

test('the ranking tables export every column they show, raw where the screen formats', () => {
  const row = {
    layer: 'grid', id: 'g1', name: '网格一', level: 3, parent: 'v1', area_km2: 2.3788, grids: 1, children: 0, officers: 0,
    auxiliaries: 2, grid_leaders: 1, grid_workers: 3, cameras: 12, cameras_online: 10, cameras_per_km2: 5.0445,
    grids_per_officer: null, grids_without_officer: 1, grids_without_worker: 0, beat: 'b1', beat_share: 1, beats_over_norm: 0,
    events: 1234, events_by_category: {}, events_previous: 1000, events_last_year: null, change_previous: 0.234, change_last_year: null,
  };
  const grids = RANKINGS.find((r) => r.id === 'grids');
  const [header, line] = toCsv(grids.columns, [row]).slice(1).split('\r\n');
  assert.equal(header.split(',').length, grids.columns.length);
  assert.deepEqual(line.split(','), ['网格一', 'g1', '2.3788', '0', '3', '12', '10', '5.0445', '1234', '0.234']);
  const shown = grids.columns.map((c) => cellText(c, row));
  assert.deepEqual(shown, ['网格一', 'g1', '2.38', '0', '3', '12', '10', '5', '1,234', '+23.4%']);
  assert.deepEqual(grids.columns.filter((c) => c.alarm?.(row)).map((c) => c.title), ['民警', '在线'], 'what is shown in red');
});
