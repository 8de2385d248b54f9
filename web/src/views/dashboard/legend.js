// The legend of a map of classes: a title, one swatch per class, and a note (what is grey, what
// was withheld).
import { h } from '../../core/dom.js';

/**
 * @param {HTMLElement} el
 * @param {string} title
 * @param {readonly import('./scale.js').LegendItem[]} items
 * @param {string} [note]
 */
export function renderClassLegend(el, title, items, note) {
  el.replaceChildren(
    h('h4', {}, title),
    items.length
      ? h('ul', {}, items.map((i) => h('li', {}, h('span', { class: 'swatch', style: `background:${i.colour}` }), i.label)))
      : h('p', { class: 'muted' }, '此时段没有数据'),
    ...(note ? [h('p', { class: 'muted note' }, note)] : []));
}
