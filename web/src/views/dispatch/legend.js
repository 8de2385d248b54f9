// The legend: what the colours and symbols mean.
import { h } from '../../core/dom.js';
import { BEAT_COLORS, COLORS, NO_BEAT } from '../../core/palette.js';
import { CAMERA_RADIUS_M } from './cameras.js';

/** @param {HTMLElement} el */
export function renderLegend(el) {
  /** @param {HTMLElement} swatch @param {string} text */
  const item = (swatch, text) => h('li', {}, swatch, h('span', {}, text));
  el.append(
    h('h2', {}, '图例'),
    h('div', { class: 'legend-beats' },
      h('div', { class: 'palette', title: '网格按所属警格着色' }, BEAT_COLORS.map((c) => h('span', { style: `background:${c}` }))),
      h('p', {}, '填色 = 警格；放大后网格按所属警格着色')),
    h('ul', { class: 'legend' },
      item(h('span', { class: 'sw sw-area', style: `background:${NO_BEAT};border:1px solid #9aa3b0` }), '未划入警格的网格'),
      item(h('span', { class: 'sw sw-hatch', style: `border:2px dashed ${COLORS.straddle}` }), '跨警格网格（需对齐）'),
      item(h('span', { class: 'sw sw-line', style: `border-color:${COLORS.beat};border-width:3px` }), '警格边界'),
      item(h('span', { class: 'sw sw-line', style: `border-color:${COLORS.station};border-width:2px;border-style:dashed` }), '派出所辖区'),
      item(h('span', { class: 'sw sw-point', style: `background:${COLORS.station}` }), '派出所'),
      item(h('span', { class: 'sw sw-dot', style: `background:${COLORS.cameraOnline}` }), '摄像头（在线）'),
      item(h('span', { class: 'sw sw-dot', style: `background:${COLORS.cameraOffline}` }), '摄像头（离线）'),
      item(h('span', { class: 'sw sw-pick', style: `background:${COLORS.pick}` }), `查询点（虚线圈 ${CAMERA_RADIUS_M} 米）`)));
}
