// The panel's sections for a located point (the grid and its parents, the beat, the station,
// their people, neighbours near a boundary, whom to escalate to) and the layer tag the search
// list shares.
import { h } from '../../core/dom.js';
import { categoryName, coord, kindName, layerName, levelName, metres, settingName } from '../../core/format.js';

/** @typedef {import('../../core/api.js').AreaHit} AreaHit */
/** @typedef {import('../../core/api.js').FeatureSummary} FeatureSummary */
/** @typedef {import('../../core/api.js').Person} Person */

/**
 * The coloured label of a layer (网格, 警格...), or of a search hit's kind.
 * @param {string} layer
 * @param {string} [text]
 */
export const tag = (layer, text = layerName(layer)) => h('span', { class: `tag tag-${layer}` }, text);

/**
 * A definition-list row; none when there is nothing to say.
 * @param {string} term
 * @param {string | null | undefined} value
 */
export const row = (term, value) => (value === '' || value == null ? null : [h('dt', {}, term), h('dd', {}, value)]);

/** @param {import('../../core/api.js').LngLat | null} p */
export function pointLine(p) {
  if (!p) return null;
  return h('p', { class: 'point', dataset: { lng: p.lng, lat: p.lat } },
    '经度 ', h('b', {}, coord(p.lng)), '，纬度 ', h('b', {}, coord(p.lat)), h('span', { class: 'muted' }, ' WGS84'));
}

/** @param {Person[] | undefined} list */
function people(list) {
  if (!list?.length) return h('p', { class: 'muted people-none' }, '未配置责任人');
  return h('ul', { class: 'people' }, list.map((p) => {
    const phone = p.phone ?? '';
    const masked = phone.includes('*'); // no dispatcher token: nothing to dial
    return h('li', { class: 'person', dataset: { personId: p.id ?? '' } },
      h('span', { class: 'role' }, p.title || p.role || ''),
      h('span', { class: 'pname' }, p.name ?? ''),
      phone ? h(masked ? 'span' : 'a', { class: 'phone', href: masked ? null : `tel:${phone}` }, phone) : null);
  }));
}

/**
 * @param {AreaHit} g
 * @param {FeatureSummary[]} ancestors nearest first, as the server sends them
 */
export function gridSection(g, ancestors) {
  const chain = [...ancestors].reverse();
  const sub = [g.level_title || levelName(g.level), kindName(g.kind), categoryName(g.category), settingName(g.setting)].filter(Boolean).join(' · ');
  return h('section', { class: 'sec', dataset: { layer: 'grid', id: g.id } },
    h('h3', {}, tag('grid'), h('span', { class: 'name' }, g.name)),
    chain.length ? h('p', { class: 'chain' }, chain.flatMap((a, i) => [
      i ? h('span', { class: 'sep' }, '›') : null,
      h('span', { class: 'anc', dataset: { id: a.id, level: a.level }, title: `${levelName(a.level)} ${a.id}` }, a.name),
    ])) : null,
    h('dl', {}, row('编号', g.id), row('类型', sub), row('距网格边界', metres(g.boundary_distance_m))),
    people(g.people));
}

/**
 * A beat or a station with its people.
 * @param {'beat' | 'station'} layer
 * @param {FeatureSummary} f
 * @param {[string, string][]} extra more rows after the id
 */
export function areaSection(layer, f, extra) {
  return h('section', { class: 'sec', dataset: { layer, id: f.id } },
    h('h3', {}, tag(layer), h('span', { class: 'name' }, f.name)),
    h('dl', {}, row('编号', f.id), extra.map(([k, v]) => row(k, v))),
    people(f.people));
}

/** A point outside every beat: the gap needs someone to own it. */
export const noBeatSection = () =>
  h('section', { class: 'sec warn', dataset: { layer: 'beat', id: '' } }, h('p', {}, '该点未划入任何警格'));

/** @param {import('../../core/api.js').NearCandidate[]} near */
export function nearSection(near) {
  return h('section', { class: 'sec near', dataset: { layer: 'near' } },
    h('h4', {}, near.some((n) => n.layer === 'beat') ? '可能属于相邻网格/警格' : '可能属于相邻网格'),
    h('p', { class: 'muted' }, '该点靠近边界，请核实是否属于：'),
    h('ul', {}, near.map((n) => h('li', { dataset: { layer: n.layer, id: n.id } },
      tag(n.layer), ' ', h('b', {}, n.name), h('span', { class: 'muted' }, ` ${n.id} · ${metres(n.distance_m)}`)))));
}

/** @param {import('../../core/api.js').EscalationStep[]} steps */
export function escalationSection(steps) {
  return h('section', { class: 'sec escalation', dataset: { layer: 'escalation' } },
    h('h4', {}, '上报链'),
    h('ol', {}, steps.map((s) => h('li', { dataset: { id: s.id ?? '', level: s.level } },
      h('div', { class: 'step' }, h('span', { class: 'step-title' }, s.title ?? s.level), h('span', { class: 'step-name' }, s.name ?? '')),
      s.people?.length ? h('div', { class: 'step-people' }, s.people.map((p) =>
        h('span', { class: 'person-inline', dataset: { personId: p.id ?? '' } }, `${p.title || ''} ${p.name ?? ''} ${p.phone ?? ''}`.trim()))) : null))));
}
