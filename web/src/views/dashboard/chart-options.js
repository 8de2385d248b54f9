// ECharts options for the dashboard's charts, built from API answers. Plain data in, plain
// objects out: no chart library here, so they are tested in Node.
import { chinaDay } from './period.js';

/** 110 and 12345 categories in the order people list them; others follow by name. */
const CATEGORY_ORDER = ['治安', '交通', '纠纷', '求助', '咨询', '投诉', '隐患', '民生'];
const CATEGORY_COLOURS = ['#d9363e', '#2f6fdb', '#f59e0b', '#10b981', '#8b5cf6', '#ec4899', '#f97316', '#0ea5e9', '#64748b', '#84cc16'];
const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/**
 * Categories in a stable order, so each keeps its colour from chart to chart.
 * @param {Iterable<string>} categories
 */
export function orderCategories(categories) {
  const rank = (/** @type {string} */ c) => { const i = CATEGORY_ORDER.indexOf(c); return i < 0 ? CATEGORY_ORDER.length : i; };
  return [...new Set(categories)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'zh-CN'));
}

/**
 * @param {string} category
 * @param {readonly string[]} ordered from orderCategories
 */
export const categoryColour = (category, ordered) =>
  CATEGORY_COLOURS[Math.max(0, ordered.indexOf(category)) % CATEGORY_COLOURS.length];

/**
 * The parts every chart shares: the title (kept in exported images), font, white ground.
 * @param {string} title
 * @returns {import('echarts').EChartsOption}
 */
const frame = (title) => ({
  backgroundColor: '#ffffff',
  textStyle: { fontFamily: FONT },
  title: { text: title, left: 8, top: 6, textStyle: { fontSize: 14, fontWeight: 'bold', color: '#0f2442', fontFamily: FONT } },
});

/**
 * Incidents per bucket, stacked by category. X labels are the China dates buckets start on.
 * @param {import('../../core/api.js').Trend} trend
 * @param {string} title
 * @returns {import('echarts').EChartsOption}
 */
export function trendOption(trend, title) {
  const ordered = orderCategories(trend.categories);
  const days = trend.buckets.map((b) => chinaDay(b.start).slice(5));
  const weekly = trend.bucket_s > 86_400;
  return {
    ...frame(title),
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 30, left: 8, right: 8, type: 'scroll', itemWidth: 12, itemHeight: 10 },
    grid: { left: 12, right: 16, top: 64, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: days, name: weekly ? '周' : '', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: ordered.map((category) => {
      const i = trend.categories.indexOf(category);
      return {
        name: category,
        type: 'bar',
        stack: 'events',
        barMaxWidth: 28,
        itemStyle: { color: categoryColour(category, ordered) },
        data: trend.buckets.map((b) => b.counts[i] ?? 0),
      };
    }),
  };
}

/**
 * Incidents in the period per category, most first.
 * @param {Record<string, number>} byCategory
 * @param {string} title
 * @returns {import('echarts').EChartsOption}
 */
export function categoryOption(byCategory, title) {
  const ordered = orderCategories(Object.keys(byCategory));
  const rows = Object.entries(byCategory).sort((a, b) => b[1] - a[1]);
  return {
    ...frame(title),
    animation: false,
    tooltip: { trigger: 'item' },
    grid: { left: 12, right: 48, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', name: '起', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: rows.map(([c]) => c) },
    series: [{
      type: 'bar',
      barMaxWidth: 18,
      label: { show: true, position: 'right' },
      data: rows.map(([c, n]) => ({ value: n, itemStyle: { color: categoryColour(c, ordered) } })),
    }],
  };
}
