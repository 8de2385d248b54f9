// Colour classes for the heatmap and the choropleths, and their legends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLUES, REDS, classColours, classOf, extent, legendItems, matchColour, quantileBreaks, stepColour } from '../src/views/dashboard/scale.js';

test('quantile breaks split the values into classes of about equal size', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  const breaks = quantileBreaks(values, 5);
  assert.deepEqual(breaks, [21, 41, 61, 81]);
  const sizes = [0, 0, 0, 0, 0];
  for (const v of values) sizes[classOf(v, breaks)]++;
  assert.deepEqual(sizes, [20, 20, 20, 20, 20]);
});

test('skewed counts: a repeated value makes one class, and the tail above it keeps its classes', () => {
  const counts = [...Array(80).fill(1), ...Array(15).fill(2), 5, 9, 40, 41, 300];
  const breaks = quantileBreaks(counts, 6);
  assert.deepEqual(breaks, [2, 5, 9, 40, 41], 'most cells hold 1 incident, yet the hottest stand out');
  assert.ok(breaks.every((b, i) => i === 0 || b > breaks[i - 1]), 'ascending, distinct');
  assert.deepEqual(quantileBreaks([7, 7, 7], 5), [], 'one value: one class');
  assert.deepEqual(quantileBreaks([], 5), []);
  assert.deepEqual(quantileBreaks([3, NaN, 1, Infinity, 2], 3), [2, 3], 'non-finite values are ignored');
  assert.deepEqual(quantileBreaks([5, 1, 1, 1], 2), [5], 'unsorted input');
});

test('classOf: a break is the lower bound of its class', () => {
  assert.equal(classOf(0, [2, 5]), 0);
  assert.equal(classOf(2, [2, 5]), 1);
  assert.equal(classOf(4.99, [2, 5]), 1);
  assert.equal(classOf(5, [2, 5]), 2);
  assert.equal(classOf(1e9, [2, 5]), 2);
});

test('colours run light to dark over the whole ramp whatever the number of classes', () => {
  assert.deepEqual(classColours(REDS, [1, 2, 3, 4, 5]), REDS);
  assert.deepEqual(classColours(REDS, [10]), [REDS[0], REDS.at(-1)]);
  assert.equal(classColours(BLUES, []).length, 1);
});

test('MapLibre expressions: step on counts, match on ids', () => {
  assert.deepEqual(stepColour(['get', 'count'], [2, 10], ['a', 'b', 'c']), ['step', ['get', 'count'], 'a', 2, 'b', 10, 'c']);
  assert.equal(stepColour(['get', 'count'], [], ['a']), 'a');
  assert.deepEqual(matchColour(new Map([['g1', '#111'], ['g2', '#222']]), '#ccc'),
    ['match', ['to-string', ['get', 'id']], 'g1', '#111', 'g2', '#222', '#ccc']);
  assert.equal(matchColour(new Map(), '#ccc'), '#ccc', 'an empty match is not a valid expression');
});

test('legend labels: integer ranges do not overlap; decimals show the bounds', () => {
  const fmt = (v) => String(v);
  assert.deepEqual(legendItems([3, 10], ['a', 'b', 'c'], { min: 1, max: 40, integer: true, format: fmt }).map((i) => i.label),
    ['1–2', '3–9', '10–40']);
  assert.deepEqual(legendItems([2], ['a', 'b'], { min: 1, max: 2, integer: true, format: fmt }).map((i) => i.label), ['1', '2']);
  assert.deepEqual(legendItems([0.5], ['a', 'b'], { min: 0, max: 1.5, integer: false, format: fmt }).map((i) => i.label), ['0–0.5', '0.5–1.5']);
  assert.deepEqual(legendItems([], ['a'], { min: 7, max: 7, integer: true, format: fmt }), [{ colour: 'a', label: '7' }]);
});

test('extent: smallest and largest, also for more values than a function takes arguments', () => {
  assert.deepEqual(extent([3, -1, 7]), { min: -1, max: 7 });
  const many = Array.from({ length: 300_000 }, (_, i) => i % 1000);
  assert.deepEqual(extent(many), { min: 0, max: 999 });
});
