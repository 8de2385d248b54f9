// A card holding one ECharts chart, with a button that saves it as a PNG (its title included).
import * as echarts from 'echarts';
import { h } from '../../core/dom.js';
import { fileName, saveUrl } from './download.js';

/**
 * @param {HTMLElement} card an empty element to fill
 * @param {string} heading
 * @returns {{ show: (option: import('echarts').EChartsOption, file: string) => void, fail: (message: string) => void, chart: import('echarts').ECharts }}
 */
export function mountChartCard(card, heading) {
  const body = h('div', { class: 'chart' });
  const status = h('p', { class: 'dash-error', role: 'alert', hidden: true });
  let file = heading;
  const exportButton = h('button', {
    type: 'button', class: 'export export-png', onclick: () =>
      saveUrl(`${fileName(file)}.png`, chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' })),
  }, '导出图片');
  card.replaceChildren(h('header', { class: 'card-head' }, h('h3', {}, heading), exportButton), status, body);
  const chart = echarts.init(body, undefined, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(body);
  return {
    chart,
    show(option, name) {
      file = name;
      status.hidden = true;
      chart.setOption(option, { notMerge: true });
      card.dataset.state = 'ready';
    },
    fail(message) {
      status.textContent = message;
      status.hidden = false;
      card.dataset.state = 'error';
    },
  };
}
