// The dashboard's filter bar: the period (a preset such as 上月, or two dates) and the incident
// category every figure, chart, table and map on the dashboard counts.
import { h } from '../../core/dom.js';
import { PRESETS, addDays, presetPeriod, typedPeriod } from './period.js';

/** @typedef {import('./period.js').Preset} Preset */

/**
 * @typedef {object} Filters
 * @property {Preset | 'custom'} preset
 * @property {import('./period.js').Period} period
 * @property {string} category '' for every category
 */

/**
 * @param {HTMLElement} el
 * @param {import('../../core/store.js').Store<Filters>} filters
 * @param {string} today China date
 * @returns {{ setCategories: (categories: readonly string[]) => void }}
 */
export function mountFilters(el, filters, today) {
  const preset = h('select', { class: 'f-preset', 'aria-label': '时段' },
    PRESETS.map((p) => h('option', { value: p.id }, p.name)), h('option', { value: 'custom' }, '自定义'));
  const first = h('input', { type: 'date', class: 'f-from', 'aria-label': '开始日期', required: true });
  const last = h('input', { type: 'date', class: 'f-to', 'aria-label': '结束日期（含）', required: true });
  const category = h('select', { class: 'f-category', 'aria-label': '事件类别' }, h('option', { value: '' }, '全部类别'));
  el.replaceChildren(
    h('label', { class: 'f-field' }, h('span', {}, '时段'), preset),
    h('span', { class: 'f-field f-dates' }, first, h('span', {}, '至'), last),
    h('label', { class: 'f-field' }, h('span', {}, '类别'), category));

  const show = () => {
    const f = filters.get();
    preset.value = f.preset;
    first.value = f.period.from;
    last.value = addDays(f.period.to, -1);
    category.value = f.category;
  };
  preset.addEventListener('change', () => {
    if (preset.value === 'custom') return;
    const id = /** @type {Preset} */ (preset.value);
    filters.set({ preset: id, period: presetPeriod(id, today) });
  });
  const typed = () => {
    const period = typedPeriod(first.value, last.value);
    if (period) filters.set({ preset: 'custom', period });
    else show(); // an end before the start: back to what is counted
  };
  first.addEventListener('change', typed);
  last.addEventListener('change', typed);
  category.addEventListener('change', () => filters.set({ category: category.value }));
  filters.subscribe(show);
  show();

  return {
    setCategories(categories) {
      const known = new Set([...category.options].map((o) => o.value));
      for (const c of categories) if (!known.has(c)) category.append(h('option', { value: c }, c));
      category.value = filters.get().category;
    },
  };
}
