// The panel: what answers for a clicked point, a search hit, or an error. A column on the right
// on a desktop; on a phone a bottom sheet that can be minimised to its header, so the map stays
// in view.
import { h } from '../../core/dom.js';
import { coord, hitKind, metres } from '../../core/format.js';
import { camerasSection } from './cameras.js';
import { areaSection, escalationSection, gridSection, nearSection, noBeatSection, pointLine, row, tag } from './sections.js';

/** @typedef {import('../../core/api.js').LngLat} LngLat */

/**
 * @typedef {object} PanelHandlers
 * @property {() => void} onClose the panel was closed
 * @property {(gridId: string) => void} onNearest the nearest grid was asked for, from an error
 */

export class Panel {
  /**
   * @param {HTMLElement} el
   * @param {PanelHandlers} handlers
   */
  constructor(el, handlers) {
    this.el = el;
    this.handlers = handlers;
    // The map's controls sit above the sheet on a phone: they read its height from the CSS.
    const host = el.parentElement;
    if (host) new ResizeObserver(() => host.style.setProperty('--panel-height', `${this.height}px`)).observe(el);
  }

  /** Pixels of the map the panel covers from below (0 when closed). */
  get height() { return this.el.hidden ? 0 : this.el.offsetHeight; }

  /**
   * @param {'loading' | 'located' | 'error' | 'found'} state for tests and styles
   * @param {string} title
   * @param {string} summary one line that still shows when the sheet is minimised
   * @param {import('../../core/dom.js').Children[]} body
   */
  show(state, title, summary, ...body) {
    const fold = h('button', { class: 'minimise', type: 'button', onclick: () => this.setMinimised(!this.minimised) });
    const close = h('button', { class: 'close', type: 'button', title: '关闭', 'aria-label': '关闭', onclick: () => this.hide() }, '×');
    this.el.replaceChildren(
      h('header', { class: 'panel-head' }, h('h2', {}, title), h('span', { class: 'panel-summary' }, summary), fold, close),
      h('div', { class: 'panel-body' }, ...body));
    this.setMinimised(this.minimised); // a new answer keeps the sheet as the user left it
    this.el.dataset.state = state;
    this.el.hidden = false;
  }

  get minimised() { return this.el.classList.contains('minimised'); }

  /** @param {boolean} minimised */
  setMinimised(minimised) {
    this.el.classList.toggle('minimised', minimised);
    const fold = this.el.querySelector('.minimise');
    if (!fold) return;
    fold.textContent = minimised ? '展开' : '收起';
    fold.setAttribute('aria-expanded', String(!minimised));
  }

  hide() {
    this.el.hidden = true;
    this.el.classList.remove('minimised');
    this.el.replaceChildren();
    this.handlers.onClose();
  }

  /** @param {LngLat | null} point the clicked point; null while a typed coordinate is converted */
  loading(point) {
    this.show('loading', '位置详情', '查询中…', pointLine(point), h('p', { class: 'muted loading' }, '查询中…'));
  }

  /** @param {import('../../core/api.js').LocateAnswer} r */
  located(r) {
    this.show('located', '位置详情', [r.grid.name, r.beat?.name].filter(Boolean).join(' · '),
      pointLine(r.point),
      r.near.length ? nearSection(r.near) : null,
      gridSection(r.grid, r.ancestors),
      r.beat ? areaSection('beat', r.beat, [['距警格边界', metres(r.beat.boundary_distance_m)]]) : noBeatSection(),
      r.station ? areaSection('station', r.station, []) : null,
      camerasSection(r.cameras, r.cameras_in_radius),
      r.escalation.length ? escalationSection(r.escalation) : null);
  }

  /**
   * An error answer in Chinese, e.g. a point outside every grid with the nearest one to go to.
   * The server's own words stay one click away under 技术信息 for whoever supports the page.
   * @param {import('../../core/errors.js').ApiError} err
   * @param {LngLat | null} [point]
   */
  error(err, point = null) {
    const nearest = err.body.nearest;
    this.show('error', '位置详情', err.message,
      pointLine(point),
      h('div', { class: 'error', role: 'alert', dataset: { code: err.code } },
        h('p', { class: 'error-msg' }, err.message),
        nearest ? h('button', { class: 'nearest', type: 'button', onclick: () => this.handlers.onNearest(nearest.id) },
          '查看最近的网格：', h('b', {}, nearest.name)) : null,
        h('details', { class: 'error-detail' },
          h('summary', {}, '技术信息'),
          h('p', {}, `错误码 ${err.code}`, err.status ? `，HTTP ${err.status}` : ''),
          err.serverMessage ? h('p', { class: 'server-message', lang: 'en' }, err.serverMessage) : null)));
  }

  /** @param {import('../../core/api.js').SearchHit} r a search hit the map flew to */
  found(r) {
    this.show('found', '搜索结果', r.name,
      h('section', { class: 'sec found', dataset: { layer: r.layer, id: r.id } },
        h('h3', {}, tag(r.layer, hitKind(r)), h('span', { class: 'name' }, r.name)),
        h('dl', {}, row('编号', r.id), row('中心', `${coord(r.center[0])}, ${coord(r.center[1])}`))),
      h('p', { class: 'muted hint' }, '点击地图上任意位置，查看该处的网格、警格、责任人与摄像头。'));
  }
}
