// The side panel: what answers for a clicked point, a search hit, or an error.
import { h } from './dom.js';
import { cameraKind, categoryName, coord, hitKind, kindName, layerName, levelName, metres, settingName } from './format.js';

export class Panel {
  constructor(el, { onClose } = {}) {
    this.el = el;
    this.onClose = onClose;
  }

  show(title, ...body) {
    const close = h('button', { class: 'close', type: 'button', title: '关闭', 'aria-label': '关闭', onclick: () => this.hide() }, '×');
    this.el.replaceChildren(h('header', { class: 'panel-head' }, h('h2', {}, title), close), ...body);
    this.el.hidden = false;
    this.el.scrollTop = 0;
  }

  hide() {
    this.el.hidden = true;
    this.el.replaceChildren();
    this.onClose?.();
  }

  get open() { return !this.el.hidden; }

  loading(point) {
    this.show('位置详情', pointLine(point), h('p', { class: 'muted loading' }, '查询中…'));
  }

  /** A /v1/locate answer. */
  located(r) {
    const parts = [pointLine(r.point)];
    if (r.near?.length) parts.push(nearBox(r.near));
    parts.push(r.grid ? gridSection(r.grid, r.ancestors ?? []) : h('section', { class: 'sec', dataset: { layer: 'grid', id: '' } }, h('p', { class: 'muted' }, '该点不在任何网格内')));
    if (r.beat) parts.push(areaSection('beat', r.beat, [['距警格边界', metres(r.beat.boundary_distance_m)]]));
    else parts.push(h('section', { class: 'sec warn', dataset: { layer: 'beat', id: '' } }, h('p', {}, '该点未划入任何警格')));
    if (r.station) parts.push(areaSection('station', r.station, []));
    parts.push(cameras(r.cameras ?? []));
    if (r.escalation?.length) parts.push(escalation(r.escalation));
    this.show('位置详情', ...parts);
    this.el.dataset.state = 'located';
  }

  /** An error answer, e.g. 404 outside the city with the nearest feature. */
  error(err, point) {
    const n = err.body?.nearest;
    this.show('位置详情',
      point ? pointLine(point) : null,
      h('div', { class: 'error', role: 'alert', dataset: { code: err.code ?? '' } },
        h('p', { class: 'error-msg' }, err.message),
        n ? h('p', { class: 'nearest' }, '最近的网格：', h('b', {}, n.name), ` （${n.id}），约 ${metres(n.distance_m)}`) : null));
    this.el.dataset.state = 'error';
  }

  /** A search hit the map flew to. */
  found(r) {
    this.show('搜索结果',
      h('section', { class: 'sec found', dataset: { layer: r.layer, id: r.id } },
        h('h3', {}, h('span', { class: `tag tag-${r.layer}` }, hitKind(r)), h('span', { class: 'name' }, r.name)),
        h('dl', {}, row('编号', r.id), r.center ? row('中心', `${coord(r.center[0])}, ${coord(r.center[1])}`) : null)),
      h('p', { class: 'muted hint' }, '点击地图上任意位置，查看该处的网格、警格、责任人与摄像头。'));
    this.el.dataset.state = 'found';
  }
}

const tag = (layer) => h('span', { class: `tag tag-${layer}` }, layerName(layer));
const row = (k, v) => (v === '' || v == null ? null : [h('dt', {}, k), h('dd', {}, v)]);

function pointLine(p) {
  if (!p) return null;
  return h('p', { class: 'point', dataset: { lng: p.lng, lat: p.lat } }, '经度 ', h('b', {}, coord(p.lng)), '，纬度 ', h('b', {}, coord(p.lat)), h('span', { class: 'muted' }, ' WGS84'));
}

function people(list) {
  if (!list?.length) return h('p', { class: 'muted people-none' }, '未配置责任人');
  return h('ul', { class: 'people' }, list.map((p) => {
    const phone = p.phone ?? '';
    const masked = phone.includes('*');
    return h('li', { class: 'person', dataset: { personId: p.id ?? '' } },
      h('span', { class: 'role' }, p.title || p.role || ''),
      h('span', { class: 'pname' }, p.name ?? ''),
      phone ? h(masked ? 'span' : 'a', { class: 'phone', href: masked ? null : `tel:${phone}` }, phone) : null);
  }));
}

function gridSection(g, ancestors) {
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

function areaSection(layer, f, extra) {
  return h('section', { class: 'sec', dataset: { layer, id: f.id } },
    h('h3', {}, tag(layer), h('span', { class: 'name' }, f.name)),
    h('dl', {}, row('编号', f.id), extra.map(([k, v]) => row(k, v))),
    people(f.people));
}

function nearBox(near) {
  return h('section', { class: 'sec near', dataset: { layer: 'near' } },
    h('h4', {}, near.some((n) => n.layer === 'beat') ? '可能属于相邻网格/警格' : '可能属于相邻网格'),
    h('p', { class: 'muted' }, '该点靠近边界，请核实是否属于：'),
    h('ul', {}, near.map((n) => h('li', { dataset: { layer: n.layer, id: n.id } },
      tag(n.layer), ' ', h('b', {}, n.name), h('span', { class: 'muted' }, ` ${n.id} · ${metres(n.distance_m)}`)))));
}

function escalation(steps) {
  return h('section', { class: 'sec escalation', dataset: { layer: 'escalation' } },
    h('h4', {}, '上报链'),
    h('ol', {}, steps.map((s) => h('li', { dataset: { id: s.id ?? '', level: s.level ?? '' } },
      h('div', { class: 'step' }, h('span', { class: 'step-title' }, s.title ?? s.level ?? ''), h('span', { class: 'step-name' }, s.name ?? '')),
      s.people?.length ? h('div', { class: 'step-people' }, s.people.map((p) =>
        h('span', { class: 'person-inline', dataset: { personId: p.id ?? '' } }, `${p.title || ''} ${p.name ?? ''} ${p.phone ?? ''}`.trim()))) : null))));
}

function cameras(list) {
  return h('section', { class: 'sec cameras', dataset: { layer: 'camera' } },
    h('h4', {}, `附近摄像头（300 米内 ${list.length} 个）`),
    list.length ? h('ul', {}, list.map((c) => h('li', { dataset: { id: c.id, status: c.status ?? '' } },
      h('span', { class: `dot ${c.status === 'offline' ? 'off' : 'on'}`, title: c.status === 'offline' ? '离线' : '在线' }),
      h('span', { class: 'cname' }, c.name),
      h('span', { class: 'muted' }, [cameraKind(c.kind), c.status === 'offline' ? '离线' : null].filter(Boolean).join(' · ')),
      h('span', { class: 'dist' }, metres(c.distance_m))))) : h('p', { class: 'muted' }, '300 米内没有摄像头'));
}
