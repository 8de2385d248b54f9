// The dashboard's periods: presets, typed dates, the time slider's windows, trend buckets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays, chinaDay, chinaToday, daysBetween, periodLabel, presetPeriod, sliderWindow, trendBucket, typedPeriod, windowCount,
} from '../src/views/dashboard/period.js';

test('calendar arithmetic across months, years and a leap day', () => {
  assert.equal(addDays('2026-11-30', 1), '2026-12-01');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2028-03-01', -1), '2028-02-29');
  assert.equal(daysBetween('2025-12-01', '2026-12-01'), 365);
});

test('today is the China date: 20:00 UTC is already tomorrow in Beijing', () => {
  assert.equal(chinaToday(Date.parse('2026-12-05T15:59:59Z')), '2026-12-05');
  assert.equal(chinaToday(Date.parse('2026-12-05T16:00:00Z')), '2026-12-06');
  assert.equal(chinaDay('2026-10-31T16:00:00Z'), '2026-11-01', 'a bucket starting at China midnight');
});

test('presets are whole days with an exclusive end', () => {
  const today = '2026-12-06';
  assert.deepEqual(presetPeriod('last-month', today), { from: '2026-11-01', to: '2026-12-01' });
  assert.deepEqual(presetPeriod('this-month', today), { from: '2026-12-01', to: '2026-12-07' });
  assert.deepEqual(presetPeriod('last-30', today), { from: '2026-11-07', to: '2026-12-07' });
  assert.equal(daysBetween(...Object.values(presetPeriod('last-30', today))), 30);
  assert.deepEqual(presetPeriod('last-12-months', today), { from: '2025-12-01', to: '2026-12-01' });
  assert.deepEqual(presetPeriod('last-month', '2027-01-15'), { from: '2026-12-01', to: '2027-01-01' }, 'across the new year');
});

test('typed dates: the last one inclusive; nonsense and reversed ranges refused', () => {
  assert.deepEqual(typedPeriod('2026-06-01', '2026-06-30'), { from: '2026-06-01', to: '2026-07-01' });
  assert.deepEqual(typedPeriod('2026-06-01', '2026-06-01'), { from: '2026-06-01', to: '2026-06-02' });
  assert.equal(typedPeriod('2026-06-30', '2026-06-01'), null);
  assert.equal(typedPeriod('2026-02-30', '2026-03-01'), null);
  assert.equal(typedPeriod('', '2026-03-01'), null);
  assert.equal(periodLabel({ from: '2026-11-01', to: '2026-12-01' }), '2026-11-01 至 2026-11-30');
  assert.equal(periodLabel({ from: '2026-11-01', to: '2026-11-02' }), '2026-11-01');
});

test('the slider steps back from the period end: the latest window is whole', () => {
  const nov = { from: '2026-11-01', to: '2026-12-01' }; // 30 days
  assert.equal(windowCount(nov, 7), 5);
  assert.deepEqual(sliderWindow(nov, 7, 4), { from: '2026-11-24', to: '2026-12-01' });
  assert.deepEqual(sliderWindow(nov, 7, 3), { from: '2026-11-17', to: '2026-11-24' });
  assert.deepEqual(sliderWindow(nov, 7, 0), { from: '2026-11-01', to: '2026-11-03' }, 'the first is cut by the start');
  assert.deepEqual(sliderWindow(nov, 7, 99), sliderWindow(nov, 7, 4), 'clamped to the last');
  assert.deepEqual(sliderWindow(nov, 7, Infinity), sliderWindow(nov, 7, 4), 'Infinity is the latest');
  assert.deepEqual(sliderWindow(nov, 7, -3), sliderWindow(nov, 7, 0));
  assert.equal(windowCount(nov, 1), 30);
  assert.deepEqual(sliderWindow(nov, 1, 29), { from: '2026-11-30', to: '2026-12-01' });
  assert.equal(windowCount(nov, 0), 1);
  assert.deepEqual(sliderWindow(nov, 0, 3), nov, 'width 0: the whole period');
  // The windows tile the period: no day twice, none left out.
  const days = Array.from({ length: windowCount(nov, 7) }, (_, i) => sliderWindow(nov, 7, i))
    .reduce((n, w) => n + daysBetween(w.from, w.to), 0);
  assert.equal(days, 30);
});

test('the trend counts per day up to two months, per week beyond', () => {
  assert.equal(trendBucket({ from: '2026-11-01', to: '2026-12-01' }), 'day');
  assert.equal(trendBucket({ from: '2026-10-01', to: '2026-12-01' }), 'day');
  assert.equal(trendBucket({ from: '2025-12-01', to: '2026-12-01' }), 'week');
});
