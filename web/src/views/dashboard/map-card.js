// The dashboard's map card: where incidents cluster (H3 hexagons in a window the time slider
// moves, finer as one zooms in) or a statistic per area (专题图), with a legend and a PNG export;
// over either, what no online camera sees (视频盲区).
import { blindSpotsUrl, heatmapTiles, withToken } from '../../core/api.js';
import { h } from '../../core/dom.js';
import { decimal, thousands } from '../../core/format.js';
import { createMap } from '../../core/map.js';
import { isNarrow } from '../../core/screen.js';
import { createStore } from '../../core/store.js';
import { fileName, saveUrl } from './download.js';
import { resForZoom } from './hexes.js';
import { answering } from './latest.js';
import { clearOfLegend, renderClassLegend } from './legend.js';
import { mapImage } from './map-image.js';
import { mountHover } from './map-hover.js';
import { BLIND_COLOUR, CHORO_FILL, OFFLINE_FILL, drawChoropleth, drawHeatTiles, drawOffline, prepareStyle, showBlindSpots, showMode } from './map-layers.js';
import { METRICS, NO_VALUE, UNITS, choropleth } from './metrics.js';
import { chinaToday, periodLabel, sliderWindow, windowCount } from './period.js';
import { REDS, classColours, extent, legendItems, quantileBreaks } from './scale.js';

/** @typedef {import('./filters.js').Filters} Filters */
/** @typedef {import('./scale.js').LegendItem} LegendItem */

/**
 * What the hexagons count: incidents in the slider's window, or the cameras offline now.
 * @type {readonly { id: 'events' | 'offline', name: string, title: string, legend: string }[]}
 */
const SUBJECTS = [
  { id: 'events', name: '事件', title: '事件热力', legend: '每格事件数（起）' },
  { id: 'offline', name: '离线摄像头', title: '离线摄像头分布', legend: '每格离线摄像头（个）' },
];

/** Widths of the slider's window, in days; 0 is the whole period. */
const WIDTHS = [{ days: 0, name: '整个时段' }, { days: 1, name: '按日' }, { days: 7, name: '按周' }, { days: 30, name: '按30天' }];
/** The slider settles for this long before the heatmap is asked again. */
const SLIDE_MS = 150;

/**
 * @typedef {object} MapCardState
 * @property {'heat' | 'choropleth'} mode
 * @property {'events' | 'offline'} subject what the hexagons count
 * @property {number} width the slider's window in days
 * @property {number} index the slider's position
 * @property {string} unit a UNITS id
 * @property {string} metric a METRICS id
 * @property {boolean} blind the uncovered parts (视频盲区) are shown
 */

/**
 * @param {object} ctx
 * @param {HTMLElement} ctx.card
 * @param {import('../../core/api.js').Api} ctx.api
 * @param {import('../../core/session.js').SessionStore} ctx.session its token goes with the heatmap tiles too
 * @param {import('../../core/store.js').Store<Filters>} ctx.filters
 * @param {import('../../core/api.js').BBox | null} ctx.bounds
 * @returns {{ map: import('maplibre-gl').Map, ready: Promise<void>, reload: () => void }}
 */
export function mountMapCard({ card, api, session, filters, bounds }) {
  const state = createStore(/** @type {MapCardState} */ ({ mode: 'heat', subject: 'events', width: 7, index: Infinity, unit: 'township', metric: 'events_per_km2', blind: false }));
  const modeButtons = [['heat', '事件热力'], ['choropleth', '专题图']].map(([mode, name]) =>
    h('button', { type: 'button', class: 'seg-btn', dataset: { mode }, onclick: () => state.set({ mode: /** @type {MapCardState['mode']} */ (mode) }) }, name));
  const subject = h('select', { class: 'heat-subject', 'aria-label': '统计对象' }, SUBJECTS.map((x) => h('option', { value: x.id }, x.name)));
  const width = h('select', { class: 'heat-width', 'aria-label': '时间窗' }, WIDTHS.map((w) => h('option', { value: w.days }, w.name)));
  const slider = h('input', { type: 'range', class: 'heat-slider', min: 0, step: 1, 'aria-label': '时间滑块' });
  const windowText = h('span', { class: 'heat-window' });
  const unit = h('select', { class: 'choro-unit', 'aria-label': '统计单元' }, UNITS.map((u) => h('option', { value: u.id }, u.name)));
  const metric = h('select', { class: 'choro-metric', 'aria-label': '指标' }, METRICS.map((m) => h('option', { value: m.id }, m.name)));
  const blind = h('input', { type: 'checkbox', class: 'blind-toggle' });
  const exportButton = h('button', { type: 'button', class: 'export export-png' }, '导出图片');
  const legend = h('div', { class: 'map-legend' });
  const container = h('div', { class: 'dash-map' });
  card.replaceChildren(
    h('header', { class: 'card-head' }, h('h3', {}, '事件热力与专题图'), h('div', { class: 'seg', role: 'group' }, modeButtons),
      h('label', { class: 'blind-field', title: '没有在线摄像头能看到的区域' }, blind, '视频盲区'), exportButton),
    h('div', { class: 'map-tools heat-tools' }, subject, width, slider, windowText),
    h('div', { class: 'map-tools choro-tools' }, h('label', {}, '单元 ', unit), h('label', {}, '指标 ', metric)),
    h('div', { class: 'map-frame' }, container, legend));

  const map = createMap({ container, bounds, padding: clearOfLegend(isNarrow()), transformRequest: withToken(session, location.origin) });
  /** @type {{ title: string, items: LegendItem[], note: string }} what the legend shows, for the exported image */
  let shown = { title: '', items: [], note: '' };
  /** The uncovered parts were asked for: they are fetched once, the first time they are shown. */
  let blindAsked = false;
  const BLIND_ITEM = { colour: BLIND_COLOUR, label: '视频盲区（无在线摄像头可见）' };
  /** @type {Map<string, string>} the choropleth's areas: id → "name：figure", for the hover tip */
  let figures = new Map();
  let res = 0;

  const subjectShown = () => SUBJECTS.find((x) => x.id === state.get().subject) ?? SUBJECTS[0];
  const heatWindow = () => {
    const { period } = filters.get();
    const { width: days, index } = state.get();
    return sliderWindow(period, days, index);
  };

  /**
   * @param {string} title
   * @param {LegendItem[]} items
   * @param {string} note
   */
  const showLegend = (title, items, note) => {
    shown = { title, items, note };
    renderClassLegend(legend, title, items, note, state.get().blind ? BLIND_ITEM : null);
  };

  /** @param {import('../../core/errors.js').ApiError} e */
  const failed = (e) => {
    card.dataset.state = 'error';
    legend.replaceChildren(h('p', { class: 'dash-error', role: 'alert', dataset: { code: e.code } }, e.message));
  };

  // What was asked goes with the answer: the slider may have moved on while it was coming.
  // Incidents are drawn from the server's tiles for the window, category and resolution asked;
  // the same cells as JSON give the classes (of the whole window, not of the part in view, so a
  // colour means the same wherever one pans), the total and how many cells were withheld. The
  // tiles are swapped only with the answer, so the colours and the cells change together.
  const askHeat = answering(
    async (signal) => {
      const about = subjectShown();
      const w = heatWindow();
      res = resForZoom(map.getZoom());
      card.dataset.state = 'loading';
      const query = { ...w, category: filters.get().category, res };
      const heat = about.id === 'offline'
        ? await api.cameraHeatmap({ res, status: 'offline' }, signal)
        : await api.eventHeatmap(query, signal);
      return { about, w, heat, tiles: heatmapTiles(query, location.origin) };
    },
    ({ about, w, heat, tiles }) => {
      const counts = heat.cells.map(([, n]) => n);
      const breaks = quantileBreaks(counts, 6);
      const colours = classColours(REDS, breaks);
      if (about.id === 'offline') drawOffline(map, heat.cells, breaks, colours);
      else drawHeatTiles(map, tiles, breaks, colours);
      showMode(map, state.get().mode, about.id);
      const items = counts.length
        ? legendItems(breaks, colours, { ...extent(counts), integer: true, format: thousands })
        : [];
      const withheld = heat.suppressed_cells ? `；另有 ${thousands(heat.suppressed_cells)} 格少于 ${heat.suppress_below} 起未显示` : '';
      const note = about.id === 'offline'
        ? `当前离线 ${thousands(heat.total)} 个，H3 第 ${heat.res} 级`
        : `${periodLabel(w)}，共 ${thousands(heat.total)} 起，H3 第 ${heat.res} 级${withheld}`;
      showLegend(about.legend, items, note);
      Object.assign(card.dataset, { state: 'ready', window: about.id === 'offline' ? '' : `${w.from}/${w.to}`, res: String(heat.res), cells: String(heat.cells.length) });
    },
    failed);

  const askChoropleth = answering(
    async (signal) => {
      const u = UNITS.find((x) => x.id === state.get().unit) ?? UNITS[0];
      const m = METRICS.find((x) => x.id === state.get().metric) ?? METRICS[0];
      const { period, category } = filters.get();
      card.dataset.state = 'loading';
      return { u, m, period, rows: (await api.stats(u.layer, { level: u.level, ...period, category }, signal)).rows };
    },
    ({ u, m, period, rows }) => {
      const c = choropleth(rows, m);
      figures = new Map(rows.map((r) => {
        const v = m.value(r);
        return [r.id, `${r.name}：${v == null ? '无数据' : `${decimal(v, m.digits)} ${m.unit}`}`];
      }));
      drawChoropleth(map, u, c.colourById, NO_VALUE);
      const notes = [
        m.counts ? periodLabel(period) : '当前数据',
        c.withoutValue ? `灰色为无数据的${u.name}（${thousands(c.withoutValue)} 个）` : '',
        map.getZoom() < u.minzoom ? `放大到 ${u.minzoom} 级以上显示${u.name}` : '',
      ];
      showLegend(`${m.name}（${m.unit}）· ${u.name}`, c.legend, notes.filter(Boolean).join('；'));
      Object.assign(card.dataset, { state: 'ready', unit: u.id, metric: m.id, areas: String(c.colourById.size) });
    },
    failed);

  const load = () => (state.get().mode === 'heat' ? askHeat() : askChoropleth());

  /** The slider's range follows the period and the window width; it starts at the latest window. */
  const syncSlider = () => {
    const { period } = filters.get();
    const { width: days, index } = state.get();
    const last = windowCount(period, days) - 1;
    slider.max = String(last);
    slider.value = String(Math.min(index, last));
    slider.disabled = days === 0;
    windowText.textContent = periodLabel(heatWindow());
  };

  const syncControls = () => {
    const s = state.get();
    card.dataset.mode = s.mode;
    card.dataset.subject = s.subject;
    subject.value = s.subject;
    for (const b of modeButtons) b.setAttribute('aria-pressed', String(b.dataset.mode === s.mode));
    width.value = String(s.width);
    unit.value = s.unit;
    metric.value = s.metric;
    blind.checked = s.blind;
    card.dataset.blind = String(s.blind);
    syncSlider();
    showMode(map, s.mode, s.subject);
    showBlindSpots(map, s.blind, s.blind && !blindAsked ? blindSpotsUrl(location.origin) : null);
    if (s.blind) blindAsked = true;
  };

  slider.addEventListener('input', () => state.set({ index: Number(slider.value) }));
  subject.addEventListener('change', () => state.set({ subject: (SUBJECTS.find((x) => x.id === subject.value) ?? SUBJECTS[0]).id }));
  width.addEventListener('change', () => state.set({ width: Number(width.value), index: Infinity }));
  unit.addEventListener('change', () => {
    const u = UNITS.find((x) => x.id === unit.value) ?? UNITS[0];
    if (map.getZoom() < u.minzoom) map.easeTo({ zoom: u.minzoom + 0.3, duration: 600 });
    state.set({ unit: u.id });
  });
  metric.addEventListener('change', () => state.set({ metric: metric.value }));
  blind.addEventListener('change', () => state.set({ blind: blind.checked }));
  exportButton.addEventListener('click', async () => {
    const s = state.get();
    const offline = s.mode === 'heat' && s.subject === 'offline';
    const what = s.mode === 'heat' ? subjectShown().title : `专题图-${metric.selectedOptions[0]?.text ?? ''}`;
    const label = offline ? chinaToday() : periodLabel(s.mode === 'heat' ? heatWindow() : filters.get().period);
    const items = s.blind ? [...shown.items, BLIND_ITEM] : shown.items;
    saveUrl(`${fileName(what, label)}.png`, await mapImage(map, `${what}（${label}）`, items, shown.title));
  });

  /** @type {Promise<void>} the style is in and the dashboard's layers added */
  const styled = new Promise((resolve) => map.once('load', () => {
    prepareStyle(map);
    syncControls();
    resolve();
  }));
  const loadWhenStyled = () => styled.then(load);

  let timer = 0;
  state.subscribe((s, prev) => {
    syncControls();
    if (s.blind !== prev.blind) { // an overlay: what is under it stays as it is
      if (card.dataset.state === 'ready') renderClassLegend(legend, shown.title, shown.items, shown.note, s.blind ? BLIND_ITEM : null);
      return;
    }
    clearTimeout(timer);
    const slid = s.index !== prev.index && s.width === prev.width && s.mode === prev.mode;
    if (slid) timer = setTimeout(loadWhenStyled, SLIDE_MS); // asks again once the slider settles
    else loadWhenStyled();
  });
  mountHover(map, (f) => (f.layer.id === CHORO_FILL
    ? figures.get(String(f.properties.id)) ?? null
    : `该格 ${thousands(Number(f.properties.count))} ${f.layer.id === OFFLINE_FILL ? '个离线摄像头' : '起'}`));
  map.on('moveend', () => { if (state.get().mode === 'heat' && resForZoom(map.getZoom()) !== res) askHeat(); });

  return {
    map,
    ready: loadWhenStyled().then(() => new Promise((resolve) => map.once('idle', () => resolve()))),
    /** Asks again for the current filters: the period, the category or the token changed. */
    reload() {
      syncSlider(); // the period sets the slider's range
      if (state.get().index === Infinity) loadWhenStyled();
      else state.set({ index: Infinity }); // a new period starts at its latest window, which asks again
    },
  };
}
