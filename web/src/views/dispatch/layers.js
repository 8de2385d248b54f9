// The layer switcher: one checkbox per group of style layers (`metadata["onemap:group"]`), with
// a hint on the groups that only show from a deeper zoom. The grid levels come from the palette;
// every other kind, its Chinese title and its feature count come from the server's layer
// manifest (`GET /v1/layers`), so a kind the server adds gets a row without a change here.
import { h } from '../../core/dom.js';
import { thousands } from '../../core/format.js';
import { BEAT_COLORS, COLORS, LEVELS } from '../../core/palette.js';

/** @typedef {import('../../core/api.js').LayerManifest} LayerManifest */
/** @typedef {import('../../core/errors.js').ApiError} ApiError */
/** @typedef {{ class: string, style: string }} Swatch */

/**
 * One row of the switcher.
 * @typedef {object} LayerRow
 * @property {string} id the style group it switches (`grid-3`, `beat`...)
 * @property {string} name
 * @property {number | null} count how many features the server holds; null when unknown
 * @property {number | null} minZoom the server's own minimum zoom, for a kind the style does not draw
 * @property {Swatch} swatch
 */

/** @param {number} level */
function gridSwatch(level) {
  const border = [`2px solid ${COLORS.county}`, `2px solid ${COLORS.township}`, `1px solid ${COLORS.community}`, '1px solid #9aa3b0', `1px dashed ${COLORS.micro}`][level];
  const fill = level === 3 ? `${BEAT_COLORS[0]}88` : level === 4 ? `${BEAT_COLORS[4]}44` : COLORS.land;
  return { class: 'sw-area', style: `background:${fill};border:${border}` };
}

/**
 * How the style draws the kinds it knows, by manifest id. Names never live here: they are the server's.
 * @type {Readonly<Record<string, Swatch>>}
 */
const SWATCHES = {
  beat: { class: 'sw-area', style: `background:${BEAT_COLORS[1]}66;border:2px solid ${COLORS.beat}` },
  station: { class: 'sw-point', style: `background:${COLORS.station}` },
  camera: { class: 'sw-dot', style: `background:${COLORS.cameraOnline}` },
};

const NEUTRAL = '#9ca3af';

/**
 * A grey swatch shaped like the geometry, for a kind the page has no colours for.
 * @param {string | undefined} geometry point, line or polygon
 * @returns {Swatch}
 */
export function neutralSwatch(geometry) {
  if (geometry === 'point') return { class: 'sw-dot', style: `background:${NEUTRAL}` };
  if (geometry === 'line') return { class: 'sw-line', style: `border-color:${NEUTRAL}` };
  return { class: 'sw-area', style: `background:${NEUTRAL}44;border:1px solid ${NEUTRAL}` };
}

const isGridGroup = (/** @type {string} */ id) => /^grid-\d+$/.test(id);

/**
 * The switcher's rows: the grid levels, then every other kind the server holds, in the
 * manifest's order, under its title and with its count. Without a manifest (it could not be
 * fetched) the other groups of the style get rows under their ids.
 * @param {LayerManifest | null} manifest
 * @param {readonly string[]} [styleGroups] the style's groups, in order; used without a manifest
 * @returns {LayerRow[]}
 */
export function layerRows(manifest, styleGroups = []) {
  /** @type {LayerRow[]} */
  const grid = LEVELS.map(({ level, name }) => ({ id: `grid-${level}`, name, count: null, minZoom: null, swatch: gridSwatch(level) }));
  const kinds = manifest
    ? manifest.layers.filter((l) => l.id !== 'grid')
      .map((l) => ({ id: l.id, name: l.title || l.id, count: Number.isFinite(l.count) ? l.count : null, minZoom: Number.isFinite(l.min_zoom) ? l.min_zoom : null, geometry: l.geometry }))
    : [...new Set(styleGroups)].filter((id) => !isGridGroup(id))
      .map((id) => ({ id, name: id, count: null, minZoom: null, geometry: undefined }));
  return [
    ...grid,
    ...kinds.map(({ geometry, ...k }) => ({ ...k, swatch: Object.hasOwn(SWATCHES, k.id) ? SWATCHES[k.id] : neutralSwatch(geometry) })),
  ];
}

/** @param {import('maplibre-gl').LayerSpecification} layer */
const groupOf = (layer) => /** @type {{ 'onemap:group'?: string } | undefined} */ (layer.metadata)?.['onemap:group'];

/**
 * Appends the switcher to `el`. Call once the style has loaded: it reads the style's layers.
 * @param {import('maplibre-gl').Map} map
 * @param {HTMLElement} el
 * @param {LayerManifest | ApiError} manifest the server's layers, or why they could not be had
 */
export function setupLayers(map, el, manifest) {
  const layers = map.getStyle().layers;
  const known = 'layers' in manifest ? manifest : null;
  const failed = 'layers' in manifest ? null : manifest;
  const groups = layers.map(groupOf).filter((g) => g != null);
  const rows = layerRows(known, groups).map((g) => {
    const members = layers.filter((l) => groupOf(l) === g.id);
    const minzoom = members.length ? Math.min(...members.map((l) => l.minzoom ?? 0)) : g.minZoom ?? 0;
    const input = h('input', { type: 'checkbox', checked: true, id: `layer-${g.id}`, dataset: { group: g.id } });
    input.addEventListener('change', () => {
      for (const l of members) map.setLayoutProperty(l.id, 'visibility', input.checked ? 'visible' : 'none');
    });
    const row = h('label', { class: 'layer-row', for: `layer-${g.id}` },
      input, h('span', { class: `sw ${g.swatch.class}`, style: g.swatch.style }),
      h('span', { class: 'lname' }, g.name, g.count == null ? null : h('span', { class: 'lcount' }, `(${thousands(g.count)})`)),
      h('span', { class: 'zoom-hint' }, `${minzoom}级+`));
    return { row, minzoom };
  });
  el.append(h('h2', {}, '图层'), h('div', { class: 'layer-list' }, rows.map((r) => r.row)));
  if (failed) {
    el.append(h('p', { class: 'layers-error', role: 'status', dataset: { code: failed.code }, title: failed.serverMessage || null },
      `图层名称与数量未能读取：${failed.message}`));
  }
  const refresh = () => {
    const z = map.getZoom();
    for (const { row, minzoom } of rows) {
      const hidden = z < minzoom;
      row.classList.toggle('dim', hidden);
      row.title = hidden ? `放大到 ${minzoom} 级以上显示` : '';
    }
  };
  map.on('zoomend', refresh);
  refresh();
}
