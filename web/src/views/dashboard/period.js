// The dashboard's time window. Days are China dates as text ('2026-06-30'): the server reads a
// date as midnight China time and `to` is exclusive, so the page never needs a time zone, only
// calendar arithmetic, which UTC midnights do exactly.

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** @typedef {{ from: string, to: string }} Period `from` ≤ day < `to` */
/** @typedef {'last-month' | 'this-month' | 'last-30' | 'last-12-months'} Preset */

/** @type {readonly { id: Preset, name: string }[]} */
export const PRESETS = [
  { id: 'last-month', name: '上月' },
  { id: 'this-month', name: '本月' },
  { id: 'last-30', name: '近30天' },
  { id: 'last-12-months', name: '近12个月' },
];

/** @param {string} day */
const toMs = (day) => Date.parse(`${day}T00:00:00Z`);
/** @param {number} ms */
const fromMs = (ms) => new Date(ms).toISOString().slice(0, 10);

/** @param {string} day @param {number} n */
export const addDays = (day, n) => fromMs(toMs(day) + n * DAY_MS);

/** @param {string} from @param {string} to */
export const daysBetween = (from, to) => Math.round((toMs(to) - toMs(from)) / DAY_MS);

/**
 * The first day of the month `months` away from `day`'s month.
 * @param {string} day
 * @param {number} months
 */
function monthStart(day, months) {
  const d = new Date(toMs(day));
  return fromMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}

/** Today's date in China. @param {number} [now] ms since the epoch */
export const chinaToday = (now = Date.now()) => fromMs(now + CHINA_OFFSET_MS);

/**
 * A preset's period, the way a monthly report counts: whole days, `to` the day after the last.
 * @param {Preset} preset
 * @param {string} today
 * @returns {Period}
 */
export function presetPeriod(preset, today) {
  const tomorrow = addDays(today, 1);
  switch (preset) {
    case 'last-month': return { from: monthStart(today, -1), to: monthStart(today, 0) };
    case 'this-month': return { from: monthStart(today, 0), to: tomorrow };
    case 'last-30': return { from: addDays(today, -29), to: tomorrow };
    case 'last-12-months': return { from: monthStart(today, -12), to: monthStart(today, 0) };
  }
}

/** @param {string} text @returns {text is string} */
export const isDay = (text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && fromMs(toMs(text)) === text;

/**
 * A period typed as two dates, the last one inclusive as people say it; null when it is not one.
 * @param {string} first
 * @param {string} last
 * @returns {Period | null}
 */
export function typedPeriod(first, last) {
  if (!isDay(first) || !isDay(last) || last < first) return null;
  return { from: first, to: addDays(last, 1) };
}

/** "2026-11-01 至 2026-11-30": the last day shown inclusive. @param {Period} p */
export const periodLabel = (p) => (daysBetween(p.from, p.to) === 1 ? p.from : `${p.from} 至 ${addDays(p.to, -1)}`);

/** The trend's bucket: days for up to two months, weeks beyond, so a chart keeps ≤ ~60 bars. @param {Period} p */
export const trendBucket = (p) => (daysBetween(p.from, p.to) <= 62 ? 'day' : 'week');

/**
 * How many windows of `widthDays` the slider steps through (the last may be shorter).
 * @param {Period} p
 * @param {number} widthDays 0: one window, the whole period
 */
export const windowCount = (p, widthDays) => (widthDays > 0 ? Math.max(1, Math.ceil(daysBetween(p.from, p.to) / widthDays)) : 1);

/**
 * The slider's window at `index`: windows of `widthDays` counted back from the period's end, so
 * the latest (the last index) is whole and only the earliest may be cut short by the start.
 * @param {Period} p
 * @param {number} widthDays 0: the whole period
 * @param {number} index 0 … windowCount - 1 (clamped)
 * @returns {Period}
 */
export function sliderWindow(p, widthDays, index) {
  if (widthDays <= 0) return p;
  const last = windowCount(p, widthDays) - 1;
  const i = Math.min(Math.max(0, Math.round(index)), last);
  const to = addDays(p.to, -(last - i) * widthDays);
  const from = addDays(to, -widthDays);
  return { from: from > p.from ? from : p.from, to };
}

/**
 * The China date of an instant the server sends (RFC 3339 in UTC, e.g. a trend bucket's start).
 * @param {string} instant
 */
export const chinaDay = (instant) => fromMs(Date.parse(instant) + CHINA_OFFSET_MS);
