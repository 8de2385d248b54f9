// The search box: names and ids through /v1/search as you type, or a coordinate "lng,lat"
// located on Enter in the chosen coordinate system.
import { h } from '../../core/dom.js';
import { hitKind } from '../../core/format.js';
import { asCrs, parseCoords } from './coords.js';
import { tag } from './sections.js';

/** @typedef {import('../../core/api.js').SearchHit} SearchHit */

/**
 * @typedef {object} SearchElements
 * @property {HTMLFormElement} form
 * @property {HTMLInputElement} input
 * @property {HTMLSelectElement} crs
 * @property {HTMLElement} list the drop-down of hits
 */

/**
 * @typedef {object} SearchHandlers
 * @property {(q: string, signal: AbortSignal) => Promise<SearchHit[]>} search
 * @property {(hit: SearchHit) => void} onResult a hit was chosen
 * @property {(lng: number, lat: number, crs: import('../../core/api.js').Crs) => void} onCoords a coordinate was entered
 * @property {(error: unknown) => void} onError
 */

/**
 * @param {SearchElements} elements
 * @param {SearchHandlers} handlers
 */
export function setupSearch({ form, input, crs, list }, { search, onResult, onCoords, onError }) {
  /** @type {SearchHit[]} */
  let results = [];
  let resultsFor = '';
  let active = -1;
  /** @type {AbortController | null} */
  let pending = null;
  let timer = 0;

  const close = () => { list.hidden = true; active = -1; };
  /** @param {SearchHit} r */
  const choose = (r) => { close(); input.value = r.name; onResult(r); };

  const render = () => {
    list.replaceChildren(...(results.length
      ? results.map((r, i) => h('li', {
        class: i === active ? 'active' : null, role: 'option', dataset: { layer: r.layer, id: r.id },
        onmousedown: (e) => { e.preventDefault(); choose(r); },
      }, tag(r.layer, hitKind(r)), h('span', { class: 'rname' }, r.name), h('span', { class: 'rid' }, r.id)))
      : [h('li', { class: 'empty' }, '没有找到匹配的网格、警格或派出所')]));
    list.hidden = false;
  };

  /**
   * Lists the hits for `q` unless the text changed meanwhile; returns them.
   * @param {string} q
   * @returns {Promise<SearchHit[] | undefined>}
   */
  const run = async (q) => {
    pending?.abort();
    pending = new AbortController();
    try {
      const hits = await search(q, pending.signal);
      if (input.value.trim() !== q) return;
      results = hits;
      resultsFor = q;
      active = results.length ? 0 : -1;
      render();
      return results;
    } catch (e) {
      if (!(e instanceof DOMException && e.name === 'AbortError')) onError(e);
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q || parseCoords(q)) { close(); return; }
    timer = setTimeout(() => run(q), 200);
  });

  input.addEventListener('keydown', (e) => {
    if (list.hidden || !results.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length;
      render();
    } else if (e.key === 'Escape') close();
  });
  input.addEventListener('blur', () => setTimeout(close, 150));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) return;
    const xy = parseCoords(q);
    if (xy) { close(); onCoords(xy[0], xy[1], asCrs(crs.value)); return; }
    if (!list.hidden && resultsFor === q && results[active]) { choose(results[active]); return; }
    const found = await run(q);
    if (found?.length === 1) choose(found[0]);
  });
}
