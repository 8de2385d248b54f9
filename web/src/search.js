// The search box: names and ids through /v1/search, or a coordinate "lng,lat".
import { search } from './api.js';
import { h } from './dom.js';
import { hitKind } from './format.js';

/** "121.4,28.6", "121.4 28.6", "28.6,121.4" (swapped when clearly lat,lng) → [lng, lat] or null. */
export function parseCoords(text) {
  const m = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)$/);
  if (!m) return null;
  let [a, b] = [Number(m[1]), Number(m[2])];
  if (Math.abs(a) <= 90 && Math.abs(b) > 90) [a, b] = [b, a];
  if (Math.abs(a) > 180 || Math.abs(b) > 90) return null;
  return [a, b];
}

export function setupSearch({ form, input, crs, list }, { onResult, onCoords, onError }) {
  let results = [];
  let resultsFor = '';
  let active = -1;
  let pending = null;
  let timer = 0;

  const close = () => { list.hidden = true; active = -1; };
  const choose = (r) => { close(); input.value = r.name; onResult(r); };

  const render = () => {
    list.replaceChildren(...(results.length
      ? results.map((r, i) => h('li', {
        class: i === active ? 'active' : null, role: 'option', dataset: { layer: r.layer, id: r.id },
        onmousedown: (e) => { e.preventDefault(); choose(r); },
      }, h('span', { class: `tag tag-${r.layer}` }, hitKind(r)), h('span', { class: 'rname' }, r.name), h('span', { class: 'rid' }, r.id)))
      : [h('li', { class: 'empty' }, '没有找到匹配的网格、警格或派出所')]));
    list.hidden = false;
  };

  const run = async (q) => {
    pending?.abort();
    pending = new AbortController();
    try {
      const body = await search(q, pending.signal);
      if (input.value.trim() !== q) return;
      results = body?.results ?? [];
      resultsFor = q;
      active = results.length ? 0 : -1;
      render();
      return results;
    } catch (e) {
      if (e.name !== 'AbortError') onError?.(e);
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
    if (xy) { close(); onCoords(xy[0], xy[1], crs.value); return; }
    if (!list.hidden && resultsFor === q && results[active]) { choose(results[active]); return; }
    const found = await run(q);
    if (found?.length === 1) choose(found[0]);
  });
}
