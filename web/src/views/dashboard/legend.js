// The legend of a map of classes: a title, one swatch per class, a note (what is grey, what
// was withheld) and what lies over the classes (the uncovered parts).
import { h } from '../../core/dom.js';

/**
 * @param {HTMLElement} el
 * @param {string} title
 * @param {readonly import('./scale.js').LegendItem[]} items
 * @param {string} [note]
 * @param {import('./scale.js').LegendItem | null} [overlay] drawn over the classes
 */
export function renderClassLegend(el, title, items, note, overlay) {
  /** @param {import('./scale.js').LegendItem} i */
  const swatch = (i) => h('span', { class: 'swatch', style: `background:${i.colour}` });
  el.replaceChildren(
    h('h4', {}, title),
    items.length
      ? h('ul', {}, items.map((i) => h('li', {}, swatch(i), i.label)))
      : h('p', { class: 'muted' }, '此时段没有数据'),
    ...(note ? [h('p', { class: 'muted note' }, note)] : []),
    ...(overlay ? [h('p', { class: 'overlay' }, swatch(overlay), overlay.label)] : []));
}

/**
 * Room around the city in the map's first view: on a desktop the legend lies over the map's
 * top left, so the city keeps clear of it (on a phone the legend is under the map).
 * @param {boolean} narrow
 * @returns {{ top: number, bottom: number, left: number, right: number }}
 */
export const clearOfLegend = (narrow) => ({ top: 20, bottom: 20, left: narrow ? 20 : 250, right: 20 });
